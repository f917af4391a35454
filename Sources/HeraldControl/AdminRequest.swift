/// A request line: `{"id":7,"command":"queue","state":"scheduled","limit":20}`. `id` is echoed
/// in the response (any JSON number or string, optional); the other fields depend on `command`.
public struct AdminRequest: Sendable, Equatable {
    public var id: RequestID?
    public var command: AdminCommand

    public init(id: RequestID? = nil, _ command: AdminCommand) {
        self.id = id
        self.command = command
    }
}

public enum RequestID: Codable, Sendable, Equatable, Hashable {
    case number(Int64)
    case text(String)

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let number = try? container.decode(Int64.self) {
            self = .number(number)
        } else {
            self = .text(try container.decode(String.self))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case let .number(number): try container.encode(number)
        case let .text(text): try container.encode(text)
        }
    }
}

/// Every command of the admin socket. `changesState` splits them into what any member of the
/// socket's group may run and what needs the admin group, root or the daemon's own user.
public enum AdminCommand: Sendable, Equatable {
    case status
    case queue(QueueFilter)
    case show(messageID: Int64)
    case why(messageID: Int64)
    case retry(RetryTarget)
    case cancel(CancelTarget)
    case pause(PauseTarget)
    case resume(PauseTarget)
    case send(SendRequest)
    case usage(org: String?, user: String?)
    case watch
    /// `force` replaces an existing file; never the live database, a symlink or a directory.
    case backup(path: String, force: Bool = false)
    case contactsImport(ContactsImportChunk)
    case consentShow(org: String, number: String)
    case consentSet(ConsentSetRequest)
    case optInRequest(OptInRequestCommand)
    case orgCreate(org: String, OrganizationFields)
    case orgSet(org: String, OrganizationFields)
    case orgShow(org: String)
    case orgList
    case userAdd(UserFields)
    case userSet(UserFields)
    case userList(org: String)
    case templateSet(org: String, template: String, text: String)
    case templateList(org: String)
    case templateDelete(org: String, template: String)
    case creditsAllocate(CreditsAllocateRequest)
    case creditsShow(org: String, user: String?)
    case group(GroupCommand)
    case broadcastShow(BroadcastShowRequest)
    case numbersProvision(NumbersProvisionRequest)
    case numbersRelease(NumbersReleaseRequest)
    case numbersList(org: String)

    public var name: String {
        switch self {
        case .status: "status"
        case .queue: "queue"
        case .show: "show"
        case .why: "why"
        case .retry: "retry"
        case .cancel: "cancel"
        case .pause: "pause"
        case .resume: "resume"
        case .send: "send"
        case .usage: "usage"
        case .watch: "watch"
        case .backup: "backup"
        case .contactsImport: "contacts_import"
        case .consentShow: "consent_show"
        case .consentSet: "consent_set"
        case .optInRequest: "optin_request"
        case .orgCreate: "org_create"
        case .orgSet: "org_set"
        case .orgShow: "org_show"
        case .orgList: "org_list"
        case .userAdd: "user_add"
        case .userSet: "user_set"
        case .userList: "user_list"
        case .templateSet: "template_set"
        case .templateList: "template_list"
        case .templateDelete: "template_delete"
        case .creditsAllocate: "credits_allocate"
        case .creditsShow: "credits_show"
        case let .group(command): command.name
        case .broadcastShow: "broadcast_show"
        case .numbersProvision: "numbers_provision"
        case .numbersRelease: "numbers_release"
        case .numbersList: "numbers_list"
        }
    }

    public static let names = [
        "status", "queue", "show", "why", "retry", "cancel", "pause", "resume", "send", "usage", "watch", "backup",
        "contacts_import", "consent_show", "consent_set", "optin_request",
        "org_create", "org_set", "org_show", "org_list", "user_add", "user_set", "user_list",
        "template_set", "template_list", "template_delete", "credits_allocate", "credits_show",
        "numbers_provision", "numbers_release", "numbers_list",
    ] + GroupCommand.names + ["broadcast_show"]

    public var changesState: Bool {
        switch self {
        case .status, .queue, .show, .why, .usage, .watch, .consentShow, .orgShow, .orgList, .userList, .templateList, .creditsShow,
             .broadcastShow, .numbersList: false
        case let .group(command): command.changesState
        // A backup writes a file as the daemon's user, wherever the request says.
        case .retry, .cancel, .pause, .resume, .send, .backup, .consentSet, .optInRequest: true
        case .orgCreate, .orgSet, .userAdd, .userSet, .templateSet, .templateDelete, .creditsAllocate: true
        // Even unconfirmed: what a release would do is the admin's to see first.
        case .numbersProvision, .numbersRelease: true
        // A dry run only reads: anyone who may read may check a file before an admin imports it.
        case let .contactsImport(chunk): !chunk.dryRun
        }
    }
}

public struct QueueFilter: Sendable, Equatable {
    public var state: String?
    /// Only messages held for this reason (`unknown_outcome`, `org_window`, …).
    public var held: String?
    public var org: String?
    public var to: String?
    public var limit: Int

    public static let defaultLimit = 50
    public static let maxLimit = 10_000

    public init(state: String? = nil, held: String? = nil, org: String? = nil, to: String? = nil, limit: Int = QueueFilter.defaultLimit) {
        self.state = state
        self.held = held
        self.org = org
        self.to = to
        self.limit = limit
    }
}

public enum RetryTarget: Sendable, Equatable {
    case message(Int64)
    /// Every failed message, or those of one org.
    case failed(org: String?)
}

public enum CancelTarget: Sendable, Equatable {
    case message(Int64)
    /// Every message of an org in a state Herald still holds (queued, scheduled, awaiting_consent).
    case matching(org: String, state: String)
}

public enum PauseTarget: Sendable, Equatable {
    case org(String)
    /// A sender by its provisioned number (E.164).
    case sender(String)
}

public struct SendRequest: Codable, Sendable, Equatable {
    public var org: String
    /// The sending user's id or provisioned number.
    public var from: String
    public var to: String
    public var kind: String
    public var text: String

    public init(org: String, from: String, to: String, kind: String = "conversational", text: String) {
        self.org = org
        self.from = from
        self.to = to
        self.kind = kind
        self.text = text
    }
}
