/// The SQLite queue implements the whole seam declared in QueueStore.swift; its location is its file.
extension QueueDatabase: OutboxIntake, DispatchStore, CarrierReports, ConsentStore, DirectoryStore, OperatorStore, ReconcileStore,
    RetentionStore, ReplyForwardQueue {
    public var location: String { path }
}
