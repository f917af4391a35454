extension SQLiteMigrations {
    /// Reconciliation (docs/carrier.md): a text still `sent` is looked up by sid at `reconcile_at`,
    /// and `reconcile_lookups` counts the lookups that found it still `sent`. The index holds only
    /// texts waiting for a lookup: a text leaves it when a callback or a lookup moves it on, or
    /// when reconciliation ends for it (`reconcile_at` NULL).
    static let v10Reconciliation = """
    ALTER TABLE message ADD COLUMN reconcile_at INTEGER;
    ALTER TABLE message ADD COLUMN reconcile_lookups INTEGER NOT NULL DEFAULT 0;
    CREATE INDEX message_reconcile ON message(reconcile_at) WHERE state = 'sent' AND reconcile_at IS NOT NULL;
    """
}
