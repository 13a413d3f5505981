//! TLS for the smart-POS HTTPS path: client configurations that trust the pinned CA only,
//! never the system roots, on the ring provider. (The test CA the simulator serves with lives
//! in `unipos-hostsim`, so that certificate generation never ships in `libunipos`.)

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::client::WebPkiServerVerifier;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{ClientConfig, DigitallySignedStruct, RootCertStore, SignatureScheme};
use std::sync::Arc;
use thiserror::Error;

/// TLS set-up failed.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum TlsSetupError {
    /// The pinned CA is not a usable PEM certificate.
    #[error("the pinned CA certificate is not valid PEM: {0}")]
    BadCa(String),
    /// The server name is neither a DNS name nor an IP address.
    #[error("{0:?} is not a valid TLS server name")]
    ServerName(String),
    /// rustls refused the configuration.
    #[error("TLS configuration refused: {0}")]
    Config(String),
}

fn provider() -> Arc<rustls::crypto::CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

/// Verifies against the configured server name rather than the name the connection was opened
/// with. They are the same for a DNS server name; for an IP server name the connection is
/// opened to the configured address (which may be a fallback), and the certificate must still
/// carry the pinned name.
#[derive(Debug)]
struct PinnedName {
    inner: Arc<WebPkiServerVerifier>,
    name: ServerName<'static>,
}

impl ServerCertVerifier for PinnedName {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        _presented: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        self.inner
            .verify_server_cert(end_entity, intermediates, &self.name, ocsp_response, now)
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.inner.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.inner.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.inner.supported_verify_schemes()
    }
}

fn roots(ca_pem: &str) -> Result<RootCertStore, TlsSetupError> {
    let mut roots = RootCertStore::empty();
    for cert in CertificateDer::pem_slice_iter(ca_pem.as_bytes()) {
        let cert = cert.map_err(|e| TlsSetupError::BadCa(e.to_string()))?;
        roots
            .add(cert)
            .map_err(|e| TlsSetupError::BadCa(e.to_string()))?;
    }
    if roots.is_empty() {
        return Err(TlsSetupError::BadCa("no certificate found".into()));
    }
    Ok(roots)
}

/// A client configuration that trusts exactly the CA(s) in `ca_pem` and accepts only a
/// certificate for `server_name`.
pub fn pinned_client_config(
    ca_pem: &str,
    server_name: &str,
) -> Result<ClientConfig, TlsSetupError> {
    let name = ServerName::try_from(server_name.to_owned())
        .map_err(|_| TlsSetupError::ServerName(server_name.to_owned()))?;
    let provider = provider();
    let inner =
        WebPkiServerVerifier::builder_with_provider(Arc::new(roots(ca_pem)?), provider.clone())
            .build()
            .map_err(|e| TlsSetupError::Config(e.to_string()))?;
    let config = ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| TlsSetupError::Config(e.to_string()))?
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(PinnedName { inner, name }))
        .with_no_client_auth();
    Ok(config)
}

/// For plain-HTTP clients, which never use TLS: trusts nothing, so it can never be a way
/// around the pin. (reqwest wants a TLS configuration for every client it builds.)
pub(crate) fn trust_nothing() -> Result<ClientConfig, TlsSetupError> {
    Ok(ClientConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .map_err(|e| TlsSetupError::Config(e.to_string()))?
        .with_root_certificates(RootCertStore::empty())
        .with_no_client_auth())
}
