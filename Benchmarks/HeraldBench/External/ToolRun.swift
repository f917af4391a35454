import Foundation

/// Runs a short-lived tool (heraldctl) to the end, with a deadline, and returns its exit status
/// and output. Output goes to a file, not a pipe, so a chatty tool can never block on a full pipe.
enum ToolRun {
    struct Outcome {
        var status: Int32
        var output: String
    }

    static func run(_ executable: String, _ arguments: [String], timeout: Duration = .seconds(30), scratch: URL) async throws -> Outcome {
        let outputURL = scratch.appendingPathComponent("tool-\(UUID().uuidString).out")
        _ = FileManager.default.createFile(atPath: outputURL.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: outputURL) }
        let output = try FileHandle(forWritingTo: outputURL)
        defer { try? output.close() }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let name = "\((executable as NSString).lastPathComponent) \(arguments.joined(separator: " "))"
        do {
            try await Waiting.until("\(name) to finish", timeout: timeout, interval: .milliseconds(2)) { !process.isRunning }
        } catch {
            process.terminate()
            process.waitUntilExit()
            throw error
        }
        process.waitUntilExit()
        let text = (try? String(contentsOf: outputURL, encoding: .utf8)) ?? ""
        return Outcome(status: process.terminationStatus, output: text)
    }
}
