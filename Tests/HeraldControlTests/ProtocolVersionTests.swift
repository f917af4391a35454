import Foundation
import HeraldControl
import Testing
#if canImport(Glibc)
import Glibc
#endif

@Suite("Admin protocol version")
struct ProtocolVersionTests {
    /// A socket that greets like a heraldd of another protocol version, then waits to be closed.
    private func greeter(at path: String, hello: String) throws -> Int32 {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            let bytes = Array(path.utf8)
            raw.copyBytes(from: bytes)
            raw[bytes.count] = 0
        }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard bound == 0, listen(fd, 1) == 0 else { throw POSIXError(.EADDRINUSE) }
        let line = Array((hello + "\n").utf8)
        Thread.detachNewThread {
            let client = accept(fd, nil, nil)
            guard client >= 0 else { return }
            _ = line.withUnsafeBytes { write(client, $0.baseAddress, $0.count) }
            var byte: UInt8 = 0
            _ = read(client, &byte, 1)
            close(client)
        }
        return fd
    }

    @Test("heraldctl refuses a heraldd of another major protocol version, saying which of each it found")
    func mismatch() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("herald-proto-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("admin.sock").path
        let listener = try greeter(at: path, hello: #"{"hello":"heraldd","protocol":1,"version":"0.4.0","access":"read","peer":{"pid":1,"uid":0,"gid":0}}"#)
        defer { close(listener) }
        let refusal = Result { try AdminClient(path: path) }
        guard case let .failure(error) = refusal, let refused = error as? AdminClient.ConnectError else {
            Issue.record("a protocol 1 daemon was accepted")
            return
        }
        var server = 0
        var version = ""
        if case let .protocolMismatch(_, found, named) = refused {
            server = found
            version = named
        }
        #expect(server == 1 && version == "0.4.0", "refused for another reason: \(refused)")
        #expect(refused.description.contains("heraldd 0.4.0") && refused.description.contains("protocol 1"))
        #expect(refused.description.contains("speaks \(AdminProtocol.version)"), "\(refused)")
    }
}
