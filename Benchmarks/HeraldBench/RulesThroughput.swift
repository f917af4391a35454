import Foundation
import HeraldCore

/// Single-core throughput of the pure rules every message passes through: segmenting a body,
/// parsing a number, deciding a sending window. Timed on one thread, so the figure is per core.
struct RulesThroughput {
    struct Figure {
        var name: String
        var perSecond: Double
    }

    static let bodies = [
        "Your appointment is tomorrow at 10:00. Reply C to confirm.",
        "It’s ready — pick up your order at the front desk “before 5pm”.",
        "Hi Harold, this is Jane Doe NMLS# 123456 from Acme Lending. Reply YES to opt in. Msg & data rates may apply. {code} [ref] €5 off ~ today",
        "Paquete listo 📦 para recoger. ¡Gracias!",
        String(repeating: "Long newsletter text with plenty of words. ", count: 20),
    ]
    static let numbers = ["(612) 555-0123", "+1 808 555 0100", "512.555.0199", "16045550123", "+1 876 555 0100", "709-555-0100"]

    func run(iterations: Int = 200_000) throws -> [Figure] {
        let segmenter = Segmenter()
        var sink = 0
        let segments = measure(iterations) { i in sink &+= segmenter.segment(Self.bodies[i % Self.bodies.count]).segments }
        let parse = measure(iterations) { i in
            if case let .success(number) = PhoneNumber.parse(Self.numbers[i % Self.numbers.count]) { sink &+= number.e164.utf8.count }
        }
        let calculator = WindowCalculator()
        let window = try SendingWindow(start: TimeOfDay(hour: 8, minute: 0)!, end: TimeOfDay(hour: 16, minute: 0)!, timeZone: "America/Chicago")
        let recipients = Self.numbers.compactMap { try? PhoneNumber.parse($0).get() }
        let start = Timestamp.parse("2026-11-23T12:00:00Z")!
        // Instants spread over a week, so allowed, deferred and DST-free nights all occur.
        let windows = measure(iterations) { i in
            let at = start + Double(i % 10_080) * 60
            if case .allowed = calculator.evaluate(at: at, window: window, to: recipients[i % recipients.count], kind: .bulk) { sink &+= 1 }
        }
        if sink == 42 { print("") }  // keeps the work observable to the optimizer
        return [
            Figure(name: "segment a body", perSecond: segments),
            Figure(name: "parse a number", perSecond: parse),
            Figure(name: "decide a window", perSecond: windows),
        ]
    }

    private func measure(_ iterations: Int, _ body: (Int) -> Void) -> Double {
        for i in 0..<min(iterations, 1000) { body(i) }  // warm caches and lazy tables
        let started = ContinuousClock.now
        for i in 0..<iterations { body(i) }
        let elapsed = ContinuousClock.now - started
        return Double(iterations) / (Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
    }
}
