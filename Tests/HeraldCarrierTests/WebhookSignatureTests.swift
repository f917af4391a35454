import HeraldCarrier
import Testing

/// `X-Twilio-Signature` against the examples Twilio itself publishes. Herald verifies callbacks
/// with `WebhookSignature` and the simulator signs them with the same type, so a round trip
/// between the two would pass even if both were wrong; these vectors come from outside.
/// (Both were also recomputed independently with Python's `hmac`/`hashlib` before being written
/// here.)
@Suite("Webhook signature known answers")
struct WebhookSignatureTests {
    /// Twilio's "Webhooks security" guide: auth token, URL with its query, and the POST
    /// parameters of a voice request.
    static let token = "12345"
    static let url = "https://mycompany.com/myapp.php?foo=1&bar=2"
    static let parameters = [
        ("CallSid", "CA1234567890ABCDE"),
        ("Caller", "+12349013030"),
        ("Digits", "1234"),
        ("From", "+12349013030"),
        ("To", "+18005551212"),
    ]
    static let expected = "0/KCTR6DLpKmkAf8muzZqo1nDgQ="

    @Test("signs Twilio's published example to Twilio's published signature")
    func publishedExample() {
        let signature = WebhookSignature(authToken: Self.token)
        #expect(signature.sign(url: Self.url, parameters: Self.parameters) == Self.expected)
        #expect(signature.isValid(signature: Self.expected, url: Self.url, parameters: Self.parameters))
    }

    @Test("sorts the parameters by name itself, whatever order they arrive in")
    func orderOfArrival() {
        let signature = WebhookSignature(authToken: Self.token)
        #expect(signature.sign(url: Self.url, parameters: Self.parameters.reversed()) == Self.expected)
        let shuffled = [Self.parameters[3], Self.parameters[0], Self.parameters[4], Self.parameters[2], Self.parameters[1]]
        #expect(signature.sign(url: Self.url, parameters: shuffled) == Self.expected)
    }

    @Test("the older twilio-php example (other caller number) gives its own published signature")
    func olderPublishedExample() {
        // twilio-php's "Validate Incoming Requests" page: the same request from +14158675309.
        let parameters = [
            ("CallSid", "CA1234567890ABCDE"),
            ("Caller", "+14158675309"),
            ("Digits", "1234"),
            ("From", "+14158675309"),
            ("To", "+18005551212"),
        ]
        #expect(WebhookSignature(authToken: Self.token).sign(url: Self.url, parameters: parameters) == "RSOYDt4T1cUTdK1PDd93/VVr8B8=")
    }

    @Test("any change to the token, the URL, a name or a value breaks the signature")
    func tampering() {
        let signature = WebhookSignature(authToken: Self.token)
        #expect(!WebhookSignature(authToken: "12346").isValid(signature: Self.expected, url: Self.url, parameters: Self.parameters))
        #expect(!signature.isValid(signature: Self.expected, url: "https://mycompany.com/myapp.php?foo=1&bar=3", parameters: Self.parameters))
        #expect(!signature.isValid(signature: Self.expected, url: "http://mycompany.com/myapp.php?foo=1&bar=2", parameters: Self.parameters))
        var changedValue = Self.parameters
        changedValue[2].1 = "1235"
        #expect(!signature.isValid(signature: Self.expected, url: Self.url, parameters: changedValue))
        var changedName = Self.parameters
        changedName[2].0 = "digits"
        #expect(!signature.isValid(signature: Self.expected, url: Self.url, parameters: changedName))
        #expect(!signature.isValid(signature: Self.expected, url: Self.url, parameters: Array(Self.parameters.dropLast())))
        #expect(!signature.isValid(signature: nil, url: Self.url, parameters: Self.parameters))
        #expect(!signature.isValid(signature: "0/KCTR6DLpKmkAf8muzZqo1nDgQ", url: Self.url, parameters: Self.parameters))
    }
}
