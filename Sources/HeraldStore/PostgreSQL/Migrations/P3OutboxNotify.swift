extension PostgresMigrations {
    /// Producers' commits wake the ingester at once (`LISTEN herald_outbox`): one notification per
    /// INSERT statement, not per row, and PostgreSQL folds a transaction's duplicates into one.
    /// Delivered at commit, so a listener never looks before the rows are visible.
    static let p3OutboxNotify = """
    CREATE FUNCTION outbox_notify() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        PERFORM pg_notify('herald_outbox', '');
        RETURN NULL;
    END $$;
    CREATE TRIGGER outbox_notify AFTER INSERT ON outbox FOR EACH STATEMENT EXECUTE FUNCTION outbox_notify();
    """
}
