import ArgumentParser
import HeraldCore

struct NumberCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "number",
        abstract: "Check a phone number: US/Canadian E.164, region and the timezones of its area code.",
        discussion: """
            Examples:
              heraldctl number "(612) 555-0123"
              heraldctl number --json "+1 876 555 0100"     a Jamaican number: not sendable
            Exit status 1 when the number is not a valid US/Canadian number.
            """
    )

    @Flag(help: "Print JSON: {\"input\",\"valid\",\"e164\",\"region\",\"timezones\",\"reason\"}.")
    var json = false

    @Argument(help: "The number as a person would type it.")
    var text: String

    func run() throws {
        let result = PhoneNumber.parse(text)
        if json {
            JSONOutput.print(NumberJSON(input: text, result: result))
        } else {
            switch result {
            case let .success(number):
                print("\(number.e164)  \(number.region.rawValue)\(number.subdivision.map { "-\($0)" } ?? "")  \(number.timeZones.joined(separator: ", "))")
            case let .failure(error):
                print("invalid: \(error)")
            }
        }
        if case .failure = result { throw ExitCode(1) }
    }
}

struct NumberJSON: Encodable {
    var input: String
    var valid: Bool
    var e164: String?
    var region: String?
    var timezones: [String]
    var reason: String?

    init(input: String, result: Result<PhoneNumber, PhoneNumberError>) {
        self.input = input
        switch result {
        case let .success(number):
            valid = true
            e164 = number.e164
            region = number.region.rawValue
            timezones = number.timeZones
            reason = nil
        case let .failure(error):
            valid = false
            timezones = []
            reason = error.description
        }
    }

    enum CodingKeys: String, CodingKey { case input, valid, e164, region, timezones, reason }

    // Absent values are written as null: scripts test `.e164 == null`, not a missing key.
    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(input, forKey: .input)
        try container.encode(valid, forKey: .valid)
        try container.encode(e164, forKey: .e164)
        try container.encode(region, forKey: .region)
        try container.encode(timezones, forKey: .timezones)
        try container.encode(reason, forKey: .reason)
    }
}
