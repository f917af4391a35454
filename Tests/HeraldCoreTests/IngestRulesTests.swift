import Foundation
import Testing

import HeraldCore

@Suite("IngestRules")
struct IngestRulesTests {
    let now = Date(timeIntervalSince1970: 1_800_000_000) // 2027-01-15T08:00:00Z
    let rules = IngestRules()
    let directory = Directory(
        organizations: [
            OrganizationProfile(id: "acme", name: "Acme", timeZone: "America/Chicago"),
            OrganizationProfile(id: "globex", name: "Globex", timeZone: "America/New_York"),
        ],
        senders: [
            SenderProfile(orgID: "acme", userID: "alice", number: "+16125550100", rate: 1),
            SenderProfile(orgID: "globex", userID: "bob", number: "+12125550199", rate: 1),
        ]
    )

    private func row(
        org: String? = "acme", sender: String? = "alice", to: String? = "(612) 555-0123", body: String? = "Hello",
        kind: String? = nil, sendAt: String? = nil, expiresAt: String? = nil
    ) -> OutboxSubmission {
        OutboxSubmission(id: 7, org: org, sender: sender, toNumber: to, body: body, kind: kind, sendAt: sendAt, expiresAt: expiresAt)
    }

    private func accepted(_ row: OutboxSubmission, sourceLocation: SourceLocation = #_sourceLocation) -> ValidatedSubmission? {
        switch rules.evaluate(row, directory: directory, now: now) {
        case let .success(message): return message
        case let .failure(reason):
            Issue.record("expected acceptance, got \(reason.code): \(reason)", sourceLocation: sourceLocation)
            return nil
        }
    }

    private func rejection(_ row: OutboxSubmission, sourceLocation: SourceLocation = #_sourceLocation) -> RejectionReason? {
        switch rules.evaluate(row, directory: directory, now: now) {
        case let .success(message):
            Issue.record("expected rejection, got \(message.state)", sourceLocation: sourceLocation)
            return nil
        case let .failure(reason): return reason
        }
    }

    // MARK: accepted rows

    @Test func plainRowIsQueuedConversationalNow() throws {
        let message = try #require(accepted(row()))
        #expect(message.orgID == "acme")
        #expect(message.userID == "alice")
        #expect(message.from == "+16125550100")
        #expect(message.to.e164 == "+16125550123")
        #expect(message.body == "Hello")
        #expect(message.kind == .conversational)
        #expect(message.state == .queued)
        #expect(message.heldReason == nil)
        #expect(message.notBefore == now)
        #expect(message.expiresAt == nil)
        #expect(message.segments == 1)
        #expect(message.encoding == .gsm7)
    }

    @Test("empty or blank kind means conversational", arguments: [nil, "", "  "] as [String?])
    func defaultKind(kind: String?) throws {
        #expect(try #require(accepted(row(kind: kind))).kind == .conversational)
    }

    @Test("kinds are read case-insensitively and trimmed", arguments: [
        ("bulk", MessageKind.bulk), ("BULK", .bulk), (" journey ", .journey), ("opt_in_request", .optInRequest),
    ])
    func kinds(text: String, kind: MessageKind) throws {
        #expect(try #require(accepted(row(kind: text))).kind == kind)
    }

    @Test("system is Herald's own kind: a producer's row is rejected, so it cannot bypass consent", arguments: ["system", " System "])
    func systemIsReserved(text: String) throws {
        #expect(rejection(row(kind: text)) == .reservedKind(.system))
    }

    @Test func senderByNumber() throws {
        let message = try #require(accepted(row(sender: "+16125550100")))
        #expect(message.userID == "alice")
        #expect(message.from == "+16125550100")
    }

    @Test func senderAndOrgAreTrimmed() throws {
        let message = try #require(accepted(row(org: " acme ", sender: " alice\n")))
        #expect(message.orgID == "acme")
        #expect(message.userID == "alice")
    }

    @Test func sendAtInTheFutureIsScheduled() throws {
        let message = try #require(accepted(row(sendAt: "2027-01-15T09:30:00Z")))
        #expect(message.state == .scheduled)
        #expect(message.heldReason == .sendAt)
        #expect(message.notBefore == now + 90 * 60)
    }

    @Test("a text held past its expires_at comes back at expires_at, to expire then")
    func holdEndsAtExpiry() throws {
        let message = try #require(accepted(row(sendAt: "2027-01-15T12:00:00Z", expiresAt: "2027-01-15T10:00:00Z")))
        #expect(message.state == .scheduled)
        #expect(message.heldReason == .sendAt)
        #expect(message.notBefore == now + 2 * 3600)
        #expect(message.expiresAt == now + 2 * 3600)
    }

    @Test func sendAtInThePastIsQueuedNow() throws {
        let message = try #require(accepted(row(sendAt: "2027-01-15 07:00:00")))
        #expect(message.state == .queued)
        #expect(message.heldReason == nil)
        #expect(message.notBefore == now)
    }

    @Test func sendAtAsUnixSeconds() throws {
        let message = try #require(accepted(row(sendAt: "1800000600")))
        #expect(message.state == .scheduled)
        #expect(message.notBefore == now + 600)
    }

    @Test func expiresAtInTheFutureIsKept() throws {
        let message = try #require(accepted(row(expiresAt: "2027-01-15T12:00:00+02:00")))
        #expect(message.expiresAt == now + 2 * 3600)
        #expect(message.state == .queued)
    }

    @Test func bodyOfExactlyTheLimitIsAccepted() throws {
        let message = try #require(accepted(row(body: String(repeating: "a", count: Segmenter.maximumCharacters))))
        #expect(message.segments == 11)
    }

    @Test func unicodeBodyIsUCS2() throws {
        let message = try #require(accepted(row(body: "It’s here")))
        #expect(message.encoding == .ucs2)
    }

    // MARK: rejections

    @Test("each required column, when NULL, is named", arguments: ["org", "sender", "to_number", "body"])
    func missingField(column: String) throws {
        let submission = switch column {
        case "org": row(org: nil)
        case "sender": row(sender: nil)
        case "to_number": row(to: nil)
        default: row(body: nil)
        }
        let reason = try #require(rejection(submission))
        #expect(reason == .missingField(column))
        #expect(reason.code == "missing_field")
        #expect(reason.description.contains(column))
        #expect(reason.description.contains("required"))
    }

    @Test func blankOrgAndSenderAreMissing() {
        #expect(rejection(row(org: "  ")) == .missingField("org"))
        #expect(rejection(row(sender: "")) == .missingField("sender"))
    }

    @Test("invalid numbers are rejected with the problem", arguments: [
        ("+1 876 555 0100", "Jamaica"), ("12345", "digits"), ("+44 20 7946 0958", "international"), ("call me", "letters"),
    ])
    func invalidNumber(input: String, mentions: String) throws {
        let reason = try #require(rejection(row(to: input)))
        #expect(reason.code == "invalid_number")
        guard case let .invalidNumber(echoed, problem) = reason else {
            Issue.record("expected invalidNumber, got \(reason)")
            return
        }
        #expect(echoed == input)
        #expect(problem.contains(mentions))
        #expect(reason.description.contains("to_number"))
        #expect(reason.description.contains(input))
    }

    @Test("empty and whitespace-only bodies", arguments: ["", " ", "\n\t  \r\n", "\u{00A0}\u{2003}"])
    func emptyBody(body: String) throws {
        let reason = try #require(rejection(row(body: body)))
        #expect(reason == .emptyBody)
        #expect(reason.code == "empty_body")
        #expect(reason.description.contains("empty"))
    }

    @Test func bodyTooLong() throws {
        let reason = try #require(rejection(row(body: String(repeating: "é", count: 1601))))
        #expect(reason == .bodyTooLong(characters: 1601))
        #expect(reason.code == "body_too_long")
        #expect(reason.description.contains("1601"))
        #expect(reason.description.contains("1600"))
    }

    @Test func unknownOrganization() throws {
        let reason = try #require(rejection(row(org: "initech")))
        #expect(reason == .unknownOrganization("initech"))
        #expect(reason.code == "unknown_org")
        #expect(reason.description.contains("\"initech\""))
        #expect(reason.description.contains("not configured"))
    }

    @Test func unknownSender() throws {
        let reason = try #require(rejection(row(sender: "mallory")))
        #expect(reason == .unknownSender(org: "acme", sender: "mallory"))
        #expect(reason.code == "unknown_sender")
        #expect(reason.description.contains("\"mallory\""))
        #expect(reason.description.contains("\"acme\""))
    }

    @Test("a sender of another organization is rejected, by user id or by number", arguments: ["bob", "+12125550199"])
    func senderOfAnotherOrg(sender: String) {
        #expect(rejection(row(org: "acme", sender: sender)) == .unknownSender(org: "acme", sender: sender))
    }

    @Test func badKind() throws {
        let reason = try #require(rejection(row(kind: "fax")))
        #expect(reason == .badKind("fax"))
        #expect(reason.code == "bad_kind")
        #expect(reason.description.contains("\"fax\""))
        for kind in MessageKind.allCases { #expect(reason.description.contains(kind.rawValue)) }
    }

    @Test("unreadable times are rejected naming the column", arguments: [
        ("send_at", "tomorrow at noon"), ("expires_at", "31/12/2027"), ("send_at", "2027-13-45T00:00:00Z"),
    ])
    func badTimestamp(field: String, value: String) throws {
        let submission = field == "send_at" ? row(sendAt: value) : row(expiresAt: value)
        let reason = try #require(rejection(submission))
        #expect(reason == .badTimestamp(field: field, value: value))
        #expect(reason.code == "bad_timestamp")
        #expect(reason.description.contains(field))
        #expect(reason.description.contains(value))
    }

    @Test("expires_at already passed (or exactly now) is rejected as expired", arguments: [
        "2027-01-15T07:59:59Z", "1800000000", "2020-01-01 00:00:00", "2027-01-15T10:00:00+02:00",
    ])
    func expiredBeforeIngest(expiresAt: String) throws {
        let reason = try #require(rejection(row(expiresAt: expiresAt)))
        #expect(reason == .expiredBeforeIngest(expiresAt: expiresAt))
        #expect(reason.code == "expired")
        #expect(reason.description.contains(expiresAt))
        #expect(reason.description.contains("passed"))
    }

    @Test func duplicateIdempotencyKeyDescription() {
        let reason = RejectionReason.duplicateIdempotencyKey(key: "order-42", existingMessage: 17)
        #expect(reason.code == "duplicate_idempotency_key")
        #expect(reason.description.contains("\"order-42\""))
        #expect(reason.description.contains("17"))
    }

    @Test func everyCodeIsDistinctAndSnakeCase() {
        let all: [RejectionReason] = [
            .missingField("org"), .invalidNumber(input: "x", problem: "y"), .emptyBody, .bodyTooLong(characters: 2000),
            .unknownOrganization("o"), .unknownSender(org: "o", sender: "s"), .badKind("k"),
            .badTimestamp(field: "send_at", value: "v"), .expiredBeforeIngest(expiresAt: "e"),
            .duplicateIdempotencyKey(key: "k", existingMessage: 1),
        ]
        #expect(Set(all.map(\.code)).count == all.count)
        #expect(Set(all.map(\.code)) == [
            "missing_field", "invalid_number", "empty_body", "body_too_long", "unknown_org", "unknown_sender",
            "bad_kind", "bad_timestamp", "expired", "duplicate_idempotency_key",
        ])
        for reason in all { #expect(!reason.description.isEmpty) }
    }
}
