//! What the relay receives besides the message: the DKIM signature, verified by an independent
//! implementation (PyPI `dkimpy`, pinned in crates/roster-tests/python/requirements.txt, with
//! PyNaCl for Ed25519) against the key's DNS record, and broken by a changed signed header; and
//! the envelope sender (`MAIL FROM`), VERP-made from `--bounce-address` or `--mail-from`'s.
//!
//! Without dkimpy the verification tests fail in CI (`CI=true`) and are skipped elsewhere, with
//! a notice on stderr (libtest hides the output of passing tests).

use std::io::Write;
use std::path::PathBuf;
use std::process::Stdio;

use base64::Engine as _;
use roster_domain::outbox::{Mailbox, OutboxMessage};
use roster_domain::EmailAddress;
use roster_mailer::{BounceAddress, DkimConfig, DrainReport};
use roster_tests::smtp_sink::Received;
use roster_tests::{on_both_engines_with_mail, TestApp};
use rsa::pkcs1::EncodeRsaPrivateKey;
use rsa::pkcs8::{EncodePrivateKey, EncodePublicKey, LineEnding};

on_both_engines_with_mail!(
    dkimpy_verifies_rsa_pkcs8_signatures_and_a_changed_subject_breaks_them,
    dkimpy_verifies_rsa_pkcs1_signatures,
    dkimpy_verifies_ed25519_signatures,
    only_mail_from_the_dkim_domain_or_under_it_is_signed,
    the_envelope_sender_is_the_verp_bounce_address_or_the_system_sender,
);

fn mailbox(name: Option<&str>, address: &str) -> Mailbox {
    Mailbox::new(name, EmailAddress::parse(address).unwrap()).unwrap()
}

/// A campaign-like message from `from`, with both unsubscribe headers and a non-ASCII subject
/// (an RFC 2047 encoded word, folded by lettre: relaxed canonicalization must cope).
fn message_from(from: &str) -> OutboxMessage {
    OutboxMessage::new(
        "test_send",
        mailbox(Some("Acme News"), from),
        vec![mailbox(Some("Jo Reader"), "jo@example.com")],
        "Spring offers: 20 % off – Ärger-frei bestellen, solange der Vorrat reicht",
        "Text part.\n.leading dot and trailing space \n",
    )
    .unwrap()
    .with_html("<p>HTML part</p>")
    .with_header("List-Unsubscribe", "<https://roster.test/u/abc>")
    .unwrap()
    .with_header("List-Unsubscribe-Post", "List-Unsubscribe=One-Click")
    .unwrap()
}

/// Sends `message` with `dkim` through a drain and returns what the sink got.
async fn sent_with(app: &TestApp, dkim: &DkimConfig, message: OutboxMessage) -> Received {
    let before = app.sink().received().len();
    let mailer = app.mailer_with(|config| config.dkim = Some(dkim.clone()));
    mailer.enqueue(message).await.unwrap();
    assert_eq!(
        mailer.drain().await.unwrap(),
        DrainReport {
            sent: 1,
            ..DrainReport::default()
        }
    );
    let received = app.sink().received();
    assert_eq!(received.len(), before + 1);
    received[before].clone()
}

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(name)
}

/// Whether dkimpy (and PyNaCl) import; None when python3 itself is missing.
async fn dkimpy_importable() -> Option<bool> {
    let status = tokio::process::Command::new("python3")
        .args(["-c", "import dkim, nacl"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .await
        .ok()?;
    Some(status.success())
}

/// Has dkimpy verify `mail` with `record` served for `dns_name`, then check that a changed
/// Subject and a changed List-Unsubscribe break the signature (crates/roster-tests/python/
/// dkim_verify.py). False when dkimpy is not installed outside CI (skipped with a notice).
async fn dkimpy_verifies(app: &TestApp, mail: &Received, dns_name: &str, record: &str) -> bool {
    if dkimpy_importable().await != Some(true) {
        let why = "python3 cannot import dkim and nacl; install them with \
                   `pip install -r crates/roster-tests/python/requirements.txt`";
        if std::env::var("CI").as_deref() == Ok("true") {
            panic!("{why}");
        }
        let _ = writeln!(
            std::io::stderr(),
            "SKIPPED: dkimpy verification ({:?}): {why}",
            app.engine
        );
        return false;
    }
    let path = std::env::temp_dir().join(format!("roster-dkim-{}.eml", uuid::Uuid::new_v4()));
    std::fs::write(&path, &mail.data).unwrap();
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("python/dkim_verify.py");
    let output = tokio::process::Command::new("python3")
        .arg(script)
        .arg(&path)
        .arg(dns_name)
        .arg(record)
        .output()
        .await
        .expect("python3 runs");
    let _ = std::fs::remove_file(&path);
    assert!(
        output.status.success(),
        "dkimpy refused the signature ({}):\n--- stdout\n{}\n--- stderr\n{}\n--- message\n{}",
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr),
        String::from_utf8_lossy(&mail.data)
    );
    assert!(
        String::from_utf8_lossy(&output.stdout).contains("dkim_verify: all checks passed"),
        "the script did not reach its end"
    );
    true
}

/// A fresh RSA-2048 key: its private PEM (PKCS#8 or PKCS#1) and its DNS record, made here
/// with the `rsa` crate, independently of the mailer's own `dns_record`.
fn rsa_key(pkcs1: bool) -> (String, String) {
    let mut rng = rsa::rand_core::OsRng;
    let key = rsa::RsaPrivateKey::new(&mut rng, 2048).unwrap();
    let pem = if pkcs1 {
        key.to_pkcs1_pem(LineEnding::LF).unwrap().to_string()
    } else {
        key.to_pkcs8_pem(LineEnding::LF).unwrap().to_string()
    };
    let public = key.to_public_key().to_public_key_der().unwrap();
    let record = format!(
        "v=DKIM1; k=rsa; p={}",
        base64::engine::general_purpose::STANDARD.encode(public.as_bytes())
    );
    (pem, record)
}

async fn verifies_an_rsa_signature(app: &TestApp, pkcs1: bool) -> Received {
    let (pem, record) = rsa_key(pkcs1);
    let dkim = DkimConfig::from_pem("acme.example", "roster2025", pem.as_bytes()).unwrap();
    assert_eq!(
        dkim.dns_record(),
        record,
        "the record the mailer logs is the key's"
    );
    let mail = sent_with(app, &dkim, message_from("news@acme.example")).await;
    let signature = mail
        .header("DKIM-Signature")
        .expect("a DKIM-Signature header");
    assert!(signature.contains("a=rsa-sha256"), "{signature}");
    assert!(
        String::from_utf8_lossy(&mail.data).starts_with("DKIM-Signature: "),
        "the signature is the first header"
    );
    dkimpy_verifies(app, &mail, "roster2025._domainkey.acme.example", &record).await;
    mail
}

async fn dkimpy_verifies_rsa_pkcs8_signatures_and_a_changed_subject_breaks_them(app: TestApp) {
    let mail = verifies_an_rsa_signature(&app, false).await;
    // The message itself is the one the outbox recorded: same Message-ID, parsable.
    let stored = &app
        .store()
        .outbox_messages(
            None,
            roster_domain::PageRequest {
                limit: 10,
                after: None,
            },
        )
        .await
        .unwrap()
        .items[0];
    assert_eq!(mail.message_id(), stored.message_id);
    assert!(mail
        .parsed()
        .subject()
        .unwrap()
        .starts_with("Spring offers"));
}

async fn dkimpy_verifies_rsa_pkcs1_signatures(app: TestApp) {
    verifies_an_rsa_signature(&app, true).await;
}

async fn dkimpy_verifies_ed25519_signatures(app: TestApp) {
    // OpenSSL's `genpkey -algorithm ed25519` output: PKCS#8 v1, without the public key.
    let pem = std::fs::read(fixture("dkim-ed25519.pem")).unwrap();
    // `openssl pkey -pubout -outform DER | tail -c 32 | base64`, computed when it was made.
    let record = "v=DKIM1; k=ed25519; p=v9lARzKR4FP22m5/MOdkDb1E/9rMhGUgyzhn3KdOj0w=";
    let dkim = DkimConfig::from_pem("acme.example", "ed1", &pem).unwrap();
    assert_eq!(dkim.dns_record(), record);
    let mail = sent_with(&app, &dkim, message_from("news@acme.example")).await;
    let signature = mail
        .header("DKIM-Signature")
        .expect("a DKIM-Signature header");
    assert!(signature.contains("a=ed25519-sha256"), "{signature}");
    dkimpy_verifies(&app, &mail, "ed1._domainkey.acme.example", record).await;
}

async fn only_mail_from_the_dkim_domain_or_under_it_is_signed(app: TestApp) {
    let pem = std::fs::read(fixture("dkim-ed25519.pem")).unwrap();
    let dkim = DkimConfig::from_pem("acme.example", "ed1", &pem).unwrap();
    let record = dkim.dns_record();
    let under = sent_with(&app, &dkim, message_from("news@mail.acme.example")).await;
    assert!(under.header("DKIM-Signature").is_some());
    // d= is the DKIM domain; the subdomain's From aligns with it (relaxed DMARC alignment).
    dkimpy_verifies(&app, &under, "ed1._domainkey.acme.example", &record).await;
    for other in ["news@other.example", "news@notacme.example"] {
        let unsigned = sent_with(&app, &dkim, message_from(other)).await;
        assert!(
            unsigned.header("DKIM-Signature").is_none(),
            "mail from {other} was signed"
        );
    }
}

async fn the_envelope_sender_is_the_verp_bounce_address_or_the_system_sender(app: TestApp) {
    // Without --bounce-address: --mail-from's address, whatever the From.
    let id = app
        .mailer()
        .enqueue(message_from("news@acme.example"))
        .await
        .unwrap();
    app.mailer().drain().await.unwrap();
    let plain = app.sink().received().pop().unwrap();
    assert_eq!(plain.mail_from, roster_mailer::DEFAULT_SYSTEM_FROM);
    assert_eq!(
        plain.parsed().from().unwrap().first().unwrap().address(),
        Some("news@acme.example")
    );
    assert_eq!(
        plain.message_id(),
        app.store()
            .outbox_message(id)
            .await
            .unwrap()
            .unwrap()
            .message_id
    );

    // With it: one address per message, naming the outbox message (VERP).
    let bounces = BounceAddress::parse("bounces@mail.roster.test").unwrap();
    let mailer = app.mailer_with(|config| config.bounce_address = Some(bounces.clone()));
    let first = mailer
        .enqueue(message_from("news@acme.example"))
        .await
        .unwrap();
    let second = mailer
        .enqueue(message_from("news@acme.example"))
        .await
        .unwrap();
    assert_eq!(mailer.drain().await.unwrap().sent, 2);
    let received = app.sink().received();
    let senders: Vec<&str> = received[1..].iter().map(|m| m.mail_from.as_str()).collect();
    for id in [first, second] {
        let expected = format!("bounces+{}@mail.roster.test", id.0.simple());
        assert!(
            senders.contains(&expected.as_str()),
            "{expected} not in {senders:?}"
        );
    }
    for sender in senders {
        let named = bounces
            .id_in(sender)
            .expect("the bounce address names a message");
        assert!([first.0, second.0].contains(&named));
    }
}
