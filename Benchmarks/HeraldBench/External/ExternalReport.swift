import Foundation

/// The external bench's figures beside the goals of issue 16. A report, not a test: a goal not
/// met is printed as such and the run still succeeds.
struct ExternalReport {
    let texts: Int
    let inFlight: Int
    let idleTexts: Int
    let due: Int
    let deferred: Int
    let baseline: Int
    var throughput: [ThroughputRepetition.Figure] = []
    var scale: [(small: DeferredQueueRun.Figure, large: DeferredQueueRun.Figure)] = []

    /// Issue 16's goals.
    enum Goal {
        static let ratio = 0.5
        static let cpuMicros = 70.0
        static let idleP50Millis = 10.0
        static let deferredRatio = 0.9
        static let rssMiB = 100.0
        static let ingestPerSecond = 40_000.0
    }

    static func line(_ figure: ThroughputRepetition.Figure) -> String {
        let batch = figure.batch
        return "heraldd \(Spread.format(batch.claimToSentPerSecond, 0)) msg/s first claim to last sent "
            + "(\(Spread.format(batch.insertToSentPerSecond, 0)) first insert to all sent), ceiling \(Spread.format(figure.ceilingPerSecond, 0)) req/s"
            + "\(figure.ceilingFailures > 0 ? " (\(figure.ceilingFailures) not 201)" : ""), ratio \(Spread.format(figure.ratio, 2)), "
            + "\(Spread.format(batch.cpuMicrosPerText, 0)) µs CPU per text (\(Spread.format(batch.coresBusy, 2)) cores; "
            + "the ceiling \(Spread.format(figure.ceilingCPUMicrosPerRequest, 0)) µs per request), "
            + "\(Spread.format(batch.perClaimCommit, 1)) texts per claim commit and \(Spread.format(batch.perRecordCommit, 1)) per record commit, "
            + "peak RSS \(Spread.format(Double(figure.peakRSSKiB) / 1024, 1)) MiB, idle p50 \(Spread.format(figure.idle.p50, 1)) ms "
            + "p90 \(Spread.format(figure.idle.p90, 1)) ms (by heraldd's sent event: p50 \(Spread.format(Spread.percentile(figure.idle.byEvent, 50), 0)) ms; "
            + "p50 by stage: to ingest \(Spread.format(Spread.percentile(figure.idle.toIngest, 50), 0)) ms, "
            + "to claim \(Spread.format(Spread.percentile(figure.idle.toClaim, 50), 0)) ms, "
            + "to sent \(Spread.format(Spread.percentile(figure.idle.toSent, 50), 0)) ms)"
    }

    static func line(small: DeferredQueueRun.Figure, large: DeferredQueueRun.Figure) -> String {
        "\(small.batch.texts) due beside \(small.deferred) deferred \(Spread.format(small.batch.claimToSentPerSecond, 0)) msg/s "
            + "(\(Spread.format(small.batch.cpuMicrosPerText, 0)) µs CPU per text), beside \(large.deferred) deferred "
            + "\(Spread.format(large.batch.claimToSentPerSecond, 0)) msg/s (\(Spread.format(large.batch.cpuMicrosPerText, 0)) µs) "
            + "(ratio \(Spread.format(large.batch.claimToSentPerSecond / small.batch.claimToSentPerSecond, 2))); "
            + "\(large.deferred) backlog rows ingested in \(Spread.format(large.ingestSeconds, 1)) s = \(Spread.format(large.ingestPerSecond, 0)) rows/s, "
            + "\(Spread.format(large.ingestCPUMicrosPerRow, 0)) µs CPU per row "
            + "(\(small.deferred): \(Spread.format(small.ingestPerSecond, 0)) rows/s); peak RSS with \(large.deferred) queued "
            + "\(Spread.format(Double(large.peakRSSKiB) / 1024, 1)) MiB (now \(Spread.format(Double(large.rssKiB) / 1024, 1)) MiB)"
    }

    private struct Row {
        var figure: String
        var spread: Spread
        var digits: Int
        var goal: String
        /// nil: a figure without a goal of its own.
        var met: Bool?
        /// A second figure printed beside the first ("a / b").
        var second: Spread?
    }

    private var rows: [Row] {
        var rows: [Row] = []
        if !throughput.isEmpty {
            let ratio = Spread(values: throughput.map(\.ratio))
            let cpu = Spread(values: throughput.map(\.batch.cpuMicrosPerText))
            let p50 = Spread(values: throughput.map(\.idle.p50))
            rows += [
                Row(figure: "heraldd msg/s, \(inFlight) in flight (first claim to last sent)",
                    spread: Spread(values: throughput.map(\.batch.claimToSentPerSecond)), digits: 0, goal: "", met: nil),
                Row(figure: "heraldd msg/s (producer's first insert to all sent)",
                    spread: Spread(values: throughput.map(\.batch.insertToSentPerSecond)), digits: 0, goal: "", met: nil),
                Row(figure: "libcurl ceiling req/s, \(inFlight) in flight, same run",
                    spread: Spread(values: throughput.map(\.ceilingPerSecond)), digits: 0, goal: "", met: nil),
                Row(figure: "ratio heraldd / ceiling", spread: ratio, digits: 2, goal: "≥ \(Goal.ratio)", met: ratio.median >= Goal.ratio),
                Row(figure: "heraldd CPU per text (µs)", spread: cpu, digits: 0, goal: "≤ \(Int(Goal.cpuMicros)) µs", met: cpu.median <= Goal.cpuMicros),
                Row(figure: "libcurl ceiling CPU per request (µs), same run", spread: Spread(values: throughput.map(\.ceilingCPUMicrosPerRequest)),
                    digits: 0, goal: "", met: nil),
                Row(figure: "heraldd peak RSS after \(texts) texts (MiB)",
                    spread: Spread(values: throughput.map { Double($0.peakRSSKiB) / 1024 }), digits: 1, goal: "", met: nil),
                Row(figure: "idle latency p50, outbox row to sent (ms, \(idleTexts) texts)", spread: p50, digits: 1,
                    goal: "≤ \(Int(Goal.idleP50Millis)) ms", met: p50.median <= Goal.idleP50Millis),
                Row(figure: "idle latency p90 (ms)", spread: Spread(values: throughput.map(\.idle.p90)), digits: 1, goal: "", met: nil),
            ]
        }
        if !scale.isEmpty {
            let ratio = Spread(values: scale.map { $0.large.batch.claimToSentPerSecond / $0.small.batch.claimToSentPerSecond })
            let rss = Spread(values: scale.map { Double($0.large.peakRSSKiB) / 1024 })
            let ingest = Spread(values: scale.map(\.large.ingestPerSecond))
            rows += [
                Row(figure: "\(due) due texts beside \(baseline) deferred (msg/s)",
                    spread: Spread(values: scale.map(\.small.batch.claimToSentPerSecond)), digits: 0, goal: "", met: nil),
                Row(figure: "\(due) due texts beside \(deferred) deferred (msg/s)",
                    spread: Spread(values: scale.map(\.large.batch.claimToSentPerSecond)), digits: 0, goal: "", met: nil),
                Row(figure: "ratio, \(deferred) deferred / \(baseline)", spread: ratio, digits: 2, goal: "≥ \(Goal.deferredRatio)",
                    met: ratio.median >= Goal.deferredRatio),
                // CPU per text moves less with the machine's load than a 3–4 s rate does: it tells
                // a dearer claim from a busier machine.
                Row(figure: "heraldd CPU per due text beside \(baseline) / \(deferred) deferred (µs)",
                    spread: Spread(values: scale.map(\.small.batch.cpuMicrosPerText)), digits: 0, goal: "", met: nil,
                    second: Spread(values: scale.map(\.large.batch.cpuMicrosPerText))),
                Row(figure: "heraldd peak RSS with \(deferred) queued (MiB)", spread: rss, digits: 1, goal: "≤ \(Int(Goal.rssMiB)) MiB",
                    met: rss.median <= Goal.rssMiB),
                Row(figure: "backlog ingest, \(deferred) outbox rows (rows/s)", spread: ingest, digits: 0,
                    goal: "≥ \(Spread.format(Goal.ingestPerSecond, 0))", met: ingest.median >= Goal.ingestPerSecond),
                Row(figure: "heraldd CPU per ingested row, start-up included (µs)",
                    spread: Spread(values: scale.map(\.large.ingestCPUMicrosPerRow)), digits: 1, goal: "", met: nil),
            ]
        }
        return rows
    }

    /// A Markdown table (pasted into docs/benchmarks.md as is) and one machine-readable line per figure.
    func print() {
        let rows = rows
        guard !rows.isEmpty else { return }
        let runs = max(throughput.count, scale.count)
        Swift.print("")
        Swift.print("| figure | median (range), \(runs) runs | goal | |")
        Swift.print("|---|---|---|---|")
        for row in rows {
            let verdict = row.met.map { $0 ? "met" : "**not met**" } ?? ""
            let text = row.spread.text(row.digits) + (row.second.map { " / " + $0.text(row.digits) } ?? "")
            Swift.print("| \(row.figure) | \(text) | \(row.goal) | \(verdict) |")
        }
        Swift.print("")
        for (index, row) in rows.enumerated() {
            let values = (row.spread.values + (row.second?.values ?? [])).map { String(format: "%.\(row.digits)f", $0) }.joined(separator: ",")
            Swift.print("BENCH_EXTERNAL figure=\(index + 1) median=\(String(format: "%.\(row.digits)f", row.spread.median))"
                + (row.second.map { " median2=\(String(format: "%.\(row.digits)f", $0.median))" } ?? "") + " runs=\(values)"
                + (row.met.map { " goal_met=\($0)" } ?? "") + " name=\"\(row.figure)\"")
        }
    }
}
