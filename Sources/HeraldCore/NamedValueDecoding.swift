/// Decoding a state or reason from its name, refusing an unknown one with the names there are:
/// an operator who typed `--state lost` reads what to type instead.
extension MessageState {
    public init(from decoder: any Decoder) throws {
        self = try decodeNamed(decoder, what: "state")
    }
}

extension HeldReason {
    public init(from decoder: any Decoder) throws {
        self = try decodeNamed(decoder, what: "held reason")
    }
}

private func decodeNamed<Value: RawRepresentable<String> & CaseIterable>(_ decoder: any Decoder, what: String) throws -> Value {
    let container = try decoder.singleValueContainer()
    let name = try container.decode(String.self)
    guard let value = Value(rawValue: name) else {
        throw DecodingError.dataCorruptedError(
            in: container,
            debugDescription: "no \(what) \(String(reflecting: name)); one of \(Value.allCases.map(\.rawValue).joined(separator: ", "))")
    }
    return value
}
