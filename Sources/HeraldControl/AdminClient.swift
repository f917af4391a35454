import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// heraldctl's end of the admin socket: a plain blocking Unix socket, one request at a time.
/// Blocking: call it from a thread of its own (heraldctl's main thread), never from the Swift
/// concurrency pool a daemon in the same process needs. One caller at a time.
public final class AdminClient: @unchecked Sendable {
    public let hello: AdminHello
    private let fd: Int32
    private var buffer: [UInt8] = []
    private var nextID: Int64 = 1

    public enum ConnectError: Error, CustomStringConvertible {
        case cannotConnect(path: String, reason: String)
        case notHerald(path: String, firstLine: String)
        case protocolMismatch(path: String, server: Int, version: String)
        case closed(path: String)
        /// heraldd answered the connection with an error instead of its hello (too many connections).
        case refused(path: String, AdminError)

        public var description: String {
            switch self {
            case let .cannotConnect(path, reason):
                "cannot connect to \(path): \(reason) (is heraldd running? `systemctl status heraldd`; is your user in group herald?)"
            case let .notHerald(path, line):
                "\(path) is not heraldd's admin socket: it greeted with \(String(reflecting: String(line.prefix(80))))"
            case let .protocolMismatch(path, server, version):
                "heraldd \(version) at \(path) speaks admin protocol \(server), but this heraldctl (\(HeraldVersion.current)) speaks "
                    + "\(AdminProtocol.version): use the heraldctl installed with that heraldd"
            case let .closed(path):
                "heraldd closed the admin connection at \(path)"
            case let .refused(path, error):
                "heraldd at \(path) refused the connection: \(error.message)"
            }
        }
    }

    private let path: String

    public init(path: String) throws(ConnectError) {
        self.path = path
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw .cannotConnect(path: path, reason: String(cString: strerror(errno))) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else {
            close(fd)
            throw .cannotConnect(path: path, reason: "the path is longer than a Unix socket address allows")
        }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: bytes)
            raw[bytes.count] = 0
        }
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard connected == 0 else {
            let reason = String(cString: strerror(errno))
            close(fd)
            throw .cannotConnect(path: path, reason: reason)
        }
        self.fd = fd
        guard let first = try? Self.readLine(fd: fd, buffer: &buffer) else {
            close(fd)
            throw .closed(path: path)
        }
        guard let hello = try? AdminJSON.decoder().decode(AdminHello.self, from: Data(first)), hello.hello == "heraldd" else {
            close(fd)
            if let refusal = try? AdminJSON.decoder().decode(AdminResponse<Empty>.self, from: Data(first)), let error = refusal.error {
                throw .refused(path: path, error)
            }
            throw .notHerald(path: path, firstLine: String(decoding: first, as: UTF8.self))
        }
        guard hello.protocol == AdminProtocol.version else {
            close(fd)
            throw .protocolMismatch(path: path, server: hello.protocol, version: hello.version)
        }
        self.hello = hello
    }

    deinit {
        close(fd)
    }

    /// Sends one command and decodes its result; a refusal comes back as the daemon's `AdminError`.
    public func request<Parameters, Result>(_ call: AdminCall<Parameters, Result>) throws -> Result {
        let id = nextID
        nextID += 1
        try send(call.line(id: .number(id)))
        let line = try readLine()
        let response = try AdminJSON.decoder().decode(AdminResponse<Result>.self, from: Data(line))
        return try response.get()
    }

    /// Writes a raw line, for tests of the server's error handling.
    public func send(_ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            if written < 0, errno == EINTR { continue }
            guard written > 0 else { throw ConnectError.closed(path: path) }
            offset += written
        }
    }

    /// The next line from the daemon, without its newline.
    public func readLine() throws -> [UInt8] {
        do {
            return try Self.readLine(fd: fd, buffer: &buffer)
        } catch {
            throw ConnectError.closed(path: path)
        }
    }

    private struct EndOfStream: Error {}

    private static func readLine(fd: Int32, buffer: inout [UInt8]) throws -> [UInt8] {
        var scanned = 0
        while true {
            if let newline = buffer[scanned...].firstIndex(of: UInt8(ascii: "\n")) {
                let line = Array(buffer[..<newline])
                buffer.removeSubrange(...newline)
                return line
            }
            scanned = buffer.count
            var chunk = [UInt8](repeating: 0, count: 16 * 1024)
            let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count < 0, errno == EINTR { continue }
            guard count > 0 else { throw EndOfStream() }
            buffer.append(contentsOf: chunk[..<count])
        }
    }
}
