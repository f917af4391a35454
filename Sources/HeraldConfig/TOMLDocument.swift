import TOMLKit

/// TOML text into a table, with syntax errors as `ConfigurationError`s naming file, line and column.
enum TOMLDocument {
    static func parse(_ toml: String, fileName: String?) throws(ConfigurationError) -> TOMLTable {
        do {
            return try TOMLTable(string: toml)
        } catch let error as TOMLParseError {
            throw .syntax(file: fileName, line: error.source.begin.line, column: error.source.begin.column, message: error.description)
        } catch {
            throw .syntax(file: fileName, line: 0, column: 0, message: String(describing: error))
        }
    }
}
