import ServiceLifecycle

/// Runs a service once the webhook URL is known. With a system-chosen webhook port, a message
/// posted before the listener is bound would carry a StatusCallback nobody answers at.
struct WaitsForWebhookEndpoint<Wrapped: Service>: Service {
    let endpoint: WebhookEndpoint
    let service: Wrapped

    func run() async throws {
        if endpoint.url == nil {
            await cancelWhenGracefulShutdown { [endpoint] in await endpoint.waitUntilKnown() }
            // Stopped (or the listener failed) before it was bound: there is nothing to drain.
            guard endpoint.url != nil else { return }
        }
        try await service.run()
    }
}
