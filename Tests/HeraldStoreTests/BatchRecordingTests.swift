import Foundation
import GRDB
import HeraldCore
import HeraldStore
import Testing

/// Accepted posts are written as one batch through SQLite's json_each: the values must arrive
/// exactly as the carrier sent them, whatever characters they hold.
@Suite("Store: batched recording of accepted posts")
struct BatchRecordingTests {
    @Test("sids and statuses with quotes, backslashes and control characters are stored exactly", arguments: Backend.allCases)
    func oddSidsSurvive(_ backend: Backend) async throws {
        let fixture = try await StoreFixture(backend)
        let ids = [try await fixture.queued(), try await fixture.queued(), try await fixture.queued()]
        let claimed = try await fixture.claimAll()
        #expect(claimed.map(\.id) == ids)
        let sids = ["SM\"quoted\"", "SM\\back\\slash\u{1}", "SMüñï📦\n"]
        let records = zip(claimed, sids).map { message, sid in
            DispatchRecord(message: message, decision: .sent(sid: sid, carrierStatus: "que\"ued", segments: 1), httpStatus: 201)
        }
        try await fixture.db.record(records, now: fixture.now)
        for (id, sid) in zip(ids, sids) {
            let message = try #require(try await fixture.db.message(id))
            #expect(message.state == .sent)
            #expect(message.carrierSid == sid)
            let events = try await fixture.db.events(of: id)
            #expect(events.map(\.to) == [.queued, .sending, .sent])
            #expect(events.last?.httpStatus == 201)
        }
        #expect(try await fixture.count("SELECT COUNT(*) FROM message_event WHERE carrier_status = 'que\"ued'") == 3)
    }
}
