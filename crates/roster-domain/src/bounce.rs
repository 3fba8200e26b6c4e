//! What a refusal says: an SMTP reply (`550 5.1.1 <a@b>: user unknown`) and its RFC 3463
//! enhanced status code, read from a relay's reply at send time or from a delivery status
//! notification's `Status` and `Diagnostic-Code` fields; and how Roster codes it as a bounce
//! (docs/TRACKING.md, "Bounces"). Pure functions: no I/O.

use std::fmt;

use crate::send::ClaimedRecipient;
use crate::tracking::BounceCode;
use crate::{AccountId, CampaignActivityId, ContactId, InboundMessageId, Timestamp};

/// An RFC 3463 enhanced status code, `class.subject.detail` (`5.1.1`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct EnhancedStatus {
    /// 2 success, 4 persistent transient failure, 5 permanent failure.
    pub class: u8,
    pub subject: u16,
    pub detail: u16,
}

impl EnhancedStatus {
    /// The code at the start of `text` (`5.1.1`, `4.4.7 (delivery time expired)`); None when
    /// the text does not start with one. RFC 3463 allows 1–3 digits per part after the class.
    pub fn parse_prefix(text: &str) -> Option<Self> {
        let token = text
            .trim_start()
            .split(|c: char| !(c.is_ascii_digit() || c == '.'))
            .next()?;
        let mut parts = token.splitn(3, '.');
        let class = parts.next()?;
        let subject = parts.next()?;
        let detail = parts.next()?.trim_end_matches('.');
        let number = |part: &str| {
            (!part.is_empty() && part.len() <= 3 && part.bytes().all(|b| b.is_ascii_digit()))
                .then(|| part.parse::<u16>().ok())
                .flatten()
        };
        let class = match class {
            "2" => 2,
            "4" => 4,
            "5" => 5,
            _ => return None,
        };
        Some(Self {
            class,
            subject: number(subject)?,
            detail: number(detail)?,
        })
    }

    pub fn is_permanent(self) -> bool {
        self.class == 5
    }

    /// `x.0.0`: the class and nothing more (Exim writes `Status: 5.0.0` for every failure).
    pub fn is_unspecific(self) -> bool {
        self.subject == 0 && self.detail == 0
    }
}

impl fmt::Display for EnhancedStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}.{}", self.class, self.subject, self.detail)
    }
}

/// One SMTP reply: its three-digit code, the enhanced status code when the server sent one,
/// and the text, with a multi-line reply's continuation prefixes (`550-5.1.1 `) removed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SmtpReply {
    pub code: u16,
    pub enhanced: Option<EnhancedStatus>,
    pub text: String,
}

impl SmtpReply {
    /// Reads a reply as relays and DSNs write it: `550 5.1.1 text`, `550-5.1.1 first line
    /// 550 5.1.1 second line` (one line or several), or `smtp; 550 ...` as a `Diagnostic-Code`
    /// field has it. None when no three-digit code 2xx–5xx starts the text.
    pub fn parse(text: &str) -> Option<Self> {
        let text = text.trim();
        let text = match text.split_once(';') {
            Some((kind, rest)) if kind.trim().eq_ignore_ascii_case("smtp") => rest.trim(),
            _ => text,
        };
        let code = reply_code(text)?;
        let mut enhanced = None;
        let mut words: Vec<&str> = Vec::new();
        // Each line (or each repeated `550-` / `550 ` prefix of a folded reply) starts with the
        // code and, when the server uses them, the enhanced status.
        for line in split_reply_lines(text, code) {
            let mut rest = line.trim();
            if let Some(status) = EnhancedStatus::parse_prefix(rest) {
                enhanced.get_or_insert(status);
                rest = rest
                    .trim_start()
                    .trim_start_matches(|c: char| c.is_ascii_digit() || c == '.')
                    .trim_start();
            }
            words.extend(rest.split_whitespace());
        }
        Some(Self {
            code,
            enhanced,
            text: words.join(" "),
        })
    }

    /// A permanent refusal (5xx).
    pub fn is_permanent(&self) -> bool {
        (500..600).contains(&self.code)
    }

    /// A transient failure (4xx): retried, and a `D` bounce once the retries run out.
    pub fn is_transient(&self) -> bool {
        (400..500).contains(&self.code)
    }
}

impl fmt::Display for SmtpReply {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.enhanced {
            Some(status) => write!(f, "{} {} {}", self.code, status, self.text),
            None => write!(f, "{} {}", self.code, self.text),
        }
    }
}

/// The three-digit code that starts `text`, followed by a space, a hyphen or the end.
fn reply_code(text: &str) -> Option<u16> {
    let bytes = text.as_bytes();
    if bytes.len() < 3 || !bytes[..3].iter().all(u8::is_ascii_digit) {
        return None;
    }
    if bytes.len() > 3 && !matches!(bytes[3], b' ' | b'-' | b'\t' | b'\r' | b'\n') {
        return None;
    }
    let code: u16 = text[..3].parse().ok()?;
    (200..600).contains(&code).then_some(code)
}

/// The reply's lines: split at line breaks, and at each repeated `CODE-` / `CODE ` prefix of a
/// reply that was folded into one line (as `Diagnostic-Code` fields often are); each piece has
/// its prefix removed.
fn split_reply_lines(text: &str, code: u16) -> Vec<&str> {
    let prefixes = [format!("{code}-"), format!("{code} ")];
    let mut pieces = Vec::new();
    for line in text.lines() {
        let mut rest = line.trim();
        if rest == code.to_string() {
            // A code with no text (`250`).
            continue;
        }
        loop {
            let Some(stripped) = prefixes.iter().find_map(|p| rest.strip_prefix(p.as_str())) else {
                if !rest.is_empty() {
                    pieces.push(rest);
                }
                break;
            };
            // The next repeated prefix (after a space) ends this piece.
            let next = prefixes
                .iter()
                .filter_map(|p| stripped.find(&format!(" {p}")))
                .min();
            match next {
                Some(at) => {
                    pieces.push(&stripped[..at]);
                    rest = stripped[at..].trim_start();
                }
                None => {
                    pieces.push(stripped);
                    break;
                }
            }
        }
    }
    pieces
}

/// What a permanent refusal's text says, by the phrases relays use; the enhanced status code
/// decides first where it is specific (see `classify`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RefusalReason {
    /// The address does not exist (user unknown, no such domain, account disabled).
    UnknownAddress,
    /// The mailbox is over its quota.
    MailboxFull,
    /// Refused by policy: spam filtering, block lists, reputation, authentication (DMARC).
    Policy,
    /// Any other permanent refusal.
    Other,
}

/// Phrases of an address that does not exist, as Postfix, Exim, Sendmail, Gmail, Microsoft 365
/// and Yahoo word it (lowercase).
const UNKNOWN_ADDRESS_PHRASES: &[&str] = &[
    "user unknown",
    "unknown user",
    "no such user",
    "no such mailbox",
    "no such recipient",
    "no mailbox",
    "does not exist",
    "doesn't exist",
    "unrouteable address",
    "unroutable address",
    "recipient not found",
    "recipientnotfound",
    "address not found",
    "invalid recipient",
    "invalid mailbox",
    "recipient unknown",
    "unknown recipient",
    "mailbox not found",
    "mailbox unavailable",
    "not a valid mailbox",
    "account is disabled",
    "account has been disabled",
    "account that you tried to reach is disabled",
    "user not found",
    "no longer available",
    "recipient address rejected: access denied",
    "recipient address rejected: user",
    "is not a registered gateway user",
    "user doesn't have",
];

const MAILBOX_FULL_PHRASES: &[&str] = &[
    "mailbox full",
    "mailbox is full",
    "over quota",
    "quota exceeded",
    "exceeded storage",
    "exceeds storage",
    "insufficient storage",
    "quotaexceeded",
    "out of storage",
    "mailbox size limit",
];

const POLICY_PHRASES: &[&str] = &[
    "spam",
    "unsolicited",
    "blocked",
    "block list",
    "blocklist",
    "blacklist",
    "black list",
    "denylist",
    "spamhaus",
    "dnsbl",
    "rbl",
    "reputation",
    "policy",
    "banned",
    "dmarc",
    "not authorized",
    "unauthenticated",
    "relay access denied",
    "relaying denied",
];

/// A message too large for the receiver: not the mailbox's fault, whatever the code (552).
const MESSAGE_SIZE_PHRASES: &[&str] = &["message size", "too big", "too large", "size limit"];

fn mentions(text: &str, phrases: &[&str]) -> bool {
    phrases.iter().any(|phrase| text.contains(phrase))
}

/// What a permanent refusal (a 5xx reply, or a DSN's failed recipient) says, from its enhanced
/// status code where that is specific and from its text otherwise:
/// - `x.1.1` bad mailbox, `x.1.2` no such domain, `x.1.3` bad syntax, `x.1.6` moved,
///   `x.1.10` null MX, `x.2.1` disabled → unknown address;
/// - `x.2.2` → mailbox full;
/// - `x.7.*` (security and policy) → policy;
/// - otherwise the text's phrases, in that order (a message too large is other); then a
///   bare `552` (RFC 5321: "exceeded storage allocation") → mailbox full; anything else →
///   other.
///
/// `status` is the DSN's `Status` field when the refusal comes from one; a more specific code
/// in the reply wins over an unspecific `x.0.0` (Exim writes `5.0.0` for every failure).
pub fn classify(status: Option<EnhancedStatus>, reply: Option<&SmtpReply>) -> RefusalReason {
    let reply_status = reply.and_then(|r| r.enhanced);
    let status = match (status, reply_status) {
        (Some(status), Some(specific)) if status.is_unspecific() => Some(specific),
        (Some(status), _) => Some(status),
        (None, reply_status) => reply_status,
    };
    if let Some(reason) = status.and_then(reason_of_status) {
        return reason;
    }
    let text = reply.map(|r| r.text.to_lowercase()).unwrap_or_default();
    if mentions(&text, UNKNOWN_ADDRESS_PHRASES) {
        RefusalReason::UnknownAddress
    } else if mentions(&text, MAILBOX_FULL_PHRASES) {
        RefusalReason::MailboxFull
    } else if mentions(&text, POLICY_PHRASES) {
        RefusalReason::Policy
    } else if mentions(&text, MESSAGE_SIZE_PHRASES) {
        RefusalReason::Other
    } else if reply.map(|r| r.code) == Some(552) && status.is_none_or(|s| s.is_unspecific()) {
        RefusalReason::MailboxFull
    } else {
        RefusalReason::Other
    }
}

fn reason_of_status(status: EnhancedStatus) -> Option<RefusalReason> {
    match (status.subject, status.detail) {
        (1, 1 | 2 | 3 | 6 | 10) | (2, 1) => Some(RefusalReason::UnknownAddress),
        (2, 2) => Some(RefusalReason::MailboxFull),
        (7, _) => Some(RefusalReason::Policy),
        _ => None,
    }
}

impl RefusalReason {
    /// The bounce code a permanent refusal is reported under.
    pub fn code(self) -> BounceCode {
        match self {
            Self::UnknownAddress => BounceCode::NonExistent,
            Self::MailboxFull => BounceCode::MailboxFull,
            Self::Policy => BounceCode::Blocked,
            Self::Other => BounceCode::Other,
        }
    }
}

/// The bounce a delivery that failed at send time is, from the relay's reply: a permanent
/// refusal (5xx) by what it says (B, F, Z or X), a transient one (4xx) that used up its
/// retries D. None for a transient failure still retried, and for a reply that is no failure.
/// A failure with no reply (the relay out of reach) is Roster's problem, not a bounce: the
/// caller passes no reply for it.
pub fn code_of_send_failure(reply: &SmtpReply, retries_exhausted: bool) -> Option<BounceCode> {
    if reply.is_permanent() {
        Some(classify(None, Some(reply)).code())
    } else if reply.is_transient() && retries_exhausted {
        Some(BounceCode::Undeliverable)
    } else {
        None
    }
}

/// The bounce a DSN's failed recipient is: a transient status (`4.x.x`, the reporting MTA gave
/// up retrying) D; a permanent one by what it says. Without a status, the reply's class
/// decides; with neither, X.
pub fn code_of_failed_recipient(
    status: Option<EnhancedStatus>,
    reply: Option<&SmtpReply>,
) -> BounceCode {
    let transient = match status {
        Some(status) => status.class == 4,
        None => reply.is_some_and(SmtpReply::is_transient),
    };
    if transient {
        BounceCode::Undeliverable
    } else {
        classify(status, reply).code()
    }
}

/// Which way a message came to the bounce address. The text values are stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InboundChannel {
    /// POST /bounces/inbound.
    Http,
    /// The inbound SMTP listener.
    Smtp,
}

impl InboundChannel {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Http => "http",
            Self::Smtp => "smtp",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "http" => Some(Self::Http),
            "smtp" => Some(Self::Smtp),
            _ => None,
        }
    }
}

/// The recipient of one send that a bounce or a complaint is about: the message Roster sent,
/// found from the report's references.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BounceTarget {
    pub account: AccountId,
    pub activity: CampaignActivityId,
    pub contact: ContactId,
    /// The send-history `send_id` of the send that mailed it.
    pub send_number: u32,
    /// The address it was mailed to.
    pub email: String,
}

impl From<&ClaimedRecipient> for BounceTarget {
    /// The recipient a delivery worker was sending to, for a refusal at send time.
    fn from(recipient: &ClaimedRecipient) -> Self {
        Self {
            account: recipient.account,
            activity: recipient.activity,
            contact: recipient.contact,
            send_number: recipient.send_number,
            email: recipient.email.clone(),
        }
    }
}

/// What recording a bounce came to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RecordedBounce {
    /// The code recorded: the one given, or S when this bounce suspended the address.
    pub code: BounceCode,
    /// Whether the address is suspended (this bounce was recorded as S): later sends skip
    /// it.
    pub suspended: bool,
}

/// When a non-existent address (B) is suspended: after bouncing B from this many activities
/// (`--bounce-suspend-after`, 2 by default: a single B may be a relay's mistake).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SuspensionPolicy {
    pub after_nonexistent_bounces: u32,
}

impl Default for SuspensionPolicy {
    fn default() -> Self {
        Self {
            after_nonexistent_bounces: 2,
        }
    }
}

/// The opt-out reason a complaint records on the contact.
pub const COMPLAINT_OPT_OUT_REASON: &str = "Marked our email as spam (feedback-loop complaint)";

/// A message that came to the bounce address and could not be read, or names no message
/// Roster sent: kept as it arrived for the operator (`roster bounces list`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnprocessedMessage {
    pub id: InboundMessageId,
    pub received_at: Timestamp,
    pub channel: InboundChannel,
    /// The SMTP client's address.
    pub client: Option<String>,
    pub envelope_from: Option<String>,
    pub envelope_to: Vec<String>,
    /// Why it was kept, for the operator.
    pub reason: String,
    /// The message (or the JSON event) as it arrived.
    pub raw: Vec<u8>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn status(text: &str) -> EnhancedStatus {
        EnhancedStatus::parse_prefix(text).unwrap()
    }

    #[test]
    fn enhanced_status_codes_are_read_from_the_start_of_a_text() {
        assert_eq!(status("5.1.1").to_string(), "5.1.1");
        assert_eq!(status("4.4.7 (delivery time expired)").to_string(), "4.4.7");
        assert_eq!(status("5.0.0 (permanent failure)").to_string(), "5.0.0");
        assert_eq!(status("5.1.10").detail, 10);
        assert_eq!(status(" 5.7.606 Access denied").detail, 606);
        for bad in [
            "", "550", "3.1.1", "5.1", "5..1", "5.1.1234", "x.1.1", "5.a.1",
        ] {
            assert_eq!(EnhancedStatus::parse_prefix(bad), None, "{bad}");
        }
        assert!(status("5.0.0").is_unspecific());
        assert!(!status("5.1.1").is_unspecific());
    }

    #[test]
    fn replies_are_read_with_their_continuations_joined() {
        let reply =
            SmtpReply::parse("550 5.1.1 <a@b.example>: Recipient address rejected").unwrap();
        assert_eq!(reply.code, 550);
        assert_eq!(reply.enhanced, Some(status("5.1.1")));
        assert_eq!(reply.text, "<a@b.example>: Recipient address rejected");
        assert!(reply.is_permanent() && !reply.is_transient());

        // Gmail's folded multi-line reply, as a DSN's Diagnostic-Code carries it.
        let gmail = SmtpReply::parse(
            "smtp; 550-5.1.1 The email account that you tried to reach does not exist. Please \
             try\n 550-5.1.1 double-checking the recipient's email address for typos or\n \
             550 5.1.1  https://support.google.com/mail/?p=NoSuchUser 6a1si - gsmtp",
        )
        .unwrap();
        assert_eq!(gmail.code, 550);
        assert_eq!(gmail.enhanced, Some(status("5.1.1")));
        assert!(gmail
            .text
            .starts_with("The email account that you tried to reach"));
        assert!(!gmail.text.contains("550"), "{}", gmail.text);
        assert!(gmail.text.ends_with("- gsmtp"), "{}", gmail.text);

        // The same reply folded into one line.
        let one_line = SmtpReply::parse(
            "550-5.7.1 [203.0.113.9] Our system has detected 550-5.7.1 that \
                              this message is 550 5.7.1 likely unsolicited mail.",
        )
        .unwrap();
        assert_eq!(
            one_line.text,
            "[203.0.113.9] Our system has detected that this message is likely unsolicited mail."
        );

        assert_eq!(SmtpReply::parse("550").unwrap().text, "");
        let plain = SmtpReply::parse("451 try again later").unwrap();
        assert_eq!((plain.code, plain.enhanced), (451, None));
        assert!(plain.is_transient());
        for bad in [
            "",
            "hello",
            "55 x",
            "5500 x",
            "650 x",
            "x; 550 5.1.1",
            "550x",
        ] {
            assert_eq!(SmtpReply::parse(bad), None, "{bad}");
        }
    }

    /// Real permanent refusals, as Postfix, Exim, Sendmail, Gmail, Microsoft 365, Yahoo and
    /// block lists word them, and what each says.
    #[test]
    fn refusals_are_classified_by_status_then_text() {
        use RefusalReason::*;
        let table: &[(&str, RefusalReason)] = &[
            // Postfix
            (
                "550 5.1.1 <nobody@example.org>: Recipient address rejected: User unknown in \
                 virtual mailbox table",
                UnknownAddress,
            ),
            (
                "550 5.1.1 <nobody@example.org>: Recipient address rejected: User unknown in \
                 local recipient table",
                UnknownAddress,
            ),
            (
                "552 5.2.2 <full@example.org>: Recipient address rejected: Mailbox full",
                MailboxFull,
            ),
            (
                "554 5.7.1 Service unavailable; Client host [203.0.113.9] blocked using \
                 zen.spamhaus.org",
                Policy,
            ),
            ("554 5.7.1 <x@example.org>: Relay access denied", Policy),
            (
                "550 5.1.2 <x@nowhere.example>: Recipient address rejected: Domain not found",
                UnknownAddress,
            ),
            // Exim, which often sends no enhanced code
            ("550 Unrouteable address", UnknownAddress),
            ("550 No Such User Here", UnknownAddress),
            ("552 mailbox quota exceeded", MailboxFull),
            (
                "550 rejected because 203.0.113.9 is in a black list at zen.spamhaus.org",
                Policy,
            ),
            ("552 Message size exceeds maximum permitted", Other),
            ("554 5.3.4 Message too big for system", Other),
            // Sendmail
            (
                "550 5.1.1 <nobody@example.org>... User unknown",
                UnknownAddress,
            ),
            // Gmail
            (
                "550-5.1.1 The email account that you tried to reach does not exist. Please try \
                 550-5.1.1 double-checking the recipient's email address for typos or \
                 550 5.1.1 unnecessary spaces. https://support.google.com/mail/?p=NoSuchUser",
                UnknownAddress,
            ),
            (
                "550-5.2.1 The email account that you tried to reach is disabled. \
                 550 5.2.1 https://support.google.com/mail/?p=DisabledUser",
                UnknownAddress,
            ),
            (
                "552-5.2.2 The email account that you tried to reach is over quota and inactive. \
                 552 5.2.2 https://support.google.com/mail/?p=OverQuotaPerm",
                MailboxFull,
            ),
            (
                "550-5.7.1 [203.0.113.9] Our system has detected that this message is likely \
                 unsolicited mail. 550 5.7.1 https://support.google.com/mail/?p=UnsolicitedMessage",
                Policy,
            ),
            (
                "550-5.7.26 This mail has been blocked because the sender is unauthenticated. \
                 550 5.7.26 Gmail requires all senders to authenticate with either SPF or DKIM.",
                Policy,
            ),
            (
                "552-5.7.0 This message was blocked because its content presents a potential \
              security issue.",
                Policy,
            ),
            // Microsoft 365 / Outlook.com
            (
                "550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient someone@contoso.com not \
                 found by SMTP address lookup",
                UnknownAddress,
            ),
            (
                "550 5.4.1 Recipient address rejected: Access denied. \
                 [AM0PR01MB1234.eurprd01.prod.exchangelabs.com]",
                UnknownAddress,
            ),
            (
                "550 5.5.0 Requested action not taken: mailbox unavailable (S2017062302)",
                UnknownAddress,
            ),
            (
                "554 5.2.2 mailbox full; STOREDRV.Deliver.Exception:QuotaExceededException.\
                 MapiExceptionShutoffQuotaExceeded",
                MailboxFull,
            ),
            (
                "550 5.7.606 Access denied, banned sending IP [203.0.113.9]. To request removal \
                 from this list please visit https://sender.office.com/",
                Policy,
            ),
            (
                "550 5.7.1 Unfortunately, messages from [203.0.113.9] weren't sent.",
                Policy,
            ),
            ("550 5.4.300 Message expired", Other),
            // Yahoo / AOL
            (
                "554 delivery error: dd This user doesn't have a yahoo.com account",
                UnknownAddress,
            ),
            ("554 5.7.9 Message not accepted for policy reasons.", Policy),
            (
                "552 1 Requested mail action aborted, mailbox not found",
                UnknownAddress,
            ),
            // Anything else
            ("554 5.6.0 Corrupt message content", Other),
            ("550 Administrative prohibition", Other),
        ];
        for (text, expected) in table {
            let reply = SmtpReply::parse(text).unwrap_or_else(|| panic!("{text}"));
            assert_eq!(classify(None, Some(&reply)), *expected, "{text}");
        }
    }

    #[test]
    fn send_failures_and_failed_recipients_are_coded() {
        fn reply(text: &str) -> SmtpReply {
            SmtpReply::parse(text).unwrap()
        }
        let code = |text, exhausted| code_of_send_failure(&reply(text), exhausted);
        assert_eq!(
            code("550 5.1.1 user unknown", false),
            Some(BounceCode::NonExistent)
        );
        assert_eq!(
            code("552 5.2.2 mailbox full", false),
            Some(BounceCode::MailboxFull)
        );
        assert_eq!(
            code("554 5.7.1 blocked as spam", false),
            Some(BounceCode::Blocked)
        );
        assert_eq!(code("554 5.6.0 corrupt", true), Some(BounceCode::Other));
        assert_eq!(code("451 4.3.0 try later", false), None);
        assert_eq!(
            code("451 4.3.0 try later", true),
            Some(BounceCode::Undeliverable)
        );
        assert_eq!(
            code("452 4.2.2 mailbox full", true),
            Some(BounceCode::Undeliverable)
        );
        assert_eq!(code("250 2.0.0 ok", true), None);

        let failed = |status: &str, text: Option<&str>| {
            let reply = text.map(reply);
            code_of_failed_recipient(EnhancedStatus::parse_prefix(status), reply.as_ref())
        };
        assert_eq!(failed("4.4.7", None), BounceCode::Undeliverable);
        assert_eq!(
            failed("4.0.0", Some("426 timed out")),
            BounceCode::Undeliverable
        );
        assert_eq!(failed("5.1.1", None), BounceCode::NonExistent);
        assert_eq!(
            failed("5.0.0", Some("552 5.2.2 full")),
            BounceCode::MailboxFull
        );
        assert_eq!(
            failed("", Some("421 4.7.0 try later")),
            BounceCode::Undeliverable
        );
        assert_eq!(failed("", None), BounceCode::Other);
    }

    #[test]
    fn a_specific_reply_code_wins_over_an_unspecific_status() {
        let reply = SmtpReply::parse("552 5.2.2 This mailbox is full").unwrap();
        assert_eq!(
            classify(Some(status("5.0.0")), Some(&reply)),
            RefusalReason::MailboxFull
        );
        // A specific Status field decides over the reply's text.
        let reply = SmtpReply::parse("550 not delivered").unwrap();
        assert_eq!(
            classify(Some(status("5.1.1")), Some(&reply)),
            RefusalReason::UnknownAddress
        );
        assert_eq!(classify(Some(status("5.0.0")), None), RefusalReason::Other);
        assert_eq!(classify(None, None), RefusalReason::Other);
    }
}
