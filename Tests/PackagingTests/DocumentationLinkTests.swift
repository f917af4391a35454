import Foundation
import Testing

/// Every relative link in README.md and docs/*.md leads somewhere: the file exists, and a `#anchor`
/// into a Markdown file names one of its headings as GitHub makes them. Pages move between README
/// and docs/; this is what keeps their links from rotting. No network: links with a scheme
/// (`https:`, `mailto:`) are not followed.
@Suite("Documentation links")
struct DocumentationLinkTests {
    static let checkout = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    struct Problem: CustomStringConvertible {
        var page: String
        var line: Int
        var target: String
        var why: String
        var description: String { "\(page):\(line): (\(target)) \(why)" }
    }

    /// README.md and every page in docs/, as paths relative to the checkout.
    static func pages() throws -> [String] {
        let docs = try FileManager.default.contentsOfDirectory(atPath: checkout.appendingPathComponent("docs").path)
            .filter { $0.hasSuffix(".md") }.sorted().map { "docs/\($0)" }
        return ["README.md"] + docs
    }

    /// The lines outside fenced code blocks, numbered from 1.
    static func prose(_ text: String) -> [(number: Int, line: String)] {
        var inFence = false
        var lines: [(Int, String)] = []
        for (index, line) in text.components(separatedBy: "\n").enumerated() {
            if line.trimmingCharacters(in: .whitespaces).hasPrefix("```") {
                inFence.toggle()
                continue
            }
            if !inFence { lines.append((index + 1, line)) }
        }
        return lines
    }

    /// GitHub's anchor for a heading: lowercased, every character but letters, digits, spaces, `-`
    /// and `_` dropped, spaces made `-`.
    static func slug(_ heading: String) -> String {
        String(heading.lowercased().compactMap { character -> Character? in
            if character == " " { return "-" }
            if character.isLetter || character.isNumber || character == "-" || character == "_" { return character }
            return nil
        })
    }

    /// The anchors of a Markdown text's headings; a repeated heading gets `-1`, `-2`, … as on GitHub.
    static func anchors(in text: String) -> Set<String> {
        var seen: [String: Int] = [:]
        var anchors: Set<String> = []
        for (_, line) in prose(text) {
            guard let match = line.firstMatch(of: #/^#{1,6}[ \t]+(.+?)[ \t#]*$/#) else { continue }
            let base = slug(String(match.1))
            let count = seen[base, default: 0]
            seen[base] = count + 1
            anchors.insert(count == 0 ? base : "\(base)-\(count)")
        }
        return anchors
    }

    /// The targets of the inline links `[text](target)` on a line, code spans left out.
    static func links(in line: String) -> [String] {
        let withoutCode = line.replacing(#/`[^`]*`/#, with: "")
        return withoutCode.matches(of: #/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/#).map { String($0.1) }
    }

    /// What is wrong with the relative links of `text`, a page at `page` (relative to `root`).
    static func problems(page: String, text: String, root: URL = checkout) -> [Problem] {
        let folder = root.appendingPathComponent(page).deletingLastPathComponent()
        var found: [Problem] = []
        var anchorCache: [String: Set<String>] = [:]
        for (number, line) in prose(text) {
            for target in links(in: line) {
                if target.firstMatch(of: #/^[A-Za-z][A-Za-z0-9+.\-]*:/#) != nil { continue }
                let parts = target.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false)
                let path = String(parts[0]).removingPercentEncoding ?? String(parts[0])
                let anchor = parts.count > 1 ? String(parts[1]) : ""
                let file = path.isEmpty ? root.appendingPathComponent(page) : folder.appendingPathComponent(path).standardizedFileURL
                guard FileManager.default.fileExists(atPath: file.path) else {
                    found.append(Problem(page: page, line: number, target: target, why: "no such file: \(file.path)"))
                    continue
                }
                guard !anchor.isEmpty, file.pathExtension == "md" else { continue }
                // A link within the page is checked against the text given, not the file on disk.
                let key = path.isEmpty ? "" : file.path
                let anchors: Set<String>
                if let cached = anchorCache[key] {
                    anchors = cached
                } else if path.isEmpty {
                    anchors = Self.anchors(in: text)
                } else {
                    anchors = Self.anchors(in: (try? String(contentsOf: file, encoding: .utf8)) ?? "")
                }
                anchorCache[key] = anchors
                if !anchors.contains(anchor) {
                    found.append(Problem(page: page, line: number, target: target, why: "no heading with anchor #\(anchor)"))
                }
            }
        }
        return found
    }

    @Test("every relative link in README.md and docs/*.md points at a file that exists, and at a heading in it")
    func linksResolve() throws {
        let pages = try Self.pages()
        #expect(pages.count > 10, "\(pages)")
        var problems: [Problem] = []
        var checked = 0
        for page in pages {
            let text = try String(contentsOf: Self.checkout.appendingPathComponent(page), encoding: .utf8)
            checked += Self.prose(text).reduce(0) { $0 + Self.links(in: $1.line).count }
            problems += Self.problems(page: page, text: text)
        }
        #expect(checked > 100, "only \(checked) links found: is the link pattern still right?")
        #expect(problems.isEmpty, "broken links:\n\(problems.map(\.description).joined(separator: "\n"))")
    }

    @Test("anchors follow GitHub's rules")
    func slugs() {
        #expect(Self.slug("Crash test (`make chaos`)") == "crash-test-make-chaos")
        #expect(Self.slug("The outbox: the SQL contract for producers") == "the-outbox-the-sql-contract-for-producers")
        #expect(Self.slug("Rule 1: the organization's window") == "rule-1-the-organizations-window")
        #expect(Self.slug("Organizations, users, templates and credits") == "organizations-users-templates-and-credits")
        #expect(Self.slug("snake_case and-dashes") == "snake_case-and-dashes")
        #expect(Self.anchors(in: "# A\n## Notes\n```sh\n# not a heading\n```\n## Notes\n") == ["a", "notes", "notes-1"])
    }

    @Test("the checker has teeth: a missing file or heading is reported, code is not read as links")
    func checkerFindsBrokenLinks() {
        let text = """
        # Page
        ## Here
        [fine](docs/logs.md) [fine too](#here) [web](https://example.com/nowhere.md) [also](docs/states.md#transitions)
        [gone](docs/nowhere.md) [no heading](docs/logs.md#no-such-heading) [not here](#elsewhere)
        `[in code](docs/nowhere-either.md)`
        ```md
        [in a fence](docs/nor-this.md)
        ```
        """
        let problems = Self.problems(page: "README.md", text: text)
        #expect(problems.map(\.target) == ["docs/nowhere.md", "docs/logs.md#no-such-heading", "#elsewhere"], "\(problems)")
        #expect(problems.allSatisfy { $0.line == 4 }, "\(problems)")
    }
}
