import Foundation

/// An outbox row that names a template (`outbox.template`) instead of giving a body: the text is
/// the organization's template filled with the row's `variables`, what Herald knows of the
/// recipient and of the sender. A variable nobody supplies rejects the row, naming it.
extension OutboxSubmission {
    /// The row's text before the signature: its body, or its template rendered; nil when the row gives neither.
    func text(organization: OrganizationProfile, sender: SenderProfile) -> Result<String?, RejectionReason> {
        guard let name = template?.trimmed, !name.isEmpty else { return .success(body) }
        if let body, !body.unicodeScalars.allSatisfy(\.isSpace) { return .failure(.bodyAndTemplate) }
        guard let template = organization.templates[name] else {
            return .failure(.unknownTemplate(org: organization.id, template: name))
        }
        var values = ["org_name": organization.name, "user_name": sender.name]
        for (key, value) in recipientFields where !value.isEmpty { values[key] = value }
        switch Self.parseVariables(variables) {
        case let .success(given): values.merge(given) { _, producer in producer }
        case let .failure(reason): return .failure(reason)
        }
        do {
            return .success(try template.render(values))
        } catch let .missingVariable(variable) {
            return .failure(.templateVariableMissing(template: name, variable: variable))
        } catch {
            // Stored templates were checked when set; a row cannot make one unparseable.
            return .failure(.templateVariableMissing(template: name, variable: "\(error)"))
        }
    }

    /// `{"first_name":"Ana","amount":12.5}`: strings and numbers; NULL or blank means none.
    static func parseVariables(_ text: String?) -> Result<[String: String], RejectionReason> {
        guard let text, !text.trimmed.isEmpty else { return .success([:]) }
        do {
            return .success(try JSONDecoder().decode([String: Variable].self, from: Data(text.utf8)).mapValues(\.text))
        } catch let DecodingError.dataCorrupted(context) where !context.codingPath.isEmpty {
            return .failure(.badVariables("\(context.codingPath.last!.stringValue) must be a string or a number"))
        } catch {
            return .failure(.badVariables("not a JSON object of strings and numbers such as {\"first_name\":\"Ana\"}"))
        }
    }

    private struct Variable: Decodable {
        var text: String

        init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let string = try? container.decode(String.self) {
                text = string
            } else if (try? container.decode(Bool.self)) == nil, let integer = try? container.decode(Int64.self) {
                text = String(integer)
            } else if (try? container.decode(Bool.self)) == nil, let number = try? container.decode(Double.self) {
                text = String(number)
            } else {
                throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "not a string or number"))
            }
        }
    }
}

extension SenderProfile {
    /// `text` with the user's signature on its own line, for the kinds a person writes (docs/domain.md);
    /// Herald's own texts and opt-in requests stay as worded.
    func signed(_ text: String, kind: MessageKind) -> String {
        guard let signature, !signature.isEmpty, [.conversational, .journey, .bulk].contains(kind) else { return text }
        return text + "\n" + signature
    }
}
