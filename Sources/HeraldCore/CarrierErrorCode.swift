/// Carrier error codes Herald acts on rather than only records (docs/carrier.md).
public enum CarrierErrorCode {
    /// 21610: the recipient replied STOP at the carrier, which refuses every message to them;
    /// Herald records the opt-out in the consent ledger.
    public static let unsubscribed = 21610
}
