extension SQLiteMigrations {
    /// Frequency caps (docs/windows.md) count an organization's recent texts to one number each time a
    /// text to a capped number is claimed: a range scan on this index. It serves every lookup by
    /// number that `message_to` served, so it replaces that index rather than adding a write to
    /// every message.
    static let v3RecipientIndex = """
    DROP INDEX message_to;
    CREATE INDEX message_recipient ON message(to_number, org_id);
    """
}
