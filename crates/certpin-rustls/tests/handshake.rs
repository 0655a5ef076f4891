//! Pinned handshakes against a real in-process rustls server, over TLS 1.3 and TLS 1.2 with
//! RSA, ECDSA P-256 and Ed25519 keys: pins, backups, keys, report-only, unpinned hosts and
//! expiring policies (chains, dates and names are in `chains.rs`). Every refusal is checked on
//! the server side too: it must have received zero bytes of application data.

mod common;

use std::sync::{Arc, Mutex};

use certpin_rustls::{FailureReason, PinFailure, PinnedVerifier, UnpinnedHosts};
use common::*;
use rustls::{CertificateError, RootCertStore};

#[test]
fn leaf_and_backup_pins_accept_and_data_flows() {
    for alg in ALGS {
        let ca = root("test root", Alg::P256);
        let leaf = issue("localhost", &["localhost"], alg, false, &ca);
        for (vname, version) in VERSIONS {
            let server = RustlsServer::start(
                vec![leaf.der.clone(), ca.der.clone()],
                leaf.key_der(),
                version,
            );
            for pins in [vec![leaf.pin()], vec![UNRELATED.to_string(), leaf.pin()]] {
                let out = connect(pin_only(&pins), version, &server, "localhost");
                assert!(
                    matches!(&out, Outcome::Accepted(echo) if echo == REQUEST),
                    "{alg:?} {vname}: {out:?}"
                );
            }
            assert_eq!(
                server.received(),
                [REQUEST, REQUEST].concat(),
                "{alg:?} {vname}"
            );
        }
    }
}

#[test]
fn another_key_for_the_right_name_is_refused() {
    for alg in ALGS {
        let ca = root("test root", Alg::P256);
        let pinned = issue("localhost", &["localhost"], alg, false, &ca);
        let impostor = issue("localhost", &["localhost"], alg, false, &ca);
        for (vname, version) in VERSIONS {
            let server =
                RustlsServer::start(vec![impostor.der.clone()], impostor.key_der(), version);
            let out = connect(
                pin_only(&[pinned.pin(), UNRELATED.into()]),
                version,
                &server,
                "localhost",
            );
            let failure = assert_refused_silently(&out, &server);
            assert_eq!(
                failure.reason,
                FailureReason::NoPinMatched,
                "{alg:?} {vname}"
            );
            // The message tells the user what was served and what was expected.
            let message = failure.to_string();
            let served = impostor.pin().replace("sha256//", "sha256/");
            let expected = pinned.pin().replace("sha256//", "sha256/");
            assert!(
                message.contains(&served) && message.contains(&expected),
                "{message}"
            );
            assert!(message.contains("CN=localhost"), "{message}");
        }
    }
}

#[test]
fn pinned_certificate_without_its_private_key_is_refused() {
    for alg in ALGS {
        let ca = root("test root", Alg::P256);
        let pinned = issue("localhost", &["localhost"], alg, false, &ca);
        let other_key = issue("x", &["x"], alg, false, &ca);
        for (vname, version) in VERSIONS {
            // The real certificate, signed for with a key that is not the certificate's.
            let server =
                RustlsServer::start(vec![pinned.der.clone()], other_key.key_der(), version);
            let pins = [pinned.pin(), UNRELATED.into()];
            for (mode, verifier) in [
                ("pin-only", pin_only(&pins)),
                ("webpki", webpki(&[&ca], &pins)),
            ] {
                let out = connect(verifier, version, &server, "localhost");
                // The certificate and the pin are fine: the handshake signature is not.
                let err = out.error();
                assert!(
                    PinFailure::from_rustls_error(err).is_none(),
                    "{alg:?} {vname} {mode}: {err:?}"
                );
                assert!(server.received().is_empty(), "{alg:?} {vname} {mode}");
            }
        }
    }
}

#[test]
fn report_only_reports_and_proceeds() {
    let ca = root("test root", Alg::P256);
    let leaf = issue("localhost", &["localhost"], Alg::P256, false, &ca);
    let reports: Arc<Mutex<Vec<PinFailure>>> = Arc::default();
    let sink = reports.clone();
    // In pin-only mode the pins are the only check: report-only is refused there.
    let refused = PinnedVerifier::pin_only(provider())
        .pin("localhost", [UNRELATED])
        .unwrap()
        .report_only()
        .build();
    assert_eq!(
        refused.err(),
        Some(certpin_rustls::ConfigError::ReportOnlyWithoutRoots)
    );
    let mut roots = RootCertStore::empty();
    roots.add(ca.der.clone()).unwrap();
    let verifier = PinnedVerifier::webpki(roots.into(), provider())
        .pin(
            "localhost",
            [
                UNRELATED,
                "sha256//IiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiI=",
            ],
        )
        .unwrap()
        .report_only()
        .report_port(8443)
        .on_failure(move |f| sink.lock().unwrap().push(f.clone()))
        .build()
        .unwrap();
    let server = RustlsServer::start(
        vec![leaf.der.clone(), ca.der.clone()],
        leaf.key_der(),
        &rustls::version::TLS13,
    );
    assert!(connect(verifier, &rustls::version::TLS13, &server, "localhost").accepted());
    let reports = reports.lock().unwrap();
    assert_eq!(reports.len(), 1);
    let json = reports[0].to_rfc7469_json();
    assert_eq!(json["hostname"], "localhost");
    assert_eq!(json["port"], 8443);
    // The policy never expires.
    assert!(json["effective-expiration-date"].is_null());
    assert_eq!(
        json["known-pins"][0],
        format!("pin-sha256=\"{}\"", &UNRELATED[8..])
    );
    let served = json["served-certificate-chain"].as_array().unwrap();
    assert_eq!(served.len(), 2);
    assert!(
        served[0]
            .as_str()
            .unwrap()
            .starts_with("-----BEGIN CERTIFICATE-----")
    );
    assert_eq!(
        reports[0].served_chain[0].spki_pin.to_string(),
        leaf.pin().replace("sha256//", "sha256/")
    );
}

#[test]
fn unpinned_hosts_follow_the_chosen_rule() {
    let ca = root("test root", Alg::P256);
    let leaf = issue("localhost", &["localhost"], Alg::P256, false, &ca);
    let server = RustlsServer::start(
        vec![leaf.der.clone()],
        leaf.key_der(),
        &rustls::version::TLS13,
    );
    let mut roots = RootCertStore::empty();
    roots.add(ca.der.clone()).unwrap();
    let roots = Arc::new(roots);
    let build = |rule| {
        PinnedVerifier::webpki(roots.clone(), provider())
            .pin(
                "other.example",
                [
                    UNRELATED,
                    "sha256//IiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiI=",
                ],
            )
            .unwrap()
            .unpinned_hosts(rule)
            .build()
            .unwrap()
    };
    let denied = connect(
        build(UnpinnedHosts::Deny),
        &rustls::version::TLS13,
        &server,
        "localhost",
    );
    let failure = PinFailure::from_rustls_error(denied.error()).unwrap();
    assert_eq!(failure.reason, FailureReason::NoPolicyForHost);
    assert!(server.received().is_empty());
    assert!(
        connect(
            build(UnpinnedHosts::WebPkiOnly),
            &rustls::version::TLS13,
            &server,
            "localhost"
        )
        .accepted()
    );
}

#[test]
fn expired_policies_stop_pinning_but_not_validation() {
    use certpin_rustls::HostPolicy;
    use rustls::pki_types::UnixTime;
    let ca = root("test root", Alg::P256);
    let leaf = issue("localhost", &["localhost"], Alg::P256, false, &ca);
    let server = RustlsServer::start(
        vec![leaf.der.clone()],
        leaf.key_der(),
        &rustls::version::TLS13,
    );
    let stale = || {
        HostPolicy::new(
            "localhost",
            [
                UNRELATED,
                "sha256//IiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiI=",
            ],
        )
        .unwrap()
        .expires_at(UnixTime::since_unix_epoch(std::time::Duration::from_secs(
            1_000_000_000,
        )))
    };
    let mut roots = RootCertStore::empty();
    roots.add(ca.der.clone()).unwrap();
    // WebPKI mode: the expired pins are not enforced, the chain still is.
    let webpki = PinnedVerifier::webpki(Arc::new(roots), provider())
        .policy(stale())
        .build()
        .unwrap();
    assert!(connect(webpki, &rustls::version::TLS13, &server, "localhost").accepted());
    let other_root = root("other root", Alg::P256);
    let mut other = RootCertStore::empty();
    other.add(other_root.der.clone()).unwrap();
    let untrusted = PinnedVerifier::webpki(Arc::new(other), provider())
        .policy(stale())
        .build()
        .unwrap();
    let out = connect(untrusted, &rustls::version::TLS13, &server, "localhost");
    assert!(
        matches!(
            out.error(),
            rustls::Error::InvalidCertificate(CertificateError::UnknownIssuer)
        ),
        "{out:?}"
    );
    // Pin-only mode has nothing to fall back on: an expired policy accepts nothing.
    let pin_only = PinnedVerifier::pin_only(provider())
        .policy(stale())
        .build()
        .unwrap();
    let out = connect(pin_only, &rustls::version::TLS13, &server, "localhost");
    let failure = PinFailure::from_rustls_error(out.error()).unwrap();
    assert_eq!(failure.reason, FailureReason::PolicyExpired);
    // Unix time 1 000 000 000.
    assert_eq!(
        failure.to_rfc7469_json()["effective-expiration-date"],
        "2001-09-09T01:46:40Z"
    );
    assert!(
        server.received().len() == REQUEST.len(),
        "only the accepted WebPKI connection sent data"
    );
}
