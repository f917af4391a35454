import ArgumentParser
import Foundation
import HeraldConfig
import HeraldControl
import HeraldDaemon
import Logging

@main
struct Heraldd: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "heraldd",
        abstract: "Herald SMS delivery daemon: sends the outbox of a SQLite or PostgreSQL queue through a carrier gateway.",
        discussion: """
            Runs in the foreground (systemd Type=notify). Logs go to the journal under systemd, else to stderr.
            Exit status: 0 after a clean shutdown, 78 for a configuration error, 1 for anything else.

            Examples:
              heraldd --config /etc/herald/herald.toml
              heraldd --check-config /etc/herald/herald.toml
              heraldd --migrate-queue /etc/herald/herald.toml
            """,
        version: HeraldVersion.current
    )

    @Option(name: .long, help: "Configuration file.")
    var config = "/etc/herald/herald.toml"

    @Option(name: .customLong("check-config"), help: ArgumentHelp("Check a configuration file and exit without starting.", valueName: "file"))
    var checkConfig: String?

    @Option(name: .customLong("migrate-queue"), help: ArgumentHelp("Bring the queue a configuration file names up to this heraldd's schema and exit without starting.", valueName: "file"))
    var migrateQueue: String?

    func run() async throws {
        if let path = checkConfig {
            do {
                let configuration = try HeraldConfiguration.load(path: path)
                for warning in configuration.warnings { FileHandle.standardError.write(Data("\(path): warning: \(warning)\n".utf8)) }
                print("\(path): configuration is valid")
                // backend = "postgresql": the password must be readable (78, above) and the server must answer (1).
                do {
                    if let (server, version) = try await QueueBackend.checkServer(configuration.database) {
                        print("\(path): \(server) answers: \(version)")
                    }
                } catch let error as ConfigurationError {
                    throw error
                } catch {
                    FileHandle.standardError.write(Data("\(path): \(error)\n".utf8))
                    throw ExitCode(1)
                }
                return
            } catch let exit as ExitCode {
                throw exit
            } catch {
                FileHandle.standardError.write(Data("\(path): \(error)\n".utf8))
                throw ExitCode(78)
            }
        }
        if let path = migrateQueue {
            let configuration: HeraldConfiguration
            do {
                configuration = try HeraldConfiguration.load(path: path)
            } catch {
                FileHandle.standardError.write(Data("\(path): \(error)\n".utf8))
                throw ExitCode(78)
            }
            do {
                print("\(try await QueueBackend.migrate(configuration.database)): schema up to date")
            } catch let error as ConfigurationError {
                FileHandle.standardError.write(Data("\(path): \(error)\n".utf8))
                throw ExitCode(78)
            } catch {
                FileHandle.standardError.write(Data("\(path): \(error)\n".utf8))
                throw ExitCode(1)
            }
            return
        }
        MallocTuning.apply()
        let configuration: HeraldConfiguration
        let token: String
        do {
            configuration = try HeraldConfiguration.load(path: config)
            token = try configuration.carrier.resolveAuthToken()
            // Checked here for the configuration exit status; the daemon reads it again when it builds the mailer.
            _ = try configuration.email?.resolvePassword()
        } catch {
            FileHandle.standardError.write(Data("heraldd: \(config): \(error)\n".utf8))
            throw ExitCode(78)
        }
        let level = Logger.Level(rawValue: configuration.log.level.rawValue) ?? .info
        let output = LogOutput.detect(environment: ProcessInfo.processInfo.environment)
        LoggingSystem.bootstrap { _ in output.handler(level: level) }
        let logger = Logger(label: "heraldd")
        do {
            let daemon = try Daemon(configuration: configuration, authToken: token, logger: logger)
            logger.info("heraldd starting", metadata: .event(.started, ["database": "\(daemon.database.location)"]))
            let path = config
            try await daemon.run(reloadConfiguration: { try HeraldConfiguration.load(path: path) })
        } catch {
            logger.critical("heraldd stopped: \(error)")
            throw ExitCode(1)
        }
    }
}
