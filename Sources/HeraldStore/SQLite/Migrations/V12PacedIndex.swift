extension SQLiteMigrations {
    /// The texts held back to their sender's rate slot, by due time: a claim takes those whose
    /// slot came before it looks at any text not yet judged (docs/carrier.md, "Rate caps"), and
    /// finds them here without stepping over a flood of new ones in `message_due`.
    static let v12PacedIndex = """
    CREATE INDEX message_paced ON message(priority, not_before) WHERE state = 'scheduled' AND held_reason = 'sender_rate';
    """
}
