/// How one simulated carrier is set up. Defaults suit tests: loopback, any free port,
/// and a short callback delay so status callbacks arrive quickly.
public struct SimulatorConfiguration: Sendable {
    public var host: String
    /// 0 asks the kernel for any free port; `RunningSimulator.port` reports the real one.
    public var port: Int
    public var accountSID: String
    public var authToken: String
    /// Time between accepting a message and posting its `sent` callback.
    public var callbackDelay: Duration
    /// Where injected inbound messages go when the destination number has no SmsUrl.
    public var inboundURL: String?
    /// How many status callbacks may be in flight at once; beyond it they wait their turn.
    public var maxCallbacksInFlight: Int
    /// Attempts per status callback before it counts as failed. Twilio makes one.
    public var callbackAttempts: Int
    /// Whether a repeated `Idempotency-Key` gets the first answer back (on) or becomes a second
    /// text with its own sid (off), as on a gateway that ignores the header.
    public var dedupe: Bool

    public init(
        host: String = "127.0.0.1",
        port: Int = 0,
        accountSID: String = "ACsimulator",
        authToken: String = "simulator-token",
        callbackDelay: Duration = .milliseconds(50),
        inboundURL: String? = nil,
        maxCallbacksInFlight: Int = 256,
        callbackAttempts: Int = 4,
        dedupe: Bool = true
    ) {
        self.host = host
        self.port = port
        self.accountSID = accountSID
        self.authToken = authToken
        self.callbackDelay = callbackDelay
        self.inboundURL = inboundURL
        self.maxCallbacksInFlight = maxCallbacksInFlight
        self.callbackAttempts = callbackAttempts
        self.dedupe = dedupe
    }
}

extension SimulatorConfiguration: CustomStringConvertible {
    /// Without the auth token: service lifecycles log their services' descriptions.
    public var description: String {
        "SimulatorConfiguration(host: \(host), port: \(port), accountSID: \(accountSID), authToken: <redacted>, "
            + "callbackDelay: \(callbackDelay), inboundURL: \(inboundURL ?? "nil"), "
            + "maxCallbacksInFlight: \(maxCallbacksInFlight), callbackAttempts: \(callbackAttempts), dedupe: \(dedupe))"
    }
}
