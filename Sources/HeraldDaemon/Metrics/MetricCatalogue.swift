/// Every metric heraldd exposes: name, type, labels and help, in the order of docs/metrics.md.
/// The help text is what `# HELP` says; a test keeps docs/metrics.md and this list in step.
public enum MetricCatalogue {
    public struct Entry: Sendable {
        public let name: String
        public let type: String
        public let labels: [String]
        public let help: String
    }

    public static let entries: [Entry] = [
        Entry(name: "herald_build_info", type: "gauge", labels: ["version"],
              help: "Always 1; the version label names the running heraldd."),
        Entry(name: "herald_messages", type: "gauge", labels: ["state"],
              help: "Messages in each non-final state, read from the queue at the scrape."),
        Entry(name: "herald_messages_held", type: "gauge", labels: ["reason"],
              help: "Messages waiting (queued, scheduled, awaiting_consent) by the reason that holds them."),
        Entry(name: "herald_oldest_due_message_age_seconds", type: "gauge", labels: [],
              help: "How long the longest-waiting due message has been due; 0 when none is due."),
        Entry(name: "herald_transitions_total", type: "counter", labels: ["to_state", "reason"],
              help: "Message transitions recorded in the queue since this heraldd started, by target state and reason."),
        Entry(name: "herald_carrier_requests_total", type: "counter", labels: ["outcome", "status"],
              help: "Texts posted to the carrier, by outcome class and HTTP status (2xx accepted, none without an answer)."),
        Entry(name: "herald_carrier_request_duration_seconds", type: "histogram", labels: [],
              help: "Time from handing a text to the carrier client to its answer, all parts included."),
        Entry(name: "herald_ingest_lag_seconds", type: "histogram", labels: [],
              help: "Time an outbox row waited before it became a message (its created_at to the ingest)."),
        Entry(name: "herald_sender_rate_limit_waits_total", type: "counter", labels: [],
              help: "Due messages held back at a claim because their sender was at its rate cap."),
        Entry(name: "herald_webhook_requests_total", type: "counter", labels: ["route", "outcome"],
              help: "Carrier webhook requests by route and outcome (ok; forged: signature missing or wrong; bad_request, too_large, failed)."),
        Entry(name: "herald_reconcile_lookups_total", type: "counter", labels: ["outcome"],
              help: "Reconciliation lookups of texts still sent, by the carrier's answer."),
        Entry(name: "herald_admin_requests_total", type: "counter", labels: ["command", "outcome"],
              help: "Admin socket requests by command and outcome (ok or the error code)."),
        Entry(name: "herald_db_write_transaction_seconds", type: "histogram", labels: [],
              help: "Queue write transactions, from asking for the writer to the commit."),
        Entry(name: "herald_db_wal_bytes", type: "gauge", labels: [],
              help: "Size of the SQLite write-ahead log file."),
        Entry(name: "herald_reply_forwards_total", type: "counter", labels: ["outcome"],
              help: "Replies forwarded by email, by outcome (sent, retried, failed)."),
    ]

    static func entry(_ name: String) -> Entry {
        guard let entry = entries.first(where: { $0.name == name }) else {
            preconditionFailure("metric \(name) is not in MetricCatalogue.entries")
        }
        return entry
    }
}
