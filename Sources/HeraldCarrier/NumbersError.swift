/// Why a number search, purchase or release did not happen, worded for the operator who ran
/// `heraldctl numbers …` and for the journal.
public enum NumbersError: Error, CustomStringConvertible, Equatable {
    /// No HTTP answer. After a purchase was sent the carrier may have sold the number anyway.
    case unreachable(operation: String, detail: String, requestSent: Bool)
    case credentialsRefused(status: Int, message: String)
    case throttled(operation: String, retryAfterSeconds: Int?)
    /// The carrier understood and said no (a number just sold to someone else: 21422).
    case rejected(operation: String, status: Int, code: Int?, message: String)
    case carrierFailure(operation: String, status: Int, message: String)
    /// A 2xx whose body is not what the numbers API returns.
    case malformedResponse(operation: String, detail: String)

    public var description: String {
        switch self {
        case let .unreachable(operation, detail, requestSent):
            if requestSent, operation.hasPrefix("buy") {
                return "no answer from the carrier to \(operation) after the request was sent (\(detail)); the carrier may "
                    + "have sold it to the account anyway: check the account's incoming numbers before trying again"
            }
            return "could not reach the carrier to \(operation) (\(detail)); check [carrier] base_url and the network, then try again"
        case let .credentialsRefused(status, message):
            return "the carrier refused the account credentials (HTTP \(status): \(message)); check [carrier] account_sid and the auth token"
        case let .throttled(operation, retryAfter):
            return "the carrier asked Herald to slow down while trying to \(operation); try again"
                + (retryAfter.map { " in \($0) s" } ?? " in a minute")
        case let .rejected(operation, status, code, message):
            return "the carrier refused to \(operation) (HTTP \(status)\(code.map { ", error \($0)" } ?? "")): \(message)"
        case let .carrierFailure(operation, status, message):
            return "the carrier failed to \(operation) (HTTP \(status): \(message)); try again later"
        case let .malformedResponse(operation, detail):
            return "the carrier's answer to \(operation) is not a numbers API response (\(detail)); check that [carrier] base_url "
                + "points at a Twilio-compatible API"
        }
    }
}
