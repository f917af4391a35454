import Foundation

/// One admin command, declared once (in `Admin`): its wire name, the type of its `params`, the
/// type of its `result`, and whether it changes state. heraldd's handlers and heraldctl's calls
/// are both typed by it, so the two ends cannot disagree about a field.
public struct AdminCommand<Parameters: AdminParameters, Result: Codable & Sendable>: AdminCommandDeclaration {
    public let name: String
    private let changes: @Sendable (Parameters) -> Bool

    /// - Parameter changesState: true for a command only an admin may run (see docs/admin.md).
    public init(_ name: String, changesState: Bool) {
        self.name = name
        changes = { _ in changesState }
    }

    /// A command whose parameters decide whether it changes anything (a dry run only reads).
    public init(_ name: String, changesState: @escaping @Sendable (Parameters) -> Bool) {
        self.name = name
        changes = changesState
    }

    public func changesState(_ parameters: Parameters) -> Bool { changes(parameters) }

    public func check(_ request: AdminEnvelope) throws(AdminError) { _ = try parameters(of: request) }

    /// This command with its parameters, ready to send.
    public func callAsFunction(_ parameters: Parameters) -> AdminCall<Parameters, Result> {
        AdminCall(command: self, parameters: parameters)
    }

    /// The request's `params`, decoded strictly: a field this command does not take is an error
    /// naming it, not silently ignored (a typo such as `"stat"` must not widen a query).
    public func parameters(of request: AdminEnvelope) throws(AdminError) -> Parameters {
        let parameters: Parameters
        do {
            parameters = try AdminJSON.decoder().decode(Parameters.self, from: request.params)
        } catch {
            throw AdminError(.badRequest, AdminEnvelope.describe(error, command: name))
        }
        let takes = Parameters.fields(of: parameters)
        let unknown = request.paramNames.subtracting(takes).sorted()
        if !unknown.isEmpty {
            let list = takes.isEmpty ? "no params" : takes.sorted().joined(separator: ", ")
            throw AdminError(.badRequest, "\(name) does not take \(unknown.joined(separator: ", ")); it takes \(list)")
        }
        try parameters.validate(as: name)
        return parameters
    }
}

extension AdminCommand where Parameters == NoParameters {
    public func callAsFunction() -> AdminCall<Parameters, Result> { self(NoParameters()) }
}

/// What every declaration says without its types: enough to list the commands and check a request.
public protocol AdminCommandDeclaration: Sendable {
    var name: String { get }
    /// Decodes and checks the request's parameters, throwing what the daemon would answer.
    func check(_ request: AdminEnvelope) throws(AdminError)
}

/// The `params` of a command: one flat JSON object, snake_case keys.
public protocol AdminParameters: Codable, Sendable, Equatable {
    /// What JSON types cannot say (ranges, one field or another), in messages naming the fields.
    func validate(as command: String) throws(AdminError)
}

extension AdminParameters {
    public func validate(as command: String) throws(AdminError) {}

    /// The wire names of the fields this type takes: its stored properties in snake_case, as
    /// `AdminJSON` writes them, those of a `FlattenedParameters` property among them. A type
    /// whose property names would not survive that conversion (acronyms: `externalIDs`) cannot
    /// be decoded at all, which the coding tests catch.
    static func fields(of value: Self) -> Set<String> { wireNames(of: value) }
}

/// A group of fields written flat among the parameters that hold it (an organization's settings
/// beside `org`): its fields are the parameters' own.
public protocol FlattenedParameters: Codable, Sendable, Equatable {}

private func wireNames(of value: Any) -> Set<String> {
    var names: Set<String> = []
    for child in Mirror(reflecting: value).children {
        if child.value is any FlattenedParameters {
            names.formUnion(wireNames(of: child.value))
        } else if let label = child.label {
            names.insert(AdminJSON.snakeCase(label))
        }
    }
    return names
}

/// For commands that take nothing: `{"command":"status"}`.
public struct NoParameters: AdminParameters {
    public init() {}
}

/// A command with its parameters: what a client sends.
public struct AdminCall<Parameters: AdminParameters, Result: Codable & Sendable>: Sendable {
    public let command: AdminCommand<Parameters, Result>
    public let parameters: Parameters

    /// The request line, newline included.
    public func line(id: RequestID?) throws -> [UInt8] {
        try AdminJSON.line(AdminEnvelope.Outgoing(id: id, command: command.name, params: parameters))
    }
}
