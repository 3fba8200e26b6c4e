//! TLS for `roster serve --tls-cert --tls-key`: TLS 1.2 and 1.3 only, AEAD cipher suites only
//! (AES-GCM and ChaCha20-Poly1305), as the V3 overview requires "TLS 1.2 with AES or better".

use std::sync::Arc;

use anyhow::{anyhow, Context};
use rustls::crypto::ring;
use rustls::ServerConfig;

pub fn server_config(cert_pem: &[u8], key_pem: &[u8]) -> anyhow::Result<Arc<ServerConfig>> {
    let certs = rustls_pemfile::certs(&mut &*cert_pem)
        .collect::<Result<Vec<_>, _>>()
        .context("cannot read the TLS certificate file")?;
    if certs.is_empty() {
        return Err(anyhow!("the TLS certificate file holds no certificate"));
    }
    let key = rustls_pemfile::private_key(&mut &*key_pem)
        .context("cannot read the TLS key file")?
        .ok_or_else(|| anyhow!("the TLS key file holds no private key"))?;
    // ring's default suites are exactly the AEAD ones (AES-128/256-GCM, ChaCha20-Poly1305).
    let provider = Arc::new(ring::default_provider());
    let mut config = ServerConfig::builder_with_provider(provider)
        .with_protocol_versions(&[&rustls::version::TLS13, &rustls::version::TLS12])
        .context("cannot configure TLS versions")?
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .context("the TLS certificate and key do not form a usable pair")?;
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(Arc::new(config))
}
