import CSQLiteConfig

/// SQLite's process-wide settings, made once before the first database of the process opens
/// (`sqlite3_config` is refused once SQLite has initialized).
enum SQLiteProcessSettings {
    /// Whether they took: false when something opened a database first, and SQLite keeps its
    /// defaults, which are correct, only slower.
    static let applied: Bool = {
        // Allocation statistics (sqlite3_memory_used) are read by nothing in Herald, and keeping
        // them took a process-wide mutex at every SQLite malloc and free: 3 % of ingest's CPU,
        // most of it binding each text's strings.
        herald_sqlite3_memstatus_off() == 0
    }()
}
