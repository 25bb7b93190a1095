//! HTTPS served by the node itself (`[tls]` in oanode.toml): the PEM files are checked at start
//! (one sentence naming the file that is wrong, before the store is opened), and `oanode backup`
//! reaches such a node over TLS, trusting exactly the certificate the node serves (its SHA-256 is
//! in the owner-only control file), whatever name the certificate was made for.
//!
//! Rocket's own TLS listener serves the connections (rustls with the ring provider); this file
//! does not name rocket, so the CLI uses it too.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::Path;
use std::sync::Arc;

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::CryptoProvider;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName, UnixTime};
use rustls::{ClientConfig, ClientConnection, DigitallySignedStruct, SignatureScheme, StreamOwned};
use sha2::{Digest, Sha256};

/// The crypto provider rocket's listener uses; named explicitly because a build may have more
/// than one compiled in (then rustls has no default).
fn provider() -> Arc<CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

/// Checks that the certificate chain and the key can be read, parsed and used together, as the
/// listener will at launch; answers the SHA-256 (hex) of the node's own certificate, the first
/// of the chain.
pub fn check_files(certs: &Path, key: &Path) -> Result<String, String> {
    let read = |path: &Path, what: &str| {
        std::fs::read(path)
            .map_err(|e| format!("cannot read the TLS {what} file {}: {e}", path.display()))
    };
    let cert_pem = read(certs, "certificate")?;
    let key_pem = read(key, "key")?;
    let chain: Vec<CertificateDer<'static>> = CertificateDer::pem_slice_iter(&cert_pem)
        .collect::<Result<_, _>>()
        .map_err(|e| {
            format!(
                "the TLS certificate file {} is not valid PEM: {e}",
                certs.display()
            )
        })?;
    let Some(own) = chain.first() else {
        return Err(format!(
            "the TLS certificate file {} holds no PEM certificate",
            certs.display()
        ));
    };
    let fingerprint = hex::encode(Sha256::digest(own.as_ref()));
    let key_der = PrivateKeyDer::from_pem_slice(&key_pem).map_err(|e| {
        format!(
            "the TLS key file {} holds no usable PEM private key (PKCS#8, RSA or SEC1): {e}",
            key.display()
        )
    })?;
    rustls::ServerConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .map_err(|e| format!("TLS: {e}"))?
        .with_no_client_auth()
        .with_single_cert(chain, key_der)
        .map_err(|e| {
            format!(
                "the TLS key file {} does not fit the certificate in {}: {e}",
                key.display(),
                certs.display()
            )
        })?;
    Ok(fingerprint)
}

/// A TLS connection to the node at `addr` that accepts only the certificate whose SHA-256 is
/// `fingerprint` (hex): the control file says which one the node serves.
pub fn connect_pinned(
    addr: SocketAddr,
    fingerprint: &str,
    timeout: std::time::Duration,
) -> std::io::Result<StreamOwned<ClientConnection, TcpStream>> {
    let provider = provider();
    let config = ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .map_err(std::io::Error::other)?
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(Pinned {
            fingerprint: fingerprint.to_ascii_lowercase(),
            provider,
        }))
        .with_no_client_auth();
    let conn = ClientConnection::new(Arc::new(config), ServerName::from(addr.ip()))
        .map_err(std::io::Error::other)?;
    let tcp = TcpStream::connect(addr)?;
    tcp.set_read_timeout(Some(timeout))?;
    let mut stream = StreamOwned::new(conn, tcp);
    // Complete the handshake now, so that a wrong certificate is an error here.
    while stream.conn.is_handshaking() {
        stream.conn.complete_io(&mut stream.sock)?;
    }
    Ok(stream)
}

/// Writes `request` and reads the answer until the server closes; a close without TLS's
/// close_notify after a complete answer is not an error.
pub fn exchange(stream: &mut (impl Read + Write), request: &[u8]) -> std::io::Result<Vec<u8>> {
    stream.write_all(request)?;
    stream.flush()?;
    let mut answer = Vec::new();
    match stream.read_to_end(&mut answer) {
        Ok(_) => Ok(answer),
        Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof && !answer.is_empty() => Ok(answer),
        Err(e) => Err(e),
    }
}

/// Trusts one certificate, by its SHA-256, and checks that the server holds its key.
#[derive(Debug)]
struct Pinned {
    fingerprint: String,
    provider: Arc<CryptoProvider>,
}

impl ServerCertVerifier for Pinned {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        if hex::encode(Sha256::digest(end_entity.as_ref())) == self.fingerprint {
            Ok(ServerCertVerified::assertion())
        } else {
            Err(rustls::Error::General(
                "the node serves another certificate than the control file names".into(),
            ))
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.provider
            .signature_verification_algorithms
            .supported_schemes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pair(dir: &Path, name: &str) -> (std::path::PathBuf, std::path::PathBuf, String) {
        let ck = rcgen::generate_simple_self_signed(vec!["localhost".to_string()]).unwrap();
        let (certs, key) = (
            dir.join(format!("{name}.crt")),
            dir.join(format!("{name}.key")),
        );
        std::fs::write(&certs, ck.cert.pem()).unwrap();
        std::fs::write(&key, ck.signing_key.serialize_pem()).unwrap();
        (certs, key, hex::encode(Sha256::digest(ck.cert.der())))
    }

    #[test]
    fn a_usable_pair_gives_the_certificate_fingerprint() {
        let dir = tempfile::tempdir().unwrap();
        let (certs, key, sha) = pair(dir.path(), "a");
        assert_eq!(check_files(&certs, &key), Ok(sha));
    }

    #[test]
    fn each_refusal_names_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let (certs, key, _) = pair(dir.path(), "a");
        let (_, other_key, _) = pair(dir.path(), "b");
        let missing = dir.path().join("missing.pem");
        let junk = dir.path().join("junk.pem");
        std::fs::write(&junk, "not a certificate\n").unwrap();
        let cases = [
            (
                &missing,
                &key,
                "cannot read the TLS certificate file",
                &missing,
            ),
            (&certs, &missing, "cannot read the TLS key file", &missing),
            (&junk, &key, "holds no PEM certificate", &junk),
            (&certs, &junk, "holds no usable PEM private key", &junk),
            (&key, &key, "holds no PEM certificate", &key),
            (&certs, &certs, "holds no usable PEM private key", &certs),
            (
                &certs,
                &other_key,
                "does not fit the certificate",
                &other_key,
            ),
        ];
        for (c, k, says, names) in cases {
            let err = check_files(c, k).unwrap_err();
            assert!(err.contains(says), "{err}");
            assert!(err.contains(&names.display().to_string()), "{err}");
        }
    }
}
