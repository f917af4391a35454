/// How an ``HTTPRequest`` ended: a response of any status, or no response at all.
public enum HTTPResult: Sendable {
    /// Headers are those of the final response (interim `1xx` responses are dropped), in order received.
    case response(status: Int, headers: [(String, String)], body: [UInt8])
    /// No complete response. `code` is libcurl's `CURLcode`. `requestSent` is true when the
    /// request may have reached the server, so the server may have acted on it.
    case transportError(code: Int32, message: String, requestSent: Bool)

    /// The first value of a response header, matched case-insensitively; nil for transport errors.
    public func header(_ name: String) -> String? {
        guard case let .response(_, headers, _) = self else { return nil }
        let wanted = name.lowercased()
        return headers.first { $0.0.lowercased() == wanted }?.1
    }
}
