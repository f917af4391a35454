/// Requests of the consent and contacts commands (docs/consent.md, docs/admin.md). Numbers travel as the operator
/// typed them: heraldd normalizes them, so every client gets the same answer for a bad one.

/// `contacts_import`: one piece of a CSV file. A request line may hold at most
/// `AdminProtocol.maxLineBytes`, so a client sends the file in pieces with `more: true` and the
/// last with `more: false`; heraldd keeps the pieces for that connection only and imports once
/// the last arrives. A dropped connection drops the pieces with it.
public struct ContactsImportChunk: AdminParameters {
    public var org: String
    public var csv: String
    /// True on every piece but the last.
    public var more: Bool
    /// Who attests to the file's consent columns, recorded as `changed_by`.
    public var by: String?
    /// Check and report without writing anything.
    public var dryRun: Bool

    /// CSV bytes per piece before JSON escaping: leaves room for escapes and the other fields.
    public static let chunkBytes = 48 * 1024
    /// The most CSV one upload may add up to.
    public static let maxUploadBytes = 64 * 1024 * 1024

    public init(org: String, csv: String, more: Bool, by: String? = nil, dryRun: Bool = false) {
        self.org = org
        self.csv = csv
        self.more = more
        self.by = by
        self.dryRun = dryRun
    }

    public init(from decoder: any Decoder) throws {
        let fields = try decoder.container(keyedBy: CodingKeys.self)
        org = try fields.decode(String.self, forKey: .org)
        csv = try fields.decode(String.self, forKey: .csv)
        more = try fields.decodeIfPresent(Bool.self, forKey: .more) ?? false
        by = try fields.decodeIfPresent(String.self, forKey: .by)
        dryRun = try fields.decodeIfPresent(Bool.self, forKey: .dryRun) ?? false
    }

    /// `csv` cut into pieces whose request lines each fit `AdminProtocol.maxLineBytes`, cut
    /// between Unicode scalars so every piece is valid UTF-8 on its own. A file of quotes or
    /// control characters escapes to several times its size, so a piece whose line would be too
    /// long is cut again, smaller.
    public static func pieces(of csv: String, org: String, by: String?, dryRun: Bool) throws -> [ContactsImportChunk] {
        let bytes = Array(csv.utf8)
        var pieces: [ContactsImportChunk] = []
        var start = 0
        repeat {
            var budget = chunkBytes
            while true {
                var end = min(start + budget, bytes.count)
                // Back off to the first byte of a scalar: continuation bytes are 0b10xxxxxx.
                while end < bytes.count, end > start, bytes[end] & 0xC0 == 0x80 { end -= 1 }
                let piece = ContactsImportChunk(
                    org: org, csv: String(decoding: bytes[start..<end], as: UTF8.self), more: end < bytes.count, by: by, dryRun: dryRun
                )
                // The id a client adds is a few bytes; keep a margin for it.
                if try Admin.contactsImport(piece).line(id: .number(Int64.max)).count <= AdminProtocol.maxLineBytes || budget <= 16 {
                    pieces.append(piece)
                    start = end
                    break
                }
                budget /= 2
            }
        } while start < bytes.count
        return pieces
    }
}

/// `consent_show`: a contact's consent and its ledger.
public struct ConsentShowRequest: AdminParameters {
    public var org: String
    public var number: String

    public init(org: String, number: String) {
        self.org = org
        self.number = number
    }
}

/// `consent_set`: a staff consent change, one ledger row.
public struct ConsentSetRequest: AdminParameters {
    public var org: String
    public var number: String
    /// `opted_in` or `opted_out`.
    public var state: String
    /// One of `ConsentSetRequest.types`.
    public var type: String
    /// The staff member's username, recorded as `changed_by`.
    public var by: String
    /// The wording the contact agreed to, or its version.
    public var wording: String?
    public var note: String?

    public static let states = ["opted_in", "opted_out"]
    /// `sms_response` is left out: it is the contact's own reply, recorded only by Herald.
    public static let types = ["email", "phone", "paper", "web", "api"]

    public init(org: String, number: String, state: String, type: String, by: String, wording: String? = nil, note: String? = nil) {
        self.org = org
        self.number = number
        self.state = state
        self.type = type
        self.by = by
        self.wording = wording
        self.note = note
    }

    public func validate(as command: String) throws(AdminError) {
        guard Self.states.contains(state) else {
            throw AdminError(.badRequest, "consent_set state must be \(Self.states.joined(separator: " or ")), not \(String(reflecting: state))")
        }
        guard Self.types.contains(type) else {
            let reserved = type == "sms_response" ? " (sms_response is reserved for the contact's own replies by SMS)" : ""
            throw AdminError(.badRequest, "consent_set type must be one of \(Self.types.joined(separator: ", ")), not \(String(reflecting: type))\(reserved)")
        }
        guard by.contains(where: { !$0.isWhitespace }) else {
            throw AdminError(.badRequest, "consent_set needs \"by\": the username of whoever records the change")
        }
    }
}

/// `optin_request`: an opt-in request from `user`'s number with the organization's template.
public struct OptInRequestCommand: AdminParameters {
    public var org: String
    public var user: String
    public var to: String

    public init(org: String, user: String, to: String) {
        self.org = org
        self.user = user
        self.to = to
    }
}
