/// A member as an operator names one: by any of the contact's numbers (E.164) or by the
/// contact's external id from the CRM.
public enum GroupMemberRef: Sendable, Equatable, Hashable {
    case number(String)
    case externalID(String)
}
