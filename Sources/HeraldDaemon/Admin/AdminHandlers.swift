import HeraldControl

/// The daemon's side of `Admin`'s declarations: one handler per command, found by name. A
/// handler receives its command's decoded parameters and returns its declared result, so a
/// command cannot answer with another's shape.
struct AdminHandlers: Sendable {
    /// What a handler may use and change beyond its parameters: who asks, and the connection's
    /// `contacts_import` pieces so far.
    struct Call: Sendable {
        let peer: AdminPeer
        var upload: ContactsUpload
    }

    /// A request whose parameters decoded and passed their checks, ready to run once the peer's
    /// access allows it.
    struct Prepared: Sendable {
        let command: String
        let changesState: Bool
        let run: @Sendable (inout Call) async throws -> [UInt8]
    }

    /// Preconditions shared by many commands, checked before their handler runs.
    enum Precondition {
        /// The `org` the parameters name exists (else `not_found`, naming it).
        case organization
    }

    private var handlers: [String: any PreparesRequests] = [:]
    private let directory: SharedDirectory

    init(directory: SharedDirectory) {
        self.directory = directory
    }

    mutating func on<Parameters, Result>(
        _ command: AdminCommand<Parameters, Result>,
        _ handle: @escaping @Sendable (Parameters, inout Call) async throws -> Result
    ) {
        precondition(handlers[command.name] == nil, "two handlers for \(command.name)")
        handlers[command.name] = Handler(command: command, handle: handle)
    }

    private struct Handler<Parameters: AdminParameters, Result: Codable & Sendable>: PreparesRequests {
        let command: AdminCommand<Parameters, Result>
        let handle: @Sendable (Parameters, inout Call) async throws -> Result

        func prepare(_ request: AdminEnvelope) throws(AdminError) -> Prepared {
            let parameters = try command.parameters(of: request)
            return Prepared(command: command.name, changesState: command.changesState(parameters)) { [handle] call in
                let result = try await handle(parameters, &call)
                return try AdminJSON.line(AdminResponse(id: request.id, result: result))
            }
        }
    }

    mutating func on<Parameters: OrganizationScoped, Result>(
        _ command: AdminCommand<Parameters, Result>, requires precondition: Precondition,
        _ handle: @escaping @Sendable (Parameters, inout Call) async throws -> Result
    ) {
        on(command) { [directory] parameters, call in
            switch precondition {
            case .organization:
                guard directory.current.organization(parameters.org) != nil else {
                    throw AdminError(.notFound, "no organization \(String(reflecting: parameters.org))")
                }
            }
            return try await handle(parameters, &call)
        }
    }

    /// The handler's view of a request, or why it cannot run: a command without a handler is
    /// a daemon bug, reported as one rather than as the client's mistake.
    func prepare(_ request: AdminEnvelope) throws(AdminError) -> Prepared {
        guard let handler = handlers[request.command] else {
            throw AdminError(.failed, "heraldd has no handler for \(request.command); please report this")
        }
        return try handler.prepare(request)
    }

    /// Commands declared in `Admin` that nothing handles (a test keeps this empty).
    var unhandled: [String] { Admin.names.filter { handlers[$0] == nil } }
}

private protocol PreparesRequests: Sendable {
    func prepare(_ request: AdminEnvelope) throws(AdminError) -> AdminHandlers.Prepared
}

/// Parameters naming an organization that must exist for the command to make sense.
protocol OrganizationScoped: AdminParameters {
    var org: String { get }
}
