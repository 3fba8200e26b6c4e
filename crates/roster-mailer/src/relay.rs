//! The relay URL (`--smtp-url`) and the lettre transport built from it. Roster's own URL rules,
//! not lettre's: plain `smtp://` means STARTTLS *required*, so a mistyped URL never sends mail
//! or credentials in clear; clear text must be asked for with `?tls=none`.

use std::fmt;
use std::time::Duration;

use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Tls, TlsParameters};
use lettre::transport::smtp::PoolConfig;
use lettre::{AsyncSmtpTransport, Tokio1Executor};

/// How the connection to the relay is secured.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RelaySecurity {
    /// `smtps://`: TLS from the first byte (port 465 by default).
    ImplicitTls,
    /// `smtp://`: STARTTLS, refused if the relay does not offer it (port 587 by default).
    StartTlsRequired,
    /// `smtp://…?tls=opportunistic`: STARTTLS when offered, clear text otherwise.
    StartTlsOpportunistic,
    /// `smtp://…?tls=none`: clear text, for a relay on the same host or a test sink.
    None,
}

/// A parsed `--smtp-url`. Its `Display` hides the password.
#[derive(Clone, PartialEq, Eq)]
pub struct RelayUrl {
    pub host: String,
    pub port: u16,
    pub security: RelaySecurity,
    pub username: Option<String>,
    password: Option<String>,
}

#[derive(Debug, thiserror::Error)]
#[error("invalid SMTP URL: {0}")]
pub struct InvalidRelayUrl(String);

impl RelayUrl {
    /// `smtp://[user[:password]@]host[:port][?tls=required|opportunistic|none]` or
    /// `smtps://[user[:password]@]host[:port]`; user and password percent-encoded.
    pub fn parse(text: &str) -> Result<Self, InvalidRelayUrl> {
        let url = url::Url::parse(text).map_err(|e| InvalidRelayUrl(e.to_string()))?;
        let tls = url
            .query_pairs()
            .find(|(key, _)| key == "tls")
            .map(|(_, value)| value.into_owned());
        if let Some((key, _)) = url.query_pairs().find(|(key, _)| key != "tls") {
            return Err(InvalidRelayUrl(format!("unknown parameter {key}")));
        }
        let security = match (url.scheme(), tls.as_deref()) {
            ("smtps", None) => RelaySecurity::ImplicitTls,
            ("smtp", None | Some("required")) => RelaySecurity::StartTlsRequired,
            ("smtp", Some("opportunistic")) => RelaySecurity::StartTlsOpportunistic,
            ("smtp", Some("none")) => RelaySecurity::None,
            ("smtps", Some(_)) => {
                return Err(InvalidRelayUrl(
                    "smtps:// is always TLS; tls= applies to smtp:// only".into(),
                ))
            }
            ("smtp", Some(other)) => {
                return Err(InvalidRelayUrl(format!(
                    "tls={other}: expected required, opportunistic or none"
                )))
            }
            (scheme, _) => {
                return Err(InvalidRelayUrl(format!(
                    "the scheme must be smtp or smtps, not {scheme}"
                )))
            }
        };
        let host = url
            .host_str()
            .filter(|h| !h.is_empty())
            .ok_or_else(|| InvalidRelayUrl("the URL names no host".into()))?
            .trim_start_matches('[')
            .trim_end_matches(']')
            .to_string();
        let port = url.port().unwrap_or(match security {
            RelaySecurity::ImplicitTls => 465,
            _ => 587,
        });
        let decode = |text: &str| {
            percent_encoding::percent_decode_str(text)
                .decode_utf8_lossy()
                .into_owned()
        };
        let username = (!url.username().is_empty()).then(|| decode(url.username()));
        let password = url.password().map(decode);
        if password.is_some() && username.is_none() {
            return Err(InvalidRelayUrl("a password needs a user name".into()));
        }
        Ok(Self {
            host,
            port,
            security,
            username,
            password,
        })
    }

    /// The lettre transport for this relay, with a connection pool sized for `concurrency`.
    /// Public for the benchmark harness, whose baseline sends through the same client.
    pub fn transport(
        &self,
        timeout: Duration,
        concurrency: usize,
    ) -> Result<AsyncSmtpTransport<Tokio1Executor>, lettre::transport::smtp::Error> {
        let parameters = || TlsParameters::new(self.host.clone());
        let tls = match self.security {
            RelaySecurity::ImplicitTls => Tls::Wrapper(parameters()?),
            RelaySecurity::StartTlsRequired => Tls::Required(parameters()?),
            RelaySecurity::StartTlsOpportunistic => Tls::Opportunistic(parameters()?),
            RelaySecurity::None => Tls::None,
        };
        let mut builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&self.host)
            .port(self.port)
            .tls(tls)
            .timeout(Some(timeout))
            .pool_config(PoolConfig::new().max_size(concurrency.max(1) as u32));
        if let Some(username) = &self.username {
            builder = builder.credentials(Credentials::new(
                username.clone(),
                self.password.clone().unwrap_or_default(),
            ));
        }
        Ok(builder.build())
    }
}

impl fmt::Display for RelayUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let scheme = match self.security {
            RelaySecurity::ImplicitTls => "smtps",
            _ => "smtp",
        };
        write!(f, "{scheme}://")?;
        if let Some(username) = &self.username {
            write!(f, "{username}")?;
            if self.password.is_some() {
                f.write_str(":***")?;
            }
            f.write_str("@")?;
        }
        write!(f, "{}:{}", self.host, self.port)?;
        match self.security {
            RelaySecurity::StartTlsOpportunistic => f.write_str("?tls=opportunistic"),
            RelaySecurity::None => f.write_str("?tls=none"),
            _ => Ok(()),
        }
    }
}

impl fmt::Debug for RelayUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "RelayUrl({self})")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn smtp_means_starttls_required_unless_told_otherwise() {
        let url = RelayUrl::parse("smtp://mail.example.com").unwrap();
        assert_eq!(url.security, RelaySecurity::StartTlsRequired);
        assert_eq!(url.port, 587);
        assert_eq!(
            RelayUrl::parse("smtp://localhost:2525?tls=none")
                .unwrap()
                .security,
            RelaySecurity::None
        );
        assert_eq!(
            RelayUrl::parse("smtp://h.example?tls=opportunistic")
                .unwrap()
                .security,
            RelaySecurity::StartTlsOpportunistic
        );
        let smtps = RelayUrl::parse("smtps://h.example").unwrap();
        assert_eq!(
            (smtps.security, smtps.port),
            (RelaySecurity::ImplicitTls, 465)
        );
    }

    #[test]
    fn credentials_are_decoded_and_never_printed() {
        let url = RelayUrl::parse("smtps://us%40er:p%40ss%2Bw@mail.example.com:2465").unwrap();
        assert_eq!(url.username.as_deref(), Some("us@er"));
        assert_eq!(url.password.as_deref(), Some("p@ss+w"));
        assert_eq!(url.to_string(), "smtps://us@er:***@mail.example.com:2465");
        assert!(!format!("{url:?}").contains("p@ss"));
    }

    #[test]
    fn refuses_what_it_does_not_understand() {
        for bad in [
            "http://mail.example.com",
            "smtp://",
            "smtp://h.example?tls=maybe",
            "smtps://h.example?tls=none",
            "smtp://h.example?timeout=3",
            "not a url",
        ] {
            assert!(RelayUrl::parse(bad).is_err(), "{bad} was accepted");
        }
    }
}
