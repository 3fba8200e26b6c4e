//! The envelope sender (SMTP `MAIL FROM`, where bounces go) and `--bounce-address`.
//!
//! Every message Roster sends goes out with one envelope sender, whatever its From: the
//! `--bounce-address`, made per message (VERP), or else `--mail-from`'s address. The From of
//! campaign mail is the account's own address, on a domain whose SPF record does not name the
//! relay; the envelope sender is the domain the operator controls, so SPF passes there and
//! bounces come back to the operator (DMARC then aligns through the DKIM signature).
//!
//! VERP: `bounces@example.com` becomes `bounces+TOKEN@example.com` (the `+` subaddress that
//! Postfix, Exim and most providers deliver to `bounces@`), or, for a relay with another
//! convention, the address may say where the token goes: `bounce-{token}@example.com`. TOKEN is
//! the id of what was sent (an outbox message's id) in 32 lowercase hex digits, so a bounce
//! (DSN) addressed to it names the message it is about, whatever the relay kept of the original
//! (`BounceAddress::id_in`).

use std::fmt;

use roster_domain::EmailAddress;
use uuid::Uuid;

/// Where the token goes when the address says so.
const TOKEN_PLACEHOLDER: &str = "{token}";

/// A parsed `--bounce-address`.
#[derive(Clone, PartialEq, Eq)]
pub struct BounceAddress {
    /// The local part before the token.
    before: String,
    /// The rest, from the end of the token on (`@domain` at least).
    after: String,
}

#[derive(Debug, thiserror::Error)]
#[error("invalid bounce address {address:?}: {reason}")]
pub struct InvalidBounceAddress {
    address: String,
    reason: String,
}

/// `id` as a VERP token: 32 lowercase hex digits (local parts are matched case-insensitively
/// by many systems, so no mixed-case encoding).
pub fn verp_token(id: Uuid) -> String {
    id.simple().to_string()
}

impl BounceAddress {
    /// `local@domain` (the token is appended to the local part after a `+`) or an address with
    /// `{token}` once in its local part.
    pub fn parse(text: &str) -> Result<Self, InvalidBounceAddress> {
        let text = text.trim();
        let invalid = |reason: &str| InvalidBounceAddress {
            address: text.to_string(),
            reason: reason.to_string(),
        };
        let Some((local, domain)) = text.rsplit_once('@') else {
            return Err(invalid("expected local@domain"));
        };
        let (before, after) = match local.matches(TOKEN_PLACEHOLDER).count() {
            0 => (format!("{local}+"), format!("@{domain}")),
            1 => {
                let (before, rest) = local
                    .split_once(TOKEN_PLACEHOLDER)
                    .ok_or_else(|| invalid("{token} is misplaced"))?;
                (before.to_string(), format!("{rest}@{domain}"))
            }
            _ => return Err(invalid("{token} may appear once")),
        };
        if domain.contains(TOKEN_PLACEHOLDER) {
            return Err(invalid("{token} belongs in the local part"));
        }
        let address = Self { before, after };
        // The longest address it makes must be a valid one (the local part holds 64 octets).
        EmailAddress::parse(&address.for_id(Uuid::max()))
            .map_err(|error| invalid(&format!("with a token it is not an address ({error})")))?;
        Ok(address)
    }

    /// The envelope sender for the message with `id`.
    pub fn for_id(&self, id: Uuid) -> String {
        format!("{}{}{}", self.before, verp_token(id), self.after).to_ascii_lowercase()
    }

    /// The bounce address's domain, lowercase: the domain the inbound SMTP listener takes
    /// mail for.
    pub fn domain(&self) -> String {
        self.after
            .rsplit_once('@')
            .map_or("", |(_, domain)| domain)
            .to_ascii_lowercase()
    }

    /// The address itself, without a token (`bounces@example.com` for
    /// `bounces+{token}@example.com`), where feedback loops registered for it send their
    /// reports; None when the token sits inside the local part (`bounce-{token}@…`).
    pub fn base_address(&self) -> Option<String> {
        let local = self.before.strip_suffix('+')?;
        let domain = self.after.strip_prefix('@')?;
        Some(format!("{local}@{domain}").to_ascii_lowercase())
    }

    /// The id a bounce was addressed to, when `address` is one this bounce address made.
    pub fn id_in(&self, address: &str) -> Option<Uuid> {
        let address = address.trim().to_ascii_lowercase();
        let token = address
            .strip_prefix(&self.before.to_ascii_lowercase())?
            .strip_suffix(&self.after.to_ascii_lowercase())?;
        (token.len() == 32)
            .then(|| Uuid::try_parse(token).ok())
            .flatten()
    }
}

impl fmt::Display for BounceAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}{TOKEN_PLACEHOLDER}{}", self.before, self.after)
    }
}

impl fmt::Debug for BounceAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "BounceAddress({self})")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ID: &str = "0192f1c4-7b1e-7c39-9a51-3f0c8e2d4b10";

    #[test]
    fn a_plain_address_gets_the_token_as_a_subaddress() {
        let bounces = BounceAddress::parse("Bounces@Mail.Example.com").unwrap();
        let id = Uuid::parse_str(ID).unwrap();
        let sender = bounces.for_id(id);
        assert_eq!(
            sender,
            "bounces+0192f1c47b1e7c399a513f0c8e2d4b10@mail.example.com"
        );
        assert_eq!(bounces.id_in(&sender), Some(id));
        assert_eq!(bounces.id_in(&sender.to_uppercase()), Some(id));
        assert_eq!(bounces.to_string(), "Bounces+{token}@Mail.Example.com");
        assert_eq!(bounces.domain(), "mail.example.com");
        assert_eq!(
            bounces.base_address().as_deref(),
            Some("bounces@mail.example.com")
        );
    }

    #[test]
    fn the_address_may_place_the_token_itself() {
        let bounces = BounceAddress::parse("rt-{token}-x@example.com").unwrap();
        let id = Uuid::parse_str(ID).unwrap();
        let sender = bounces.for_id(id);
        assert_eq!(sender, "rt-0192f1c47b1e7c399a513f0c8e2d4b10-x@example.com");
        assert_eq!(bounces.id_in(&sender), Some(id));
        assert_eq!(bounces.domain(), "example.com");
        assert_eq!(bounces.base_address(), None);
    }

    #[test]
    fn other_addresses_name_no_message() {
        let bounces = BounceAddress::parse("bounces@example.com").unwrap();
        for other in [
            "bounces@example.com",
            "bounces+@example.com",
            "bounces+nothex0000000000000000000000000@example.com",
            "bounces+0192f1c47b1e7c399a513f0c8e2d4b10@example.org",
            "other+0192f1c47b1e7c399a513f0c8e2d4b10@example.com",
        ] {
            assert_eq!(bounces.id_in(other), None, "{other}");
        }
    }

    #[test]
    fn refuses_what_cannot_carry_a_token() {
        for bad in [
            "",
            "no-at-sign",
            "a-{token}-{token}@example.com",
            "bounces@{token}.example.com",
            "bounces@",
            // 33 + 1 + 32 octets: the local part would exceed 64.
            "a-very-long-local-part-for-bounces@example.com",
        ] {
            assert!(BounceAddress::parse(bad).is_err(), "{bad} was accepted");
        }
    }
}
