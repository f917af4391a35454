import Foundation
import TOMLKit

extension HeraldConfiguration {
    /// Reads and checks the configuration file at `path`.
    ///
    /// Relative paths inside the file resolve against the file's own directory, and `${NAME}` in
    /// them expands from `environment`.
    /// - Throws: every problem in the file at once (`.several`), or the single one.
    public static func load(
        path: String,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws(ConfigurationError) -> HeraldConfiguration {
        let absolute = PathResolution.normalize(path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path)
        let text: String
        switch FileReading.text(atPath: absolute) {
        case .success(let contents): text = contents
        case .failure(let failure): throw .unreadable(path: path, reason: failure.description)
        }
        let directory = (absolute as NSString).deletingLastPathComponent
        return try parse(toml: text, baseDirectory: directory, environment: environment, fileName: path)
    }

    /// Checks configuration text that did not come from a file (or whose file was already read).
    /// - Parameter baseDirectory: what relative paths in the text are relative to.
    public static func parse(
        toml: String,
        baseDirectory: String,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws(ConfigurationError) -> HeraldConfiguration {
        try parse(toml: toml, baseDirectory: baseDirectory, environment: environment, fileName: nil)
    }

    private static func parse(
        toml: String,
        baseDirectory: String,
        environment: [String: String],
        fileName: String?
    ) throws(ConfigurationError) -> HeraldConfiguration {
        let document = try TOMLDocument.parse(toml, fileName: fileName)
        let base = baseDirectory.hasPrefix("/") ? baseDirectory : FileManager.default.currentDirectoryPath + "/" + baseDirectory
        let parser = ConfigurationParser(resolution: PathResolution(baseDirectory: PathResolution.normalize(base), environment: environment))
        return try parser.parse(document).get()
    }
}
