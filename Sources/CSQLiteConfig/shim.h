// sqlite3_config(3) is variadic, which Swift cannot call: one wrapper per setting Herald makes.
#ifndef HERALD_CSQLITECONFIG_SHIM_H
#define HERALD_CSQLITECONFIG_SHIM_H
#include <sqlite3.h>

/// SQLITE_CONFIG_MEMSTATUS off: SQLite then stops counting its allocations, which took a
/// process-wide mutex at every malloc and free. Only before SQLite initializes; else SQLITE_MISUSE.
static inline int herald_sqlite3_memstatus_off(void) {
    return sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}
#endif
