import Foundation
import HeraldCore
import Synchronization

/// Which calendar month usage counts in, per organization (SPEC §2: the org's timezone). Kept
/// in step with the directory, so organizations made with heraldctl and timezone changes count
/// in their own months too.
final class UsageMonths: Sendable {
    private let months = Mutex<[String: UsageMonth]>([:])
    private static let fallback = UsageMonth(timeZone: TimeZone(identifier: "America/Chicago")!)

    func update(_ directory: Directory) {
        let fresh = directory.organizations.mapValues { UsageMonth(timeZone: TimeZone(identifier: $0.timeZone) ?? .gmt) }
        months.withLock { $0 = fresh }
    }

    func key(org: String, at date: Date) -> String {
        (months.withLock { $0[org] } ?? Self.fallback).key(for: date)
    }
}
