//! What every storage method can fail with, in the terms the callers act on.

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A uniqueness rule was broken; the text names what collided.
    #[error("conflict: {0}")]
    Conflict(String),
    /// A per-account quota (such as 100 custom fields) is used up.
    #[error("limit reached: {0}")]
    LimitReached(String),
    /// The database could not be reached or failed; never the caller's fault.
    #[error("database unavailable")]
    Unavailable(#[source] anyhow::Error),
}

impl StoreError {
    pub fn unavailable(error: impl Into<anyhow::Error>) -> Self {
        Self::Unavailable(error.into())
    }
}

/// A conversion that cannot fail (a row read back with `From`) fails like the fallible ones,
/// so a caller can treat every stored record's conversion alike.
impl From<std::convert::Infallible> for StoreError {
    fn from(never: std::convert::Infallible) -> Self {
        match never {}
    }
}

pub type StoreResult<T> = Result<T, StoreError>;
