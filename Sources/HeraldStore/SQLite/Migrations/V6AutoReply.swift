extension SQLiteMigrations {
    static let v6AutoReply = """
    ALTER TABLE user ADD COLUMN auto_reply TEXT;
    ALTER TABLE user ADD COLUMN auto_reply_period INTEGER;
    """
}
