import Foundation

/// A loopback port held for heraldd across a restart. A restarted heraldd must listen where the
/// first run told the carrier to call back (its StatusCallback URLs), so it cannot take a port of
/// the system's choosing each time; a port found free and released in between could be taken by
/// anyone. This socket is bound with SO_REUSEADDR and never listens: heraldd's listener, which
/// also sets SO_REUSEADDR, can bind and listen on the port, and no other socket can take it while
/// the reservation lives (Linux refuses a bind that conflicts with it).
final class PortReservation {
    let port: Int
    private let fd: Int32

    init() throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw POSIXError(.EMFILE) }
        var on: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        guard bound else {
            close(fd)
            throw POSIXError(.EADDRINUSE)
        }
        self.fd = fd
        port = Int(UInt16(bigEndian: address.sin_port))
    }

    deinit { close(fd) }
}
