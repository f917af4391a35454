import CarrierSimulator
import Foundation
import HeraldCore
import HeraldTestSupport
import Logging
import Testing

@testable import HeraldStore

/// One heraldd whose PostgreSQL server stops for a few seconds mid-run, as a restart or a
/// failover stops it (docs/instances.md, "Failures").
@Suite("heraldd across a PostgreSQL restart")
struct PostgresOutageTests {
    @Test("PostgreSQL stops for a few seconds mid-run: heraldd keeps running, says so once, resumes, and loses nothing")
    func serverStopsAndStarts() async throws {
        try #require(FileManager.default.isExecutableFile(atPath: CrashRecoveryTests.heralddPath))
        // A cluster of its own: the shared one serves other tests meanwhile.
        let cluster = try PostgresCluster.dedicated()
        let producer = PostgresQueue(
            endpoint: PostgresEndpoint(address: .socket(folder: cluster.folder, port: cluster.port), user: cluster.user,
                                       database: "postgres", tls: .disable),
            maximumConnections: 2, logger: { var logger = Logger(label: "producer"); logger.logLevel = .critical; return logger }()
        )
        let pool = Task { await producer.run() }
        defer { pool.cancel() }
        let directory = try DaemonHarness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let total = 2_000
        try await CarrierSimulator.withRunning(SimulatorConfiguration(callbackDelay: .milliseconds(20))) { simulator in
            let rig = SharedQueueRig(
                directory: directory, simulator: simulator, url: cluster.url + "postgres", producer: producer,
                rate: 1_000, leaseTime: 6, webhooks: ["solo": try PortReservation()], publicInstance: "solo"
            )
            let heraldd = try rig.start(instance: "solo")
            defer { if heraldd.isRunning { kill(heraldd.processIdentifier, SIGKILL) } }
            var passed = false
            defer { if !passed { Issue.record("heraldd logged:\n\(rig.log(of: "solo").suffix(8_000))") } }
            try await rig.waitForSchema()
            let recipients = SharedQueueRig.recipients(total)
            try await rig.optIn(recipients)
            try await rig.produce(recipients[...], offset: 0)
            try await waitUntil("a quarter of the texts sent", timeout: .seconds(300)) {
                try await rig.count("SELECT COUNT(*) FROM message WHERE state IN ('sent', 'delivered')") >= total / 4
            }
            try cluster.stopServer()
            let stoppedAt = Date()
            // The outage itself: the server stays down this long whatever heraldd does.
            try await Task.sleep(for: .seconds(4))
            try cluster.startServer()
            let outage = Date().timeIntervalSince(stoppedAt)
            #expect(heraldd.isRunning, "heraldd exited while the server was down")

            let delivered = try await eventually(timeout: .seconds(300), interval: .milliseconds(500)) {
                (try? await rig.count("SELECT COUNT(*) FROM message WHERE state = 'delivered'")) == total
            }
            #expect(delivered, "not every text was delivered after the server came back")
            #expect(try await rig.count("SELECT COUNT(*) FROM message") == total)
            let accepted = await simulator.messages()
            #expect(accepted.count == total, "the carrier accepted \(accepted.count) texts for \(total)")
            #expect(Set(accepted.compactMap(\.idempotencyKey)).count == total)
            #expect(heraldd.isRunning)

            // Clearly, without flooding: each failing condition is said when it starts and when it
            // clears, with at most a reminder, not a line per retry.
            let log = rig.log(of: "solo").split(separator: "\n")
            let failing = log.filter { $0.contains("event=condition_failing") }
            let recovered = log.filter { $0.contains("event=condition_recovered") }
            #expect(!failing.isEmpty, "nothing said the queue could not be reached")
            #expect(!recovered.isEmpty, "nothing said the queue was reachable again")
            let loud = log.filter { $0.contains("level=error") || $0.contains("level=warning") || $0.contains("level=critical") }
            #expect(loud.count <= 40, "\(loud.count) warnings and errors for a \(String(format: "%.1f", outage)) s outage:\n\(loud.prefix(60).joined(separator: "\n"))")
            passed = true
            heraldd.terminate()
            try await ChildProcess.waitForExit(heraldd)
            print("server stop: a \(String(format: "%.1f", outage)) s outage; \(failing.count) conditions reported failing, \(recovered.count) recovered, \(loud.count) warning or error lines; all \(total) delivered")
        }
    }
}
