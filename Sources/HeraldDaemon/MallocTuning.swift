import CMalloc

/// glibc's allocator, set for a daemon that turns over the same few megabytes thousands of times
/// a second. By default each thread's arena hands memory back to the kernel (madvise) as soon as
/// 128 KiB lie free at its top, and blocks over a moving threshold come from mmap: under load
/// heraldd then spent about 5 % of its CPU in page faults and madvise, refilling memory it had
/// just returned. Fixed thresholds keep that memory; the RSS cost is bounded by the peak working
/// set, which the scale bench guards (docs/benchmarks.md).
public enum MallocTuning {
    /// Free memory an arena keeps at its top before giving it back.
    static let trimThreshold: Int32 = 64 << 20
    /// Blocks at least this large come from mmap (and go back at once when freed).
    static let mmapThreshold: Int32 = 32 << 20
    /// Grown by this much beyond a request, so small growths do not each fault in pages.
    static let topPad: Int32 = 4 << 20

    /// Call once, as the process starts: the thresholds are process-wide and apply to every arena from then on.
    public static func apply() {
        _ = mallopt(M_TRIM_THRESHOLD, trimThreshold)
        _ = mallopt(M_MMAP_THRESHOLD, mmapThreshold)
        _ = mallopt(M_TOP_PAD, topPad)
    }
}
