import CarrierSimulator
import Foundation
import GRDB
import HeraldCore
import HeraldStore
import HeraldTestSupport
import Testing

/// docs/consent.md through the real webhook: replies signed by the simulator, answered by texts the
/// simulator receives, consent read back from the ledger.
@Suite("Consent: keywords on the inbound path")
struct ConsentKeywordTests {
    static let org = DaemonHarness.org

    static func reply(_ harness: DaemonHarness, from: String, _ body: String) async throws {
        let delivery = try await harness.simulator.injectInbound(from: from, to: DaemonHarness.alice, body: body)
        #expect(delivery.status == 200, "webhook answered \(delivery.status)")
    }

    static func consent(_ harness: DaemonHarness, _ number: String) async throws -> ConsentState {
        try await harness.database.consent(org: org, number: number)
    }

    /// Bodies the carrier accepted for `number`, oldest first.
    static func received(_ harness: DaemonHarness, _ number: String) -> [String] {
        harness.simulator.messages().filter { $0.to == number }.sorted { $0.acceptedAt < $1.acceptedAt }.map(\.body)
    }

    /// Texts to `number` that may still reach the carrier. The webhook answers a reply only once the
    /// reply and whatever it queued are committed together, so when this is 0 after a reply, the
    /// carrier has everything that reply will ever cause.
    static func moving(_ harness: DaemonHarness, _ number: String) throws -> Int {
        try harness.count(where: "to_number = '\(number)' AND state IN ('queued', 'scheduled', 'sending', 'sent')")
    }

    static func inbound(_ harness: DaemonHarness, from number: String) throws -> [String] {
        try harness.producer.read { db in
            try Row.fetchAll(db, sql: "SELECT keyword, action FROM inbound_messages WHERE from_number = ? ORDER BY id", arguments: [number])
                .map { "\($0["keyword"] as String? ?? "-") \($0["action"] as String? ?? "-")" }
        }
    }

    @Test("YES opts in, confirms once and releases the waiting journey; STOP opts out, confirms once, cancels what waits, and later sends are refused")
    func yesThenStop() async throws {
        let contact = "+16125550401"
        try await DaemonHarness.withDaemon(clock: ManualWallClock(Timestamp.parse("2026-11-23T12:00:00-06:00")!)) { harness in
            let journey = try harness.insert([OutboxRow(to: contact, body: "Your appointment is tomorrow", kind: "journey")], optIn: false)[0]
            let chat = try harness.insert([OutboxRow(to: contact, body: "hi there")], optIn: false)[0]
            #expect(try await harness.eventually { try harness.state(of: journey) == "awaiting_consent" })
            #expect(try await harness.eventually { try harness.state(of: chat) == "rejected" })
            #expect(try harness.count(where: "id = \(chat) AND reason = 'no_consent'") == 1)
            // Herald asked on the sender's behalf, with the org's standard wording.
            #expect(try await harness.eventually { Self.received(harness, contact).count == 1 })
            let request = try #require(Self.received(harness, contact).first)
            #expect(request.hasPrefix("Acme: Alice would like to send you text messages. Reply YES to opt in."), "\(request)")
            #expect(try harness.count(where: "kind = 'opt_in_request' AND to_number = '\(contact)'") == 1)

            try await Self.reply(harness, from: contact, "  yes! ")
            #expect(try await Self.consent(harness, contact) == .optedIn)
            #expect(try await harness.eventually { try harness.state(of: journey) == "delivered" })
            #expect(try await harness.eventually { Self.received(harness, contact).count == 3 })
            #expect(Self.received(harness, contact).contains { $0.hasPrefix("You're all set to get texts from Acme.") })
            // A second YES is recorded but neither changes consent nor confirms again.
            let textsBeforeSecondYes = try harness.count(where: "to_number = '\(contact)'")
            try await Self.reply(harness, from: contact, "YES")
            #expect(try harness.count(where: "to_number = '\(contact)'") == textsBeforeSecondYes, "the second YES queued nothing")
            #expect(try await harness.eventually { try Self.moving(harness, contact) == 0 })
            #expect(Self.received(harness, contact).count == 3)

            let later = try harness.insert([OutboxRow(to: contact, body: "See you in March", kind: "journey", sendAt: "2027-03-01T15:00:00Z")],
                                           optIn: false)[0]
            #expect(try await harness.eventually { try harness.state(of: later) == "scheduled" })
            try await Self.reply(harness, from: contact, "Stop.")
            #expect(try await Self.consent(harness, contact) == .optedOut)
            #expect(try harness.state(of: later) == "canceled")
            #expect(try harness.count(where: "id = \(later) AND reason = 'opted_out'") == 1)
            #expect(try await harness.eventually { Self.received(harness, contact).count == 4 })
            #expect(Self.received(harness, contact).last?.hasPrefix("You are unsubscribed from Acme") == true)
            let textsBeforeSecondStop = try harness.count(where: "to_number = '\(contact)'")
            try await Self.reply(harness, from: contact, "STOP")
            #expect(try harness.count(where: "to_number = '\(contact)'") == textsBeforeSecondStop, "the second STOP queued nothing")
            let refused = try harness.insert([OutboxRow(to: contact, body: "one more thing")], optIn: false)[0]
            #expect(try await harness.eventually { try harness.state(of: refused) == "rejected" })
            #expect(try harness.count(where: "id = \(refused) AND reason = 'no_consent' AND detail LIKE '%opted out%'") == 1)
            #expect(try await harness.eventually { try Self.moving(harness, contact) == 0 })
            #expect(Self.received(harness, contact).count == 4, "no second confirmation, nothing after the opt-out")

            #expect(try Self.inbound(harness, from: contact) == [
                "opt_in opted_in", "opt_in already_opted_in", "opt_out opted_out", "opt_out already_opted_out",
            ])
            let ledger = try await harness.database.consentHistory(org: Self.org, number: contact)
            #expect(ledger.map { "\($0.old.rawValue)>\($0.new.rawValue) \($0.type.rawValue) \($0.changedBy)" } == [
                "unknown>opted_in sms_response Unknown", "opted_in>opted_out sms_response Unknown",
            ])
            // The proof of the opt-in is the request the contact answered.
            #expect(ledger.first?.wording == request)
            #expect(ledger.first?.sourceInboundID != nil)
        }
    }

    @Test("1 and 2 work like YES and STOP; HELP and INFO get the org's help text; other replies are conversation")
    func numbersHelpAndConversation() async throws {
        let one = "+16125550402"
        let helper = "+16125550403"
        try await DaemonHarness.withDaemon(
            extraConfig: "", clock: ManualWallClock(Timestamp.parse("2026-11-23T12:00:00-06:00")!)
        ) { harness in
            try await Self.reply(harness, from: one, "1")
            #expect(try await Self.consent(harness, one) == .optedIn)
            try await Self.reply(harness, from: one, " 2 ")
            #expect(try await Self.consent(harness, one) == .optedOut)
            #expect(try await harness.eventually { Self.received(harness, one).count == 2 })

            try await Self.reply(harness, from: helper, "help")
            try await Self.reply(harness, from: helper, "Info?")
            try await Self.reply(harness, from: helper, "stop by at 5?")
            #expect(try await harness.eventually { Self.received(harness, helper).count == 2 })
            #expect(Self.received(harness, helper).allSatisfy { $0.hasPrefix("Acme: texts from Alice. Reply STOP to unsubscribe") })
            #expect(try await Self.consent(harness, helper) == .unknown)
            #expect(try Self.inbound(harness, from: helper) == ["help help_answered", "help help_answered", "- conversation"])
            // Answers are system texts: never held, no consent needed.
            #expect(try await harness.eventually { try harness.count(where: "to_number = '\(helper)' AND kind = 'system' AND state = 'delivered'") == 2 })
        }
    }

    @Test("an org's own texts: the configured help text and confirmation are what the contact receives")
    func orgTexts() async throws {
        let contact = "+16125550404"
        let texts = """
            optin_confirmation = "{org_name}: subscribed. Reply HELP for help, STOP to stop."
            help_text = "{org_name} support: 612-555-0000. Reply STOP to stop."
            """
        try await DaemonHarness.withDaemon(extraConfig: Self.orgWithTexts(texts)) { harness in
            let delivery = try await harness.simulator.injectInbound(from: contact, to: "+16125550500", body: "START")
            #expect(delivery.status == 200)
            #expect(try await harness.simulator.injectInbound(from: contact, to: "+16125550500", body: "HELP").status == 200)
            #expect(try await harness.eventually { Self.received(harness, contact).count == 2 })
            // Both are system texts of one priority, posted concurrently: their order is the network's.
            #expect(Set(Self.received(harness, contact)) == [
                "Texters: subscribed. Reply HELP for help, STOP to stop.", "Texters support: 612-555-0000. Reply STOP to stop.",
            ])
            #expect(try await harness.database.consent(org: "texters", number: contact) == .optedIn)
            #expect(try await harness.database.consent(org: Self.org, number: contact) == .unknown, "consent is per organization")
        }
    }

    static func orgWithTexts(_ texts: String) -> String {
        """
        [[orgs]]
        id = "texters"
        name = "Texters"
        timezone = "America/Chicago"
        window_start = "00:00"
        window_end = "23:59"
        \(texts)
        [[orgs.users]]
        id = "erin"
        name = "Erin"
        number = "+16125550500"
        number_type = "long_code"
        rate = 100.0
        """
    }

    @Test("a user's auto-reply answers a conversation reply once per period, and only a contact who opted in")
    func autoReply() async throws {
        let friend = "+16125550406"
        let stranger = "+16125550407"
        let user = """
            auto_reply = "Erin is out today; back Monday."
            auto_reply_period = 12.0
            """
        let clock = ManualWallClock(Timestamp.parse("2026-11-23T12:00:00-06:00")!)
        try await DaemonHarness.withDaemon(extraConfig: Self.orgWithTexts("") + "\n" + user, clock: clock) { harness in
            try harness.optIn([("texters", friend)])
            for body in ["Running late", "Are you there?"] {
                #expect(try await harness.simulator.injectInbound(from: friend, to: "+16125550500", body: body).status == 200)
            }
            #expect(try await harness.simulator.injectInbound(from: stranger, to: "+16125550500", body: "Who is this?").status == 200)
            #expect(try await harness.eventually { Self.received(harness, friend).count == 1 })
            clock.set(clock.now() + 12 * 3600 + 1)
            #expect(try await harness.simulator.injectInbound(from: friend, to: "+16125550500", body: "Hello again").status == 200)
            #expect(try await harness.eventually { Self.received(harness, friend).count == 2 })
            #expect(Self.received(harness, friend).allSatisfy { $0 == "Erin is out today; back Monday." })
            #expect(Self.received(harness, stranger).isEmpty)
            #expect(try Self.inbound(harness, from: friend) == ["- auto_replied", "- conversation", "- auto_replied"])
            #expect(try Self.inbound(harness, from: stranger) == ["- conversation"])
        }
    }

    @Test("a STOP's confirmation goes at its number's next slot, ahead of the broadcast its rate cap holds in line")
    func confirmationAheadOfABacklog() async throws {
        let clock = ManualWallClock(Timestamp.parse("2026-11-23T12:00:00-06:00")!)
        let config = Self.orgWithTexts("").replacingOccurrences(of: "rate = 100.0", with: "rate = 1.0")
        try await DaemonHarness.withDaemon(extraConfig: config, clock: clock) { harness in
            let contacts = (0..<20).map { "+161255507\(String(format: "%02d", $0))" }
            _ = try harness.insert(contacts.map { OutboxRow(org: "texters", sender: "erin", to: $0, body: "Sale today", kind: "bulk") })
            // One goes at once; the number's cap (one a second, the clock stopped) holds the others to slots.
            #expect(try await harness.eventually { try harness.count(where: "kind = 'bulk' AND held_reason = 'sender_rate'") == 19 })
            let last = contacts[19]
            let delivery = try await harness.simulator.injectInbound(from: last, to: "+16125550500", body: "STOP")
            #expect(delivery.status == 200, "webhook answered \(delivery.status)")
            clock.set(clock.now() + 1.5)
            // At the next slot the confirmation goes, not 19 seconds later behind the broadcast.
            let confirmed = try await harness.eventually { Self.received(harness, last).count == 1 }
            let held = try harness.count(where: "kind = 'system' AND state = 'scheduled'")
            #expect(confirmed, "no confirmation at the next slot: \(held) system texts held")
            #expect(try harness.count(where: "kind = 'bulk' AND state IN ('sending', 'sent', 'delivered')") == 1,
                    "the held text of that slot gives way: one text a second still")
        }
    }

    @Test("carrier error 21610 records the opt-out in the ledger and cancels what else waits for that number")
    func carrierUnsubscribed() async throws {
        let contact = "+16125550405"
        try await DaemonHarness.withDaemon { harness in
            harness.simulator.setError(for: contact, CarrierErrorReply(status: 400, code: 21610, message: "Attempt to send to unsubscribed recipient"))
            let first = try harness.insert([OutboxRow(to: contact, body: "hello")])[0]
            #expect(try await harness.eventually { try harness.state(of: first) == "failed" })
            #expect(try await Self.consent(harness, contact) == .optedOut)
            let ledger = try await harness.database.consentHistory(org: Self.org, number: contact)
            #expect(ledger.last?.type == .smsResponse)
            #expect(ledger.last?.sourceMessageID == first)
            #expect(ledger.last?.note?.contains("21610") == true)
            let second = try harness.insert([OutboxRow(to: contact, body: "again")], optIn: false)[0]
            #expect(try await harness.eventually { try harness.state(of: second) == "rejected" })
        }
    }
}
