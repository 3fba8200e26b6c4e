//! Forward to a friend (docs/TRACKING.md, "Forward to a friend"): what a recipient may ask for
//! on the page their message's footer links to (up to 5 addresses and a note of up to 1,000
//! characters), and the daily limits that keep the page from being a way to mail strangers:
//! addresses per recipient of an activity, and per account.

use crate::{AccountId, CampaignActivityId, ContactId, EmailAddress};

/// Addresses one forward may name.
pub const MAX_FORWARD_ADDRESSES: usize = 5;
/// Characters the note may have (line breaks count one each).
pub const MAX_FORWARD_NOTE_CHARS: usize = 1_000;
/// Addresses one recipient may forward one activity to per UTC day: two full forms.
pub const DEFAULT_FORWARDS_PER_RECIPIENT_PER_DAY: u32 = 10;
/// Addresses an account's recipients may forward to per UTC day, all activities together.
pub const DEFAULT_FORWARDS_PER_ACCOUNT_PER_DAY: u32 = 1_000;
/// The form's text is refused unread beyond this: 5 addresses of 255 characters and their
/// separators fit many times over.
const MAX_ADDRESSES_TEXT_CHARS: usize = 10_000;

/// A forward as the page asked for it, checked: distinct addresses (in the order written) and
/// the note (trimmed, line breaks as `\n`, "" for none).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ForwardRequest {
    pub addresses: Vec<EmailAddress>,
    pub note: String,
}

/// What is wrong with a forward form; each names what the page should say.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ForwardProblem {
    NoAddress,
    TooManyAddresses {
        given: usize,
    },
    /// An entry that is not an email address, as written (shortened when long).
    NotAnAddress {
        written: String,
    },
    NoteTooLong {
        chars: usize,
    },
}

impl std::fmt::Display for ForwardProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::NoAddress => write!(f, "Enter at least one email address."),
            Self::TooManyAddresses { given } => write!(
                f,
                "Enter at most {MAX_FORWARD_ADDRESSES} email addresses; you entered {given}."
            ),
            Self::NotAnAddress { written } => {
                write!(f, "\u{201c}{written}\u{201d} is not an email address.")
            }
            Self::NoteTooLong { chars } => write!(
                f,
                "The note can have at most {} characters; it has {}.",
                grouped(MAX_FORWARD_NOTE_CHARS),
                grouped(*chars)
            ),
        }
    }
}

impl ForwardProblem {
    /// The form field the problem is about: `addresses` or `note`.
    pub fn field(&self) -> &'static str {
        match self {
            Self::NoteTooLong { .. } => "note",
            _ => "addresses",
        }
    }
}

impl ForwardRequest {
    /// Reads the form: `addresses` separated by commas, semicolons, spaces or line breaks, and
    /// the note. Every problem is returned at once.
    pub fn parse(addresses: &str, note: &str) -> Result<ForwardRequest, Vec<ForwardProblem>> {
        let mut problems = Vec::new();
        let entries: Vec<&str> = if addresses.chars().count() > MAX_ADDRESSES_TEXT_CHARS {
            problems.push(ForwardProblem::TooManyAddresses {
                given: addresses.split([',', ';']).count(),
            });
            Vec::new()
        } else {
            addresses
                .split(|c: char| c == ',' || c == ';' || c.is_whitespace())
                .filter(|entry| !entry.is_empty())
                .collect()
        };
        let mut parsed: Vec<EmailAddress> = Vec::new();
        let mut malformed = 0;
        for entry in &entries {
            match EmailAddress::parse(entry) {
                Ok(address) if parsed.contains(&address) => {}
                Ok(address) => parsed.push(address),
                Err(_) => {
                    malformed += 1;
                    problems.push(ForwardProblem::NotAnAddress {
                        written: shortened(entry),
                    });
                }
            }
        }
        let given = parsed.len() + malformed;
        if given > MAX_FORWARD_ADDRESSES {
            problems.push(ForwardProblem::TooManyAddresses { given });
        } else if entries.is_empty() && problems.is_empty() {
            problems.push(ForwardProblem::NoAddress);
        }
        let note = note_text(note);
        let chars = note.chars().count();
        if chars > MAX_FORWARD_NOTE_CHARS {
            problems.push(ForwardProblem::NoteTooLong { chars });
        }
        if problems.is_empty() {
            Ok(ForwardRequest {
                addresses: parsed,
                note,
            })
        } else {
            Err(problems)
        }
    }
}

/// The note as it is mailed: `\r\n` and `\r` become `\n` (browsers send a textarea's line
/// breaks as `\r\n`, which would count twice), other control characters but tabs are dropped,
/// and the ends are trimmed.
fn note_text(note: &str) -> String {
    note.replace("\r\n", "\n")
        .replace('\r', "\n")
        .chars()
        .filter(|c| !c.is_control() || *c == '\n' || *c == '\t')
        .collect::<String>()
        .trim()
        .to_string()
}

/// `number` with its thousands separated by commas, as the page prints numbers (1,000).
pub fn grouped(number: usize) -> String {
    let digits = number.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (index, digit) in digits.chars().enumerate() {
        if index > 0 && (digits.len() - index).is_multiple_of(3) {
            out.push(',');
        }
        out.push(digit);
    }
    out
}

/// An entry as the page repeats it: at most 60 characters.
fn shortened(entry: &str) -> String {
    const SHOWN: usize = 60;
    if entry.chars().count() <= SHOWN {
        entry.to_string()
    } else {
        let head: String = entry.chars().take(SHOWN - 1).collect();
        format!("{head}\u{2026}")
    }
}

/// The daily limits (`--forward-limit-per-recipient`, `--forward-limit-per-account`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ForwardLimits {
    pub per_recipient_per_day: u32,
    pub per_account_per_day: u32,
}

impl Default for ForwardLimits {
    fn default() -> Self {
        Self {
            per_recipient_per_day: DEFAULT_FORWARDS_PER_RECIPIENT_PER_DAY,
            per_account_per_day: DEFAULT_FORWARDS_PER_ACCOUNT_PER_DAY,
        }
    }
}

/// Addresses one forward claims against the limits of `day` (days since the epoch, UTC).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ForwardClaim {
    pub account: AccountId,
    pub activity: CampaignActivityId,
    pub contact: ContactId,
    pub day: i64,
    pub addresses: u32,
    pub limits: ForwardLimits,
}

/// What a claim found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ForwardQuota {
    /// Counted: the forward may be mailed.
    Claimed,
    /// The recipient's daily limit for the activity would be passed; nothing was counted.
    RecipientLimit,
    /// The account's daily limit would be passed; nothing was counted.
    AccountLimit,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn addresses(request: &ForwardRequest) -> Vec<&str> {
        request.addresses.iter().map(EmailAddress::as_str).collect()
    }

    #[test]
    fn addresses_are_split_on_any_separator_and_kept_once() {
        let request = ForwardRequest::parse(
            " Ann@Example.com, bo@example.com;\r\ncy@example.com  ann@example.com\n",
            "",
        )
        .unwrap();
        assert_eq!(
            addresses(&request),
            ["ann@example.com", "bo@example.com", "cy@example.com"]
        );
        assert_eq!(request.note, "");
    }

    #[test]
    fn five_addresses_pass_and_six_do_not() {
        let five: Vec<String> = (0..5).map(|i| format!("f{i}@example.com")).collect();
        assert!(ForwardRequest::parse(&five.join(","), "").is_ok());
        let six = format!("{},f5@example.com", five.join(","));
        assert_eq!(
            ForwardRequest::parse(&six, ""),
            Err(vec![ForwardProblem::TooManyAddresses { given: 6 }])
        );
        // A repeated address is one address.
        let repeated = format!("{},F0@example.com", five.join(","));
        assert!(ForwardRequest::parse(&repeated, "").is_ok());
    }

    #[test]
    fn every_problem_is_named_at_once() {
        let long_note = "x".repeat(MAX_FORWARD_NOTE_CHARS + 1);
        let problems =
            ForwardRequest::parse("ann@example.com, not-an-address, @x", &long_note).unwrap_err();
        assert_eq!(
            problems,
            [
                ForwardProblem::NotAnAddress {
                    written: "not-an-address".into()
                },
                ForwardProblem::NotAnAddress {
                    written: "@x".into()
                },
                ForwardProblem::NoteTooLong { chars: 1_001 },
            ]
        );
        assert_eq!(problems[2].field(), "note");
        assert_eq!(problems[0].field(), "addresses");
        assert_eq!(
            problems[0].to_string(),
            "\u{201c}not-an-address\u{201d} is not an email address."
        );
        assert_eq!(
            ForwardRequest::parse(" ,; \n", ""),
            Err(vec![ForwardProblem::NoAddress])
        );
    }

    #[test]
    fn the_note_counts_a_line_break_once_and_drops_control_characters() {
        let note = format!("{}\r\n{}", "a".repeat(500), "b".repeat(499));
        let request = ForwardRequest::parse("ann@example.com", &note).unwrap();
        assert_eq!(request.note.chars().count(), MAX_FORWARD_NOTE_CHARS);
        let request =
            ForwardRequest::parse("ann@example.com", "  Hi\u{0}\u{7} there\t!\r ").unwrap();
        assert_eq!(request.note, "Hi there\t!");
    }

    #[test]
    fn numbers_are_grouped_by_thousands() {
        assert_eq!(grouped(5), "5");
        assert_eq!(grouped(1_000), "1,000");
        assert_eq!(grouped(1_234_567), "1,234,567");
    }

    #[test]
    fn huge_input_is_refused_without_reading_every_entry() {
        let huge = "a@b.co,".repeat(5_000);
        let problems = ForwardRequest::parse(&huge, "").unwrap_err();
        assert!(matches!(
            problems[..],
            [ForwardProblem::TooManyAddresses { .. }]
        ));
        let long_entry = format!("{}@example.com", "x".repeat(300));
        let problems = ForwardRequest::parse(&long_entry, "").unwrap_err();
        let ForwardProblem::NotAnAddress { written } = &problems[0] else {
            panic!("{problems:?}")
        };
        assert_eq!(written.chars().count(), 60);
        assert!(written.ends_with('\u{2026}'));
    }
}
