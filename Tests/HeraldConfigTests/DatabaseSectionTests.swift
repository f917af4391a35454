import Foundation
import Testing

@testable import HeraldConfig

@Suite("Configuration: [database] backend, and a PostgreSQL server's URL and password")
struct DatabaseSectionTests {
    @Test("no backend: SQLite at the path, and no server")
    func sqliteByDefault() throws {
        let database = try parse(minimalTOML + "[database]\npath = \"/srv/herald/queue.db\"\n").database
        #expect(database == HeraldConfiguration.Database(path: "/srv/herald/queue.db"))
        #expect(database.backend == .sqlite)
        #expect(database.postgresql == nil)
    }

    @Test("a server by host name, with port, database, user and sslmode; the password from a file")
    func serverByHost() throws {
        let database = try parse(minimalTOML + """
            [database]
            backend = "postgresql"
            url = "postgresql://sms@db.example.com:6432/queue?sslmode=verify-full"
            password_file = "db-password"
            """).database
        #expect(database.backend == .postgresql)
        #expect(database.postgresql == HeraldConfiguration.PostgreSQLServer(
            host: .tcp("db.example.com"), port: 6432, user: "sms", database: "queue", sslMode: .verifyFull,
            passwordSource: .file(path: "/etc/herald/db-password")
        ))
    }

    @Test("a local server by its socket folder, in either of libpq's spellings; user and database default to herald")
    func serverBySocket() throws {
        for url in ["postgresql://%2Frun%2Fpostgresql", "postgres:///?host=/run/postgresql"] {
            let server = try #require(try parse(minimalTOML + "[database]\nbackend = \"postgresql\"\nurl = \"\(url)\"\n").database.postgresql)
            #expect(server == HeraldConfiguration.PostgreSQLServer(host: .socket(folder: "/run/postgresql")), "\(url)")
        }
        let ipv6 = try #require(try parse(minimalTOML + "[database]\nbackend = \"postgresql\"\nurl = \"postgresql://h@[::1]:5433/q\"\n").database.postgresql)
        #expect(ipv6.host == .tcp("::1"))
        #expect(ipv6.port == 5433)
    }

    @Test("a password in the file or in the URL is refused, and says where it goes instead")
    func passwordNeverInline() {
        #expect(problems(minimalTOML + "[database]\nbackend = \"postgresql\"\nurl = \"postgresql://db\"\npassword = \"hunter2\"\n") == [
            "database.password: the database password is never accepted in the configuration file (it is world-readable and ends up in backups); put it in a file named by database.password_file or in the systemd credential named by database.password_credential",
        ])
        let inURL = problems(minimalTOML + "[database]\nbackend = \"postgresql\"\nurl = \"postgresql://herald:hunter2@db/herald\"\n")
        #expect(inURL.count == 1)
        #expect(inURL.first?.hasPrefix("database.url: the URL holds a password; the password is never accepted") == true)
        #expect(inURL.first?.contains("hunter2") == false)
    }

    @Test("server keys with the SQLite backend, a missing URL, a bad URL, an unknown backend: each names its key")
    func mistakes() {
        #expect(problems(minimalTOML + "[database]\nurl = \"postgresql://db\"\n") == [
            "database.url: is for backend = \"postgresql\", but database.backend is \"sqlite\": set backend = \"postgresql\" or remove url",
        ])
        #expect(problems(minimalTOML + "[database]\nbackend = \"postgresql\"\n") == ["database.url: required key is missing"])
        #expect(problems(minimalTOML + "[database]\nbackend = \"mysql\"\n") == [
            "database.backend: \"mysql\" is not one of \"sqlite\", \"postgresql\"",
        ])
        #expect(problems(minimalTOML + "[database]\nbackend = \"postgresql\"\nurl = \"http://db\"\n") == [
            "database.url: \"http://db\" is not a postgresql:// URL (postgresql://USER@HOST:PORT/DATABASE?sslmode=MODE)",
        ])
        #expect(problems(minimalTOML + "[database]\nbackend = \"postgresql\"\nurl = \"postgresql://db?sslmode=always\"\n") == [
            "database.url: \"postgresql://db?sslmode=always\": sslmode \"always\" is not one of \"disable\", \"allow\", \"prefer\", \"require\", \"verify-ca\", \"verify-full\"",
        ])
        #expect(problems(minimalTOML + "[database]\nbackend = \"postgresql\"\nurl = \"postgresql://db:99999\"\n") == [
            "database.url: \"postgresql://db:99999\": \"99999\" is not a port between 1 and 65535",
        ])
        #expect(problems(minimalTOML + """
            [database]
            backend = "postgresql"
            url = "postgresql://db"
            password_file = "/etc/herald/pw"
            password_credential = "db-password"
            """) == ["database.password_file: both password_file and password_credential (\"db-password\") are set; set exactly one"])
    }

    @Test("the password comes from the file, or from $CREDENTIALS_DIRECTORY, without its final line break")
    func resolvesPassword() throws {
        let folder = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        try " s3cret \n".write(to: folder.appendingPathComponent("db-password"), atomically: true, encoding: .utf8)
        let fromFile = HeraldConfiguration.PostgreSQLServer(host: .tcp("db"), passwordSource: .file(path: folder.path + "/db-password"))
        #expect(try fromFile.resolvePassword(environment: [:]) == " s3cret ")
        let fromCredential = HeraldConfiguration.PostgreSQLServer(host: .tcp("db"), passwordSource: .credential(name: "db-password"))
        #expect(try fromCredential.resolvePassword(environment: ["CREDENTIALS_DIRECTORY": folder.path]) == " s3cret ")
        #expect(throws: ConfigurationError.databasePasswordUnavailable(
            key: "database.password_credential", path: "$CREDENTIALS_DIRECTORY/db-password",
            reason: "CREDENTIALS_DIRECTORY is not set; systemd sets it for a unit with LoadCredential=db-password:PATH. Outside systemd, point database.password_file at the password instead"
        )) { try fromCredential.resolvePassword(environment: [:]) }
        let missing = HeraldConfiguration.PostgreSQLServer(host: .tcp("db"), passwordSource: .file(path: folder.path + "/absent"))
        #expect(throws: ConfigurationError.databasePasswordUnavailable(
            key: "database.password_file", path: folder.path + "/absent", reason: "No such file or directory"
        )) { try missing.resolvePassword(environment: [:]) }
        #expect(try HeraldConfiguration.PostgreSQLServer(host: .socket(folder: "/run/postgresql")).resolvePassword() == nil)
    }
}
