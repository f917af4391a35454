import Foundation
import HeraldConfig

/// The daemon configuration for a run: the shape DaemonHarness uses, with production defaults
/// for everything that affects durability and batching, and senders fast enough not to bind.
enum BenchConfiguration {
    static func text(databasePath: String, webhookPort: Int, tokenPath: String, settings: BenchSettings) -> String {
        return """
        [database]
        path = "\(databasePath)"
        [admin]
        socket = "\((databasePath as NSString).deletingLastPathComponent)/admin.sock"
        [webhooks]
        listen = "127.0.0.1:\(webhookPort)"
        public_url = "http://127.0.0.1:\(webhookPort)"
        [metrics]
        listen = "127.0.0.1:0"
        [carrier]
        base_url = "\(settings.carrierURL)"
        account_sid = "\(BenchSettings.accountSID)"
        auth_token_file = "\(tokenPath)"
        connect_timeout = \(BenchSettings.connectTimeoutSeconds)
        request_timeout = \(BenchSettings.requestTimeoutSeconds)
        max_in_flight = \(settings.inFlight)
        [log]
        level = "warning"

        """ + BenchSettings.organizationTOML(senders: settings.senders)
    }

    static func make(directory: URL, webhookPort: Int, settings: BenchSettings) throws -> HeraldConfiguration {
        let tokenPath = directory.appendingPathComponent("token").path
        try BenchSettings.authToken.write(toFile: tokenPath, atomically: true, encoding: .utf8)
        let toml = text(
            databasePath: directory.appendingPathComponent("herald.db").path, webhookPort: webhookPort,
            tokenPath: tokenPath, settings: settings
        )
        return try HeraldConfiguration.parse(toml: toml, baseDirectory: directory.path)
    }
}
