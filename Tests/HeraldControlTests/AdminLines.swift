import Foundation
import HeraldControl

/// Request lines as heraldd reads them: the envelope, then the command's own parameters.
enum AdminLines {
    /// What heraldd answers a line with, short of running it: nil when it would run.
    static func error(_ text: String) -> AdminError? {
        switch AdminEnvelope.decode(Array(text.utf8)) {
        case let .failure(refusal): return refusal.error
        case let .success(envelope):
            guard let command = Admin.all.first(where: { $0.name == envelope.command }) else {
                return AdminError(.unknownCommand, "no declaration for \(envelope.command)")
            }
            do throws(AdminError) {
                try command.check(envelope)
                return nil
            } catch {
                return error
            }
        }
    }

    /// The parameters `command` decodes from `text`.
    static func decode<Parameters, Result>(_ command: AdminCommand<Parameters, Result>, _ text: String) throws -> Parameters {
        let envelope = try AdminEnvelope.decode(Array(text.utf8)).get()
        guard envelope.command == command.name else { throw AdminError(.badRequest, "line is \(envelope.command), not \(command.name)") }
        return try command.parameters(of: envelope)
    }

    /// The call written as a line and read back: what the daemon's handler receives.
    static func roundTrip<Parameters, Result>(_ call: AdminCall<Parameters, Result>, id: RequestID = .number(12)) throws -> (RequestID?, Parameters) {
        let line = try call.line(id: id)
        guard line.last == UInt8(ascii: "\n"), !line.dropLast().contains(UInt8(ascii: "\n")) else {
            throw AdminError(.badRequest, "not one line: \(String(decoding: line, as: UTF8.self))")
        }
        let envelope = try AdminEnvelope.decode(line.dropLast()).get()
        return (envelope.id, try call.command.parameters(of: envelope))
    }

    static func text<Parameters, Result>(_ call: AdminCall<Parameters, Result>) throws -> String {
        String(decoding: try call.line(id: nil).dropLast(), as: UTF8.self)
    }
}

extension AdminEnvelope.Refusal: Equatable {
    public static func == (a: Self, b: Self) -> Bool { a.id == b.id && a.error == b.error }
}
