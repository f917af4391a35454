/// A US or Canadian geographic area code (NPA) and where its numbers are, from the
/// generated `AreaCodeTable` (libphonenumber's metadata).
public struct AreaCode: Sendable, Hashable {
    public let npa: Int
    public let region: NANPRegion
    /// Two-letter state, DC or province. Nil where one code covers several provinces
    /// (867: the three territories; 902 and 782: Nova Scotia and Prince Edward Island);
    /// every US code has its state, which is what state rules need.
    public let subdivision: String?
    /// IANA ids of every zone any exchange of the code uses, the most used first (ties by name).
    /// Quiet hours must hold in all of them: a number keeps its area code, not its exchange's zone.
    public let timeZones: [String]

    /// Every US and Canadian geographic area code, ascending.
    public static let all: [AreaCode] = AreaCodeTable.geographicRows.map(AreaCode.init(row:))

    /// Which data the table was generated from, for messages and `heraldctl` output.
    public static let tableSource = "phonenumbers \(AreaCodeTable.phonenumbersVersion)"

    public static func lookup(_ npa: Int) -> AreaCode? {
        (0..<1000).contains(npa) ? byNPA[npa] : nil
    }

    // Indexed by NPA so the per-message lookup is one array read.
    private static let byNPA: [AreaCode?] = {
        var index = [AreaCode?](repeating: nil, count: 1000)
        for code in all { index[code.npa] = code }
        return index
    }()

    /// Reads a generated row, "850 US FL America/New_York America/Chicago". The rows come from
    /// the generator and the tests read every one, so a malformed row is a build defect.
    private init(row: String) {
        let fields = row.split(separator: " ").map(String.init)
        guard fields.count >= 4, let npa = Int(fields[0]), let region = NANPRegion(rawValue: fields[1]) else {
            preconditionFailure("AreaCodeTable row \"\(row)\" is malformed; rerun scripts/gen-area-codes.py")
        }
        self.npa = npa
        self.region = region
        subdivision = fields[2] == "-" ? nil : fields[2]
        timeZones = Array(fields[3...])
    }
}

/// Why a US or Canadian area code has no location, and so no local time to respect.
public enum NonGeographicKind: String, Sendable, Equatable, CustomStringConvertible {
    case tollFree
    case premiumRate
    case personal
    case nonGeographicService

    public var description: String {
        switch self {
        case .tollFree: "toll-free"
        case .premiumRate: "premium-rate"
        case .personal: "personal-communications (5XX)"
        case .nonGeographicService: "non-geographic service"
        }
    }
}
