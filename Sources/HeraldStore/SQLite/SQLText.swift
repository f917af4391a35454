/// SQL text built from values the store itself owns (state names, kinds), never from input.
enum SQLText {
    /// `'a', 'b'`: a list of literals for `IN (…)`.
    static func list(_ values: [String]) -> String {
        values.map { "'\($0)'" }.joined(separator: ", ")
    }
}
