/// The parts of the seam (QueueStore.swift) the PostgreSQL queue implements in full so far.
/// `DirectoryStore`'s synchronous requirements (`loadDirectory`, `upsert`, `usersForwardingReplies`)
/// have async twins here; the rest of it, `OperatorStore` and `ConsentStore`'s contact import
/// are still to come.
extension PostgresQueue: OutboxIntake, DispatchStore, CarrierReports {}
