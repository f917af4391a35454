import CarrierSimulator
import Foundation
import GRDB
import HeraldControl
import HeraldTestSupport
import Testing

/// A broadcast to a large group through the real heraldd process and the simulator: members
/// added from a file with the real heraldctl, the fan-out, every message sent, and heraldd's peak
/// memory read from the kernel. Run with 10,000 and 100,000 members to show that memory does not
/// follow the group's size. The numbers are printed (`BROADCAST-SCALE …`) for docs/benchmarks.md;
/// they are not asserted, since they depend on the machine.
@Suite("Broadcast at scale", .serialized)
struct BroadcastScaleTests {
    /// One member in a hundred never opted in: their rejection is part of the outcome too.
    static func optedIn(_ index: Int) -> Bool { index % 100 != 99 }

    static func number(_ index: Int) -> String { String(format: "+1612%07d", 2_000_000 + index) }

    /// VmHWM (peak resident set) of a process, in KiB.
    static func peakRSS(_ pid: Int32) -> Int? {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return nil }
        for line in status.split(separator: "\n") where line.hasPrefix("VmHWM:") {
            return Int(line.split(separator: " ", omittingEmptySubsequences: true)[1])
        }
        return nil
    }

    /// `total` contacts of acme with one preferred number each, all but one in a hundred opted in,
    /// as an import would leave them, in bulk SQL for speed; the ledger's trigger fills `consent`.
    static func contacts(_ total: Int, in queue: DatabaseQueue) async throws {
        try await queue.write { db in
            let numbers = "WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < ?1 - 1)"
            try db.execute(sql: numbers + """
                INSERT INTO contact (id, org_id, external_id, first_name, created_at, updated_at)
                SELECT 1000000 + i, 'acme', 'crm-' || i, 'Member ' || i, 0, 0 FROM n
                """, arguments: [total])
            try db.execute(sql: numbers + """
                INSERT INTO contact_number (org_id, number, contact_id, label, preferred_sms)
                SELECT 'acme', printf('+1612%07d', 2000000 + i), 1000000 + i, 'mobile', 1 FROM n
                """, arguments: [total])
            try db.execute(sql: numbers + """
                INSERT INTO consent_ledger (org_id, number, at, old_state, new_state, consent_type, changed_by)
                SELECT 'acme', printf('+1612%07d', 2000000 + i), 0, 'unknown', 'opted_in', 'web', 'scale-test'
                FROM n WHERE i % 100 != 99
                """, arguments: [total])
        }
    }

    @Test("SIGKILL in the middle of a fan-out: the restarted heraldd finishes it, no member lost or doubled")
    func killedDuringFanOut() async throws {
        try #require(FileManager.default.isExecutableFile(atPath: CrashRecoveryTests.heralddPath))
        let total = 40_000
        let directory = try DaemonHarness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        try await CarrierSimulator.withRunning(SimulatorConfiguration(callbackDelay: .seconds(3600))) { simulator in
            let (configPath, databasePath, log) = try CrashRecoveryTests.writeFiles(in: directory, simulator: simulator)
            var heraldd = try CrashRecoveryTests.startHeraldd(config: configPath, log: log)
            let queue = try await CrashRecoveryTests.producer(databasePath: databasePath, log: log)
            try await Self.contacts(total, in: queue)
            let broadcastID = try await queue.write { db in
                try db.execute(sql: "INSERT INTO contact_group (org_id, name, created_at, updated_at) VALUES ('acme', 'everyone', 0, 0)")
                try db.execute(sql: "INSERT INTO contact_group_member (group_id, contact_id, added_at) SELECT ?, id, 0 FROM contact", arguments: [db.lastInsertedRowID])
                try db.execute(sql: "INSERT INTO outbox (org, sender, to_group, body, kind) VALUES ('acme', 'alice', 'everyone', 'Doors open at 9', 'bulk')")
                return db.lastInsertedRowID
            }
            func progress() async throws -> (state: String, members: Int, messages: Int)? {
                try await queue.read { db in
                    guard let row = try Row.fetchOne(db, sql: "SELECT state, members FROM broadcast WHERE id = ?", arguments: [broadcastID]) else { return nil }
                    let messages = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM message WHERE broadcast_id = ?", arguments: [broadcastID]) ?? 0
                    return (row["state"], row["members"], messages)
                }
            }
            // Kill once some batches are committed but not all. heraldd is stopped while the test
            // looks, so the kill lands on the progress seen, not on a fan-out finished meanwhile.
            var seen: (state: String, members: Int, messages: Int)?
            try await waitUntil("6,000 members fanned out", timeout: .seconds(120), interval: .milliseconds(5)) {
                try await ChildProcess.freeze(heraldd.processIdentifier)
                seen = try await progress()
                if let seen, seen.members >= 6_000 { return true }
                ChildProcess.thaw(heraldd.processIdentifier)
                return false
            }
            kill(heraldd.processIdentifier, SIGKILL)
            heraldd.waitUntilExit()
            let atKill = try #require(try await progress())
            #expect(atKill.members == seen?.members, "nothing committed between the look and the kill")
            #expect(atKill.state == "fanning_out", "the kill should land mid fan-out")
            // What was committed is whole: each batch's messages came with its cursor.
            #expect(atKill.messages == atKill.members)

            heraldd = try CrashRecoveryTests.startHeraldd(config: configPath, log: log)
            let restarted = heraldd
            defer { if restarted.isRunning { kill(restarted.processIdentifier, SIGKILL) } }
            #expect(try await eventually(timeout: .seconds(180), interval: .milliseconds(100)) { try await progress()?.state == "done" })
            let done = try #require(try await progress())
            #expect(done.state == "done")
            #expect(done.members == total)
            #expect(done.messages == total)
            let distinct = try await queue.read { db in
                try Int.fetchOne(db, sql: "SELECT COUNT(DISTINCT to_number) FROM message WHERE broadcast_id = ?", arguments: [broadcastID]) ?? 0
            }
            #expect(distinct == total)
            print("BROADCAST-KILL members=\(total) committed_at_kill=\(atKill.members)")
            restarted.terminate()
            try await ChildProcess.waitForExit(restarted)
        }
    }

    @Test("a broadcast fans out to every member and each is sent or rejected on its own", arguments: [10_000, 100_000])
    func broadcastToLargeGroup(members total: Int) async throws {
        try #require(FileManager.default.isExecutableFile(atPath: CrashRecoveryTests.heralddPath))
        try #require(FileManager.default.isExecutableFile(atPath: ReloadAndAccessTests.heraldctlPath))
        let directory = try DaemonHarness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        // Recipient quiet hours open all day, like the test organization's window, so the run
        // does not depend on the hour it starts; windows are still evaluated for every member.
        let rulesPath = directory.appendingPathComponent("quiet-hours.toml").path
        try "default_hours = \"00:00-23:59\"\n".write(toFile: rulesPath, atomically: true, encoding: .utf8)
        // No delivery callbacks within the run: `sent` is the carrier's acceptance, which is what
        // this test is about, and the callbacks would double the HTTP work on a 2-core machine.
        try await CarrierSimulator.withRunning(SimulatorConfiguration(callbackDelay: .seconds(3600))) { simulator in
            let (configPath, databasePath, log) = try CrashRecoveryTests.writeFiles(
                in: directory, simulator: simulator
            ) { $0.replacingOccurrences(of: "max_in_flight = 64", with: "max_in_flight = 256") + "\n[windows]\nrules_file = \"\(rulesPath)\"\n" }
            let heraldd = try CrashRecoveryTests.startHeraldd(config: configPath, log: log)
            defer { ChildProcess.terminate(heraldd) }
            let queue = try await CrashRecoveryTests.producer(databasePath: databasePath, log: log)
            let rssAtStart = Self.peakRSS(heraldd.processIdentifier)

            try await Self.contacts(total, in: queue)
            // The group through heraldctl, its members from a file: more than one request line holds.
            let socket = directory.appendingPathComponent("admin.sock").path
            let membersFile = directory.appendingPathComponent("members.txt")
            try (0..<total).map(Self.number).joined(separator: "\n").write(to: membersFile, atomically: true, encoding: .utf8)
            let created = try await offPool {
                try ReloadAndAccessTests.runHeraldctlBlocking(["group", "create", "everyone", "--org", "acme", "--socket", socket], asNobody: false)
            }
            #expect(created.status == 0, "\(created.err)")
            let added = try await offPool {
                try ReloadAndAccessTests.runHeraldctlBlocking(
                    ["group", "add", "everyone", "--org", "acme", "--numbers-file", membersFile.path, "--json", "--socket", socket], asNobody: false
                )
            }
            #expect(added.status == 0, "\(added.err)")
            let change = try AdminJSON.decoder().decode(GroupChangeResult.self, from: Data(added.out.utf8))
            #expect(change.changed == total)

            let started = ContinuousClock.now
            let broadcastID = try await queue.write { db in
                try db.execute(sql: "INSERT INTO outbox (org, sender, to_group, body, kind) VALUES ('acme', 'alice', 'everyone', 'Doors open at 9 tomorrow', 'bulk')")
                return db.lastInsertedRowID
            }
            func count(_ condition: String) async throws -> Int {
                try await queue.read { db in
                    try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM messages WHERE broadcast_id = ? AND \(condition)", arguments: [broadcastID]) ?? 0
                }
            }
            let rejectedExpected = (0..<total).filter { !Self.optedIn($0) }.count
            let deadline = ContinuousClock.now + .seconds(total >= 100_000 ? 240 : 60)
            var sent = 0
            while ContinuousClock.now < deadline {
                sent = try await count("state IN ('sent', 'delivered')")
                if sent == total - rejectedExpected { break }
                try await Task.sleep(for: .milliseconds(250))
            }
            let elapsed = ContinuousClock.now - started
            if sent != total - rejectedExpected {
                let states = try await queue.read { db in
                    try Row.fetchAll(db, sql: "SELECT state, held_reason, COUNT(*) AS n FROM message WHERE broadcast_id = ? GROUP BY 1, 2", arguments: [broadcastID])
                        .map { "\($0["state"] as String)/\($0["held_reason"] as String? ?? "-")=\($0["n"] as Int)" }
                }
                Issue.record("not all sent in time: \(states.joined(separator: " "))")
            }
            let peak = Self.peakRSS(heraldd.processIdentifier)

            #expect(sent == total - rejectedExpected, "heraldd log:\n\(String(decoding: (try? Data(contentsOf: log)) ?? Data(), as: UTF8.self).suffix(3000))")
            #expect(try await count("1") == total)
            #expect(try await count("state = 'rejected' AND reason = 'no_consent'") == rejectedExpected)
            let broadcast = try #require(try await queue.read { db in
                try Row.fetchOne(db, sql: "SELECT state, members, accepted, rejected, finished_at - created_at AS took FROM broadcast WHERE id = ?",
                                 arguments: [broadcastID])
            })
            #expect(broadcast["state"] as String == "done")
            #expect(broadcast["members"] as Int == total)
            #expect(broadcast["rejected"] as Int == rejectedExpected)
            // Nothing lost and nothing sent twice: one carrier message per opted-in member.
            let accepted = simulator.messages()
            #expect(accepted.count == total - rejectedExpected)
            #expect(Set(accepted.map(\.to)).count == total - rejectedExpected)

            let fanOutMillis = max(broadcast["took"] as Int, 1)
            print("BROADCAST-SCALE members=\(total) fan_out_ms=\(fanOutMillis) fan_out_per_s=\(total * 1000 / fanOutMillis) "
                + "all_sent_s=\(elapsed.components.seconds) heraldd_vmhwm_kib_start=\(rssAtStart ?? -1) heraldd_vmhwm_kib=\(peak ?? -1)")
        }
    }
}
