//! Session resumption cannot get around the pins.
//!
//! rustls does not call the verifier when a session resumes: the resumed session proves the
//! server holds the secrets of an earlier handshake that *was* verified. These tests check both
//! halves: the pinned server resumes without a new check, and a server with another key at the
//! same name cannot resume the session and is checked (and refused) in full.

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use certpin_rustls::PinnedVerifier;
use common::*;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{DigitallySignedStruct, SignatureScheme};

/// Counts how often rustls asks for a certificate check.
#[derive(Debug)]
struct Counting(Arc<PinnedVerifier>, AtomicUsize);

impl ServerCertVerifier for Counting {
    fn verify_server_cert(
        &self,
        ee: &CertificateDer<'_>,
        im: &[CertificateDer<'_>],
        name: &ServerName<'_>,
        ocsp: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        self.1.fetch_add(1, Ordering::SeqCst);
        self.0.verify_server_cert(ee, im, name, ocsp, now)
    }
    fn verify_tls12_signature(
        &self,
        m: &[u8],
        c: &CertificateDer<'_>,
        d: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.0.verify_tls12_signature(m, c, d)
    }
    fn verify_tls13_signature(
        &self,
        m: &[u8],
        c: &CertificateDer<'_>,
        d: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.0.verify_tls13_signature(m, c, d)
    }
    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.supported_verify_schemes()
    }
}

#[test]
fn resumption_reuses_only_a_pinned_session() {
    let ca = root("test root", Alg::P256);
    let pinned = issue("localhost", &["localhost"], Alg::P256, false, &ca);
    let impostor = issue("localhost", &["localhost"], Alg::P256, false, &ca);
    for (vname, version) in VERSIONS {
        let verifier = PinnedVerifier::pin_only(provider())
            .pin(
                "localhost",
                [
                    pinned.pin(),
                    "sha256//ERERERERERERERERERERERERERERERERERERERERERE=".into(),
                ],
            )
            .unwrap()
            .build()
            .unwrap();
        let counting = Arc::new(Counting(verifier, AtomicUsize::new(0)));
        let config = Arc::new(
            rustls::ClientConfig::builder_with_provider(provider())
                .with_protocol_versions(&[version])
                .unwrap()
                .dangerous()
                .with_custom_certificate_verifier(counting.clone())
                .with_no_client_auth(),
        );
        let server = RustlsServer::start(vec![pinned.der.clone()], pinned.key_der(), version);
        assert!(connect_with(config.clone(), server.addr, "localhost", true).accepted());
        assert!(connect_with(config.clone(), server.addr, "localhost", true).accepted());
        std::thread::sleep(std::time::Duration::from_millis(100));
        assert_eq!(
            *server.handshakes.lock().unwrap(),
            vec![false, true],
            "{vname}: second one resumed"
        );
        assert_eq!(
            counting.1.load(Ordering::SeqCst),
            1,
            "{vname}: checked once, resumed once"
        );

        // Same name, another key: the cached session is useless to it, so a full handshake
        // runs, the pins are checked, and nothing is sent.
        let fake = RustlsServer::start(vec![impostor.der.clone()], impostor.key_der(), version);
        let out = connect_with(config.clone(), fake.addr, "localhost", true);
        assert!(
            certpin_rustls::PinFailure::from_rustls_error(out.error()).is_some(),
            "{vname}"
        );
        assert!(fake.received().is_empty());
        assert_eq!(counting.1.load(Ordering::SeqCst), 2, "{vname}");
    }
}
