import Foundation
import Testing

/// The manual pages in man/: lint-clean, and still describing what the code does. heraldctl.8 is
/// generated (`make man`), the others are written by hand, so each gets the drift check it needs.
@Suite("Packaging: manual pages")
struct ManualPageTests {
    static let pages = ["heraldd.8", "heraldctl.8", "herald.toml.5", "herald-outbox.7"]
    static let mandoc = Command.find("mandoc")

    static func page(_ name: String) throws -> String {
        try String(contentsOf: InstalledUnitTests.packageRoot.appendingPathComponent("man/\(name)"), encoding: .utf8)
    }

    @Test("mandoc -Tlint -Wwarning finds nothing in any page",
          .enabled(if: ManualPageTests.mandoc != nil, "mandoc is not installed (make lint-man installs it)"))
    func lintClean() throws {
        let mandoc = try #require(Self.mandoc)
        let paths = Self.pages.map { InstalledUnitTests.packageRoot.appendingPathComponent("man/\($0)").path }
        let lint = try Command.run(mandoc, ["-Tlint", "-Wwarning"] + paths)
        #expect(lint.status == 0 && lint.output.isEmpty, "\(lint.output)")
    }

    /// Every command, option and help text of heraldctl's parser is in the page, so a new
    /// subcommand or a reworded help fails here until `make man` is run.
    @Test("heraldctl.8 is current with heraldctl's argument parser (else: make man)")
    func heraldctlPageIsCurrent() throws {
        let dump = try Command.run(InstalledUnitTests.builtBinaries + "/heraldctl", ["--experimental-dump-help"])
        #expect(dump.status == 0)
        let json = try #require(try JSONSerialization.jsonObject(with: Data(dump.output.utf8)) as? [String: Any])
        let root = try #require(json["command"] as? [String: Any])
        let page = try Self.page("heraldctl.8")
        let text = Self.readableText(of: page)
        var missing: [String] = []

        func visit(_ command: [String: Any], path: String) {
            let name = command["commandName"] as? String ?? "?"
            if !path.isEmpty {
                if !page.contains(".It Em \(name)\n") { missing.append("command \(path)") }
                if let abstract = command["abstract"] as? String, !text.contains(Self.collapsed(abstract)) {
                    missing.append("abstract of \(path): \(abstract)")
                }
            }
            for argument in command["arguments"] as? [[String: Any]] ?? [] where argument["shouldDisplay"] as? Bool ?? true {
                for spelling in argument["names"] as? [[String: String]] ?? [] {
                    let flag = spelling["kind"] == "short" ? "Fl \(spelling["name"] ?? "")" : "Fl -\(spelling["name"] ?? "")"
                    if !page.contains(flag) { missing.append("\(path.isEmpty ? name : path): \(flag)") }
                }
                if let abstract = argument["abstract"] as? String, !abstract.isEmpty, !text.contains(Self.collapsed(abstract)) {
                    missing.append("help of an argument of \(path.isEmpty ? name : path): \(abstract)")
                }
            }
            for sub in command["subcommands"] as? [[String: Any]] ?? [] {
                visit(sub, path: path.isEmpty ? (sub["commandName"] as? String ?? "?") : path + " " + (sub["commandName"] as? String ?? "?"))
            }
        }
        visit(root, path: "")
        #expect(missing.isEmpty, "man/heraldctl.8 lacks (run make man):\n\(missing.joined(separator: "\n"))")
    }

    /// Every section and key the shipped herald.toml shows, set or commented out, has an entry
    /// (an `.It` line naming it) under that section's heading.
    @Test("herald.toml.5 documents every section and key of etc/herald/herald.toml")
    func configurationPageCoversTheShippedFile() throws {
        let shipped = try String(contentsOf: InstalledUnitTests.packageRoot.appendingPathComponent("etc/herald/herald.toml"),
                                 encoding: .utf8)
        var entries: [String: Set<String>] = [:]
        var heading = ""
        for line in try Self.page("herald.toml.5").split(separator: "\n") {
            if line.hasPrefix(".Ss ") { heading = String(line.dropFirst(4)) }
            if line.hasPrefix(".It ") { entries[heading, default: []].formUnion(line.split(separator: " ").map(String.init)) }
        }
        var missing: [String] = []
        var section = ""
        // Explanations start with "# ", settings one may uncomment with "#" alone.
        for line in shipped.split(separator: "\n").map(String.init) where !line.hasPrefix("# ") {
            let setting = line.hasPrefix("#") ? String(line.dropFirst()) : line
            if let header = setting.firstMatch(of: #/^(\[\[?[a-z.]+\]\]?)$/#) {
                section = String(header.1)
                if entries[section] == nil { missing.append(section) }
            } else if let key = setting.firstMatch(of: #/^([a-z_]+) = /#), entries[section]?.contains(String(key.1)) != true {
                missing.append("\(section) \(key.1)")
            }
        }
        #expect(!section.isEmpty)
        #expect(missing.isEmpty, "man/herald.toml.5 lacks: \(missing.joined(separator: ", "))")
    }

    @Test("man -l opens every page", .enabled(if: Command.find("man") != nil, "man-db is not installed"))
    func manOpensEachPage() throws {
        let man = try #require(Command.find("man"))
        for name in Self.pages {
            let path = InstalledUnitTests.packageRoot.appendingPathComponent("man/\(name)").path
            let result = try Command.run(man, ["-l", path], environment: ["MANPAGER": "cat", "MANWIDTH": "80", "PATH": "/usr/bin:/bin"])
            #expect(result.status == 0 && result.output.contains("NAME"), "\(name): \(result.output.prefix(500))")
        }
    }

    /// The page's text lines, unescaped and with whitespace collapsed, as its reader would see it.
    static func readableText(of page: String) -> String {
        let text = page.split(separator: "\n").filter { !$0.hasPrefix(".") }.joined(separator: " ")
        var unescaped = text.replacingOccurrences(of: #"\e"#, with: #"\"#)
            .replacingOccurrences(of: #"\&"#, with: "").replacingOccurrences(of: #"\(dq"#, with: "\"")
        while let match = unescaped.firstMatch(of: #/\\\[u([0-9A-F]{4,6})\]/#) {
            let scalar = UInt32(match.1, radix: 16).flatMap(Unicode.Scalar.init).map { String(Character($0)) } ?? "?"
            unescaped.replaceSubrange(match.range, with: scalar)
        }
        return collapsed(unescaped)
    }

    static func collapsed(_ text: String) -> String {
        text.split(whereSeparator: \.isWhitespace).joined(separator: " ")
    }
}
