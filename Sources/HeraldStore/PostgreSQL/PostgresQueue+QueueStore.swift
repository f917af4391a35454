/// The seam (QueueStore.swift) as the PostgreSQL queue implements it: every protocol, in the files
/// named after their SQLite twins.
extension PostgresQueue: OutboxIntake, DispatchStore, CarrierReports, ConsentStore, DirectoryStore, OperatorStore {}
