//! The few places where the engines' SQL differs. Every query is one text for both engines;
//! where the engines need different words, the query asks its `Dialect` for them, so each
//! difference is written once, here, with the reason for it.

/// Which engine a query text is built for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    Sqlite,
    Postgres,
}

impl Dialect {
    /// The engine's name, for logs and /readyz.
    pub fn name(self) -> &'static str {
        match self {
            Dialect::Sqlite => "sqlite",
            Dialect::Postgres => "postgres",
        }
    }

    /// The `n`th value's placeholder in the multi-row statements built at run time (the
    /// batches of tracking events), for statements written wholly in these placeholders.
    ///
    /// - PostgreSQL: `$n`.
    /// - SQLite: `?`, which binds the values in order. sqlx's SQLite driver finds the value of
    ///   each numbered `$n` by asking SQLite for the parameter's name, which SQLite looks up by
    ///   a linear scan: binding a statement of n numbered values costs O(n²). Measured on a
    ///   batch of 1,000 events in 500-row statements: 250 ms with `$n`, a few with `?`.
    pub fn placeholder(self, n: usize) -> String {
        match self {
            Dialect::Sqlite => "?".to_string(),
            Dialect::Postgres => format!("${n}"),
        }
    }

    /// `(p, p, …), (p, …)` in this dialect's placeholders: `rows` groups of `width` values
    /// numbered from `first`, for the multi-row statements built at run time.
    pub fn value_rows(self, first: usize, rows: usize, width: usize) -> String {
        let mut text = String::with_capacity(rows * width * 5);
        for row in 0..rows {
            if row > 0 {
                text.push_str(", ");
            }
            text.push('(');
            for column in 0..width {
                if column > 0 {
                    text.push_str(", ");
                }
                text.push_str(&self.placeholder(first + row * width + column));
            }
            text.push(')');
        }
        text
    }

    /// A statement that serialises writers of one account until the transaction ends, for checks
    /// such as "at most N queued activities" that a concurrent insert could otherwise slip past.
    /// SQLite needs none: it runs one write transaction at a time.
    pub fn lock_account(self) -> Option<&'static str> {
        match self {
            Dialect::Sqlite => None,
            Dialect::Postgres => Some("SELECT 1 FROM accounts WHERE id = $1 FOR UPDATE"),
        }
    }

    /// Ends the subquery that picks the rows a queue claim takes (outbox messages, activities)
    /// in `UPDATE … WHERE id IN (SELECT … LIMIT n) RETURNING …`.
    ///
    /// - PostgreSQL: `FOR UPDATE SKIP LOCKED` lets several workers on several nodes claim at
    ///   once: each takes rows no other claim holds, without waiting for the others, and nodes
    ///   sharing the database never take each other's row.
    /// - SQLite: nothing. One `UPDATE … RETURNING` statement is atomic in SQLite: a write
    ///   statement takes the database's write lock before it reads, so concurrent claims (from
    ///   the one process whose workers share the file) never see the same row.
    pub fn claim_lock(self) -> &'static str {
        match self {
            Dialect::Sqlite => "",
            Dialect::Postgres => " FOR UPDATE SKIP LOCKED",
        }
    }

    /// Ends a segment condition's `EXISTS` subquery. PostgreSQL turns a plain `EXISTS` into a
    /// semi-join and, misjudging how many custom values pass a `LOWER(value) = …` test, hashes
    /// every member of a large list and every value of a field before sorting for the first
    /// page (0.57 s on the benchmark's million contacts). `OFFSET 0` keeps each subquery a
    /// per-contact probe, so a page walks contacts in id order and stops at the limit, as
    /// SQLite's plan does.
    pub fn exists_end(self) -> &'static str {
        match self {
            Dialect::Sqlite => "",
            Dialect::Postgres => " OFFSET 0",
        }
    }

    /// A segment condition on one part of a contact's street addresses, which are a JSON array
    /// on the contact row: the subquery over the array's elements (`from`, ending in a `WHERE`
    /// that conditions can be added to with `AND`) and the part's value in an element.
    pub fn address_part(self, part: &str) -> (&'static str, String) {
        match self {
            Dialect::Sqlite => (
                "SELECT 1 FROM json_each(c.street_addresses) a WHERE 1 = 1",
                format!("json_extract(a.value, '$.{part}')"),
            ),
            Dialect::Postgres => (
                "SELECT 1 FROM jsonb_array_elements(c.street_addresses::jsonb) a WHERE 1 = 1",
                format!("(a.value ->> '{part}')"),
            ),
        }
    }
}
