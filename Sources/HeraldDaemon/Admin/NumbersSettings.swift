import HeraldCarrier

/// What the numbers commands need from the daemon: the carrier's numbers API and the webhook
/// URLs a bought number must point at.
struct NumbersSettings: Sendable {
    /// Nil when the carrier configuration cannot make a client; `unavailable` says why.
    var client: (any NumbersClient)?
    var unavailable: String
    /// Read when a number is bought: with a system-chosen webhook port the URLs are known only
    /// once the listener is bound.
    private let currentWebhooks: @Sendable () -> NumberWebhooks
    var webhooks: NumberWebhooks { currentWebhooks() }

    init(client: any NumbersClient, webhooks: @autoclosure @escaping @Sendable () -> NumberWebhooks) {
        self.client = client
        unavailable = ""
        currentWebhooks = webhooks
    }

    init(unavailable: String, webhooks: @autoclosure @escaping @Sendable () -> NumberWebhooks) {
        client = nil
        self.unavailable = unavailable
        currentWebhooks = webhooks
    }
}
