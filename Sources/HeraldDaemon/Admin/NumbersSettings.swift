import HeraldCarrier

/// What the numbers commands need from the daemon: the carrier's numbers API and the webhook
/// URLs a bought number must point at.
struct NumbersSettings: Sendable {
    /// Nil when the carrier configuration cannot make a client; `unavailable` says why.
    var client: (any NumbersClient)?
    var unavailable: String
    var webhooks: NumberWebhooks

    init(client: any NumbersClient, webhooks: NumberWebhooks) {
        self.client = client
        unavailable = ""
        self.webhooks = webhooks
    }

    init(unavailable: String, webhooks: NumberWebhooks) {
        client = nil
        self.unavailable = unavailable
        self.webhooks = webhooks
    }
}
