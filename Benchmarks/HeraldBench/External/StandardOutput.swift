// Glibc's `stdout` is a mutable C global, which Swift 6 refuses to touch from concurrent code;
// it is set once, before any task prints.
@preconcurrency import Glibc

enum StandardOutput {
    static func lineBuffered() {
        nonisolated(unsafe) let stream = stdout
        setvbuf(stream, nil, _IOLBF, 0)
    }
}
