import Foundation

/// Reads and writes request lines. Unknown fields are refused rather than ignored, so a typo
/// (`"stat":"failed"`) is an error, not a silently unfiltered answer.
extension AdminRequest {
    /// The flat wire form: every field any command takes.
    private struct Line: Codable {
        var id: RequestID?
        var command: String?
        var message: Int64?
        var state: String?
        var org: String?
        var to: String?
        var limit: Int?
        var failed: Bool?
        var sender: String?
        var from: String?
        var kind: String?
        var text: String?
        var user: String?
        var path: String?
        var csv: String?
        var more: Bool?
        var by: String?
        var dryRun: Bool?
        var number: String?
        var type: String?
        var wording: String?
        var note: String?
        var name: String?
        var timezone: String?
        var windowStart: String?
        var windowEnd: String?
        var weekdays: String?
        var smartEncoding: Bool?
        var optinTemplate: String?
        var optinConfirmation: String?
        var optoutConfirmation: String?
        var helpText: String?
        var cellPhone: String?
        var email: String?
        var signature: String?
        var template: String?
        var segments: Int?
        var exactly: Bool?
        var forwardReplies: Bool?
        var numbers: [String]?
        var externalIds: [String]?
        var users: [String]?
        var areaCode: String?
        var matchCellAreaCode: Bool?
        var confirm: Bool?
        var force: Bool?
        var held: String?
    }

    private static let organizationFields: Set<String> = [
        "org", "name", "timezone", "window_start", "window_end", "weekdays", "smart_encoding",
        "optin_template", "optin_confirmation", "optout_confirmation", "help_text",
    ]

    private static let fields: [String: Set<String>] = [
        "status": [], "watch": [],
        "queue": ["state", "held", "org", "to", "limit"],
        "show": ["message"], "why": ["message"],
        "retry": ["message", "failed", "org"],
        "cancel": ["message", "org", "state"],
        "pause": ["org", "sender"], "resume": ["org", "sender"],
        "send": ["org", "from", "to", "kind", "text"],
        "usage": ["org", "user"],
        "backup": ["path", "force"],
        "contacts_import": ["org", "csv", "more", "by", "dry_run"],
        "consent_show": ["org", "number"],
        "consent_set": ["org", "number", "state", "type", "by", "wording", "note"],
        "optin_request": ["org", "user", "to"],
        "org_create": organizationFields, "org_set": organizationFields,
        "org_show": ["org"], "org_list": [],
        "user_add": ["org", "user", "name", "cell_phone", "email", "signature", "forward_replies"],
        "user_set": ["org", "user", "name", "cell_phone", "email", "signature", "forward_replies"],
        "user_list": ["org"],
        "template_set": ["org", "template", "text"], "template_list": ["org"], "template_delete": ["org", "template"],
        "credits_allocate": ["org", "user", "segments", "exactly", "by", "note"],
        "credits_show": ["org", "user"],
        "broadcast_show": ["message", "state", "limit"],
        "numbers_provision": ["org", "users", "area_code", "match_cell_area_code"],
        "numbers_release": ["org", "users", "confirm"],
        "numbers_list": ["org"],
    ].merging(GroupCommand.fields) { first, _ in first }

    /// Parses one line, or says exactly what is wrong with it. The id is recovered whenever
    /// the line is a JSON object, so even a refused request's answer carries it.
    public static func decode(_ bytes: some Collection<UInt8>) -> Result<AdminRequest, Refusal> {
        let data = Data(bytes)
        guard let object = try? JSONSerialization.jsonObject(with: data), let fields = object as? [String: Any] else {
            return .failure(Refusal(id: nil, error: AdminError(.badJSON, "a request is one JSON object per line, e.g. {\"id\":1,\"command\":\"status\"}")))
        }
        let id: RequestID? = (try? AdminJSON.decoder().decode(IDOnly.self, from: data))?.id
        guard let command = fields["command"] as? String else {
            return .failure(Refusal(id: id, error: AdminError(.badRequest, "the request has no \"command\" string; commands: \(AdminCommand.names.joined(separator: ", "))")))
        }
        guard let allowed = Self.fields[command] else {
            return .failure(Refusal(id: id, error: AdminError(.unknownCommand, "unknown command \(String(reflecting: command)); commands: \(AdminCommand.names.joined(separator: ", "))")))
        }
        let unknown = Set(fields.keys).subtracting(allowed).subtracting(["id", "command"]).sorted()
        if !unknown.isEmpty {
            let takes = allowed.isEmpty ? "no fields" : allowed.sorted().joined(separator: ", ")
            return .failure(Refusal(id: id, error: AdminError(.badRequest, "\(command) does not take \(unknown.joined(separator: ", ")); it takes \(takes)")))
        }
        let line: Line
        do {
            line = try AdminJSON.decoder().decode(Line.self, from: data)
        } catch {
            return .failure(Refusal(id: id, error: AdminError(.badRequest, Self.describe(error))))
        }
        do {
            return .success(AdminRequest(id: id, try Self.command(command, line)))
        } catch {
            return .failure(Refusal(id: id, error: error))
        }
    }

    private struct IDOnly: Decodable {
        var id: RequestID?
    }

    public struct Refusal: Error, Sendable {
        public var id: RequestID?
        public var error: AdminError
    }

    private static func command(_ name: String, _ line: Line) throws(AdminError) -> AdminCommand {
        switch name {
        case "status": return .status
        case "watch": return .watch
        case "queue":
            let limit = line.limit ?? QueueFilter.defaultLimit
            guard (1...QueueFilter.maxLimit).contains(limit) else {
                throw AdminError(.badRequest, "limit must be 1...\(QueueFilter.maxLimit), not \(limit)")
            }
            return .queue(QueueFilter(state: line.state, held: line.held, org: line.org, to: line.to, limit: limit))
        case "show": return .show(messageID: try require(line.message, "message", name))
        case "why": return .why(messageID: try require(line.message, "message", name))
        case "retry":
            switch (line.message, line.failed ?? false) {
            case let (id?, false) where line.org == nil: return .retry(.message(id))
            case (nil, true): return .retry(.failed(org: line.org))
            default: throw AdminError(.badRequest, "retry takes either \"message\" or \"failed\":true (with an optional \"org\")")
            }
        case "cancel":
            switch (line.message, line.org, line.state) {
            case let (id?, nil, nil): return .cancel(.message(id))
            case let (nil, org?, state?): return .cancel(.matching(org: org, state: state))
            default: throw AdminError(.badRequest, "cancel takes either \"message\" or both \"org\" and \"state\"")
            }
        case "pause", "resume":
            let target: PauseTarget
            switch (line.org, line.sender) {
            case let (org?, nil): target = .org(org)
            case let (nil, sender?): target = .sender(sender)
            default: throw AdminError(.badRequest, "\(name) takes either \"org\" or \"sender\"")
            }
            return name == "pause" ? .pause(target) : .resume(target)
        case "send":
            return .send(SendRequest(
                org: try require(line.org, "org", name), from: try require(line.from, "from", name),
                to: try require(line.to, "to", name), kind: line.kind ?? "conversational", text: try require(line.text, "text", name)
            ))
        case "usage": return .usage(org: line.org, user: line.user)
        case "backup":
            let path = try require(line.path, "path", name)
            guard path.hasPrefix("/") else {
                throw AdminError(.badRequest, "backup path must be absolute, not \(String(reflecting: path))")
            }
            return .backup(path: path, force: line.force ?? false)
        case "contacts_import":
            return .contactsImport(ContactsImportChunk(
                org: try require(line.org, "org", name), csv: try require(line.csv, "csv", name), more: line.more ?? false,
                by: line.by, dryRun: line.dryRun ?? false
            ))
        case "consent_show":
            return .consentShow(org: try require(line.org, "org", name), number: try require(line.number, "number", name))
        case "consent_set":
            let state = try require(line.state, "state", name)
            guard ConsentSetRequest.states.contains(state) else {
                throw AdminError(.badRequest, "consent_set state must be \(ConsentSetRequest.states.joined(separator: " or ")), not \(String(reflecting: state))")
            }
            let type = try require(line.type, "type", name)
            guard ConsentSetRequest.types.contains(type) else {
                let reserved = type == "sms_response" ? " (sms_response is reserved for the contact's own replies by SMS)" : ""
                throw AdminError(.badRequest, "consent_set type must be one of \(ConsentSetRequest.types.joined(separator: ", ")), not \(String(reflecting: type))\(reserved)")
            }
            let by = try require(line.by, "by", name)
            guard by.contains(where: { !$0.isWhitespace }) else {
                throw AdminError(.badRequest, "consent_set needs \"by\": the username of whoever records the change")
            }
            return .consentSet(ConsentSetRequest(
                org: try require(line.org, "org", name), number: try require(line.number, "number", name), state: state, type: type,
                by: by, wording: line.wording, note: line.note
            ))
        case "optin_request":
            return .optInRequest(OptInRequestCommand(
                org: try require(line.org, "org", name), user: try require(line.user, "user", name), to: try require(line.to, "to", name)
            ))
        case "org_create", "org_set":
            let fields = OrganizationFields(
                name: line.name, timezone: line.timezone, windowStart: line.windowStart, windowEnd: line.windowEnd, weekdays: line.weekdays,
                smartEncoding: line.smartEncoding, optinTemplate: line.optinTemplate, optinConfirmation: line.optinConfirmation,
                optoutConfirmation: line.optoutConfirmation, helpText: line.helpText
            )
            let org = try require(line.org, "org", name)
            if name == "org_create" {
                _ = try require(line.name, "name", name)
                return .orgCreate(org: org, fields)
            }
            guard !fields.isEmpty else { throw AdminError(.badRequest, "org_set needs at least one field to change") }
            return .orgSet(org: org, fields)
        case "org_show": return .orgShow(org: try require(line.org, "org", name))
        case "org_list": return .orgList
        case "user_add", "user_set":
            let fields = UserFields(
                org: try require(line.org, "org", name), user: try require(line.user, "user", name), name: line.name,
                cellPhone: line.cellPhone, email: line.email, signature: line.signature, forwardReplies: line.forwardReplies
            )
            if name == "user_add" {
                _ = try require(line.name, "name", name)
                return .userAdd(fields)
            }
            guard fields.name != nil || fields.cellPhone != nil || fields.email != nil || fields.signature != nil || fields.forwardReplies != nil else {
                throw AdminError(.badRequest, "user_set needs at least one of name, cell_phone, email, signature, forward_replies")
            }
            return .userSet(fields)
        case "user_list": return .userList(org: try require(line.org, "org", name))
        case "template_set":
            return .templateSet(org: try require(line.org, "org", name), template: try require(line.template, "template", name),
                                text: try require(line.text, "text", name))
        case "template_list": return .templateList(org: try require(line.org, "org", name))
        case "template_delete":
            return .templateDelete(org: try require(line.org, "org", name), template: try require(line.template, "template", name))
        case "credits_allocate":
            let segments = try require(line.segments, "segments", name)
            let exactly = line.exactly ?? false
            guard exactly ? segments >= 0 : segments > 0 else {
                throw AdminError(.badRequest, exactly ? "credits_allocate with exactly needs segments >= 0" : "credits_allocate adds segments > 0 (exactly:true sets a balance)")
            }
            return .creditsAllocate(CreditsAllocateRequest(
                org: try require(line.org, "org", name), user: try require(line.user, "user", name), segments: segments, exactly: exactly,
                by: line.by, note: line.note
            ))
        case "credits_show": return .creditsShow(org: try require(line.org, "org", name), user: line.user)
        case _ where GroupCommand.names.contains(name):
            return .group(try GroupCommand.decode(name, org: line.org, name: line.name, numbers: line.numbers,
                                                  externalIDs: line.externalIds, limit: line.limit))
        case "broadcast_show":
            let limit = line.limit ?? GroupCommand.defaultLimit
            guard (1...QueueFilter.maxLimit).contains(limit) else {
                throw AdminError(.badRequest, "limit must be 1...\(QueueFilter.maxLimit), not \(limit)")
            }
            return .broadcastShow(BroadcastShowRequest(id: try require(line.message, "message", name), state: line.state, limit: limit))
        case "numbers_provision", "numbers_release", "numbers_list":
            return try .numbers(name, org: line.org, users: line.users, areaCode: line.areaCode,
                                matchCellAreaCode: line.matchCellAreaCode, confirm: line.confirm)
        default: throw AdminError(.unknownCommand, "unknown command \(String(reflecting: name))")
        }
    }

    private static func require<T>(_ value: T?, _ field: String, _ command: String) throws(AdminError) -> T {
        guard let value else { throw AdminError(.badRequest, "\(command) needs \"\(field)\"") }
        return value
    }

    private static func describe(_ error: any Error) -> String {
        guard let error = error as? DecodingError else { return "\(error)" }
        func field(_ path: [any CodingKey]) -> String { path.map(\.stringValue).joined(separator: ".") }
        switch error {
        case let .typeMismatch(type, context): return "\"\(field(context.codingPath))\" must be \(describe(type))"
        case let .valueNotFound(type, context): return "\"\(field(context.codingPath))\" must be \(describe(type)), not null"
        case let .dataCorrupted(context): return "\"\(field(context.codingPath))\": \(context.debugDescription)"
        case let .keyNotFound(key, _): return "missing \"\(key.stringValue)\""
        @unknown default: return "\(error)"
        }
    }

    private static func describe(_ type: Any.Type) -> String {
        switch type {
        case is Int.Type, is Int64.Type: "an integer"
        case is Bool.Type: "true or false"
        case is String.Type: "a string"
        default: "a \(type)"
        }
    }

    /// The line a client writes.
    public func line() throws -> [UInt8] {
        var line = Line(id: id, command: command.name)
        switch command {
        case .status, .watch: break
        case let .queue(filter):
            line.state = filter.state
            line.held = filter.held
            line.org = filter.org
            line.to = filter.to
            line.limit = filter.limit
        case let .show(id), let .why(id): line.message = id
        case let .retry(.message(id)): line.message = id
        case let .retry(.failed(org)):
            line.failed = true
            line.org = org
        case let .cancel(.message(id)): line.message = id
        case let .cancel(.matching(org, state)):
            line.org = org
            line.state = state
        case let .pause(target), let .resume(target):
            switch target {
            case let .org(org): line.org = org
            case let .sender(sender): line.sender = sender
            }
        case let .send(send):
            line.org = send.org
            line.from = send.from
            line.to = send.to
            line.kind = send.kind
            line.text = send.text
        case let .usage(org, user):
            line.org = org
            line.user = user
        case let .backup(path, force):
            line.path = path
            // Left out when false, so a line to an older daemon stays one it accepts.
            line.force = force ? true : nil
        case let .contactsImport(chunk):
            line.org = chunk.org
            line.csv = chunk.csv
            line.more = chunk.more
            line.by = chunk.by
            line.dryRun = chunk.dryRun
        case let .consentShow(org, number):
            line.org = org
            line.number = number
        case let .consentSet(set):
            line.org = set.org
            line.number = set.number
            line.state = set.state
            line.type = set.type
            line.by = set.by
            line.wording = set.wording
            line.note = set.note
        case let .optInRequest(request):
            line.org = request.org
            line.user = request.user
            line.to = request.to
        case let .orgCreate(org, fields), let .orgSet(org, fields):
            line.org = org
            line.name = fields.name
            line.timezone = fields.timezone
            line.windowStart = fields.windowStart
            line.windowEnd = fields.windowEnd
            line.weekdays = fields.weekdays
            line.smartEncoding = fields.smartEncoding
            line.optinTemplate = fields.optinTemplate
            line.optinConfirmation = fields.optinConfirmation
            line.optoutConfirmation = fields.optoutConfirmation
            line.helpText = fields.helpText
        case let .orgShow(org), let .userList(org), let .templateList(org): line.org = org
        case .orgList: break
        case let .userAdd(fields), let .userSet(fields):
            line.org = fields.org
            line.user = fields.user
            line.name = fields.name
            line.cellPhone = fields.cellPhone
            line.email = fields.email
            line.signature = fields.signature
            line.forwardReplies = fields.forwardReplies
        case let .templateSet(org, template, text):
            line.org = org
            line.template = template
            line.text = text
        case let .templateDelete(org, template):
            line.org = org
            line.template = template
        case let .creditsAllocate(request):
            line.org = request.org
            line.user = request.user
            line.segments = request.segments
            line.exactly = request.exactly
            line.by = request.by
            line.note = request.note
        case let .creditsShow(org, user):
            line.org = org
            line.user = user
        case let .group(command):
            (line.org, line.name, line.numbers, line.externalIds, line.limit) = command.wire
        case let .broadcastShow(show):
            line.message = show.id
            line.state = show.state
            line.limit = show.limit
        case let .numbersProvision(request):
            line.org = request.org
            line.users = request.users
            switch request.areaCode {
            case .matchCellPhone: line.matchCellAreaCode = true
            case let .given(areaCode): line.areaCode = areaCode
            }
        case let .numbersRelease(request):
            line.org = request.org
            line.users = request.users
            line.confirm = request.confirm
        case let .numbersList(org): line.org = org
        }
        return try AdminJSON.line(line)
    }
}
