//! The simulator's TLS: a throw-away certificate authority generated at start and a server
//! certificate it signed. Terminals pin the CA (`RunningHost::ca_pem`). Certificate
//! generation lives here, in the simulator, so that it never ships in `libunipos`.

use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair, KeyUsagePurpose};
use rustls::pki_types::{PrivateKeyDer, PrivatePkcs8KeyDer};
use rustls::ServerConfig;
use std::sync::Arc;
use thiserror::Error;

/// The test CA could not be made.
#[derive(Debug, Error)]
pub enum TestCaError {
    /// Certificate generation failed.
    #[error("cannot generate the test certificate: {0}")]
    Generate(String),
    /// rustls refused the configuration.
    #[error("TLS configuration refused: {0}")]
    Config(String),
}

/// A throw-away certificate authority and a server certificate it signed.
pub struct TestCa {
    ca_pem: String,
    server: Arc<ServerConfig>,
}

impl std::fmt::Debug for TestCa {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TestCa").finish_non_exhaustive()
    }
}

impl TestCa {
    /// Generates a CA and a server certificate for `names` (DNS names or IP addresses).
    pub fn generate(names: &[&str]) -> Result<TestCa, TestCaError> {
        let gen = |e: rcgen::Error| TestCaError::Generate(e.to_string());
        let ca_key = KeyPair::generate().map_err(gen)?;
        let mut ca_params = CertificateParams::new(Vec::<String>::new()).map_err(gen)?;
        ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        ca_params
            .distinguished_name
            .push(DnType::CommonName, "unipos host simulator test CA");
        ca_params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
        let ca_cert = ca_params.self_signed(&ca_key).map_err(gen)?;
        let issuer = Issuer::new(ca_params, ca_key);

        let server_key = KeyPair::generate().map_err(gen)?;
        let names: Vec<String> = names.iter().map(|s| (*s).to_owned()).collect();
        let mut params = CertificateParams::new(names).map_err(gen)?;
        params
            .distinguished_name
            .push(DnType::CommonName, "unipos host simulator");
        let server_cert = params.signed_by(&server_key, &issuer).map_err(gen)?;

        let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(server_key.serialize_der()));
        let chain = vec![server_cert.der().clone(), ca_cert.der().clone()];
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let server = ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|e| TestCaError::Config(e.to_string()))?
            .with_no_client_auth()
            .with_single_cert(chain, key)
            .map_err(|e| TestCaError::Config(e.to_string()))?;
        Ok(TestCa {
            ca_pem: ca_cert.pem(),
            server: Arc::new(server),
        })
    }

    /// The CA certificate as PEM, for terminals to pin.
    pub fn ca_pem(&self) -> &str {
        &self.ca_pem
    }

    /// The server configuration (certificate chain signed by the CA).
    pub fn server_config(&self) -> Arc<ServerConfig> {
        Arc::clone(&self.server)
    }
}
