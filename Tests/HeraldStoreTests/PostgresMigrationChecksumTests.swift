import Crypto
import Foundation
import Testing

@testable import HeraldStore

/// The PostgreSQL schema's steps, pinned as SQLite's are (MigrationChecksumTests): a database that
/// ran a step never runs it again, so once a step ships it must never change: add a step instead.
@Suite("Store: PostgreSQL migrations are pinned")
struct PostgresMigrationChecksumTests {
    static let pinned: [(identifier: String, sha256: String)] = [
        ("p1 queue", "14eedb1de0444f296e46380a4860352c049ebb25fa691a63e17f94c515bb24bc"),
        ("p2 views", "8ab3bae8ede2cd23d945e00dd054649ddd11c084453c57f81ceed1d6ce28bb61"),
        ("p3 outbox notify", "c8a7d82e3f883cf8a8f03be744e034bb24fe3e9a3d42917700d5c85d7d7bf7a7"),
        ("p4 instances", "03afda5d1b47fb0f006790adbd6566389cdc6708c4cc792b503cebe1f9e829ae"),
        ("p5 paced index", "c035d1805cf6b3ca5946fd22d1a42fb581ac1ebedd9b45f52bf1ac2e1d0acb2e"),
    ]

    @Test func everyPinnedStepIsUnchangedAndInOrder() {
        let steps = PostgresMigrations.steps
        #expect(steps.map(\.identifier) == Self.pinned.map(\.identifier), "add new steps to the pins, never rename one")
        for (step, pin) in zip(steps, Self.pinned) {
            let checksum = MigrationChecksumTests.sha256(step.sql)
            #expect(checksum == pin.sha256, "schema step \(step.identifier) changed (its SQL's SHA-256 is now \(checksum)): add a new step instead")
        }
    }

    @Test func everyStepSplitsIntoStatementsThatEndWhereTheyShould() {
        // The splitter must keep function bodies whole: p1's trigger functions hold semicolons.
        let statements = PostgresStatements.split(PostgresMigrations.p1Queue)
        #expect(statements.contains { $0.hasPrefix("CREATE FUNCTION consent_follow_ledger()") && $0.hasSuffix("END $$") })
        #expect(statements.allSatisfy { !$0.isEmpty && !$0.hasSuffix(";") })
        #expect(PostgresStatements.split("SELECT ';'; -- a comment; with a semicolon\nSELECT 2") == ["SELECT ';'", "-- a comment; with a semicolon\nSELECT 2"])
    }
}
