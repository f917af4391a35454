/// The hours a recipient may be texted, in the recipient's local time, every day (docs/windows.md rule 2);
/// outside them it is quiet. The federal default is 08:00–21:00 (47 CFR 64.1200(c)(1)).
///
/// The recipient's local time comes from the number's area code. An area code spanning several
/// timezones must allow the instant in every one of them, because the number keeps its area code
/// wherever its owner is. Held reason when these hours bind: `recipient_quiet_hours`.
public struct QuietHours: Sendable, Hashable, CustomStringConvertible {
    /// When texts may arrive; everything outside is quiet.
    public let allowed: DailyHours

    public init(allowed: DailyHours) {
        self.allowed = allowed
    }

    /// 08:00–21:00, the federal telephone-solicitation hours (texts are treated as calls).
    public static let federal = QuietHours(allowed: .fixed(800, 2100))

    public var description: String { "\(allowed) recipient local time" }
}
