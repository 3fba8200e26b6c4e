//! DKIM signing (`--dkim-domain`, `--dkim-selector`, `--dkim-key`): the key, read once from a
//! PEM file (RSA as PKCS#8 or PKCS#1, Ed25519 as PKCS#8), and the signature of an outgoing
//! message, relaxed/relaxed over From, Subject, Date, Message-ID, List-Unsubscribe and
//! List-Unsubscribe-Post. A listed header the message lacks is named in `h=` all the same
//! (RFC 6376 §5.4 allows it): whoever adds it later breaks the signature. Signing uses
//! mail-auth over ring; an RSA signature is CPU work of about a millisecond, so the mailer runs
//! it on tokio's blocking pool.
//!
//! The key never leaves this module: neither `Debug` nor an error message shows it. What may
//! be shown is the DNS record receivers look the signature up with (`dns_record`).

use std::fmt;
use std::path::Path;
use std::sync::Arc;

use base64::Engine as _;
use mail_auth::common::crypto::{Ed25519Key, RsaKey, Sha256, SigningKey};
use mail_auth::common::headers::HeaderWriter;
use mail_auth::dkim::{Canonicalization, DkimSigner, Done};
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{PrivateKeyDer, PrivatePkcs8KeyDer};

/// The headers the signature covers (an absent one as absent).
pub const SIGNED_HEADERS: [&str; 6] = [
    "From",
    "Subject",
    "Date",
    "Message-ID",
    "List-Unsubscribe",
    "List-Unsubscribe-Post",
];

/// Why the DKIM settings cannot be used. Never quotes the key.
#[derive(Debug, thiserror::Error)]
pub enum DkimError {
    #[error("cannot read the DKIM key {path}: {reason}")]
    Unreadable { path: String, reason: String },
    #[error("the DKIM key is not a usable private key: {0}")]
    Key(String),
    #[error("the DKIM {what} {value:?} is not a domain name")]
    Name { what: &'static str, value: String },
    #[error("cannot sign the message: {0}")]
    Sign(String),
}

enum Signer {
    Rsa(DkimSigner<RsaKey<Sha256>, Done>),
    Ed25519(DkimSigner<Ed25519Key, Done>),
}

/// Signs as `selector._domainkey.domain`. Cheap to clone (the key is shared).
#[derive(Clone)]
pub struct DkimConfig {
    domain: String,
    selector: String,
    signer: Arc<Signer>,
    /// The `p=` value of the DNS record: base64 of the public key.
    public_key: String,
}

/// A DNS label sequence as DKIM's `d=` and `s=` take it: letters, digits, hyphens and dots,
/// no empty label. Lowercased, since DNS is case-insensitive and alignment compares names.
fn domain_name(what: &'static str, value: &str) -> Result<String, DkimError> {
    let name = value.trim().trim_end_matches('.').to_ascii_lowercase();
    let valid = !name.is_empty()
        && name.len() <= 253
        && name.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && label
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        });
    if !valid {
        return Err(DkimError::Name {
            what,
            value: value.to_string(),
        });
    }
    Ok(name)
}

fn signer<K: SigningKey>(key: K, domain: &str, selector: &str) -> DkimSigner<K, Done> {
    DkimSigner::from_key(key)
        .domain(domain)
        .selector(selector)
        .headers(SIGNED_HEADERS)
        .header_canonicalization(Canonicalization::Relaxed)
        .body_canonicalization(Canonicalization::Relaxed)
}

/// DER length octets.
fn der_length(length: usize) -> Vec<u8> {
    if length < 0x80 {
        return vec![length as u8];
    }
    let bytes: Vec<u8> = length
        .to_be_bytes()
        .into_iter()
        .skip_while(|byte| *byte == 0)
        .collect();
    let mut octets = vec![0x80 | bytes.len() as u8];
    octets.extend(bytes);
    octets
}

/// An RSA public key (PKCS#1 `RSAPublicKey`, as ring gives it) as the SubjectPublicKeyInfo
/// that RFC 6376's `p=` holds.
fn rsa_subject_public_key_info(pkcs1: &[u8]) -> Vec<u8> {
    // AlgorithmIdentifier { rsaEncryption (1.2.840.113549.1.1.1), NULL }
    const RSA_ALGORITHM: [u8; 15] = [
        0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01, 0x05, 0x00,
    ];
    let mut bit_string = vec![0x03];
    bit_string.extend(der_length(pkcs1.len() + 1));
    bit_string.push(0); // no unused bits
    bit_string.extend_from_slice(pkcs1);
    let mut info = vec![0x30];
    info.extend(der_length(RSA_ALGORITHM.len() + bit_string.len()));
    info.extend_from_slice(&RSA_ALGORITHM);
    info.extend(bit_string);
    info
}

impl DkimConfig {
    /// Reads the key at `key_path` (PEM).
    pub fn load(domain: &str, selector: &str, key_path: &Path) -> Result<Self, DkimError> {
        let pem = std::fs::read(key_path).map_err(|error| DkimError::Unreadable {
            path: key_path.display().to_string(),
            reason: error.to_string(),
        })?;
        Self::from_pem(domain, selector, &pem)
    }

    /// The key from PEM text: `RSA PRIVATE KEY` (PKCS#1) or `PRIVATE KEY` (PKCS#8, RSA or
    /// Ed25519). ring takes RSA keys of 2048 to 4096 bits.
    pub fn from_pem(domain: &str, selector: &str, pem: &[u8]) -> Result<Self, DkimError> {
        let domain = domain_name("domain", domain)?;
        let selector = domain_name("selector", selector)?;
        let key = PrivateKeyDer::from_pem_slice(pem)
            .map_err(|error| DkimError::Key(format!("no PEM private key found ({error})")))?;
        let template = |key| signer(key, &domain, &selector);
        let template_ed25519 = |key| signer(key, &domain, &selector);
        let base64 = |bytes: &[u8]| base64::engine::general_purpose::STANDARD.encode(bytes);
        let (signer, public_key) = match key {
            PrivateKeyDer::Pkcs1(_) => {
                let rsa = RsaKey::<Sha256>::from_key_der(key)
                    .map_err(|error| DkimError::Key(format!("RSA: {error}")))?;
                let public_key = base64(&rsa_subject_public_key_info(&rsa.public_key()));
                (Signer::Rsa(template(rsa)), public_key)
            }
            PrivateKeyDer::Pkcs8(pkcs8) => {
                let der = pkcs8.secret_pkcs8_der().to_vec();
                match RsaKey::<Sha256>::from_key_der(PrivateKeyDer::Pkcs8(
                    PrivatePkcs8KeyDer::from(der.clone()),
                )) {
                    Ok(rsa) => {
                        let public_key = base64(&rsa_subject_public_key_info(&rsa.public_key()));
                        (Signer::Rsa(template(rsa)), public_key)
                    }
                    Err(rsa_error) => {
                        // OpenSSL writes PKCS#8 v1 (no public key inside), which ring's
                        // checked constructor refuses; the public key is derived instead.
                        let ed25519 = Ed25519Key::from_pkcs8_maybe_unchecked_der(&der).map_err(
                            |ed25519_error| {
                                DkimError::Key(format!(
                                    "neither RSA ({rsa_error}) nor Ed25519 ({ed25519_error})"
                                ))
                            },
                        )?;
                        let public_key = base64(&ed25519.public_key());
                        (Signer::Ed25519(template_ed25519(ed25519)), public_key)
                    }
                }
            }
            _ => {
                return Err(DkimError::Key(
                    "an EC (SEC1) key; DKIM signs with RSA or Ed25519".into(),
                ))
            }
        };
        Ok(Self {
            domain,
            selector,
            signer: Arc::new(signer),
            public_key,
        })
    }

    pub fn domain(&self) -> &str {
        &self.domain
    }

    pub fn selector(&self) -> &str {
        &self.selector
    }

    /// Whether mail from `from_domain` is signed, and its signature aligned for DMARC: the
    /// From domain is the DKIM domain or under it (`news.acme.example` under `acme.example`).
    /// Mail from other domains goes out unsigned, and receivers with DMARC `p=reject` for
    /// that domain refuse it unless another signature covers it.
    pub fn aligned(&self, from_domain: &str) -> bool {
        domain_aligned(&self.domain, from_domain)
    }

    /// Where receivers look the key up: `selector._domainkey.domain`.
    pub fn dns_name(&self) -> String {
        format!("{}._domainkey.{}", self.selector, self.domain)
    }

    /// The TXT record to publish at `dns_name()`: `v=DKIM1; k=rsa; p=…` (or `k=ed25519`).
    pub fn dns_record(&self) -> String {
        let kind = match *self.signer {
            Signer::Rsa(_) => "rsa",
            Signer::Ed25519(_) => "ed25519",
        };
        format!("v=DKIM1; k={kind}; p={}", self.public_key)
    }

    /// The `DKIM-Signature: …` header (folded, ending in CRLF) for `message`, the whole
    /// RFC 5322 message as it goes to the relay. Blocking CPU work: call it off the async
    /// workers (`tokio::task::spawn_blocking`).
    pub fn signature_header(&self, message: &[u8]) -> Result<String, DkimError> {
        let signature = match &*self.signer {
            Signer::Rsa(signer) => signer.sign(message),
            Signer::Ed25519(signer) => signer.sign(message),
        };
        signature
            .map(|signature| signature.to_header())
            .map_err(|error| DkimError::Sign(error.to_string()))
    }
}

impl fmt::Debug for DkimConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The key stays out: only what the DNS already shows.
        f.debug_struct("DkimConfig")
            .field("domain", &self.domain)
            .field("selector", &self.selector)
            .field("record", &self.dns_record())
            .finish()
    }
}

/// Whether mail from `from_domain` is signed under `dkim_domain`: the same domain or one under
/// it (case and a trailing dot aside). `DkimConfig::aligned`, and `roster campaigns show`,
/// which knows the domain but not the key.
pub fn domain_aligned(dkim_domain: &str, from_domain: &str) -> bool {
    let normal = |domain: &str| domain.trim().trim_end_matches('.').to_ascii_lowercase();
    let (dkim, from) = (normal(dkim_domain), normal(from_domain));
    from == dkim
        || from
            .strip_suffix(&dkim)
            .is_some_and(|parent| parent.ends_with('.'))
}

/// What `roster campaigns show` and the scheduling warning say when a campaign's From domain is
/// not the DKIM domain or under it.
pub const NOT_ALIGNED: &str =
    "From domain not aligned: receivers with DMARC p=reject will refuse it";

#[cfg(test)]
mod tests {
    use super::*;

    /// An Ed25519 PKCS#8 key as ring writes it (v2, with the public key).
    fn ed25519_pem() -> Vec<u8> {
        let der = Ed25519Key::generate_pkcs8().unwrap();
        let body = base64::engine::general_purpose::STANDARD.encode(der);
        format!("-----BEGIN PRIVATE KEY-----\n{body}\n-----END PRIVATE KEY-----\n").into_bytes()
    }

    #[test]
    fn alignment_is_the_domain_or_under_it() {
        let dkim = DkimConfig::from_pem("Acme.Example", "s1", &ed25519_pem()).unwrap();
        assert_eq!(dkim.domain(), "acme.example");
        for aligned in [
            "acme.example",
            "ACME.example",
            "news.acme.example",
            "a.b.acme.example",
        ] {
            assert!(dkim.aligned(aligned), "{aligned}");
        }
        for unaligned in [
            "example",
            "notacme.example",
            "acme.example.org",
            "acme.exampl",
            "",
        ] {
            assert!(!dkim.aligned(unaligned), "{unaligned}");
        }
        assert_eq!(dkim.dns_name(), "s1._domainkey.acme.example");
    }

    #[test]
    fn signs_the_listed_headers_relaxed_and_never_shows_the_key() {
        let pem = ed25519_pem();
        let dkim = DkimConfig::from_pem("acme.example", "s1", &pem).unwrap();
        assert!(dkim.dns_record().starts_with("v=DKIM1; k=ed25519; p="));
        let message = b"From: News <news@acme.example>\r\nTo: jo@example.com\r\n\
            Subject: Hello\r\nMessage-ID: <1@acme.example>\r\n\r\nBody.\r\n";
        let header = dkim.signature_header(message).unwrap();
        assert!(
            header.starts_with("DKIM-Signature: v=1; a=ed25519-sha256;"),
            "{header}"
        );
        assert!(header.ends_with("\r\n"));
        let unfolded = header.replace("\r\n\t", " ");
        assert!(unfolded.contains("c=relaxed/relaxed"), "{unfolded}");
        assert!(unfolded.contains("d=acme.example"), "{unfolded}");
        assert!(unfolded.contains("s=s1"), "{unfolded}");
        // The listed headers, those absent too (so adding one later breaks the signature),
        // and no other: To is not signed.
        let mut signed: Vec<String> = unfolded
            .split(';')
            .find_map(|tag| tag.trim().strip_prefix("h="))
            .unwrap()
            .split(':')
            .map(|name| name.trim().to_ascii_lowercase())
            .collect();
        signed.sort();
        let mut listed: Vec<String> = SIGNED_HEADERS.iter().map(|h| h.to_lowercase()).collect();
        listed.sort();
        assert_eq!(signed, listed);
        let secret = String::from_utf8(pem).unwrap();
        let secret_body = secret.lines().nth(1).unwrap();
        assert!(!format!("{dkim:?}").contains(secret_body));
    }

    #[test]
    fn refuses_what_is_not_a_key_or_a_name() {
        let not_a_key = DkimConfig::from_pem("acme.example", "s1", b"hello").unwrap_err();
        assert!(matches!(not_a_key, DkimError::Key(_)), "{not_a_key}");
        let garbage = b"-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n";
        assert!(matches!(
            DkimConfig::from_pem("acme.example", "s1", garbage),
            Err(DkimError::Key(_))
        ));
        for (domain, selector) in [("", "s1"), ("acme..example", "s1"), ("acme.example", "a b")] {
            assert!(matches!(
                DkimConfig::from_pem(domain, selector, &ed25519_pem()),
                Err(DkimError::Name { .. })
            ));
        }
        let missing = DkimConfig::load("acme.example", "s1", Path::new("/nonexistent/key.pem"));
        assert!(matches!(missing, Err(DkimError::Unreadable { .. })));
    }

    #[test]
    fn der_lengths_use_the_long_form_past_127() {
        assert_eq!(der_length(5), [5]);
        assert_eq!(der_length(127), [127]);
        assert_eq!(der_length(128), [0x81, 128]);
        assert_eq!(der_length(270), [0x82, 1, 14]);
    }
}
