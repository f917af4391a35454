/// Why a mail did not go, worded for the journal and `reply_forwards.last_error`.
public enum SMTPError: Error, Equatable, Sendable, CustomStringConvertible {
    /// libcurl could not set up the transfer (out of memory, an option this build lacks).
    case setup(detail: String)
    /// The conversation failed; `reply` is the server's last SMTP code, 0 when it never answered.
    case transfer(server: String, curlCode: Int32, reply: Int, detail: String)
    /// Shutdown interrupted the conversation; the mail is tried again after a restart.
    case aborted

    public var description: String {
        switch self {
        case .setup(let detail):
            "cannot prepare the SMTP transfer: \(detail)"
        case .transfer(let server, _, let reply, let detail):
            "\(server): \(detail)" + (reply > 0 ? " (last SMTP reply \(reply))" : "")
        case .aborted:
            "interrupted by shutdown"
        }
    }
}
