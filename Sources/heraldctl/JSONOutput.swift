import Foundation

/// One JSON document per command on stdout, keys in the documented order, `null` kept explicit.
enum JSONOutput {
    static func print<T: Encodable>(_ value: T) {
        let encoder = JSONEncoder()
        // Sorted keys: the same answer is the same bytes, so scripts and golden tests can compare output.
        encoder.outputFormatting = [.withoutEscapingSlashes, .sortedKeys]
        let data = (try? encoder.encode(value)) ?? Data("{}".utf8)
        Swift.print(String(decoding: data, as: UTF8.self))
    }
}
