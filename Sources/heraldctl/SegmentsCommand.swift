import ArgumentParser
import HeraldCore

struct SegmentsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "segments",
        abstract: "Count the SMS segments of a text and name what forces UCS-2.",
        discussion: """
            Examples:
              heraldctl segments "It’s ready"                  UCS-2 because of ’ U+2019
              heraldctl segments --smart-encoding "It’s ready" GSM-7 after replacing look-alikes
              heraldctl segments --json "Hello"
            """
    )

    @Flag(help: "Print JSON: {\"encoding\",\"characters\",\"units\",\"segments\",\"parts\"}.")
    var json = false

    @Flag(name: .customLong("smart-encoding"), help: "Replace look-alike punctuation with GSM-7 equivalents first.")
    var smartEncoding = false

    @Argument(help: "The message body.")
    var text: String

    func run() throws {
        let result = Segmenter(smartEncoding: smartEncoding).segment(text)
        if json {
            JSONOutput.print(SegmentsJSON(result))
            return
        }
        print("encoding:   \(result.encoding.rawValue)")
        print("characters: \(result.characters)")
        print("units:      \(result.units) \(result.encoding == .gsm7 ? "septets" : "UTF-16 code units")")
        print("segments:   \(result.segments)")
        if !result.culprits.isEmpty {
            print("UCS-2 because of: \(result.culprits.map(\.description).joined(separator: ", "))")
        }
        if result.characters > Segmenter.maximumCharacters {
            print("note: over \(Segmenter.maximumCharacters) characters; Herald rejects this body")
        }
        for (index, part) in result.parts.enumerated() where result.parts.count > 1 {
            print("part \(index + 1)/\(result.parts.count): \(part)")
        }
    }
}

struct SegmentsJSON: Encodable {
    var encoding: String
    var characters: Int
    var units: Int
    var segments: Int
    var parts: [String]

    init(_ result: SegmentedText) {
        encoding = result.encoding.rawValue
        characters = result.characters
        units = result.units
        segments = result.segments
        parts = result.parts
    }
}
