/// One HTTP exchange for ``CurlMulti``: everything libcurl needs, as plain values.
public struct HTTPRequest: Sendable {
    public var method: String
    public var url: String
    /// Sent in order. A header with an empty value is sent as `Name:` with nothing after it.
    public var headers: [(String, String)]
    public var body: [UInt8]
    /// HTTP Basic credentials, sent up front rather than after a 401 challenge.
    public var basicAuth: (user: String, password: String)?

    public init(
        method: String = "GET",
        url: String,
        headers: [(String, String)] = [],
        body: [UInt8] = [],
        basicAuth: (user: String, password: String)? = nil
    ) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.basicAuth = basicAuth
    }
}
