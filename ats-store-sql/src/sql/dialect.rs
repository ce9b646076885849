//! What the SQL store needs to know about a database.

/// The differences between the SQL databases the store runs on.
pub(crate) trait Dialect {
    /// Placeholders are numbered (`$1`, `$2`, …) rather than `?`.
    const NUMBERED_PLACEHOLDERS: bool;
    /// The statement that begins a transaction which changes the ledger.
    const BEGIN_WRITE: &'static str;
    /// Appended to a `SELECT` of rows about to change, to lock them.
    const FOR_UPDATE: &'static str;
    /// Appended to the inbox claim's inner `SELECT`, so concurrent claims take
    /// disjoint batches without waiting for each other.
    const SKIP_LOCKED: &'static str;
    /// A statement with one text parameter that serialises invite claims for one
    /// person and interview until the transaction ends; `None` where the write
    /// transaction already excludes every other writer.
    const LOCK_PERSON: Option<&'static str>;
    /// An expression for the database's clock in epoch milliseconds, read by every
    /// claim (ledger rows, screenings, inbox items) so that replicas with skewed
    /// clocks agree on when a lease expires; `None` where every writer shares one
    /// machine's clock (the caller's time is used).
    const CLOCK_MS: Option<&'static str>;
    /// Appended to a text column so that it compares byte by byte (code point order),
    /// whatever the column's or the database's collation: a scope's range (see
    /// `scope`) relies on it.
    const BYTE_ORDER: &'static str;
    /// The function `f(text, part)` that answers where `part` first occurs in `text`
    /// (from 1), or 0.
    const POSITION: &'static str;
    /// A condition: the inbox `payload` contains the bytes of the one parameter.
    const PAYLOAD_CONTAINS: &'static str;
    /// The schema migrations in order: (version, SQL).
    const MIGRATIONS: &'static [(i64, &'static str)];
}
