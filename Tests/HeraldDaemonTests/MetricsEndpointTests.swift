import Foundation
import HeraldControl
import HeraldDaemon
import HeraldTestSupport
import Testing

/// `GET /metrics` of a running daemon after a known run: checked by Prometheus' own linter and
/// value by value.
@Suite("Metrics endpoint")
struct MetricsEndpointTests {
    static let promtool = "/usr/bin/promtool"

    @Test("after 20 delivered texts, a forged webhook and an admin request, the scrape says so and promtool accepts it")
    func knownRun() async throws {
        try #require(FileManager.default.isExecutableFile(atPath: Self.promtool), "promtool is missing: `make deps` installs Debian's prometheus package")
        try await DaemonHarness.withDaemon { harness in
            let url = try #require(harness.daemon.metricsURL, "the metrics listener did not report its port")
            let recipients = (0..<20).map { String(format: "+1612555%04d", 1000 + $0) }
            let ids = try harness.insert(recipients.map { OutboxRow(to: $0, body: "metrics \($0)") })
            try await waitUntil("20 texts delivered") {
                try harness.count(where: "state = 'delivered' AND id IN (\(ids.map(String.init).joined(separator: ",")))") == 20
            }
            let forged = try await offPool { try SpawnedProcess.capture("/usr/bin/curl", ["-s", "-o", "/dev/null", "-w", "%{http_code}", "-X", "POST",
                "-d", "MessageSid=SMforged&MessageStatus=delivered", harness.webhookURL + "/webhooks/status"]) }
            #expect(forged.out == "403")
            _ = try await AdminClient.open(harness.adminSocket).call(Admin.status())

            // Transitions are counted from the queue at each scrape: wait until the callbacks' are in.
            var text = ""
            try await waitUntil("the scrape to count 20 deliveries") {
                text = try await offPool { try SpawnedProcess.capture("/usr/bin/curl", ["-sS", url]).out }
                return Self.sum(text, "herald_transitions_total", where: ["to_state": "delivered"]) == 20
            }

            let scraped = text
            let lint = try await offPool { try SpawnedProcess.capture(Self.promtool, ["check", "metrics"], input: scraped) }
            #expect(lint.status == 0, "promtool check metrics: \(lint.out)\(lint.err)")

            #expect(Self.sum(text, "herald_build_info", where: ["version": HeraldVersion.current]) == 1)
            #expect(Self.sum(text, "herald_carrier_requests_total", where: ["outcome": "accepted", "status": "2xx"]) == 20)
            #expect(Self.sum(text, "herald_carrier_request_duration_seconds_count") == 20)
            #expect(Self.sum(text, "herald_ingest_lag_seconds_count") == 20)
            #expect(Self.sum(text, "herald_transitions_total", where: ["to_state": "sending"]) == 20)
            #expect(Self.sum(text, "herald_transitions_total", where: ["to_state": "sent"]) == 20)
            #expect(Self.sum(text, "herald_webhook_requests_total", where: ["route": "status", "outcome": "forged"]) == 1)
            #expect((Self.sum(text, "herald_webhook_requests_total", where: ["route": "status", "outcome": "ok"]) ?? 0) >= 20)
            #expect(Self.sum(text, "herald_admin_requests_total", where: ["command": "status", "outcome": "ok"]) == 1)
            #expect(Self.sum(text, "herald_messages", where: ["state": "queued"]) == 0)
            #expect(Self.sum(text, "herald_messages", where: ["state": "sent"]) == 0)
            #expect(Self.sum(text, "herald_oldest_due_message_age_seconds") == 0)
            #expect((Self.sum(text, "herald_db_write_transaction_seconds_count") ?? 0) > 0)
            #expect((Self.sum(text, "herald_db_wal_bytes") ?? 0) > 0)

            // Labels never carry a phone number or a message id.
            for line in text.split(separator: "\n") where !line.hasPrefix("#") {
                for id in ids { #expect(!line.contains("\"\(id)\""), "\(line)") }
                #expect(!line.contains("+1612"), "\(line)")
            }
        }
    }

    @Test("held messages show as gauges by their reason")
    func heldAndDue() async throws {
        try await DaemonHarness.withDaemon { harness in
            let url = try #require(harness.daemon.metricsURL)
            // Paused: the text is due but cannot go, so it is held and ages.
            _ = try await AdminClient.open(harness.adminSocket).call(Admin.pause(PauseRequest(.org(DaemonHarness.org))))
            _ = try harness.insert([OutboxRow(to: "+16125550142", body: "held")])
            var text = ""
            try await waitUntil("the held text to show") {
                text = try await offPool { try SpawnedProcess.capture("/usr/bin/curl", ["-sS", url]).out }
                return Self.sum(text, "herald_messages_held", where: ["reason": "org_paused"]) == 1
            }
            #expect(Self.sum(text, "herald_messages_held", where: ["reason": "no_credits"]) == 0)
        }
    }

    @Test("docs/metrics.md lists exactly the metrics heraldd exposes, with their types and labels")
    func docsMatchCatalogue() throws {
        let docs = try String(contentsOf: QuickTourTests.checkout.appendingPathComponent("docs/metrics.md"), encoding: .utf8)
        var documented: [String: String] = [:]
        for line in docs.split(separator: "\n") where line.hasPrefix("| `herald_") {
            let cells = line.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }
            documented[cells[0].trimmingCharacters(in: CharacterSet(charactersIn: "`"))] = cells[1] + " " + cells[2]
        }
        var expected: [String: String] = [:]
        for entry in MetricCatalogue.entries {
            expected[entry.name] = entry.type + " " + (entry.labels.isEmpty ? "—" : entry.labels.map { "`\($0)`" }.joined(separator: ", "))
        }
        #expect(documented == expected)
    }

    @Test("the Grafana dashboard queries only metrics heraldd exposes, in PromQL that promtool parses")
    func grafanaDashboard() async throws {
        try #require(FileManager.default.isExecutableFile(atPath: Self.promtool), "promtool is missing: `make deps` installs Debian's prometheus package")
        let data = try Data(contentsOf: QuickTourTests.checkout.appendingPathComponent("contrib/grafana-herald.json"))
        let dashboard = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let panels = try #require(dashboard["panels"] as? [[String: Any]])
        let expressions = panels.flatMap { ($0["targets"] as? [[String: Any]] ?? []).compactMap { $0["expr"] as? String } }
        #expect(expressions.count >= 12)
        let known = Set(MetricCatalogue.entries.map(\.name))
        let pattern = try Regex("herald_[a-z_]+")
        for expression in expressions {
            for match in expression.matches(of: pattern) {
                var name = String(expression[match.range])
                for suffix in ["_bucket", "_count", "_sum"] where !known.contains(name) && name.hasSuffix(suffix) { name.removeLast(suffix.count) }
                #expect(known.contains(name), "\(name) in \(expression)")
            }
        }
        // Each query as a recording rule: promtool parses it.
        let rules = "groups:\n  - name: dashboard\n    rules:\n" + expressions.enumerated().map { index, expression in
            let concrete = expression.replacingOccurrences(of: "$instance", with: ".*").replacingOccurrences(of: "'", with: "''")
            return "      - record: herald:dashboard_\(index)\n        expr: '\(concrete)'\n"
        }.joined()
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("herald-dashboard-\(UUID().uuidString).yml")
        try rules.write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        let check = try await offPool { try SpawnedProcess.capture(Self.promtool, ["check", "rules", file.path]) }
        #expect(check.status == 0, "\(check.out)\(check.err)")
    }

    /// The sum of a family's samples whose labels include `labels`; nil when none matches.
    static func sum(_ text: String, _ name: String, where labels: [String: String] = [:]) -> Double? {
        var total: Double?
        for line in text.split(separator: "\n") where line.hasPrefix(name) {
            let rest = line.dropFirst(name.count)
            guard rest.first == " " || rest.first == "{" else { continue }
            var sampleLabels: [String: String] = [:]
            var valueText = rest
            if rest.first == "{", let close = rest.firstIndex(of: "}") {
                for pair in rest[rest.index(after: rest.startIndex)..<close].split(separator: ",") {
                    let parts = pair.split(separator: "=", maxSplits: 1)
                    if parts.count == 2 { sampleLabels[String(parts[0])] = String(parts[1].dropFirst().dropLast()) }
                }
                valueText = rest[rest.index(after: close)...]
            }
            guard labels.allSatisfy({ sampleLabels[$0.key] == $0.value }),
                  let value = Double(valueText.trimmingCharacters(in: .whitespaces)) else { continue }
            total = (total ?? 0) + value
        }
        return total
    }
}
