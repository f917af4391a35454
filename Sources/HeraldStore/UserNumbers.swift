import Foundation

/// A user as number provisioning sees them: who they are, where their cell phone is, and the
/// number they send from, if any.
public struct UserNumbers: Sendable, Equatable {
    public var org: String
    public var user: String
    public var name: String
    public var cellPhone: String?
    public var number: ActiveNumber?

    public init(org: String, user: String, name: String, cellPhone: String?, number: ActiveNumber?) {
        self.org = org
        self.user = user
        self.name = name
        self.cellPhone = cellPhone
        self.number = number
    }
}

public struct ActiveNumber: Sendable, Equatable {
    public var e164: String
    /// Nil for a number written in the configuration: Herald did not buy it, so it has no sid to release.
    public var carrierSID: String?
    public var provisionedAt: Date

    public init(e164: String, carrierSID: String?, provisionedAt: Date) {
        self.e164 = e164
        self.carrierSID = carrierSID
        self.provisionedAt = provisionedAt
    }
}
