//! Session resumption cannot get around the pins.
//!
//! rustls does not call the verifier when a session resumes: the resumed session proves the
//! server holds the secrets of an earlier handshake that *was* verified. The first test shows
//! the pinned server resumes without a new check, and that a server with another key is checked
//! in full (it could not resume anyway: it lacks the session's secrets). The second is the one
//! that depends on the verifier: configurations sharing one session store, where a session
//! made under one set of pins must not be resumed under another (rustls >= 0.23.24 keys
//! resumption on the verifier object).

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use certpin_rustls::{FailureReason, PinFailure, PinnedVerifier};
use common::*;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::client::{ClientSessionMemoryCache, Resumption};
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

#[test]
fn a_session_made_under_other_pins_is_not_resumed_from_a_shared_store() {
    let ca = root("test root", Alg::P256);
    let leaf = issue("localhost", &["localhost"], Alg::P256, false, &ca);
    for (vname, version) in VERSIONS {
        let counting = |pins: &[String]| Arc::new(Counting(pin_only(pins), AtomicUsize::new(0)));
        let matching = counting(&[leaf.pin(), UNRELATED.into()]);
        let other = counting(&[
            UNRELATED.into(),
            "sha256//IiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiI=".into(),
        ]);
        let mut first = rustls::ClientConfig::builder_with_provider(provider())
            .with_protocol_versions(&[version])
            .unwrap()
            .dangerous()
            .with_custom_certificate_verifier(matching.clone())
            .with_no_client_auth();
        first.resumption = Resumption::store(Arc::new(ClientSessionMemoryCache::new(16)));
        // Clones share the store and the client-certificate resolver (rustls also requires
        // the same resolver to resume), so only the verifier differs.
        let same = first.clone();
        let mut other_pins = first.clone();
        other_pins
            .dangerous()
            .set_certificate_verifier(other.clone());
        let server = RustlsServer::start(vec![leaf.der.clone()], leaf.key_der(), version);

        // The matching pins accept, and the session goes into the shared store.
        assert!(connect_with(Arc::new(first), server.addr, "localhost", true).accepted());
        // Control: another configuration with the same verifier and store resumes, so the
        // store is shared and the server resumes; only the verifier can stop what follows.
        assert!(connect_with(Arc::new(same), server.addr, "localhost", true).accepted());
        assert_eq!(matching.1.load(Ordering::SeqCst), 1, "{vname}: resumed");

        // Other pins, same store, same server: a full handshake, checked and refused.
        let out = connect_with(Arc::new(other_pins), server.addr, "localhost", true);
        let failure = PinFailure::from_rustls_error(out.error())
            .unwrap_or_else(|| panic!("{vname}: not a pin failure: {out:?}"));
        assert_eq!(failure.reason, FailureReason::NoPinMatched, "{vname}");
        assert_eq!(other.1.load(Ordering::SeqCst), 1, "{vname}: checked");
        assert_eq!(
            server.received(),
            [REQUEST, REQUEST].concat(),
            "{vname}: the refused connection sent nothing"
        );
        assert_eq!(
            *server.handshakes.lock().unwrap(),
            vec![false, true, false],
            "{vname}: only the control resumed"
        );
    }
}
