import CCurl
import Foundation
import HeraldCore
import Synchronization

/// Sends one mail at a time with libcurl's SMTP (MAIL FROM, RCPT TO, DATA from a read callback).
///
/// `curl_easy_perform` blocks for the whole conversation, so each send runs on a thread of its
/// own and never on the cooperative pool, where a slow SMTP server would starve the tasks that
/// deliver texts. Forwards are few, so a fresh connection per mail costs nothing that matters.
public final class SMTPMailer: Sendable {
    public let settings: SMTPSettings

    public init(settings: SMTPSettings) {
        self.settings = settings
    }

    /// Sends `message` to `message.to`. Cancelling the task aborts the conversation promptly.
    public func send(_ message: MailMessage) async throws(SMTPError) {
        guard curlGlobalInitCode == CURLE_OK else {
            throw .setup(detail: "libcurl failed to initialise (\(curlGlobalInitCode.rawValue))")
        }
        let transfer = SMTPTransfer(settings: settings, message: message)
        let result: Result<Void, SMTPError> = await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let thread = Thread { continuation.resume(returning: transfer.perform()) }
                thread.name = "herald-smtp"
                thread.start()
            }
        } onCancel: {
            transfer.abort()
        }
        try result.get()
    }
}

/// One SMTP conversation: the easy handle's options and the callbacks' state. Owned by the
/// sending thread, except `aborted`, which any thread may set.
private final class SMTPTransfer: Sendable {
    let settings: SMTPSettings
    let payload: [UInt8]
    let from: String
    let to: String
    let offset = Atomic<Int>(0)
    let aborted = Atomic<Bool>(false)

    init(settings: SMTPSettings, message: MailMessage) {
        self.settings = settings
        payload = message.rendered()
        from = message.from
        to = message.to
    }

    func abort() {
        aborted.store(true, ordering: .relaxed)
    }

    func perform() -> Result<Void, SMTPError> {
        guard let handle = curl_easy_init() else { return .failure(.setup(detail: "libcurl could not create an easy handle")) }
        let errorBuffer = UnsafeMutablePointer<CChar>.allocate(capacity: Int(CURL_ERROR_SIZE))
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE))
        var recipients: UnsafeMutablePointer<curl_slist>?
        defer {
            curl_slist_free_all(recipients)
            curl_easy_cleanup(handle)
            errorBuffer.deallocate()
        }
        var failure = CURLE_OK
        func record(_ code: CURLcode) {
            if failure == CURLE_OK { failure = code }
        }
        let context = Unmanaged.passUnretained(self).toOpaque()
        record(herald_easy_setopt_long(handle, CURLOPT_NOSIGNAL, 1))
        record(settings.url.withCString { herald_easy_setopt_ptr(handle, CURLOPT_URL, $0) })
        record(herald_easy_setopt_long(handle, CURLOPT_CONNECTTIMEOUT_MS, Int(settings.connectTimeout.wholeMilliseconds)))
        record(herald_easy_setopt_long(handle, CURLOPT_TIMEOUT_MS, Int(settings.timeout.wholeMilliseconds)))
        record(herald_easy_setopt_ptr(handle, CURLOPT_ERRORBUFFER, errorBuffer))
        switch settings.security {
        case .none: break
        case .starttls: record(herald_easy_setopt_long(handle, CURLOPT_USE_SSL, Int(CURLUSESSL_ALL.rawValue)))
        case .tls: break
        }
        if let caFile = settings.caFile {
            record(caFile.withCString { herald_easy_setopt_ptr(handle, CURLOPT_CAINFO, $0) })
        }
        if let username = settings.username {
            record(username.withCString { herald_easy_setopt_ptr(handle, CURLOPT_USERNAME, $0) })
            record((settings.password ?? "").withCString { herald_easy_setopt_ptr(handle, CURLOPT_PASSWORD, $0) })
        }
        record("<\(from)>".withCString { herald_easy_setopt_ptr(handle, CURLOPT_MAIL_FROM, $0) })
        recipients = "<\(to)>".withCString { curl_slist_append(nil, $0) }
        if recipients == nil { record(CURLE_OUT_OF_MEMORY) }
        record(herald_easy_setopt_ptr(handle, CURLOPT_MAIL_RCPT, recipients))
        record(herald_easy_setopt_long(handle, CURLOPT_UPLOAD, 1))
        record(herald_easy_setopt_off(handle, CURLOPT_INFILESIZE_LARGE, curl_off_t(payload.count)))
        record(herald_easy_setopt_read(handle, smtpReadPayload))
        record(herald_easy_setopt_ptr(handle, CURLOPT_READDATA, context))
        record(herald_easy_setopt_long(handle, CURLOPT_NOPROGRESS, 0))
        record(herald_easy_setopt_xferinfo(handle, smtpProgress))
        record(herald_easy_setopt_ptr(handle, CURLOPT_XFERINFODATA, context))
        guard failure == CURLE_OK else {
            return .failure(.setup(detail: String(cString: curl_easy_strerror(failure))))
        }
        // The callbacks reach `self` unretained; it outlives the call because perform() runs in it.
        let code = curl_easy_perform(handle)
        if code == CURLE_OK { return .success(()) }
        if code == CURLE_ABORTED_BY_CALLBACK { return .failure(.aborted) }
        var reply = 0
        _ = herald_easy_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &reply)
        let detail = errorBuffer[0] != 0 ? String(cString: errorBuffer) : String(cString: curl_easy_strerror(code))
        return .failure(.transfer(server: settings.url, curlCode: Int32(bitPattern: code.rawValue), reply: reply, detail: detail))
    }

    /// CURLOPT_READFUNCTION: the next part of the rendered mail; 0 ends the DATA phase.
    fileprivate func read(into buffer: UnsafeMutablePointer<CChar>, capacity: Int) -> Int {
        let start = offset.load(ordering: .relaxed)
        let count = min(capacity, payload.count - start)
        guard count > 0 else { return 0 }
        payload.withUnsafeBytes { bytes in
            UnsafeMutableRawPointer(buffer).copyMemory(from: bytes.baseAddress! + start, byteCount: count)
        }
        offset.store(start + count, ordering: .relaxed)
        return count
    }

}

private func smtpReadPayload(_ buffer: UnsafeMutablePointer<CChar>?, _ size: Int, _ count: Int, _ context: UnsafeMutableRawPointer?) -> Int {
    guard let buffer, let context else { return 0 }
    return Unmanaged<SMTPTransfer>.fromOpaque(context).takeUnretainedValue().read(into: buffer, capacity: size * count)
}

/// CURLOPT_XFERINFOFUNCTION: non-zero aborts the transfer; libcurl calls it about once a second
/// even while waiting for the server, so a shutdown never waits out the whole timeout.
private func smtpProgress(_ context: UnsafeMutableRawPointer?, _: curl_off_t, _: curl_off_t, _: curl_off_t, _: curl_off_t) -> Int32 {
    guard let context else { return 0 }
    return Unmanaged<SMTPTransfer>.fromOpaque(context).takeUnretainedValue().aborted.load(ordering: .relaxed) ? 1 : 0
}
