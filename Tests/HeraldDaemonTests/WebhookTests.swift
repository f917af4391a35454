import CarrierSimulator
import Foundation
import GRDB
import HeraldCarrier
import HeraldCore
import HeraldStore
import Testing

/// The webhook listener through real HTTP: signatures, ordering, duplicates, inbound storage.
@Suite("Webhooks", .serialized)
struct WebhookTests {
    /// Posts a form to the daemon's listener, signed with `token` unless told not to.
    static func post(
        _ harness: DaemonHarness, path: String, fields: [(String, String)], token: String?, signatureOverride: String? = nil
    ) async throws -> Int {
        let base = harness.webhookURL
        let url = base + path
        var headers = [("Content-Type", "application/x-www-form-urlencoded")]
        if let signatureOverride {
            headers.append(("X-Twilio-Signature", signatureOverride))
        } else if let token {
            headers.append(("X-Twilio-Signature", WebhookSignature(authToken: token).sign(url: url, parameters: fields)))
        }
        let http = try CurlMulti(maxInFlight: 4, connectTimeout: .seconds(2), totalTimeout: .seconds(5))
        defer { http.shutdown() }
        let result = await http.perform(HTTPRequest(method: "POST", url: url, headers: headers, body: Array(FormEncoding.encode(fields).utf8)))
        guard case let .response(status, _, _) = result else { throw CurlFailure(result: "\(result)") }
        return status
    }

    struct CurlFailure: Error { var result: String }

    /// A message delivered through the simulator, to aim callbacks at.
    static func deliveredMessage(_ harness: DaemonHarness) async throws -> MessageSnapshot {
        let id = try harness.insert([OutboxRow(to: "+16125550150", body: "webhook target")])[0]
        #expect(try await harness.eventually { try harness.state(of: id) == "delivered" })
        return try #require(try await harness.database.message(id))
    }

    @Test("Forged and unsigned callbacks get 403 and change nothing")
    func forgedCallbacksRefused() async throws {
        try await DaemonHarness.withDaemon { harness in
            let message = try await Self.deliveredMessage(harness)
            let sid = try #require(message.carrierSid)
            let eventsBefore = try await harness.database.events(of: message.id).count
            let fields = [("MessageSid", sid), ("MessageStatus", "failed"), ("ErrorCode", "30008")]
            let path = "/webhooks/status?m=\(message.id)"
            #expect(try await Self.post(harness, path: path, fields: fields, token: nil) == 403)
            #expect(try await Self.post(harness, path: path, fields: fields, token: "not-the-token") == 403)
            #expect(try await Self.post(harness, path: path, fields: fields, token: nil, signatureOverride: "garbage!!") == 403)
            // Signed for other parameters: the signature covers every field.
            let signedOther = WebhookSignature(authToken: harness.simulator.authToken)
                .sign(url: harness.webhookURL + path, parameters: [("MessageSid", sid), ("MessageStatus", "delivered")])
            #expect(try await Self.post(harness, path: path, fields: fields, token: nil, signatureOverride: signedOther) == 403)
            let after = try #require(try await harness.database.message(message.id))
            #expect(after.state == .delivered)
            #expect(after.errorCode == nil)
            #expect(try await harness.database.events(of: message.id).count == eventsBefore)

            let inbound = [("From", "+16125550150"), ("To", DaemonHarness.alice), ("Body", "forged"), ("MessageSid", "SMforged")]
            #expect(try await Self.post(harness, path: "/webhooks/inbound", fields: inbound, token: nil) == 403)
            let stored = try await harness.producer.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM inbound_messages") }
            #expect(stored == 0)
        }
    }

    @Test("Out-of-order and duplicate callbacks never move a message backwards")
    func callbacksOnlyMoveForward() async throws {
        try await DaemonHarness.withDaemon { harness in
            let message = try await Self.deliveredMessage(harness)
            let sid = try #require(message.carrierSid)
            let token = harness.simulator.authToken
            let path = "/webhooks/status?m=\(message.id)"
            let eventsBefore = try await harness.database.events(of: message.id).count
            for status in ["sent", "queued", "delivered", "undelivered", "failed"] {
                #expect(try await Self.post(harness, path: path, fields: [("MessageSid", sid), ("MessageStatus", status)], token: token) == 204)
            }
            let after = try #require(try await harness.database.message(message.id))
            #expect(after.state == .delivered)
            #expect(try await harness.database.events(of: message.id).count == eventsBefore)

            // A callback for an unknown sid is acknowledged (the carrier must stop retrying) and ignored.
            #expect(try await Self.post(harness, path: "/webhooks/status", fields: [("MessageSid", "SMnope"), ("MessageStatus", "delivered")], token: token) == 204)
            // A signed callback without the fields it needs is a client error.
            #expect(try await Self.post(harness, path: "/webhooks/status", fields: [("Foo", "bar")], token: token) == 400)
        }
    }

    @Test("A signed inbound message is stored once, attributed to the org owning the number")
    func inboundStored() async throws {
        try await DaemonHarness.withDaemon { harness in
            let delivery = try await harness.simulator.injectInbound(from: "+16125550199", to: DaemonHarness.alice, body: "Is Tuesday OK?")
            #expect(delivery.status == 200)
            let fields = [("From", "+16125550199"), ("To", DaemonHarness.alice), ("Body", "again"), ("MessageSid", "SMrepeat")]
            #expect(try await Self.post(harness, path: "/webhooks/inbound", fields: fields, token: harness.simulator.authToken) == 200)
            #expect(try await Self.post(harness, path: "/webhooks/inbound", fields: fields, token: harness.simulator.authToken) == 200)
            let rows = try await harness.producer.read { db in
                try Row.fetchAll(db, sql: "SELECT org, from_number, to_number, body FROM inbound_messages ORDER BY id")
            }
            #expect(rows.count == 2)
            #expect(rows.first?["body"] == "Is Tuesday OK?")
            #expect(rows.first?["org"] == DaemonHarness.org)
        }
    }
}
