/// The seam (QueueStore.swift) as the PostgreSQL queue implements it. Every `DirectoryStore`
/// function is here too, but three of the protocol's requirements are synchronous
/// (`loadDirectory`, `upsert`, `usersForwardingReplies`): a network round trip cannot serve them
/// without blocking a thread, so they are async here, and `DirectoryStore` (hence `QueueStore`)
/// waits for the daemon's wiring to make those requirements async (SharedDirectory's loader first).
extension PostgresQueue: OutboxIntake, DispatchStore, CarrierReports, ConsentStore, OperatorStore {}
