//! Report-only mode enforces everything but the pins: a server with an unknown issuer, the
//! wrong name or a handshake signature its certificate did not make is still refused, with
//! zero bytes of application data received. The failure hook gets pin failures only, so chain
//! and name failures (checked before the pins, or refused whatever the pins say) never reach
//! it. Each case runs over TLS 1.3 and 1.2, against a control: the same verifier accepts the
//! good server and reports its pin mismatch, so a silent hook is not a broken hook.

mod common;

use std::sync::{Arc, Mutex};

use certpin_rustls::{FailureReason, PinFailure, PinnedVerifier};
use common::*;
use rustls::{CertificateError, RootCertStore};

type Reports = Arc<Mutex<Vec<PinFailure>>>;

/// A report-only WebPKI verifier trusting `ca`, with `pins` for localhost; its reports go
/// to the returned list.
fn report_only(ca: &Issued, pins: &[String]) -> (Arc<PinnedVerifier>, Reports) {
    let reports: Reports = Arc::default();
    let sink = reports.clone();
    let mut roots = RootCertStore::empty();
    roots.add(ca.der.clone()).unwrap();
    let verifier = PinnedVerifier::webpki(roots.into(), provider())
        .pin("localhost", pins)
        .unwrap()
        .report_only()
        .on_failure(move |f| sink.lock().unwrap().push(f.clone()))
        .build()
        .unwrap();
    (verifier, reports)
}

/// Refused for `want` (not a pin failure), nothing sent, and `hook_calls` reports.
fn assert_refused(
    what: &str,
    out: &Outcome,
    server: &RustlsServer,
    reports: &Reports,
    hook_calls: usize,
    want: fn(&rustls::Error) -> bool,
) {
    let err = out.error();
    assert!(want(err), "{what}: {err:?}");
    assert!(PinFailure::from_rustls_error(err).is_none(), "{what}");
    assert!(server.received().is_empty(), "{what}: data was sent");
    assert_eq!(reports.lock().unwrap().len(), hook_calls, "{what}: reports");
}

const OTHER_BACKUP: &str = "sha256//IiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiI=";

#[test]
fn report_only_still_refuses_an_unknown_issuer() {
    let ca = root("trusted root", Alg::P256);
    let good = issue("localhost", &["localhost"], Alg::P256, false, &ca);
    let stranger = root("untrusted root", Alg::P256);
    let bad = issue("localhost", &["localhost"], Alg::P256, false, &stranger);
    for (vname, version) in VERSIONS {
        let (verifier, reports) = report_only(&ca, &[UNRELATED.into(), OTHER_BACKUP.into()]);
        // Control: a valid chain with unmatched pins proceeds, and is reported.
        let server = RustlsServer::start(vec![good.der.clone()], good.key_der(), version);
        assert!(connect(verifier.clone(), version, &server, "localhost").accepted());
        assert_eq!(
            reports.lock().unwrap()[0].reason,
            FailureReason::NoPinMatched
        );

        let server = RustlsServer::start(
            vec![bad.der.clone(), stranger.der.clone()],
            bad.key_der(),
            version,
        );
        let out = connect(verifier, version, &server, "localhost");
        let unknown = |e: &rustls::Error| {
            matches!(
                e,
                rustls::Error::InvalidCertificate(CertificateError::UnknownIssuer)
            )
        };
        assert_refused(vname, &out, &server, &reports, 1, unknown);
    }
}

#[test]
fn report_only_still_refuses_the_wrong_name() {
    let ca = root("trusted root", Alg::P256);
    let good = issue("localhost", &["localhost"], Alg::P256, false, &ca);
    let elsewhere = issue("other", &["other.example"], Alg::P256, false, &ca);
    let wrong_name = |e: &rustls::Error| {
        matches!(
            e,
            rustls::Error::InvalidCertificate(
                CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. }
            )
        )
    };
    for (vname, version) in VERSIONS {
        // Unmatched pins, and (the name must still count) the wrong-name leaf's own pin.
        for pins in [
            vec![UNRELATED.to_string(), OTHER_BACKUP.into()],
            vec![elsewhere.pin(), OTHER_BACKUP.into()],
        ] {
            let what = format!("{vname} pins {pins:?}");
            let (verifier, reports) = report_only(&ca, &pins);
            let server = RustlsServer::start(vec![good.der.clone()], good.key_der(), version);
            assert!(connect(verifier.clone(), version, &server, "localhost").accepted());
            let control_reports = reports.lock().unwrap().len();
            assert_eq!(control_reports, 1, "{what}: the control is reported");

            let server =
                RustlsServer::start(vec![elsewhere.der.clone()], elsewhere.key_der(), version);
            let out = connect(verifier, version, &server, "localhost");
            assert_refused(&what, &out, &server, &reports, 1, wrong_name);
        }
    }
}

#[test]
fn report_only_still_refuses_a_bad_handshake_signature() {
    let ca = root("trusted root", Alg::P256);
    let leaf = issue("localhost", &["localhost"], Alg::P256, false, &ca);
    let other_key = issue("x", &["x"], Alg::P256, false, &ca);
    let bad_signature = |e: &rustls::Error| {
        matches!(
            e,
            rustls::Error::InvalidCertificate(CertificateError::BadSignature)
        )
    };
    for (vname, version) in VERSIONS {
        let (verifier, reports) = report_only(&ca, &[UNRELATED.into(), OTHER_BACKUP.into()]);
        // The real certificate, with a key that is not its own.
        let server = RustlsServer::start(vec![leaf.der.clone()], other_key.key_der(), version);
        let out = connect(verifier, version, &server, "localhost");
        // The certificate (and its pin mismatch, which is reported) comes before the
        // handshake signature, which then refuses the server.
        assert_refused(vname, &out, &server, &reports, 1, bad_signature);
        assert_eq!(
            reports.lock().unwrap()[0].reason,
            FailureReason::NoPinMatched
        );
    }
}
