import CarrierSimulator
import Foundation
import GRDB
import HeraldCore
import HeraldStore
import Testing

/// `[carrier] segmentation = "client"` through the real daemon and the real simulator: Herald
/// posts every part itself, with its concatenation header, and follows every part to delivery.
@Suite("Client segmentation, end to end", .serialized)
struct ClientSegmentationDaemonTests {
    static let clientMode = #"segmentation = "client""#
    static let gsm = String(repeating: "Your table for four is ready at 7 pm. ", count: 10) + "Reply {STOP} to opt out."  // 3 parts
    static let ucs2 = String(repeating: "Ваш столик готов. ", count: 5) + "Ждём вас ☺️"  // 2 parts

    private func parts(_ harness: DaemonHarness, _ id: Int64) throws -> [Row] {
        try harness.producer.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM message_parts WHERE message_id = ? ORDER BY part", arguments: [id])
        }
    }

    @Test("a 3-part GSM-7 and a 2-part UCS-2 text: one request per part with its header, bodies that rejoin, delivered")
    func partsDelivered() async throws {
        #expect(Segmenter().segment(Self.gsm).segments == 3)
        #expect(Segmenter().segment(Self.ucs2).segments == 2)
        try await DaemonHarness.withDaemon(carrierConfig: Self.clientMode) { harness in
            let ids = try harness.insert([
                OutboxRow(to: "+16125550001", body: Self.gsm),
                OutboxRow(to: "+16125550002", body: Self.ucs2),
            ])
            #expect(try await harness.eventually { try harness.count(where: "state = 'delivered'") == 2 })

            let received = harness.simulator.messages()
            #expect(received.count == 5)
            for (id, to, body, total) in [(ids[0], "+16125550001", Self.gsm, 3), (ids[1], "+16125550002", Self.ucs2, 2)] {
                let posted = received.filter { $0.to == to }
                #expect(posted.map(\.body).joined() == body)
                let reference = Int(id & 0xFF)
                #expect(posted.map(\.udh) == (1...total).map { String(format: "050003%02X%02X%02X", reference, total, $0) })
                #expect(posted.compactMap(\.concatenation) == (1...total).map {
                    UserDataHeader.Concatenation(reference: reference, part: $0, parts: total)
                })
                #expect(posted.allSatisfy { $0.status == "delivered" })

                let message = try #require(try await harness.database.message(id))
                #expect(message.segments == total)
                #expect(message.carrierSid == posted.first?.sid)
                let rows = try parts(harness, id)
                #expect(rows.map { $0["carrier_sid"] as String? } == posted.map(\.sid))
                #expect(rows.allSatisfy { $0["carrier_status"] as String? == "delivered" })
                let events = try await harness.database.events(of: id)
                #expect(events.map(\.to) == [.queued, .sending, .sent, .delivered], "message \(id)")
                #expect(events.last?.detail == "all \(total) parts delivered")
            }
            let stats = harness.simulator.stats()
            #expect(stats.accepted == 5)
            #expect(stats.duplicateRequests == 0)
            let usage = try await harness.database.usage(org: DaemonHarness.org)
            #expect(usage.reduce(0) { $0 + $1.messages } == 2)
            #expect(usage.reduce(0) { $0 + $1.segments } == 5)
        }
    }

    @Test("a 503 on part 2: the message is retried, each part accepted once, and it ends delivered")
    func partTwoFailsOnce() async throws {
        try await DaemonHarness.withDaemon(carrierConfig: Self.clientMode) { harness in
            harness.simulator.failPart(2, count: 1, status: 503)
            let id = try harness.insert([OutboxRow(to: "+16125550003", body: Self.gsm)])[0]
            #expect(try await harness.eventually { try harness.state(of: id) == "delivered" })

            let message = try #require(try await harness.database.message(id))
            #expect(message.attempts == 2)
            let events = try await harness.database.events(of: id)
            let retry = try #require(events.first { $0.to == .scheduled })
            #expect(retry.reason == HeldReason.retryBackoff.rawValue)
            #expect(retry.httpStatus == 503)
            #expect(retry.detail?.contains("part 2 of 3") == true, "\(retry.detail ?? "-")")
            #expect(events.last?.to == .delivered)

            // The retry posts only the parts the carrier had not taken: part 1 is never posted again,
            // so even a gateway that ignores idempotency keys sends it once.
            let stats = harness.simulator.stats()
            #expect(stats.accepted == 3)
            #expect(stats.duplicates.isEmpty, "part posted twice: \(stats.duplicates)")
            #expect(harness.simulator.messages().filter { $0.idempotencyKey == "\(message.carrierKey)-p1of3" }.count == 1)
            let posted = harness.simulator.messages()
            #expect(posted.map(\.body).joined() == Self.gsm)
            #expect(posted.compactMap(\.concatenation?.part) == [1, 2, 3])
            #expect(try parts(harness, id).map { $0["carrier_sid"] as String? } == posted.map(\.sid))
        }
    }

    @Test("a one-segment text in client mode is posted whole, without a header")
    func singleSegmentUnchanged() async throws {
        try await DaemonHarness.withDaemon(carrierConfig: Self.clientMode) { harness in
            let id = try harness.insert([OutboxRow(to: "+16125550004", body: "See you at 7")])[0]
            #expect(try await harness.eventually { try harness.state(of: id) == "delivered" })
            let posted = try #require(harness.simulator.messages().first)
            #expect(posted.udh == nil)
            #expect(posted.body == "See you at 7")
            #expect(try parts(harness, id).isEmpty)
        }
    }
}
