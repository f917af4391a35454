import Foundation
import HeraldTestSupport
import PostgresNIO
import Testing

@testable import HeraldStore

/// The private cluster the PostgreSQL half of the store suite runs on (HeraldTestSupport's
/// PostgresCluster): started once per test process, a database per test.
@Suite("Store: the tests' private PostgreSQL cluster")
struct PostgresClusterTests {
    @Test func listensOnlyOnItsOwnSocketAndRunsAsAnOrdinaryUser() async throws {
        let temporary = try await TemporaryPostgresQueue()
        let (listen, directory) = try await temporary.queue.connect { session in
            (try await session.value("SHOW listen_addresses", as: String.self),
             try await session.value("SHOW data_directory", as: String.self))
        }
        #expect(listen == "")
        let cluster = try PostgresCluster.shared()
        #expect(directory == cluster.folder + "/data")
        // initdb refuses root; the server must not run as root either.
        let owner = try FileManager.default.attributesOfItem(atPath: try #require(directory))[.ownerAccountID] as? NSNumber
        #expect(owner.map { $0.intValue != 0 } == true)
    }

    @Test func eachTestHasADatabaseOfItsOwnWithTheSchema() async throws {
        let first = try await TemporaryPostgresQueue()
        let second = try await TemporaryPostgresQueue()
        #expect(first.name != second.name)
        try await first.queue.connect { session in
            try await session.execute("INSERT INTO outbox (org, sender, to_number, body) VALUES ('acme', 'alice', '+16125550123', 'Hi')")
        }
        let counts = try await [first, second].asyncMap { temporary in
            try await temporary.queue.connect { session in try await session.value("SELECT COUNT(*) FROM outbox", as: Int.self) }
        }
        #expect(counts == [1, 0])
        let steps = try await second.queue.connect { session in
            try await session.values("SELECT identifier FROM herald_migration ORDER BY position", as: String.self)
        }
        #expect(steps == PostgresMigrations.steps.map(\.identifier))
    }
}
