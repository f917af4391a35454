import Foundation

/// A fresh operator state with heraldd set up in it: started once so it creates the schema and
/// upserts the configuration's organization and senders, and the recipients' consent recorded
/// over the admin socket. The caller decides whether it keeps running.
struct InstalledDaemon {
    let state: OperatorState
    let daemon: HeraldDaemonProcess
    let producer: OutboxProducer
    let observer: QueueObserver

    static func install(name: String, heraldd: String, heraldctl: String, workload: Workload) async throws -> InstalledDaemon {
        let state = try OperatorState.make(name: name, heraldd: heraldd, heraldctl: heraldctl, workload: workload)
        let daemon = try HeraldDaemonProcess(state: state)
        do {
            try daemon.start()
            try await daemon.waitReady()
            try await state.recordConsent()
            // The schema exists now: the producer and the observer open the file heraldd made.
            return InstalledDaemon(
                state: state, daemon: daemon,
                producer: try OutboxProducer(databasePath: state.databasePath, workload: workload),
                observer: try QueueObserver(databasePath: state.databasePath)
            )
        } catch {
            daemon.kill9IfRunning()
            state.remove()
            throw error
        }
    }

    /// Stops heraldd (if running), closes the connections and removes the state folder.
    func tearDown() async {
        do { try await daemon.stop() } catch { print("external: \(error)") }
        daemon.kill9IfRunning()
        try? producer.close()
        try? observer.close()
        state.remove()
    }
}
