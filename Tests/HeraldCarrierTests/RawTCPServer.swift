import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// A deliberately broken HTTP server for the failure cases Hummingbird won't produce:
/// it reads each request and then either never answers or hangs up without a response.
final class RawTCPServer: Sendable {
    enum Behaviour: Sendable {
        case neverRespond
        case closeAfterRequest
    }

    let port: Int
    private let listener: Int32
    private let clients = Mutex<[Int32]>([])
    private let stopped = Atomic<Bool>(false)
    private let accepted = Atomic<Int>(0)
    private let fullRequests = Atomic<Int>(0)

    /// Connections accepted so far.
    var connections: Int { accepted.load(ordering: .relaxed) }
    /// Requests read to their end so far: each one the client had fully sent.
    var requests: Int { fullRequests.load(ordering: .relaxed) }

    init(_ behaviour: Behaviour) throws {
        listener = try Self.boundSocket()
        guard listen(listener, 128) == 0 else { throw POSIXError(.init(rawValue: errno) ?? .EIO) }
        port = try Self.localPort(of: listener)
        let thread = Thread { [self] in
            while true {
                let client = accept(listener, nil, nil)
                guard client >= 0 else { return }
                accepted.add(1, ordering: .relaxed)
                if Self.readRequest(from: client) { fullRequests.add(1, ordering: .relaxed) }
                switch behaviour {
                case .neverRespond: clients.withLock { $0.append(client) }
                case .closeAfterRequest: close(client)
                }
            }
        }
        thread.start()
    }

    func stop() {
        guard !stopped.exchange(true, ordering: .relaxed) else { return }
        // Shutting the listener down makes the blocked accept() return, ending the thread.
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
        clients.withLock { fds in
            for fd in fds { close(fd) }
            fds = []
        }
    }

    /// A port nothing listens on, held for as long as the returned socket stays open:
    /// a bound socket that never calls listen() refuses every connection.
    static func refusingPort() throws -> (port: Int, socket: Int32) {
        let fd = try boundSocket()
        return (try localPort(of: fd), fd)
    }

    private static func boundSocket() throws -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw POSIXError(.init(rawValue: errno) ?? .EIO) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0 else {
            close(fd)
            throw POSIXError(.init(rawValue: errno) ?? .EIO)
        }
        return fd
    }

    private static func localPort(of fd: Int32) throws -> Int {
        var address = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let result = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        guard result == 0 else { throw POSIXError(.init(rawValue: errno) ?? .EIO) }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    /// Reads the head and a Content-Length body so that closing afterwards is a clean FIN
    /// (the client sees "empty reply"), not a reset caused by unread data.
    /// Returns whether the whole request arrived.
    private static func readRequest(from fd: Int32) -> Bool {
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            guard count > 0 else { return false }
            received.append(contentsOf: buffer[..<count])
            let text = String(decoding: received, as: UTF8.self)
            guard let headEnd = text.range(of: "\r\n\r\n") else { continue }
            let head = text[..<headEnd.lowerBound].lowercased()
            let length = head.split(separator: "\r\n")
                .first { $0.hasPrefix("content-length:") }
                .flatMap { Int($0.dropFirst("content-length:".count).trimmingCharacters(in: .whitespaces)) } ?? 0
            if text.utf8.distance(from: text.utf8.startIndex, to: headEnd.upperBound) + length <= received.count { return true }
        }
    }
}
