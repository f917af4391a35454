import Foundation
import HeraldCore
import Logging
import Synchronization

/// A failure that repeats for as long as its cause lasts (a full disk, an unreachable carrier, a
/// mail server that is down), logged without flooding the journal: one line when it starts, a
/// reminder with a count every `reminderInterval` while it lasts, and one line when it clears.
/// Loops that retry every second or so report every attempt here and log nothing themselves.
///
/// ```swift
/// let claims = ConditionLog("claim", what: "cannot claim due messages")
/// do { …; claims.succeeded(logger: logger) } catch { claims.failed("\(error)", logger: logger) }
/// ```
///
/// A condition that flaps (fails, clears, fails again within the interval) would write two lines
/// per flap; instead a new start that soon after the last line is held back and counted, and the
/// next line that is written says how many failures it covers.
public final class ConditionLog: Sendable {
    private struct Episode {
        var startedAt: Date
        var failures = 0
        /// Failures since the last line written about this condition.
        var unreported = 0
        /// Whether a line has been written about this episode; its recovery is logged only then.
        var announced = false
    }

    private struct State {
        var episode: Episode?
        var lastLineAt: Date?
        /// Failures of quiet episodes (they cleared before any line was due), for the next line.
        var quietFailures = 0
    }

    /// What the next call to the logger should say, decided under the lock and written outside it.
    private struct Line {
        var level: Logger.Level
        var text: String
        var event: HeraldEvent
        var metadata: Logger.Metadata
    }

    /// The condition's name in `HERALD_CONDITION` (`claim`, `carrier`, `webhook_store`, …).
    public let condition: String
    /// What fails, as the start of a sentence: `cannot claim due messages`.
    public let what: String
    public let level: Logger.Level
    public let reminderInterval: TimeInterval
    private let clock: any WallClock
    private let state = Mutex(State())

    /// - Parameters:
    ///   - level: of the start and reminder lines; the recovery is a `notice`.
    ///   - clock: only for the timing of lines; real time by default, whatever clock the rules use.
    public init(
        _ condition: String, what: String, level: Logger.Level = .error, reminderInterval: TimeInterval = 60,
        clock: any WallClock = SystemWallClock()
    ) {
        self.condition = condition
        self.what = what
        self.level = level
        self.reminderInterval = reminderInterval
        self.clock = clock
    }

    /// Whether the condition holds: failed since the last success.
    public var isFailing: Bool {
        state.withLock { $0.episode != nil }
    }

    /// Reports `count` failures (one attempt, or a batch that failed together).
    public func failed(_ error: String, count: Int = 1, logger: Logger, metadata: Logger.Metadata = [:]) {
        guard count > 0 else { return }
        let now = clock.now()
        let line: Line? = state.withLock { state in
            var episode = state.episode ?? Episode(startedAt: now)
            episode.failures += count
            episode.unreported += count
            defer { state.episode = episode }
            if let last = state.lastLineAt, now.timeIntervalSince(last) < reminderInterval { return nil }
            let window = Self.seconds(now.timeIntervalSince(state.lastLineAt ?? episode.startedAt))
            let reported: Int
            let text: String
            let event: HeraldEvent
            if !episode.announced {
                event = .conditionFailing
                reported = episode.unreported + state.quietFailures
                // More than this call's failures: it started (or flapped) while a line was too recent.
                text = reported > count ? "\(what): \(error) (\(reported) failures in the last \(window) s)" : "\(what): \(error)"
            } else {
                event = .conditionStillFailing
                reported = episode.unreported
                text = "\(what): still failing: \(reported) times in the last \(window) s: \(error)"
            }
            episode.announced = true
            episode.unreported = 0
            state.quietFailures = 0
            state.lastLineAt = now
            var more = metadata
            more["failures"] = .stringConvertible(reported)
            more["failing_since"] = .string(Timestamp.format(episode.startedAt))
            return Line(level: level, text: text, event: event, metadata: more)
        }
        if let line {
            write(line, logger: logger)
        } else if logger.logLevel <= .debug {
            logger.debug("\(what): \(error)", metadata: Self.tagged(metadata, condition: condition))
        }
    }

    /// Reports a success: clears the condition, with one line if a line announced it.
    public func succeeded(logger: Logger, metadata: Logger.Metadata = [:]) {
        let now = clock.now()
        let line: Line? = state.withLock { state in
            guard let episode = state.episode else { return nil }
            state.episode = nil
            guard episode.announced else {
                // Cleared before any line was due: counted into the next line instead.
                state.quietFailures += episode.failures
                return nil
            }
            state.lastLineAt = now
            let over = Self.seconds(now.timeIntervalSince(episode.startedAt))
            var more = metadata
            more["failures"] = .stringConvertible(episode.failures)
            more["failing_since"] = .string(Timestamp.format(episode.startedAt))
            let failures = episode.failures == 1 ? "1 failure" : "\(episode.failures) failures"
            return Line(level: .notice, text: "\(what): recovered after \(failures) over \(over) s", event: .conditionRecovered, metadata: more)
        }
        if let line { write(line, logger: logger) }
    }

    private func write(_ line: Line, logger: Logger) {
        var metadata = Logger.Metadata.event(line.event, line.metadata)
        metadata["condition"] = .string(condition)
        logger.log(level: line.level, "\(line.text)", metadata: metadata)
    }

    private static func tagged(_ metadata: Logger.Metadata, condition: String) -> Logger.Metadata {
        var tagged = metadata
        tagged["condition"] = .string(condition)
        return tagged
    }

    /// Whole seconds, rounded: the lines are for people.
    private static func seconds(_ interval: TimeInterval) -> Int {
        Int(max(0, interval).rounded())
    }
}
