import Foundation

/// `contacts_import` with `more: true`: the piece was kept; nothing is imported yet.
public struct ContactsImportProgress: Codable, Sendable, Equatable {
    /// CSV bytes received so far on this connection.
    public var receivedBytes: Int

    public init(receivedBytes: Int) {
        self.receivedBytes = receivedBytes
    }
}

/// `contacts_import` with `more: false`: what the import did (or, with `dry_run`, would do).
public struct ContactsImportResult: Codable, Sendable, Equatable {
    public var org: String
    public var dryRun: Bool
    /// Data rows in the file, blank ones not counted.
    public var rows: Int
    /// Contacts written, and their numbers.
    public var imported: Int
    public var numbers: Int
    /// Every row left out, in file order.
    public var rejected: [Rejected]
    /// Header columns Herald does not import.
    public var ignoredColumns: [String]
    /// Consent ledger rows written.
    public var consentChanges: Int
    /// Pending texts canceled by imported opt-outs, and `awaiting_consent` ones released by opt-ins.
    public var canceled: [Int64]
    public var released: [Int64]

    public struct Rejected: Codable, Sendable, Equatable {
        /// As a spreadsheet shows it: the header is row 1, the first contact row 2.
        public var row: Int
        /// missing_field, bad_number, not_us_ca, duplicate_number, duplicate_external_id, bad_email,
        /// bad_preferred, bad_consent, unknown_owner, extra_fields.
        public var code: String
        public var message: String

        public init(row: Int, code: String, message: String) {
            self.row = row
            self.code = code
            self.message = message
        }
    }

    public init(
        org: String, dryRun: Bool, rows: Int, imported: Int, numbers: Int, rejected: [Rejected], ignoredColumns: [String],
        consentChanges: Int, canceled: [Int64], released: [Int64]
    ) {
        self.org = org
        self.dryRun = dryRun
        self.rows = rows
        self.imported = imported
        self.numbers = numbers
        self.rejected = rejected
        self.ignoredColumns = ignoredColumns
        self.consentChanges = consentChanges
        self.canceled = canceled
        self.released = released
    }
}

/// `consent_show`: a number's consent in one organization and the whole ledger behind it.
public struct ConsentShowResult: Codable, Sendable, Equatable {
    public var org: String
    /// E.164.
    public var number: String
    /// `unknown`, `opted_in` or `opted_out`.
    public var state: String
    /// Oldest first.
    public var history: [ConsentLedgerEntry]

    public init(org: String, number: String, state: String, history: [ConsentLedgerEntry]) {
        self.org = org
        self.number = number
        self.state = state
        self.history = history
    }
}

public struct ConsentLedgerEntry: Codable, Sendable, Equatable {
    public var id: Int64
    public var at: Date
    public var old: String
    public var new: String
    public var type: String
    public var changedBy: String
    public var sourceMessageID: Int64?
    public var sourceInboundID: Int64?
    public var wording: String?
    public var note: String?

    /// "…Id" so that snake_case conversion both ways meets "source_message_id".
    private enum CodingKeys: String, CodingKey {
        case id, at, old, new, type, changedBy, wording, note
        case sourceMessageID = "sourceMessageId"
        case sourceInboundID = "sourceInboundId"
    }

    public init(
        id: Int64, at: Date, old: String, new: String, type: String, changedBy: String, sourceMessageID: Int64?,
        sourceInboundID: Int64?, wording: String?, note: String?
    ) {
        self.id = id
        self.at = at
        self.old = old
        self.new = new
        self.type = type
        self.changedBy = changedBy
        self.sourceMessageID = sourceMessageID
        self.sourceInboundID = sourceInboundID
        self.wording = wording
        self.note = note
    }
}

/// `consent_set`: the change and what it set in motion. Setting the state a number is already
/// in is not an error: `changed` is false and nothing was written.
public struct ConsentSetResult: Codable, Sendable, Equatable {
    public var org: String
    public var number: String
    public var old: String
    public var new: String
    public var changed: Bool
    public var ledgerID: Int64?
    /// Pending texts canceled (an opt-out), or opt-in requests made moot (an opt-in).
    public var canceled: [Int64]
    /// `awaiting_consent` texts queued again by an opt-in.
    public var released: [Int64]

    private enum CodingKeys: String, CodingKey {
        case org, number, old, new, changed, canceled, released
        case ledgerID = "ledgerId"
    }

    public init(org: String, number: String, old: String, new: String, changed: Bool, ledgerID: Int64?, canceled: [Int64], released: [Int64]) {
        self.org = org
        self.number = number
        self.old = old
        self.new = new
        self.changed = changed
        self.ledgerID = ledgerID
        self.canceled = canceled
        self.released = released
    }
}

/// `optin_request`: either the queued request or why the limit refused it. A refusal is an
/// answer, not an error (`ok: true`, `refused` set): scripts read `next_allowed` from it.
public struct OptInRequestAnswer: Codable, Sendable, Equatable {
    public var org: String
    public var user: String
    /// E.164.
    public var to: String
    public var messageID: Int64?
    /// When it may go: now, or later when a sending window holds it.
    public var notBefore: Date?
    /// Why it waits (`org_window`, `recipient_quiet_hours`, …); nil when it goes at once.
    public var heldReason: String?
    public var refused: OptInRefusal?

    private enum CodingKeys: String, CodingKey {
        case org, user, to, notBefore, heldReason, refused
        case messageID = "messageId"
    }

    public init(org: String, user: String, to: String, messageID: Int64?, notBefore: Date?, heldReason: String?, refused: OptInRefusal?) {
        self.org = org
        self.user = user
        self.to = to
        self.messageID = messageID
        self.notBefore = notBefore
        self.heldReason = heldReason
        self.refused = refused
    }
}

public struct OptInRefusal: Codable, Sendable, Equatable {
    /// `opted_out`, `already_opted_in`, `optin_limit` or `optin_spacing`.
    public var code: String
    public var reason: String
    /// The first instant another request may go, when the spacing rule is what refused it.
    public var nextAllowed: Date?

    public init(code: String, reason: String, nextAllowed: Date?) {
        self.code = code
        self.reason = reason
        self.nextAllowed = nextAllowed
    }
}

/// `contacts_import`'s answer: progress for every piece but the last, the import's result for
/// the last. On the wire it is one or the other object, as it always was.
public enum ContactsImportAnswer: Codable, Sendable, Equatable {
    case progress(ContactsImportProgress)
    case imported(ContactsImportResult)

    /// The import's result, once the last piece is in.
    public var result: ContactsImportResult? {
        if case let .imported(result) = self { return result }
        return nil
    }

    /// CSV bytes kept so far, while pieces are still coming.
    public var receivedBytes: Int? {
        if case let .progress(progress) = self { return progress.receivedBytes }
        return nil
    }

    public init(from decoder: any Decoder) throws {
        if let result = try? ContactsImportResult(from: decoder) {
            self = .imported(result)
        } else {
            self = .progress(try ContactsImportProgress(from: decoder))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        switch self {
        case let .progress(progress): try progress.encode(to: encoder)
        case let .imported(result): try result.encode(to: encoder)
        }
    }
}
