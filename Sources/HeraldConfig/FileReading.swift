import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads a small text file with plain POSIX calls, so a failure comes back as the errno text an
/// operator recognises ("Permission denied") rather than a Foundation paraphrase.
enum FileReading {
    static func text(atPath path: String) -> Result<String, Failure> {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return .failure(.system(String(cString: strerror(errno)))) }
        defer { close(descriptor) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                return .failure(.system(String(cString: strerror(errno))))
            }
            if count == 0 { break }
            bytes.append(contentsOf: buffer[0..<count])
        }
        guard let text = String(bytes: bytes, encoding: .utf8) else { return .failure(.notUTF8) }
        return .success(text)
    }

    enum Failure: Error, Equatable, CustomStringConvertible {
        case system(String)
        case notUTF8

        var description: String {
            switch self {
            case .system(let message): message
            case .notUTF8: "not valid UTF-8 text"
            }
        }
    }
}
