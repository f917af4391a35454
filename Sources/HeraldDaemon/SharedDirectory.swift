import Foundation
import HeraldCore
import Synchronization

/// The organizations, users and numbers, and the sending windows, as every service sees them:
/// one snapshot, refreshed in one place (after a reload, an admin change, a pause).
final class SharedDirectory: Sendable {
    private struct Snapshot {
        var directory: Directory
        var windows: WindowCalculator
    }

    private let snapshot: Mutex<Snapshot>
    private let load: @Sendable () async throws -> Directory

    init(windows: WindowCalculator, load: @escaping @Sendable () async throws -> Directory) async throws {
        self.load = load
        snapshot = Mutex(Snapshot(directory: try await load(), windows: windows))
    }

    var current: Directory { snapshot.withLock { $0.directory } }
    var windows: WindowCalculator { snapshot.withLock { $0.windows } }
    var sendPolicy: SendPolicy { snapshot.withLock { SendPolicy(directory: $0.directory, windows: $0.windows) } }
    /// What ingest and Herald's own texts are judged by.
    var ingestRules: IngestRules { IngestRules(windows: windows) }

    /// Reads the directory from the queue again; with `windows`, a reloaded configuration's rules too.
    func refresh(windows: WindowCalculator? = nil) async throws {
        let directory = try await load()
        snapshot.withLock {
            $0.directory = directory
            if let windows { $0.windows = windows }
        }
    }

    /// Resumes an organization, or the user owning a sender number, in the snapshot at once: done
    /// before the store makes the held texts due, so no claim in between holds them again on the
    /// stale pause. The refresh that follows reads the same from the store.
    func resume(org: String? = nil, sender number: String? = nil) {
        snapshot.withLock {
            var organizations = Array($0.directory.organizations.values)
            var senders = $0.directory.senders
            if let org, let index = organizations.firstIndex(where: { $0.id == org }) { organizations[index].paused = false }
            if let number, let index = senders.firstIndex(where: { $0.number == number }) { senders[index].paused = false }
            $0.directory = Directory(organizations: organizations, senders: senders)
        }
    }

    /// Stops claiming texts from `number` until the next refresh: a number being released is held
    /// back before the carrier stops taking its texts.
    func withhold(sender number: String) {
        snapshot.withLock {
            $0.directory = Directory(organizations: Array($0.directory.organizations.values),
                                     senders: $0.directory.senders.filter { $0.number != number })
        }
    }
}
