import Foundation
import HeraldCore
import Testing

@testable import HeraldConfig

@Suite("[windows] section")
struct WindowsSectionTests {
    @Test("absent or empty rules_file means the built-in table")
    func builtIn() throws {
        #expect(try parse(minimalTOML).windows == HeraldConfiguration.Windows())
        #expect(try parse(minimalTOML + "[windows]\nrules_file = \"\"\n").windows.rules == StateRuleTable.shipped)
    }

    @Test("a rules file is read relative to the configuration and loaded")
    func fromFile() throws {
        let shipped = repositoryRoot.appendingPathComponent("etc/herald").path
        let config = try parse(minimalTOML + "[windows]\nrules_file = \"quiet-hours.toml\"\n", baseDirectory: shipped)
        #expect(config.windows.rulesFile == shipped + "/quiet-hours.toml")
        #expect(config.windows.rules == StateRuleTable.shipped)
    }

    @Test("an unreadable rules file is a problem naming windows.rules_file")
    func missingFile() {
        let found = problems(minimalTOML + "[windows]\nrules_file = \"/nonexistent/quiet-hours.toml\"\n")
        #expect(found.count == 1)
        #expect(found.first?.hasPrefix("windows.rules_file: /nonexistent/quiet-hours.toml") == true, "\(found)")
    }
}
