//! Email addresses, normalised once (trimmed, lowercased) so uniqueness per account is a plain
//! index on the stored text.

use std::fmt;

/// An address that passed Roster's syntax check; always trimmed and lowercase.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct EmailAddress(String);

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum InvalidEmail {
    #[error("is not a valid email address")]
    Syntax,
    #[error("exceeds the maximum length of {0} characters")]
    TooLong(usize),
}

impl EmailAddress {
    /// The longest address Constant Contact stores (`email_address.address` maxLength 80).
    pub const MAX_LEN: usize = 80;

    pub fn parse(text: &str) -> Result<Self, InvalidEmail> {
        Self::parse_with_max(text, Self::MAX_LEN)
    }

    /// Some bodies (sign-up form, JSON import) allow only 50 characters.
    pub fn parse_with_max(text: &str, max_len: usize) -> Result<Self, InvalidEmail> {
        let normalised = text.trim().to_lowercase();
        if normalised.chars().count() > max_len {
            return Err(InvalidEmail::TooLong(max_len));
        }
        if !is_plausible_address(&normalised) {
            return Err(InvalidEmail::Syntax);
        }
        Ok(Self(normalised))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A pragmatic check of `local@domain.tld`: what mail systems accept in practice, not all of
/// RFC 5322 (quoted local parts and address literals are refused, as Constant Contact does).
fn is_plausible_address(address: &str) -> bool {
    let Some((local, domain)) = address.rsplit_once('@') else {
        return false;
    };
    let local_ok = !local.is_empty()
        && local.len() <= 64
        && !local.starts_with('.')
        && !local.ends_with('.')
        && !local.contains("..")
        && local
            .chars()
            .all(|c| c.is_alphanumeric() || "!#$%&'*+-/=?^_`{|}~.".contains(c));
    let labels: Vec<&str> = domain.split('.').collect();
    let domain_ok = labels.len() >= 2
        && labels.iter().all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label.chars().all(|c| c.is_alphanumeric() || c == '-')
        })
        && labels
            .last()
            .is_some_and(|tld| tld.len() >= 2 && !tld.chars().all(|c| c.is_ascii_digit()));
    local_ok && domain_ok
}

impl fmt::Display for EmailAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalises_case_and_whitespace() {
        assert_eq!(
            EmailAddress::parse("  Jo.Doe+x@Example.COM ")
                .unwrap()
                .as_str(),
            "jo.doe+x@example.com"
        );
    }

    #[test]
    fn rejects_malformed_addresses() {
        for bad in [
            "",
            "plain",
            "@example.com",
            "a@",
            "a@b",
            "a@@b.com",
            "a b@c.com",
            "a@b..com",
            ".a@b.com",
            "a@-b.com",
            "a@b.c",
            "a@1.2",
        ] {
            assert_eq!(EmailAddress::parse(bad), Err(InvalidEmail::Syntax), "{bad}");
        }
    }

    #[test]
    fn enforces_the_length_limit() {
        let long = format!("{}@example.com", "a".repeat(70));
        assert_eq!(EmailAddress::parse(&long), Err(InvalidEmail::TooLong(80)));
        assert!(EmailAddress::parse_with_max("abcdefghij@example.com", 50).is_ok());
    }

    proptest::proptest! {
        #[test]
        fn parsed_addresses_are_normalised(text in "\\PC{0,100}") {
            if let Ok(address) = EmailAddress::parse(&text) {
                proptest::prop_assert_eq!(address.as_str(), address.as_str().trim().to_lowercase());
                proptest::prop_assert!(address.as_str().contains('@'));
            }
        }
    }
}
