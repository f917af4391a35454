/// An organization's named templates (`outbox.template`): any `{variable}` a producer, the
/// recipient's contact record or Herald (`org_name`, `user_name`) can fill.
public struct TemplateEntry: Sendable, Equatable {
    public var org: String
    public var name: String
    public var text: String
    public var variables: [String]
}
