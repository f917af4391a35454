import CSQLiteConfig

/// SQLite's process-wide settings, made once before the first database of the process opens.
enum SQLiteProcessSettings {
    /// Touched by every `QueueDatabase` before it opens its file; the first touch makes the calls.
    /// Once SQLite has initialized (something opened a database first) `sqlite3_config` refuses
    /// with SQLITE_MISUSE and SQLite keeps its defaults, which are correct, only slower.
    static let made: Void = {
        // Allocation statistics (sqlite3_memory_used) are read by nothing in Herald, and keeping
        // them took a process-wide mutex at every SQLite malloc and free: 3 % of ingest's CPU,
        // most of it binding each text's strings.
        _ = herald_sqlite3_memstatus_off()
    }()
}
