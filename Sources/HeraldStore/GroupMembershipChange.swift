/// What an add or remove did, member by member as named.
public struct GroupMembershipChange: Sendable, Equatable {
    public var changed = 0
    /// Already in the group (add) or not in it (remove).
    public var unchanged = 0
    /// Names that match no contact of the organization.
    public var unknown: [GroupMemberRef] = []
}
