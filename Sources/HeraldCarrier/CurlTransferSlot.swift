import CCurl

/// One reusable easy handle and the state of the transfer it runs. Confined to the worker thread.
///
/// The callbacks reach the slot through an unretained pointer; that is safe because the worker
/// keeps every slot alive until it has removed the handle from the multi and cleaned it up.
final class CurlTransferSlot {
    /// Carrier responses are a few hundred bytes; anything this large is not one of them.
    static let maxResponseBytes = 4 << 20

    let handle: UnsafeMutableRawPointer
    private let errorBuffer: UnsafeMutablePointer<CChar>
    private var requestHeaders: UnsafeMutablePointer<curl_slist>?
    /// Who is told the running transfer's result; nil while the slot is idle.
    private(set) var finished: (@Sendable (HTTPResult) -> Void)?
    fileprivate var responseHeaders: [(String, String)] = []
    fileprivate var body: [UInt8] = []
    fileprivate var bodyTooLarge = false

    var isBusy: Bool { finished != nil }

    init?() {
        guard let handle = curl_easy_init() else { return nil }
        self.handle = handle
        errorBuffer = .allocate(capacity: Int(CURL_ERROR_SIZE))
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE))
    }

    /// Prepares the handle for `request`. On failure nothing is left attached to the slot.
    func configure(_ request: HTTPRequest, connectTimeoutMilliseconds: Int, totalTimeoutMilliseconds: Int) -> CURLcode {
        // Reset keeps the handle's connection and DNS caches but forgets every option from the last request.
        curl_easy_reset(handle)
        errorBuffer[0] = 0
        var failure = CURLE_OK
        func record(_ code: CURLcode) {
            if failure == CURLE_OK { failure = code }
        }
        let context = Unmanaged.passUnretained(self).toOpaque()
        record(herald_easy_setopt_long(handle, CURLOPT_NOSIGNAL, 1))
        record(herald_easy_setopt_long(handle, CURLOPT_TCP_KEEPALIVE, 1))
        record(herald_easy_setopt_long(handle, CURLOPT_TCP_NODELAY, 1))
        record(herald_easy_setopt_long(handle, CURLOPT_CONNECTTIMEOUT_MS, connectTimeoutMilliseconds))
        record(herald_easy_setopt_long(handle, CURLOPT_TIMEOUT_MS, totalTimeoutMilliseconds))
        record(herald_easy_setopt_ptr(handle, CURLOPT_ERRORBUFFER, errorBuffer))
        record(herald_easy_setopt_ptr(handle, CURLOPT_PRIVATE, context))
        record(herald_easy_setopt_write(handle, curlReceiveBody))
        record(herald_easy_setopt_ptr(handle, CURLOPT_WRITEDATA, context))
        record(herald_easy_setopt_header(handle, curlReceiveHeader))
        record(herald_easy_setopt_ptr(handle, CURLOPT_HEADERDATA, context))
        record(request.url.withCString { herald_easy_setopt_ptr(handle, CURLOPT_URL, $0) })

        let method = request.method.uppercased()
        let sendsBody = !request.body.isEmpty || method == "POST" || method == "PUT" || method == "PATCH"
        if sendsBody {
            // The size must be set first so the copy takes exactly these bytes, NULs included.
            record(herald_easy_setopt_off(handle, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(request.body.count)))
            if request.body.isEmpty {
                record("".withCString { herald_easy_setopt_ptr(handle, CURLOPT_COPYPOSTFIELDS, $0) })
            } else {
                record(request.body.withUnsafeBytes { herald_easy_setopt_ptr(handle, CURLOPT_COPYPOSTFIELDS, $0.baseAddress) })
            }
        }
        if method == "HEAD" {
            record(herald_easy_setopt_long(handle, CURLOPT_NOBODY, 1))
        } else if method != (sendsBody ? "POST" : "GET") {
            record(method.withCString { herald_easy_setopt_ptr(handle, CURLOPT_CUSTOMREQUEST, $0) })
        }

        if let credentials = request.basicAuth {
            // libcurl's default auth scheme is Basic, sent with the first request.
            record(credentials.user.withCString { herald_easy_setopt_ptr(handle, CURLOPT_USERNAME, $0) })
            record(credentials.password.withCString { herald_easy_setopt_ptr(handle, CURLOPT_PASSWORD, $0) })
        }

        var list: UnsafeMutablePointer<curl_slist>?
        var hasExpect = false
        for (name, value) in request.headers {
            hasExpect = hasExpect || name.lowercased() == "expect"
            // "Name;" is libcurl's spelling for a header with an empty value; "Name:" would remove it.
            let line = value.isEmpty ? "\(name);" : "\(name): \(value)"
            guard let extended = line.withCString({ curl_slist_append(list, $0) }) else {
                record(CURLE_OUT_OF_MEMORY)
                break
            }
            list = extended
        }
        if !hasExpect {
            // Without this libcurl waits for "100 Continue" before larger bodies: a wasted round trip.
            if let extended = curl_slist_append(list, "Expect:") { list = extended } else { record(CURLE_OUT_OF_MEMORY) }
        }
        requestHeaders = list
        record(herald_easy_setopt_ptr(handle, CURLOPT_HTTPHEADER, list))

        if failure != CURLE_OK { releaseRequestHeaders() }
        return failure
    }

    func attach(_ finished: @escaping @Sendable (HTTPResult) -> Void) {
        self.finished = finished
    }

    /// Turns the finished transfer into a result and readies the slot for the next one.
    /// The handle must already be out of the multi. Returns the connections this transfer opened.
    func finish(code: CURLcode) -> (finished: (@Sendable (HTTPResult) -> Void)?, result: HTTPResult, connectionsOpened: Int) {
        var connects = 0
        _ = herald_easy_getinfo_long(handle, CURLINFO_NUM_CONNECTS, &connects)
        let result: HTTPResult
        if code == CURLE_OK {
            var status = 0
            _ = herald_easy_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &status)
            result = .response(status: status, headers: responseHeaders, body: body)
        } else {
            result = .transportError(
                code: Int32(bitPattern: code.rawValue),
                message: errorMessage(code),
                requestSent: requestMayHaveBeenSent(code)
            )
        }
        return (detach(), result, connects)
    }

    /// For shutdown: drops the running transfer, reporting whether it may have reached the server.
    func abandon() -> (finished: (@Sendable (HTTPResult) -> Void)?, requestSent: Bool) {
        let sent = requestMayHaveBeenSent(CURLE_ABORTED_BY_CALLBACK)
        return (detach(), sent)
    }

    /// Frees the easy handle; the slot is unusable afterwards.
    func close() {
        releaseRequestHeaders()
        curl_easy_cleanup(handle)
        errorBuffer.deallocate()
    }

    private func detach() -> (@Sendable (HTTPResult) -> Void)? {
        let finished = self.finished
        self.finished = nil
        releaseRequestHeaders()
        responseHeaders = []
        body = []
        bodyTooLarge = false
        return finished
    }

    private func releaseRequestHeaders() {
        if let requestHeaders { curl_slist_free_all(requestHeaders) }
        requestHeaders = nil
    }

    /// Errors raised before a connection exists can't have delivered anything; after that,
    /// any request bytes on the wire mean the server may have acted on the request.
    private func requestMayHaveBeenSent(_ code: CURLcode) -> Bool {
        switch code {
        case CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_RESOLVE_PROXY, CURLE_COULDNT_CONNECT,
             CURLE_URL_MALFORMAT, CURLE_UNSUPPORTED_PROTOCOL, CURLE_SSL_CONNECT_ERROR,
             CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CERTPROBLEM, CURLE_SSL_CACERT_BADFILE:
            return false
        case CURLE_SEND_ERROR:
            // A partial send: part of the request may be on the wire already.
            return true
        default:
            var requestSize = 0
            _ = herald_easy_getinfo_long(handle, CURLINFO_REQUEST_SIZE, &requestSize)
            return requestSize > 0
        }
    }

    private func errorMessage(_ code: CURLcode) -> String {
        if bodyTooLarge {
            return "response body exceeded \(Self.maxResponseBytes >> 20) MiB; the URL does not look like a carrier API endpoint"
        }
        let detail = errorBuffer[0] != 0 ? String(cString: errorBuffer) : String(cString: curl_easy_strerror(code))
        return detail
    }

    fileprivate func appendBody(_ bytes: UnsafeRawBufferPointer) -> Bool {
        guard body.count + bytes.count <= Self.maxResponseBytes else {
            bodyTooLarge = true
            return false
        }
        body.append(contentsOf: bytes)
        return true
    }

    fileprivate func appendHeaderLine(_ line: UnsafeRawBufferPointer) {
        var end = line.count
        while end > 0, line[end - 1] == UInt8(ascii: "\n") || line[end - 1] == UInt8(ascii: "\r") { end -= 1 }
        guard end > 0 else { return }
        let text = UnsafeRawBufferPointer(rebasing: line[..<end])
        if text.starts(with: "HTTP/".utf8) {
            // A new status line: whatever came before belonged to an interim (1xx) response.
            responseHeaders.removeAll(keepingCapacity: true)
            return
        }
        guard let colon = text.firstIndex(of: UInt8(ascii: ":")) else { return }
        var valueStart = colon + 1
        while valueStart < end, text[valueStart] == UInt8(ascii: " ") || text[valueStart] == UInt8(ascii: "\t") { valueStart += 1 }
        var valueEnd = end
        while valueEnd > valueStart, text[valueEnd - 1] == UInt8(ascii: " ") || text[valueEnd - 1] == UInt8(ascii: "\t") { valueEnd -= 1 }
        responseHeaders.append((
            String(decoding: UnsafeRawBufferPointer(rebasing: text[..<colon]), as: UTF8.self),
            String(decoding: UnsafeRawBufferPointer(rebasing: text[valueStart..<valueEnd]), as: UTF8.self)
        ))
    }
}

/// CURLOPT_WRITEFUNCTION. Returning less than given makes libcurl fail the transfer.
private func curlReceiveBody(_ data: UnsafeMutablePointer<CChar>?, _ size: Int, _ count: Int, _ context: UnsafeMutableRawPointer?) -> Int {
    let length = size * count
    guard let data, let context else { return length }
    let slot = Unmanaged<CurlTransferSlot>.fromOpaque(context).takeUnretainedValue()
    return slot.appendBody(UnsafeRawBufferPointer(start: data, count: length)) ? length : 0
}

/// CURLOPT_HEADERFUNCTION: libcurl hands over exactly one complete header line per call.
private func curlReceiveHeader(_ data: UnsafeMutablePointer<CChar>?, _ size: Int, _ count: Int, _ context: UnsafeMutableRawPointer?) -> Int {
    let length = size * count
    guard let data, let context else { return length }
    let slot = Unmanaged<CurlTransferSlot>.fromOpaque(context).takeUnretainedValue()
    slot.appendHeaderLine(UnsafeRawBufferPointer(start: data, count: length))
    return length
}
