import Foundation
@testable import HeraldDaemon
import Testing

/// JOURNAL_STREAM names the stream systemd connected stderr to; heraldd trusts it only while its
/// stderr still is that stream.
@Suite("Log output choice")
struct LogOutputTests {
    /// `device:inode` of an open descriptor, as systemd writes JOURNAL_STREAM.
    static func identity(of fd: Int32) -> String {
        var status = stat()
        #expect(fstat(fd, &status) == 0)
        return "\(status.st_dev):\(status.st_ino)"
    }

    @Test("The journal when stderr is the announced stream, stderr otherwise")
    func detection() throws {
        var fds: [Int32] = [0, 0]
        #expect(socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0, &fds) == 0)
        defer { fds.forEach { close($0) } }
        var other: [Int32] = [0, 0]
        #expect(pipe(&other) == 0)
        defer { other.forEach { close($0) } }

        let stream = Self.identity(of: fds[0])
        #expect(LogOutput.detect(environment: ["JOURNAL_STREAM": stream], stderr: fds[0]) == .journal)
        // Inherited by a process whose stderr was redirected: not the journal's stream.
        #expect(LogOutput.detect(environment: ["JOURNAL_STREAM": stream], stderr: other[1]) == .stderr)
        #expect(LogOutput.detect(environment: [:], stderr: fds[0]) == .stderr)
        #expect(LogOutput.detect(environment: ["JOURNAL_STREAM": "garbage"], stderr: fds[0]) == .stderr)
        #expect(LogOutput.detect(environment: ["JOURNAL_STREAM": stream + ":1"], stderr: fds[0]) == .stderr)
    }
}
