import Foundation
import GRDB
import HeraldCore
import HeraldStore

/// A broadcast's fan-out alone, in the store: one outbox row to a group of N members becomes N
/// messages, a batch per transaction as heraldd does it, each member judged by the ingest rules
/// (number, windows, consent). No dispatcher shares the writer, so this is the fan-out's ceiling;
/// the peak resident set shows that memory holds a batch, not the group.
struct FanOutThroughput {
    struct Figure {
        var members: Int
        var seconds: Double
        var peakRSSKiB: Int?
        var rssBeforeKiB: Int?
    }

    static let batchSize = 2_000

    func run(members: Int) async throws -> Figure {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("herald-bench-fanout-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let database = try QueueDatabase(path: folder.appendingPathComponent("herald.db").path)
        defer { try? database.pool.close() }
        let now = Date()
        try await database.upsert(organizations: [OrganizationRecord(
            id: "acme", name: "Acme", timeZone: "America/Chicago", windowStart: "00:00", windowEnd: "23:59", windowDays: nil,
            senders: [SenderRecord(userID: "alice", name: "Alice", number: "+16125550100", numberType: "long_code", rate: 1)]
        )], now: now)
        try await database.pool.write { db in
            let series = "WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < ?1 - 1)"
            try db.execute(sql: series + " INSERT INTO contact (id, org_id, created_at, updated_at) SELECT 1 + i, 'acme', 0, 0 FROM n",
                           arguments: [members])
            try db.execute(sql: series + """
                 INSERT INTO contact_number (org_id, number, contact_id, preferred_sms) SELECT 'acme', printf('+1612%07d', 2000000 + i), 1 + i, 1 FROM n
                """, arguments: [members])
            try db.execute(sql: series + """
                 INSERT INTO consent_ledger (org_id, number, at, old_state, new_state, consent_type, changed_by)
                 SELECT 'acme', printf('+1612%07d', 2000000 + i), 0, 'unknown', 'opted_in', 'web', 'bench' FROM n
                """, arguments: [members])
            try db.execute(sql: "INSERT INTO contact_group (org_id, name, created_at, updated_at) VALUES ('acme', 'everyone', 0, 0)")
            try db.execute(sql: "INSERT INTO contact_group_member (group_id, contact_id, added_at) SELECT ?, id, 0 FROM contact",
                           arguments: [db.lastInsertedRowID])
            try db.execute(sql: "INSERT INTO outbox (org, sender, to_group, body, kind) VALUES ('acme', 'alice', 'everyone', 'Doors open at 9 tomorrow', 'bulk')")
        }
        let directory = try await database.loadDirectory()
        let rules = IngestRules(windows: WindowCalculator())
        let before = Self.peakRSS()
        let clock = ContinuousClock()
        let start = clock.now
        _ = try await database.ingest(limit: 10, now: now, directory: directory, rules: rules)
        var fanned = 0
        while let report = try await database.fanOutBroadcast(limit: Self.batchSize, now: now, directory: directory, rules: rules) {
            fanned += report.members
        }
        let elapsed = clock.now - start
        guard fanned == members else { throw BenchFailure("fan-out made \(fanned) messages for \(members) members") }
        return Figure(members: members, seconds: Formatting.seconds(elapsed), peakRSSKiB: Self.peakRSS(), rssBeforeKiB: before)
    }

    /// VmHWM of this process, in KiB.
    static func peakRSS() -> Int? {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return nil }
        return status.split(separator: "\n").first { $0.hasPrefix("VmHWM:") }
            .flatMap { Int($0.split(separator: " ", omittingEmptySubsequences: true)[1]) }
    }
}

struct BenchFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
