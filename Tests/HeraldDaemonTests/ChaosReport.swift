import Foundation

/// What one crash-test run came to once it settled: the counts the issue asks for ("0 lost, 0
/// left sent, each text accepted exactly once, every state equal to its last event"), and what
/// the faults and kills did, so a run that passes can be seen to have been rough.
struct ChaosReport: Sendable {
    var unknownOutcome: String
    var texts: Int
    var kills: Int
    /// Kills that landed with at least one post in flight (`sending` while heraldd was stopped).
    var killsWithPostsInFlight = 0
    var inserted = 0
    var messages = 0
    /// Outbox rows that never became a message.
    var lost = 0
    /// Still `sent` after reconciliation had every chance to finish them.
    var leftSent = 0
    /// Still queued, scheduled, awaiting consent or sending at the end.
    var unfinished = 0
    var states: [String: Int] = [:]
    /// Messages the simulator took on twice or more (by To, From and Body), and the extra acceptances.
    var acceptedMoreThanOnce = 0
    var extraAcceptances = 0
    /// Of those, texts the carrier sent the first time only after it took the second: the
    /// carrier (the simulator, when starved of CPU) lagged past `lookup_delay`, so the lookup,
    /// which finds sent texts only, could not see it.
    var duplicatesUnseen = 0
    /// The longest the simulator took from taking a text to sending it (seconds).
    var slowestCarrierSend: Double = 0
    /// The simulator's own count of the same, by body.
    var simulatorRepeatsByBody = 0
    /// Delivered or sent messages the simulator never took on.
    var neverAccepted = 0
    /// Messages taken on exactly once whose recorded sid is not the one the carrier gave.
    var sidMismatches = 0
    /// Texts the simulator took on that are no message's.
    var strangers = 0
    /// Messages whose state is not their last event's `to_state` (or that have no event).
    var stateMismatches = 0
    var failed = 0
    /// Events: unknown outcomes looked up, texts found `sending` at a start, moves by a lookup by sid.
    var outcomeLookups = 0
    var foundSendingAtStart = 0
    var reconciled = 0
    var posts = 0
    var faultsInjected = 0
    var acceptedThenDropped = 0
    var callbacksLost = 0
    var callbacksFailed = 0
    var faultTicks = 0
    var settled = false
    var heralddExitStatus: Int32?
    var elapsed: Duration = .zero
    /// A few problem messages in full (events, what the simulator saw), for the investigation.
    var examples: [String] = []

    var seconds: Double {
        Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    }

    /// The runs side by side, one column each.
    static func table(_ reports: [ChaosReport]) -> String {
        func states(_ report: ChaosReport) -> String {
            report.states.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
        }
        let rows: [(String, (ChaosReport) -> String)] = [
            ("texts", { "\($0.texts)" }),
            ("SIGKILLs (with posts in flight)", { "\($0.kills) (\($0.killsWithPostsInFlight))" }),
            ("lost", { "\($0.lost)" }),
            ("left sent", { "\($0.leftSent)" }),
            ("not final", { "\($0.unfinished)" }),
            ("final states", states),
            ("accepted more than once (extra acceptances)", { "\($0.acceptedMoreThanOnce) (\($0.extraAcceptances))" }),
            ("  of which sent too late to be seen", { "\($0.duplicatesUnseen)" }),
            ("slowest carrier send", { String(format: "%.2f s", $0.slowestCarrierSend) }),
            ("never accepted", { "\($0.neverAccepted)" }),
            ("recorded sid not the carrier's", { "\($0.sidMismatches)" }),
            ("state differs from last event", { "\($0.stateMismatches)" }),
            ("carrier posts / faults injected", { "\($0.posts) / \($0.faultsInjected)" }),
            ("accepted, answer dropped", { "\($0.acceptedThenDropped)" }),
            ("callbacks lost / failed (heraldd down)", { "\($0.callbacksLost) / \($0.callbacksFailed)" }),
            ("unknown outcomes looked up", { "\($0.outcomeLookups)" }),
            ("found sending at a start", { "\($0.foundSendingAtStart)" }),
            ("moved by reconciliation", { "\($0.reconciled)" }),
            ("fault ticks (0.5 s)", { "\($0.faultTicks)" }),
            ("elapsed", { String(format: "%.0f s", $0.seconds) }),
        ]
        let header = ["unknown_outcome"] + reports.map(\.unknownOutcome)
        let body = rows.map { name, value in [name] + reports.map(value) }
        let widths = (0..<header.count).map { column in ([header] + body).map { $0[column].count }.max() ?? 0 }
        func line(_ cells: [String]) -> String {
            "| " + cells.enumerated().map { $1.padding(toLength: widths[$0], withPad: " ", startingAt: 0) }.joined(separator: " | ") + " |"
        }
        return ([line(header), "|" + widths.map { String(repeating: "-", count: $0 + 2) }.joined(separator: "|") + "|"] + body.map(line))
            .joined(separator: "\n")
    }
}
