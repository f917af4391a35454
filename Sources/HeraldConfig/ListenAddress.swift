/// `host:port` as written in `webhooks.listen`; an IPv6 host comes in brackets, `[::1]:8088`.
struct ListenAddress: Equatable {
    let host: String
    let port: Int

    /// The operator-facing reason when `text` is not a usable address.
    static func parse(_ text: String) -> Result<ListenAddress, Problem> {
        guard let colon = text.lastIndex(of: ":") else { return .failure(.notHostPort) }
        var host = Substring(text[..<colon])
        let portText = text[text.index(after: colon)...]
        if host.hasPrefix("[") || host.hasSuffix("]") {
            guard host.hasPrefix("["), host.hasSuffix("]"), host.count > 2 else { return .failure(.notHostPort) }
            host = host.dropFirst().dropLast()
        } else if host.contains(":") {
            return .failure(.unbracketedIPv6)
        }
        guard !host.isEmpty else { return .failure(.missingHost) }
        // Port 0 lets the system pick a free port (tests, development): nothing else has to know it
        // in advance, since the carrier is then told the bound address.
        guard !portText.isEmpty, portText.allSatisfy(\.isASCIIDigit), let port = Int(portText), (0...65535).contains(port) else {
            return .failure(.badPort)
        }
        return .success(ListenAddress(host: String(host), port: port))
    }

    enum Problem: Error, Equatable {
        case notHostPort, unbracketedIPv6, missingHost, badPort

        func describe(_ text: String) -> String {
            let quoted = String(reflecting: text)
            return switch self {
            case .notHostPort: "\(quoted) is not host:port (e.g. \"127.0.0.1:8088\")"
            case .unbracketedIPv6: "\(quoted) needs brackets around an IPv6 host (e.g. \"[::1]:8088\")"
            case .missingHost: "\(quoted) has no host; use \"0.0.0.0:PORT\" to listen on every interface"
            case .badPort: "\(quoted) has no port between 1 and 65535 (or 0 for one the system picks)"
            }
        }
    }
}
