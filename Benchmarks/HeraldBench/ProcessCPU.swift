import Foundation

/// CPU time this process has used (all threads, user and system). Next to wall time it tells a
/// slow pipeline (CPU to spare) from an expensive one (CPU exhausted), which on a shared
/// two-core machine the wall time alone cannot.
enum ProcessCPU {
    static func used() -> Duration {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        let micros = Int64(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) * 1_000_000
            + Int64(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec)
        return .microseconds(micros)
    }
}
