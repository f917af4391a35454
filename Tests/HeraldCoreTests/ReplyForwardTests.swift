import Foundation
import HeraldCore
import Testing

@Suite("Reply forward mail text")
struct ReplyForwardTests {
    static func forward(contactName: String? = "José Núñez", keyword: ReplyKeyword? = nil) -> ReplyForward {
        ReplyForward(
            id: 7, inboundID: 42, orgID: "acme", orgName: "Acme", timeZone: "America/Chicago", userID: "alice",
            userName: "Alice", userNumber: "+16125550100", toAddress: "alice@example.com", contactNumber: "+16125550123",
            contactName: contactName, text: "Running late 😀\nsee you at 3", receivedAt: Date(timeIntervalSince1970: 1_800_000_000),
            keyword: keyword, attempts: 0
        )
    }

    @Test("subject and body name the contact, their number, the user's number, the local received time and the text")
    func namedContact() {
        let forward = Self.forward()
        #expect(forward.subject == "SMS reply from José Núñez (+16125550123) to your number +16125550100")
        #expect(forward.body == """
            José Núñez (+16125550123) replied to your Herald number +16125550100:

            Running late 😀
            see you at 3

            From:     José Núñez (+16125550123)
            To:       +16125550100 (Alice, Acme)
            Received: 2027-01-15 02:00:00 CST (America/Chicago)

            Answering this email does not text the contact; reply from Herald.
            Herald inbound message 42
            """)
    }

    @Test("an unknown number is shown alone, and a keyword says what Herald did about it")
    func numberAndKeyword() {
        let forward = Self.forward(contactName: nil, keyword: .optOut)
        #expect(forward.subject == "SMS reply from +16125550123 to your number +16125550100")
        #expect(forward.body.contains("Keyword:  opt_out - the contact opted out of texts from Acme; Herald sent the opt-out confirmation"))
        #expect(!Self.forward().body.contains("Keyword:"))
    }
}
