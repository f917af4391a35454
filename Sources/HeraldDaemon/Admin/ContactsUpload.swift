import HeraldControl

/// The pieces of one `contacts_import` upload received so far on one connection. It lives in
/// the connection's task, so a client that hangs up mid-upload leaves nothing behind.
struct ContactsUpload: Sendable {
    /// The first piece names the upload: org, `by` and `dry_run` must not change under it.
    private var first: ContactsImportChunk?
    private var text = ""
    private var bytes = 0
    let limit: Int

    init(limit: Int = ContactsImportChunk.maxUploadBytes) {
        self.limit = limit
    }

    enum Step: Equatable {
        /// Kept; the client sends more.
        case partial(receivedBytes: Int)
        /// The last piece arrived: the whole file, with the upload's org, `by` and `dry_run`.
        case complete(ContactsImportChunk)
    }

    /// Adds a piece. Whatever is wrong with it discards the whole upload: a file with a hole in
    /// it must not be imported, so the client starts over.
    mutating func add(_ piece: ContactsImportChunk) throws(AdminError) -> Step {
        if let first, first.org != piece.org || first.by != piece.by || first.dryRun != piece.dryRun {
            self = ContactsUpload(limit: limit)
            throw AdminError(.badRequest, "this contacts_import piece names org \(piece.org), by \(piece.by ?? "-"), dry_run \(piece.dryRun), "
                + "but the upload began with org \(first.org), by \(first.by ?? "-"), dry_run \(first.dryRun); the upload was discarded, send the file again")
        }
        let size = piece.csv.utf8.count
        guard bytes + size <= limit else {
            self = ContactsUpload(limit: limit)
            throw AdminError(.badRequest, "the CSV is larger than \(limit / (1024 * 1024)) MiB, the most one import takes; the upload was discarded. "
                + "Split the file and import the parts one after another")
        }
        text += piece.csv
        bytes += size
        if piece.more {
            if first == nil { first = piece }
            return .partial(receivedBytes: bytes)
        }
        let whole = ContactsImportChunk(org: piece.org, csv: text, more: false, by: piece.by, dryRun: piece.dryRun)
        self = ContactsUpload(limit: limit)
        return .complete(whole)
    }
}
