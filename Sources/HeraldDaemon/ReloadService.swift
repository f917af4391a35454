import Foundation
import HeraldConfig
import HeraldCore
import HeraldStore
import Logging
import ServiceLifecycle
import UnixSignals

/// SIGHUP re-reads the configuration file (`systemctl reload heraldd`). What can change while
/// running does at once: organizations, their windows, users and numbers, rates and the state
/// rules table. A file with problems is logged and the running configuration kept. Settings
/// that only a restart applies (paths, listeners, carrier, dispatch sizes) are named in the log.
final class ReloadService: Service {
    private let database: any DirectoryStore
    private let directory: SharedDirectory
    private let load: @Sendable () throws -> HeraldConfiguration
    private let clock: any WallClock
    private let logger: Logger
    private let running: HeraldConfiguration

    init(database: any DirectoryStore, directory: SharedDirectory, running: HeraldConfiguration,
         load: @escaping @Sendable () throws -> HeraldConfiguration, clock: any WallClock, logger: Logger) {
        self.database = database
        self.directory = directory
        self.running = running
        self.load = load
        self.clock = clock
        self.logger = logger
    }

    func run() async throws {
        let hangups = await UnixSignalsSequence(trapping: .sighup)
        try await cancelWhenGracefulShutdown {
            var current = self.running
            for await _ in hangups {
                current = await self.reload(from: current)
            }
        }
    }

    private func reload(from current: HeraldConfiguration) async -> HeraldConfiguration {
        SystemdNotifier.notify("RELOADING=1\nMONOTONIC_USEC=\(Self.monotonicMicroseconds())")
        defer { SystemdNotifier.notify("READY=1") }
        let next: HeraldConfiguration
        do {
            next = try load()
        } catch {
            logger.error("configuration reload failed, the running configuration stays: \(error)", metadata: .event(.configReloaded))
            return current
        }
        do {
            try await database.upsert(organizations: Daemon.organizationRecords(next), now: clock.now())
            try await directory.refresh(windows: WindowCalculator(rules: next.windows.rules))
        } catch {
            logger.error("configuration reload could not be applied, the running configuration stays: \(error)", metadata: .event(.configReloaded))
            return current
        }
        let restart = Self.restartOnly(current, next)
        let pending = restart.isEmpty ? "" : "; a restart is needed to apply \(restart.joined(separator: ", "))"
        logger.notice("configuration reloaded: \(next.orgs.count) organizations\(pending)", metadata: .event(.configReloaded))
        for warning in next.warnings { logger.warning("configuration: \(warning)") }
        return next
    }

    /// Settings read once at start, which a reload cannot change.
    static func restartOnly(_ old: HeraldConfiguration, _ new: HeraldConfiguration) -> [String] {
        var changed: [String] = []
        if old.database != new.database { changed.append("[database]") }
        if old.admin != new.admin { changed.append("[admin]") }
        if old.webhooks != new.webhooks { changed.append("[webhooks]") }
        if old.carrier != new.carrier { changed.append("[carrier]") }
        if old.retry != new.retry { changed.append("[retry]") }
        if old.dispatch != new.dispatch { changed.append("[dispatch]") }
        if old.ingest != new.ingest { changed.append("[ingest]") }
        if old.retention != new.retention { changed.append("[retention]") }
        if old.reconcile != new.reconcile { changed.append("[reconcile]") }
        if old.log != new.log { changed.append("[log]") }
        // The mailer and its password are made once, at start.
        if old.email != new.email { changed.append("[email]") }
        return changed
    }

    private static func monotonicMicroseconds() -> UInt64 {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return UInt64(now.tv_sec) * 1_000_000 + UInt64(now.tv_nsec) / 1000
    }
}
