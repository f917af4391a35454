extension SQLiteMigrations {
    /// `message_state` again, over the same states, with its predicate written as equalities. An
    /// `IN` list of more than two constants makes SQLite build a temporary b-tree to test each row
    /// it writes against the predicate: every insert of a message and every change of its state
    /// paid for one (about 1.5 µs a row, 4–6 % of a text's CPU). Queries that read this index
    /// repeat the predicate word for word (`MessageStateIndex.predicate`), or SQLite will not use it.
    static let v11StateIndexPredicate = """
    DROP INDEX message_state;
    CREATE INDEX message_state ON message(state)
        WHERE state = 'queued' OR state = 'scheduled' OR state = 'awaiting_consent' OR state = 'sending' OR state = 'sent';
    """
}

/// The partial index of the states Herald still acts on, as queries must name it.
enum MessageStateIndex {
    /// `message_state`'s WHERE clause since migration v11, word for word.
    static let predicate = "(state = 'queued' OR state = 'scheduled' OR state = 'awaiting_consent' OR state = 'sending' OR state = 'sent')"
}
