/// Every command of the admin socket, one declaration each: wire name, parameters, result, and
/// whether it changes state. Reading commands are open to the socket's group; changing ones need
/// the admin group, root or the daemon's own user (docs/admin.md). Parameter types live beside
/// their kind (`QueueRequests`, `ConsentRequests`, …), result types likewise (`AdminResults`, …).
public enum Admin {
    // The queue
    public static let status = AdminCommand<NoParameters, StatusResult>("status", changesState: false)
    public static let queue = AdminCommand<QueueFilter, [MessageSummary]>("queue", changesState: false)
    public static let show = AdminCommand<MessageRef, MessageDetail>("show", changesState: false)
    public static let why = AdminCommand<MessageRef, WhyResult>("why", changesState: false)
    public static let usage = AdminCommand<UsageRequest, UsageResult>("usage", changesState: false)
    /// Answered once, then the connection streams `WatchLine`s until either side closes it.
    public static let watch = AdminCommand<NoParameters, Empty>("watch", changesState: false)
    public static let retry = AdminCommand<RetryRequest, ChangeResult>("retry", changesState: true)
    public static let cancel = AdminCommand<CancelRequest, ChangeResult>("cancel", changesState: true)
    public static let pause = AdminCommand<PauseRequest, PauseResult>("pause", changesState: true)
    public static let resume = AdminCommand<PauseRequest, PauseResult>("resume", changesState: true)
    public static let send = AdminCommand<SendRequest, SendResult>("send", changesState: true)
    /// Writes a file as the daemon's user, wherever the request says.
    public static let backup = AdminCommand<BackupRequest, BackupResult>("backup", changesState: true)

    // Consent and contacts
    /// A dry run only reads: anyone who may read may check a file before an admin imports it.
    public static let contactsImport = AdminCommand<ContactsImportChunk, ContactsImportAnswer>("contacts_import") { !$0.dryRun }
    public static let consentShow = AdminCommand<ConsentShowRequest, ConsentShowResult>("consent_show", changesState: false)
    public static let consentSet = AdminCommand<ConsentSetRequest, ConsentSetResult>("consent_set", changesState: true)
    public static let optInRequest = AdminCommand<OptInRequestCommand, OptInRequestAnswer>("optin_request", changesState: true)

    // Organizations, users, templates, credits
    public static let orgCreate = AdminCommand<OrganizationRequest, OrganizationResult>("org_create", changesState: true)
    public static let orgSet = AdminCommand<OrganizationRequest, OrganizationResult>("org_set", changesState: true)
    public static let orgShow = AdminCommand<OrganizationRef, OrganizationResult>("org_show", changesState: false)
    public static let orgList = AdminCommand<NoParameters, OrganizationListResult>("org_list", changesState: false)
    public static let userAdd = AdminCommand<UserFields, UserResult>("user_add", changesState: true)
    public static let userSet = AdminCommand<UserFields, UserResult>("user_set", changesState: true)
    public static let userList = AdminCommand<OrganizationRef, UserListResult>("user_list", changesState: false)
    public static let templateSet = AdminCommand<TemplateRequest, TemplateResult>("template_set", changesState: true)
    public static let templateList = AdminCommand<OrganizationRef, TemplateListResult>("template_list", changesState: false)
    public static let templateDelete = AdminCommand<TemplateRef, Empty>("template_delete", changesState: true)
    public static let creditsAllocate = AdminCommand<CreditsAllocateRequest, CreditsAllocateResult>("credits_allocate", changesState: true)
    public static let creditsShow = AdminCommand<CreditsShowRequest, CreditsShowResult>("credits_show", changesState: false)

    // Contact groups and broadcasts: membership decides who a broadcast texts, so only admins change it.
    public static let groupCreate = AdminCommand<GroupRef, GroupSummary>("group_create", changesState: true)
    public static let groupList = AdminCommand<GroupListRequest, [GroupSummary]>("group_list", changesState: false)
    public static let groupShow = AdminCommand<GroupShowRequest, GroupShowResult>("group_show", changesState: false)
    public static let groupAdd = AdminCommand<GroupMembers, GroupChangeResult>("group_add", changesState: true)
    public static let groupRemove = AdminCommand<GroupMembers, GroupChangeResult>("group_remove", changesState: true)
    public static let groupDelete = AdminCommand<GroupRef, GroupDeleteResult>("group_delete", changesState: true)
    public static let broadcastShow = AdminCommand<BroadcastShowRequest, BroadcastShowResult>("broadcast_show", changesState: false)

    // Numbers. Even unconfirmed, what a release would do is the admin's to see first.
    public static let numbersProvision = AdminCommand<NumbersProvisionRequest, NumbersProvisionResult>("numbers_provision", changesState: true)
    public static let numbersRelease = AdminCommand<NumbersReleaseRequest, NumbersReleaseResult>("numbers_release", changesState: true)
    public static let numbersList = AdminCommand<OrganizationRef, NumbersListResult>("numbers_list", changesState: false)

    public static let all: [any AdminCommandDeclaration] = [
        status, queue, show, why, usage, watch, retry, cancel, pause, resume, send, backup,
        contactsImport, consentShow, consentSet, optInRequest,
        orgCreate, orgSet, orgShow, orgList, userAdd, userSet, userList, templateSet, templateList, templateDelete,
        creditsAllocate, creditsShow,
        groupCreate, groupList, groupShow, groupAdd, groupRemove, groupDelete, broadcastShow,
        numbersProvision, numbersRelease, numbersList,
    ]

    /// The wire names, in the order above (error messages list them).
    public static let names = all.map(\.name)
}
