//! The bounce fixtures (crates/roster-bounces/fixtures/): the RFC 3464 and RFC 5965 examples,
//! and reports shaped as Postfix, Exim, Gmail, Microsoft 365 and Yahoo write them, each read
//! into what it reports and what in it names the message Roster sent.

use roster_bounces::dsn::Action;
use roster_bounces::{read_report, FeedbackKind, Report, Unparseable};
use roster_domain::bounce::{classify, RefusalReason};

/// The VERP bounce address and the campaign Message-ID the vendor-shaped fixtures carry.
const VERP: &str = "bounces+0192f1c47b1e7c399a513f0c8e2d4b10@bounce.example.com";
const MESSAGE_ID: &str =
    "0192f1c47b1e7000a000000000000001.0192f1c47b1e7c399a513f0c8e2d4b10@news.example.com";

fn fixture(name: &str) -> Vec<u8> {
    let path = format!("{}/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// The one failed recipient of a DSN fixture and what its refusal says.
fn failed(name: &str) -> (roster_bounces::dsn::RecipientStatus, RefusalReason) {
    let report = read_report(&fixture(name), &[]).unwrap_or_else(|e| panic!("{name}: {e}"));
    let Report::Delivery(recipients) = report.report else {
        panic!("{name} is not read as a DSN: {:?}", report.report);
    };
    let failed: Vec<_> = recipients
        .into_iter()
        .filter(|r| r.action == Action::Failed)
        .collect();
    assert_eq!(failed.len(), 1, "{name}");
    let recipient = failed.into_iter().next().unwrap();
    let reason = classify(recipient.status, recipient.reply.as_ref());
    (recipient, reason)
}

fn references_roster(name: &str) {
    let report = read_report(&fixture(name), &[]).unwrap();
    assert!(
        report.references.addresses.iter().any(|a| a == VERP),
        "{name}: {:?}",
        report.references.addresses
    );
    assert_eq!(
        report.references.message_ids.first().map(String::as_str),
        Some(MESSAGE_ID),
        "{name}"
    );
}

#[test]
fn the_rfc_3464_examples_are_read() {
    let (simple, reason) = failed("rfc3464-simple.eml");
    assert_eq!(
        simple.final_recipient.as_deref(),
        Some("louisl@larry.slip.umd.edu")
    );
    assert_eq!(simple.status.unwrap().to_string(), "4.0.0");
    assert_eq!(simple.reply.as_ref().unwrap().code, 426);
    assert_eq!(reason, RefusalReason::Other);

    let report = read_report(&fixture("rfc3464-multi-recipient.eml"), &[]).unwrap();
    let Report::Delivery(recipients) = report.report else {
        panic!("not a DSN");
    };
    let summary: Vec<(String, Action, String)> = recipients
        .iter()
        .map(|r| {
            (
                r.final_recipient.clone().unwrap(),
                r.action,
                r.status.unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            (
                "arathib@vnet.ibm.com".into(),
                Action::Failed,
                "5.0.0".into()
            ),
            (
                "johnh@hpnjld.njd.hp.com".into(),
                Action::Delayed,
                "4.0.0".into()
            ),
            (
                "wsnell@sdcc13.ucsd.edu".into(),
                Action::Failed,
                "5.0.0".into()
            ),
        ]
    );
    // The folded diagnostic of the first, and the plain one of the third.
    assert_eq!(
        recipients[0].diagnostic.as_deref(),
        Some("550 'arathib@vnet.IBM.COM' is not a registered gateway user")
    );
    assert_eq!(
        classify(recipients[0].status, recipients[0].reply.as_ref()),
        RefusalReason::UnknownAddress
    );
    assert_eq!(
        classify(recipients[2].status, recipients[2].reply.as_ref()),
        RefusalReason::UnknownAddress
    );
    // The examples name nothing Roster sent.
    assert!(report.references.message_ids.is_empty());
}

#[test]
fn the_rfc_5965_examples_are_read() {
    let minimal = read_report(&fixture("rfc5965-minimal.eml"), &[]).unwrap();
    assert_eq!(
        minimal.report,
        Report::Feedback {
            kind: FeedbackKind::Abuse,
            recipient: None
        }
    );
    assert_eq!(
        minimal.references.message_ids,
        ["8787KJKJ3K4J3K4J3K4J3.mail@example.net"]
    );

    let extended = read_report(&fixture("rfc5965-extended.eml"), &[]).unwrap();
    assert_eq!(
        extended.report,
        Report::Feedback {
            kind: FeedbackKind::Abuse,
            recipient: Some("user@example.com".into())
        }
    );
    assert!(extended
        .references
        .addresses
        .contains(&"somespammer@example.net".to_string()));
}

#[test]
fn postfix_reports_are_read() {
    let (unknown, reason) = failed("postfix-user-unknown.eml");
    assert_eq!(
        unknown.final_recipient.as_deref(),
        Some("nobody@example.org")
    );
    assert_eq!(reason, RefusalReason::UnknownAddress);
    references_roster("postfix-user-unknown.eml");

    // Given up after the queue lifetime: a 4.x.x failure, no SMTP reply.
    let (expired, _) = failed("postfix-expired.eml");
    assert_eq!(expired.status.unwrap().to_string(), "4.4.1");
    assert!(!expired.status.unwrap().is_permanent());
    assert_eq!(expired.reply, None);
    // Only the returned headers came back.
    references_roster("postfix-expired.eml");
}

#[test]
fn exim_reports_are_read_by_their_diagnostic() {
    // Exim writes Status: 5.0.0 for every failure; the reply says what happened.
    let (full, reason) = failed("exim-mailbox-full.eml");
    assert_eq!(full.status.unwrap().to_string(), "5.0.0");
    assert_eq!(reason, RefusalReason::MailboxFull);
    references_roster("exim-mailbox-full.eml");
}

#[test]
fn gmail_reports_are_read() {
    let (gone, reason) = failed("gmail-no-such-user.eml");
    assert_eq!(
        gone.final_recipient.as_deref(),
        Some("gone.reader@gmail.com")
    );
    assert_eq!(reason, RefusalReason::UnknownAddress);
    let reply = gone.reply.unwrap();
    assert_eq!(reply.code, 550);
    assert!(reply
        .text
        .starts_with("The email account that you tried to reach does not exist"));
    references_roster("gmail-no-such-user.eml");

    let (_, reason) = failed("gmail-unsolicited.eml");
    assert_eq!(reason, RefusalReason::Policy);
    references_roster("gmail-unsolicited.eml");
}

#[test]
fn microsoft_365_reports_are_read() {
    let (someone, reason) = failed("m365-recipient-not-found.eml");
    assert_eq!(
        someone.final_recipient.as_deref(),
        Some("someone@contoso.com")
    );
    assert_eq!(someone.status.unwrap().to_string(), "5.1.10");
    assert_eq!(reason, RefusalReason::UnknownAddress);
    references_roster("m365-recipient-not-found.eml");
}

#[test]
fn a_feedback_loop_complaint_names_the_campaign_message() {
    let report = read_report(&fixture("yahoo-complaint.eml"), &[]).unwrap();
    assert_eq!(
        report.report,
        Report::Feedback {
            kind: FeedbackKind::Abuse,
            recipient: Some("reader@yahoo.com".into())
        }
    );
    // Sent to the plain bounce address; the original envelope sender is the VERP one.
    assert_eq!(report.references.addresses[0], "bounces@bounce.example.com");
    assert!(report.references.addresses.contains(&VERP.to_string()));
    assert_eq!(report.references.message_ids, [MESSAGE_ID]);
}

#[test]
fn an_auto_reply_is_read_as_one() {
    let report = read_report(&fixture("auto-reply.eml"), &[]).unwrap();
    assert_eq!(
        report.report,
        Report::AutoReply {
            from: Some("reader@example.org".into())
        }
    );
    references_roster("auto-reply.eml");
}

#[test]
fn the_envelope_comes_first_among_the_addresses() {
    let envelope = ["bounces+aaaa@bounce.example.com".to_string()];
    let report = read_report(&fixture("postfix-user-unknown.eml"), &envelope).unwrap();
    assert_eq!(report.references.addresses[0], envelope[0]);
}

#[test]
fn what_is_no_report_says_why() {
    assert_eq!(
        read_report(&fixture("not-a-report.eml"), &[]).unwrap_err(),
        Unparseable::NotAReport
    );
    for nothing in [&b""[..], b"\r\n\r\n"] {
        assert_eq!(
            read_report(nothing, &[]).unwrap_err(),
            Unparseable::NotAMessage,
            "{nothing:?}"
        );
    }
    // mail-parser reads almost anything as a message; this one is no report.
    assert_eq!(
        read_report(b"\x00\x01\x02 not mail at all", &[]).unwrap_err(),
        Unparseable::NotAReport
    );
    let empty_status = b"From: a@b.example\r\nContent-Type: multipart/report; \
        report-type=delivery-status; boundary=x\r\n\r\n--x\r\nContent-Type: \
        message/delivery-status\r\n\r\nReporting-MTA: dns; x\r\n\r\n--x--\r\n";
    assert_eq!(
        read_report(empty_status, &[]).unwrap_err(),
        Unparseable::EmptyDeliveryStatus
    );
}
