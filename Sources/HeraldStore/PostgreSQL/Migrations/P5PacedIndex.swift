extension PostgresMigrations {
    /// The texts held back to their sender's rate slot, by due time, as SQLite's step v12: a claim
    /// takes those whose slot came before it looks at any text not yet judged.
    static let p5PacedIndex = """
    CREATE INDEX message_paced ON message(priority, not_before) WHERE state = 'scheduled' AND held_reason = 'sender_rate';
    """
}
