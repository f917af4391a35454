import Foundation
@testable import HeraldDaemon
import Logging
import Testing

/// The MESSAGE_IDs are a public contract: operators save queries on them.
@Suite("Event catalogue")
struct EventCatalogueTests {
    @Test("Every event has its own 128-bit id, as sd-id128 writes them")
    func idsAreDistinct() {
        let ids = HeraldEvent.allCases.map(\.messageID)
        #expect(Set(ids).count == ids.count)
        for id in ids {
            #expect(id.count == 32 && id.allSatisfy { $0.isHexDigit && !$0.isUppercase }, "\(id)")
        }
    }

    @Test("docs/logs.md's MESSAGE_ID table lists exactly the catalogue")
    func logsPageTable() throws {
        let page = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("docs/logs.md")
        let text = try String(contentsOf: page, encoding: .utf8)
        // Rows look like: | `sent` | `e68326a0ba92451bb3b67f214642c391` | debug | … |
        var documented: [String: String] = [:]
        for line in text.split(separator: "\n") where line.hasPrefix("| `") {
            let cells = line.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }
            guard cells.count >= 2, cells[1].count == 34 else { continue }
            documented[cells[0].trimmingCharacters(in: ["`"])] = cells[1].trimmingCharacters(in: ["`"])
        }
        let catalogue = Dictionary(uniqueKeysWithValues: HeraldEvent.allCases.map { ($0.rawValue, $0.messageID) })
        #expect(documented == catalogue, "docs/logs.md's event table and HeraldEvent disagree")
    }

    @Test("Metadata for a message event carries the state it leaves the message in")
    func metadataState() {
        #expect(Logger.Metadata.event(.throttled, message: 7)[LogKey.state] == "scheduled")
        #expect(Logger.Metadata.event(.throttled, message: 7, state: .failed)[LogKey.state] == "failed")
        #expect(Logger.Metadata.event(.summary)[LogKey.state] == nil)
        #expect(Logger.Metadata.event(.summary)[LogKey.event] == "summary")
    }
}
