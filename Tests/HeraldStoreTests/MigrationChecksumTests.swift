import Crypto
import Foundation
import Testing

@testable import HeraldStore

/// A database that ran a step never runs it again, so editing a shipped step leaves existing
/// queues and new ones with different schemas. The table pins each shipped step's identifier and
/// the SHA-256 of its SQL, as released; it is maintained by hand: when a release ships a new step,
/// append its line (`shasum -a 256` of the literal's text, or the value this test reports).
/// SQLite's released steps; PostgresMigrationChecksumTests pins the PostgreSQL ones.
@Suite("Store: shipped migrations never change")
struct MigrationChecksumTests {
    static let shipped: [(identifier: String, sha256: String)] = [
        ("v1 queue", "c9972be0066270338b0a3e31ea709f22738634201fd2b30ab4f164e6025abe12"),
        ("v2 body retention", "3b0fdf4a967e55c276363f29cd19126673a9cc03872ac0b9a2e9a40930e48c1b"),
        ("v3 recipient index", "e3228eb5e554db9f1e06751fe68169f0887d4844277bfd09081d8373866dfdfc"),
        ("v4 message parts", "b5bb76629912c6076c5f66da067b00a1041bd6565cc95b2f4f72d2fc6601a4cf"),
        ("v5 consent", "3d4324ecc26cf98f2e455db8e6b2e9134cc65c91a57a535786c089beecba7470"),
        ("v6 auto reply", "daca9eba27017feb6d7ab8802d9fd0c2b2daa0247047515a47d3dea9f1dbe1eb"),
        ("v7 organizations", "0921388326ccb74c5ab016f520d6e5eac277f9428f69bdb58abdf1e1604adf20"),
        ("v8 broadcast", "435f4c8393a1b8f936516faefba4fe1a7616a94b534456d268c27cea62a6cb11"),
        ("v9 reply forwarding", "aa3eac74ece674be3df5421b114131afed00210e9d55f57eb51f8ed962db0706"),
    ]

    static func sha256(_ text: String) -> String {
        SHA256.hash(data: Data(text.utf8)).map { String(format: "%02x", $0) }.joined()
    }

    /// Steps not yet released may follow the shipped ones; nothing may change before them.
    @Test func theRegistryBeginsWithEveryShippedStepUnchangedAndInOrder() {
        let steps = SQLiteMigrations.steps
        for (index, shipped) in Self.shipped.enumerated() {
            guard index < steps.count else {
                Issue.record("migration \(shipped.identifier) has shipped and must never be edited: add a new step instead (it is missing from SQLiteMigrations.steps)")
                continue
            }
            let step = steps[index]
            #expect(
                step.identifier == shipped.identifier,
                "step \(index + 1) is \(String(reflecting: step.identifier)), but migration \(shipped.identifier) has shipped and must never be edited: add a new step instead"
            )
            let checksum = Self.sha256(step.sql)
            #expect(
                checksum == shipped.sha256,
                "migration \(shipped.identifier) has shipped and must never be edited: add a new step instead (its SQL's SHA-256 is now \(checksum))"
            )
        }
    }

    /// The checksums cover what runs only if the migrator is built from the registry alone.
    @Test func theMigratorRunsTheRegistryStepsInOrder() {
        #expect(SQLiteMigrations.migrator.migrations == SQLiteMigrations.steps.map(\.identifier))
    }
}
