import Foundation
import Testing

/// `make install` into a scratch root, then the checks systemd makes of what got installed. systemd
/// is not PID 1 in CI containers, so every check runs offline against that root.
@Suite("Packaging: make install and systemd-analyze", .serialized)
struct InstalledUnitTests {
    static let packageRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    /// The binaries built beside this test bundle stand in for the release ones.
    static var builtBinaries: String {
        (Bundle.main.executableURL?.deletingLastPathComponent()
            ?? URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()).path
    }

    static let systemdAnalyze = Command.find("systemd-analyze")
    static let systemdSysusers = Command.find("systemd-sysusers")
    static let noSystemdAnalyze = "systemd-analyze is not installed (Debian package systemd): the unit cannot be checked here"
    static let maximumExposure = 2.0

    /// A DESTDIR holding the host's unit files and kill(1), which systemd-analyze resolves inside
    /// --root (sysinit.target, ExecReload=/bin/kill), and then what `make install` put there.
    final class StagedRoot {
        let url: URL
        let prefix: String
        var path: String { url.path }

        /// Further `make` variables, such as `SBINDIR=/usr/sbin`.
        let variables: [String]

        init(prefix: String = "/usr/local", variables: [String] = [], copyHostUnits: Bool = true) throws {
            url = FileManager.default.temporaryDirectory.appendingPathComponent("herald-destdir-\(UUID().uuidString)")
            self.prefix = prefix
            self.variables = variables
            let units = url.appendingPathComponent("usr/lib/systemd")
            try FileManager.default.createDirectory(at: units, withIntermediateDirectories: true)
            try FileManager.default.createDirectory(at: url.appendingPathComponent("bin"), withIntermediateDirectories: true)
            if copyHostUnits {
                let copy = try Command.run("/bin/cp", ["-a", "/usr/lib/systemd/system", units.path])
                try #require(copy.status == 0, "copying the host's unit files: \(copy.output)")
                try FileManager.default.copyItem(atPath: "/bin/kill", toPath: url.appendingPathComponent("bin/kill").path)
            }
            let install = try make("install")
            try #require(install.status == 0, "make install failed:\n\(install.output)")
        }

        deinit { try? FileManager.default.removeItem(at: url) }

        func make(_ target: String) throws -> Command {
            let make = try #require(Command.find("make"), "make is not installed")
            return try Command.run(make, [
                "-C", InstalledUnitTests.packageRoot.path, target,
                "DESTDIR=\(path)", "PREFIX=\(prefix)", "BUILDDIR=\(InstalledUnitTests.builtBinaries)",
            ] + variables)
        }

        func file(_ relative: String) -> String { path + relative }

        func contents(_ relative: String) throws -> String { try String(contentsOfFile: file(relative), encoding: .utf8) }

        /// verify's exit status and every line it says about our unit; unknown or misspelt keys are
        /// only warnings (exit 0), so the lines matter as much as the status.
        func verify() throws -> (status: Int32, complaints: [String]) {
            let analyze = try #require(InstalledUnitTests.systemdAnalyze)
            let result = try Command.run(analyze, ["verify", "--man=no", "--root=\(path)", "heraldd.service"])
            return (result.status, result.output.split(separator: "\n").map(String.init).filter { $0.contains("heraldd") })
        }
    }

    @Test("systemd-analyze verify: the installed unit loads with no warning and its commands exist",
          .enabled(if: InstalledUnitTests.systemdAnalyze != nil, Comment(rawValue: InstalledUnitTests.noSystemdAnalyze)))
    func verifyIsClean() throws {
        let root = try StagedRoot()
        let (status, complaints) = try root.verify()
        #expect(status == 0, "\(complaints)")
        #expect(complaints.isEmpty, "\(complaints)")
    }

    @Test("the verify check has teeth: a misspelt key is reported though verify exits 0",
          .enabled(if: InstalledUnitTests.systemdAnalyze != nil, Comment(rawValue: InstalledUnitTests.noSystemdAnalyze)))
    func verifyCatchesAMisspeltKey() throws {
        let root = try StagedRoot()
        let unit = root.file("/usr/local/lib/systemd/system/heraldd.service")
        let text = try String(contentsOfFile: unit, encoding: .utf8)
        try text.replacingOccurrences(of: "ProtectSystem=strict", with: "ProtectSystm=strict")
            .write(toFile: unit, atomically: true, encoding: .utf8)
        let (_, complaints) = try root.verify()
        #expect(complaints.contains { $0.contains("ProtectSystm") }, "\(complaints)")
    }

    @Test("systemd-analyze security --offline: exposure at most 2.0",
          .enabled(if: InstalledUnitTests.systemdAnalyze != nil, Comment(rawValue: InstalledUnitTests.noSystemdAnalyze)))
    func securityExposure() throws {
        let root = try StagedRoot()
        let analyze = try #require(Self.systemdAnalyze)
        let result = try Command.run(analyze, ["security", "--offline=true", "--root=\(root.path)", "heraldd.service"])
        #expect(result.status == 0, "\(result.output)")
        let match = try #require(result.output.firstMatch(of: #/Overall exposure level for heraldd\.service: (\d+\.\d+)/#),
                                 "no overall exposure line in:\n\(result.output)")
        let exposure = try #require(Double(String(match.1)))
        let held = result.output.split(separator: "\n").filter { $0.hasPrefix("✗") }.joined(separator: "\n")
        #expect(exposure <= Self.maximumExposure, "exposure \(exposure); what systemd-analyze holds against the unit:\n\(held)")
    }

    @Test("PREFIX=/usr: binaries in /usr/bin and the unit's ExecStart and Documentation follow")
    func prefixMovesTheUnitsPaths() throws {
        let root = try StagedRoot(prefix: "/usr", copyHostUnits: false)
        for program in ["heraldd", "heraldctl", "herald-carrier-sim"] {
            #expect(FileManager.default.isExecutableFile(atPath: root.file("/usr/bin/\(program)")), "\(program)")
        }
        let unit = try root.contents("/usr/lib/systemd/system/heraldd.service").split(separator: "\n")
        #expect(unit.contains("ExecStart=/usr/bin/heraldd --config /etc/herald/herald.toml"))
        #expect(unit.contains("Documentation=file:/usr/share/doc/herald/README.md"))
        #expect(!unit.contains { $0.hasPrefix("ExecStart=/usr/local") })
        #expect(FileManager.default.fileExists(atPath: root.file("/usr/share/doc/herald/README.md")))
        // README's links into docs/ resolve in the installed copy too.
        for page in ["README.md", "producers.md", "operators.md", "heraldctl.md", "logs.md", "admin.md"] {
            #expect(FileManager.default.fileExists(atPath: root.file("/usr/share/doc/herald/docs/\(page)")), "docs/\(page)")
        }
        #expect(FileManager.default.fileExists(atPath: root.file("/usr/lib/sysusers.d/herald.conf")))
        // The installed heraldd reads the installed configuration: it parses (and refuses to start
        // only for the account SID an operator must fill in).
        let check = try Command.run(root.file("/usr/bin/heraldd"), ["--check-config", root.file("/etc/herald/herald.toml")])
        #expect(check.status == 78 && check.output.contains("carrier.account_sid"), "\(check.status): \(check.output)")
    }

    static let manualsAndCompletions = [
        "/usr/local/share/man/man8/heraldd.8", "/usr/local/share/man/man8/heraldctl.8",
        "/usr/local/share/man/man5/herald.toml.5", "/usr/local/share/man/man7/herald-outbox.7",
        "/usr/local/share/bash-completion/completions/heraldctl", "/usr/local/share/zsh/vendor-completions/_heraldctl",
    ]

    @Test("make install puts the manual pages and heraldctl's bash and zsh completions under PREFIX")
    func manualsAndCompletionsAreInstalled() throws {
        let root = try StagedRoot(copyHostUnits: false)
        for file in Self.manualsAndCompletions {
            #expect(FileManager.default.fileExists(atPath: root.file(file)), "\(file) is missing")
        }
        #expect(try root.contents("/usr/local/share/man/man8/heraldctl.8")
            == String(contentsOf: Self.packageRoot.appendingPathComponent("man/heraldctl.8"), encoding: .utf8))
        // Written by the installed heraldctl itself: they name its subcommands.
        let bash = try root.contents("/usr/local/share/bash-completion/completions/heraldctl")
        #expect(bash.contains("complete -o filenames -F") && bash.contains("heraldctl") && bash.contains("segments"), "\(bash.prefix(300))")
        #expect(!bash.hasPrefix("#!"), "a completion is sourced, not run: no #! line")
        let zsh = try root.contents("/usr/local/share/zsh/vendor-completions/_heraldctl")
        #expect(zsh.hasPrefix("#compdef heraldctl") && zsh.contains("segments"), "\(zsh.prefix(300))")
        if let bashShell = Command.find("bash") {
            let syntax = try Command.run(bashShell, ["-n", root.file("/usr/local/share/bash-completion/completions/heraldctl")])
            #expect(syntax.status == 0, "\(syntax.output)")
        }
    }

    @Test("SBINDIR=/usr/sbin, as the Debian package has it: heraldd there, the tools in BINDIR, ExecStart follows")
    func sbindirMovesHeralddAndExecStart() throws {
        let root = try StagedRoot(prefix: "/usr", variables: ["SBINDIR=/usr/sbin"], copyHostUnits: false)
        #expect(FileManager.default.isExecutableFile(atPath: root.file("/usr/sbin/heraldd")))
        #expect(!FileManager.default.fileExists(atPath: root.file("/usr/bin/heraldd")))
        #expect(FileManager.default.isExecutableFile(atPath: root.file("/usr/bin/heraldctl")))
        let unit = try root.contents("/usr/lib/systemd/system/heraldd.service").split(separator: "\n")
        #expect(unit.contains("ExecStart=/usr/sbin/heraldd --config /etc/herald/herald.toml"))
        let uninstall = try root.make("uninstall")
        #expect(uninstall.status == 0, "\(uninstall.output)")
        #expect(!FileManager.default.fileExists(atPath: root.file("/usr/sbin/heraldd")))
    }

    @Test("make install keeps an edited /etc/herald; make uninstall removes the rest and keeps it too")
    func configurationSurvivesReinstallAndUninstall() throws {
        let root = try StagedRoot(copyHostUnits: false)
        let config = root.file("/etc/herald/herald.toml")
        let edited = try root.contents("/etc/herald/herald.toml") + "\n# edited by the operator\n"
        try edited.write(toFile: config, atomically: true, encoding: .utf8)
        let again = try root.make("install")
        #expect(again.status == 0, "\(again.output)")
        #expect(try root.contents("/etc/herald/herald.toml") == edited)
        #expect(again.output.contains("kept \(config)"))

        let uninstall = try root.make("uninstall")
        #expect(uninstall.status == 0, "\(uninstall.output)")
        for gone in ["/usr/local/bin/heraldd", "/usr/local/bin/heraldctl", "/usr/local/lib/systemd/system/heraldd.service",
                     "/usr/local/lib/sysusers.d/herald.conf", "/usr/local/share/doc/herald/docs", "/usr/local/share/doc/herald"]
                + Self.manualsAndCompletions {
            #expect(!FileManager.default.fileExists(atPath: root.file(gone)), "\(gone) is still there")
        }
        #expect(try root.contents("/etc/herald/herald.toml") == edited)
    }

    @Test("systemd-sysusers creates the herald user and group from the installed file",
          .enabled(if: InstalledUnitTests.systemdSysusers != nil, "systemd-sysusers is not installed (Debian package systemd)"))
    func sysusersCreatesHerald() throws {
        let root = try StagedRoot(copyHostUnits: false)
        let sysusers = try #require(Self.systemdSysusers)
        let result = try Command.run(sysusers, ["--root=\(root.path)"])
        #expect(result.status == 0, "\(result.output)")
        let user = try root.contents("/etc/passwd").split(separator: "\n").first { $0.hasPrefix("herald:") }
        let fields = try #require(user, "no herald user in /etc/passwd").split(separator: ":", omittingEmptySubsequences: false)
        #expect(fields.count == 7 && fields[5] == "/var/lib/herald" && fields[6].hasSuffix("nologin"), "\(fields)")
        #expect(try root.contents("/etc/group").split(separator: "\n").contains { $0.hasPrefix("herald:") })
    }
}
