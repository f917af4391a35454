import Foundation
import Hummingbird

/// Number search, purchase and release, with a deterministic inventory per area code.
struct NumbersAPI: Sendable {
    let core: SimulatorCore

    func register(on router: Router<BasicRequestContext>) {
        let account = router.group("\(MessagesAPI.apiVersion)/Accounts/:accountSid")
        account.get("AvailablePhoneNumbers/:country/Local.json") { request, context in
            search(request, context: context)
        }
        account.get("IncomingPhoneNumbers.json") { request, context in
            list(request, context: context)
        }
        account.post("IncomingPhoneNumbers.json") { request, context in
            try await provision(request, context: context)
        }
        account.delete("IncomingPhoneNumbers/{numberSid}.json") { request, context in
            release(request, context: context)
        }
    }

    private func search(_ request: Request, context: BasicRequestContext) -> Response {
        if let refusal = core.refuseUnauthenticated(request, pathAccountSID: context.parameters.get("accountSid")) {
            return refusal
        }
        guard let country = context.parameters.get("country"), country == "US" || country == "CA" else {
            return JSONReply.error(status: 404, code: 20404, message: "The requested resource \(request.uri.path) was not found")
        }
        let areaCode = request.uri.queryParameters.get("AreaCode") ?? NumberInventory.defaultAreaCode(country: country)
        guard NumberInventory.isValidAreaCode(areaCode) else {
            return JSONReply.error(status: 400, code: 21452, message: "AreaCode \(areaCode) is not a valid three-digit area code.")
        }
        let numbers = core.state.availableNumbers(areaCode: areaCode).map {
            AvailableNumberResource(phoneNumber: $0, isoCountry: country)
        }
        return JSONReply.response(
            status: 200,
            AvailableNumbersPage(availablePhoneNumbers: numbers, uri: request.uri.description)
        )
    }

    private func list(_ request: Request, context: BasicRequestContext) -> Response {
        if let refusal = core.refuseUnauthenticated(request, pathAccountSID: context.parameters.get("accountSid")) {
            return refusal
        }
        var numbers = core.state.numbers()
        if let wanted = request.uri.queryParameters.get("PhoneNumber") {
            numbers = numbers.filter { $0.phoneNumber == wanted }
        }
        let resources = numbers.map { IncomingNumberResource(number: $0, accountSID: core.configuration.accountSID) }
        return JSONReply.response(status: 200, IncomingNumbersPage(incomingPhoneNumbers: resources))
    }

    private func provision(_ request: Request, context: BasicRequestContext) async throws -> Response {
        if let refusal = core.refuseUnauthenticated(request, pathAccountSID: context.parameters.get("accountSid")) {
            return refusal
        }
        let form = try await core.formFields(request)
        let phoneNumber: String
        if let given = form["PhoneNumber"], !given.isEmpty {
            phoneNumber = given
        } else if let areaCode = form["AreaCode"], !areaCode.isEmpty {
            // The carrier also sells "any number in this area code".
            guard let first = core.state.availableNumbers(areaCode: areaCode).first else {
                return JSONReply.error(status: 400, code: 21422, message: "No phone numbers are available in area code \(areaCode).")
            }
            phoneNumber = first
        } else {
            return JSONReply.error(status: 400, code: 21421, message: "A PhoneNumber or AreaCode is required.")
        }
        let smsURL = form["SmsUrl"].flatMap { $0.isEmpty ? nil : $0 }
        let statusCallback = form["StatusCallback"].flatMap { $0.isEmpty ? nil : $0 }
        switch core.state.provision(phoneNumber: phoneNumber, smsURL: smsURL, statusCallback: statusCallback) {
        case let .success(number):
            core.logger.info("provisioned number", metadata: ["sid": "\(number.sid)", "phone_number": "\(number.phoneNumber)"])
            return JSONReply.response(status: 201, IncomingNumberResource(number: number, accountSID: core.configuration.accountSID))
        case let .failure(reply):
            return JSONReply.error(reply)
        }
    }

    private func release(_ request: Request, context: BasicRequestContext) -> Response {
        if let refusal = core.refuseUnauthenticated(request, pathAccountSID: context.parameters.get("accountSid")) {
            return refusal
        }
        guard let sid = context.parameters.get("numberSid"), core.state.release(numberSID: sid) else {
            return JSONReply.error(status: 404, code: 20404, message: "The requested resource \(request.uri.path) was not found")
        }
        core.logger.info("released number", metadata: ["sid": "\(sid)"])
        return Response(status: .noContent)
    }
}

struct Capabilities: Encodable {
    var voice = true
    var SMS = true
    var MMS = true
    var fax = false
}

struct AvailableNumberResource: Encodable {
    var phoneNumber: String
    var isoCountry: String

    enum CodingKeys: String, CodingKey {
        case phoneNumber = "phone_number"
        case friendlyName = "friendly_name"
        case isoCountry = "iso_country"
        case region, locality, capabilities, beta
        case addressRequirements = "address_requirements"
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(phoneNumber, forKey: .phoneNumber)
        try container.encode(NationalFormat.friendly(phoneNumber), forKey: .friendlyName)
        try container.encode(isoCountry, forKey: .isoCountry)
        try container.encodeNil(forKey: .region)
        try container.encodeNil(forKey: .locality)
        try container.encode(Capabilities(), forKey: .capabilities)
        try container.encode(false, forKey: .beta)
        try container.encode("none", forKey: .addressRequirements)
    }
}

struct AvailableNumbersPage: Encodable {
    var availablePhoneNumbers: [AvailableNumberResource]
    var uri: String

    enum CodingKeys: String, CodingKey {
        case availablePhoneNumbers = "available_phone_numbers"
        case uri
    }
}

struct IncomingNumberResource: Encodable {
    var number: ProvisionedNumber
    var accountSID: String

    enum CodingKeys: String, CodingKey {
        case sid, uri, capabilities
        case accountSID = "account_sid"
        case phoneNumber = "phone_number"
        case friendlyName = "friendly_name"
        case smsURL = "sms_url"
        case smsMethod = "sms_method"
        case statusCallback = "status_callback"
        case statusCallbackMethod = "status_callback_method"
        case dateCreated = "date_created"
        case dateUpdated = "date_updated"
        case apiVersion = "api_version"
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(number.sid, forKey: .sid)
        try container.encode(accountSID, forKey: .accountSID)
        try container.encode(number.phoneNumber, forKey: .phoneNumber)
        try container.encode(NationalFormat.friendly(number.phoneNumber), forKey: .friendlyName)
        try container.encode(number.smsURL, forKey: .smsURL)
        try container.encode("POST", forKey: .smsMethod)
        try container.encode(number.statusCallback, forKey: .statusCallback)
        try container.encode("POST", forKey: .statusCallbackMethod)
        let created = TwilioDate.rfc2822(number.dateCreated)
        try container.encode(created, forKey: .dateCreated)
        try container.encode(created, forKey: .dateUpdated)
        try container.encode(Capabilities(), forKey: .capabilities)
        try container.encode(MessagesAPI.apiVersion, forKey: .apiVersion)
        try container.encode("/\(MessagesAPI.apiVersion)/Accounts/\(accountSID)/IncomingPhoneNumbers/\(number.sid).json", forKey: .uri)
    }
}

struct IncomingNumbersPage: Encodable {
    var incomingPhoneNumbers: [IncomingNumberResource]

    enum CodingKeys: String, CodingKey {
        case incomingPhoneNumbers = "incoming_phone_numbers"
    }
}

enum NationalFormat {
    /// `+14155550100` → `(415) 555-0100`; anything else is shown as given.
    static func friendly(_ number: String) -> String {
        let digits = Array(number.dropFirst(2))
        guard number.hasPrefix("+1"), digits.count == 10 else { return number }
        return "(\(String(digits[0..<3]))) \(String(digits[3..<6]))-\(String(digits[6..<10]))"
    }
}
