//! Keyset pagination: a page request is a size and the last key seen, never an offset, so a page
//! costs the same at the end of a million rows as at the start.

/// What the caller asked for: at most `limit` items whose key sorts after `after`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageRequest<K> {
    pub limit: u32,
    pub after: Option<K>,
}

/// One page; `next` is the key to continue after when more items exist.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page<T, K> {
    pub items: Vec<T>,
    pub next: Option<K>,
}

impl<T, K> Page<T, K> {
    /// Builds a page from a query that fetched `limit + 1` rows: the extra row only proves that
    /// another page exists.
    pub fn from_overfetch(mut rows: Vec<T>, limit: u32, key: impl Fn(&T) -> K) -> Self {
        let limit = limit as usize;
        if rows.len() > limit {
            rows.truncate(limit);
            let next = rows.last().map(key);
            Self { items: rows, next }
        } else {
            Self {
                items: rows,
                next: None,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overfetch_decides_whether_a_next_page_exists() {
        let full = Page::from_overfetch(vec![1, 2, 3], 2, |n| *n);
        assert_eq!(full.items, vec![1, 2]);
        assert_eq!(full.next, Some(2));
        let last = Page::from_overfetch(vec![1, 2], 2, |n| *n);
        assert_eq!(last.next, None);
    }
}
