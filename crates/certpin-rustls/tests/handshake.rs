//! Pinned handshakes against a real in-process rustls server, over TLS 1.3 and TLS 1.2 with
//! RSA, ECDSA P-256 and Ed25519 keys. Every refusal is checked on the server side too: it must
//! have received zero bytes of application data.

mod common;

use std::sync::{Arc, Mutex};

use certpin_rustls::{FailureReason, PinFailure, PinnedVerifier, UnpinnedHosts};
use common::*;
use rustls::{CertificateError, RootCertStore};

/// A pin no test key has (the backup key of a test that is never deployed).
const UNRELATED: &str = "sha256//ERERERERERERERERERERERERERERERERERERERERERE=";

fn pin_only(pins: &[String]) -> Arc<PinnedVerifier> {
    PinnedVerifier::pin_only(provider())
        .pin("localhost", pins)
        .unwrap()
        .build()
        .unwrap()
}

fn webpki(roots: &[&Issued], pins: &[String]) -> Arc<PinnedVerifier> {
    let mut store = RootCertStore::empty();
    for root in roots {
        store.add(root.der.clone()).unwrap();
    }
    PinnedVerifier::webpki(store.into(), provider())
        .pin("localhost", pins)
        .unwrap()
        .build()
        .unwrap()
}

fn assert_refused_silently(outcome: &Outcome, server: &RustlsServer) -> PinFailure {
    let err = outcome.error();
    assert!(
        server.received().is_empty(),
        "server received application data"
    );
    PinFailure::from_rustls_error(err)
        .unwrap_or_else(|| panic!("not a pin failure: {err:?}"))
        .clone()
}

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
fn pinned_intermediate_counts_only_if_it_signed_the_chain() {
    let ca = root("test root", Alg::Rsa);
    let intermediate = issue("certpin intermediate", &[], Alg::P256, true, &ca);
    let leaf = issue("localhost", &["localhost"], Alg::P256, false, &intermediate);
    // The attacker's own CA, with the same name as the pinned intermediate.
    let evil = root("certpin intermediate", Alg::P256);
    let rogue_leaf = issue("localhost", &["localhost"], Alg::P256, false, &evil);
    for (vname, version) in VERSIONS {
        let good = RustlsServer::start(
            vec![leaf.der.clone(), intermediate.der.clone()],
            leaf.key_der(),
            version,
        );
        let out = connect(
            pin_only(&[intermediate.pin(), UNRELATED.into()]),
            version,
            &good,
            "localhost",
        );
        assert!(out.accepted(), "{vname}: {out:?}");

        // The pinned intermediate is served, but it did not sign this leaf.
        let bad = RustlsServer::start(
            vec![rogue_leaf.der.clone(), intermediate.der.clone()],
            rogue_leaf.key_der(),
            version,
        );
        let out = connect(
            pin_only(&[intermediate.pin(), UNRELATED.into()]),
            version,
            &bad,
            "localhost",
        );
        let failure = assert_refused_silently(&out, &bad);
        assert_eq!(
            failure.verified_chain.as_ref().map(Vec::len),
            Some(1),
            "{vname}: only the leaf verified"
        );
        assert!(failure.to_string().contains("(not verified)"), "{failure}");
    }
}

#[test]
fn webpki_mode_matches_only_the_validated_path() {
    // CVE-2016-2402: a valid chain for the attacker's key, with the pinned CA appended.
    let legit_root = root("legit root", Alg::P256);
    let legit_ca = issue("legit ca", &[], Alg::P256, true, &legit_root);
    let legit_leaf = issue("localhost", &["localhost"], Alg::P256, false, &legit_ca);
    let other_root = root("other root", Alg::P256);
    let other_ca = issue("other ca", &[], Alg::P256, true, &other_root);
    let attacker = issue("localhost", &["localhost"], Alg::Ed25519, false, &other_ca);
    let roots = [&legit_root, &other_root];
    for (vname, version) in VERSIONS {
        let good = RustlsServer::start(
            vec![legit_leaf.der.clone(), legit_ca.der.clone()],
            legit_leaf.key_der(),
            version,
        );
        for pin in [legit_leaf.pin(), legit_ca.pin(), legit_root.pin()] {
            let out = connect(
                webpki(&roots, &[pin.clone(), UNRELATED.into()]),
                version,
                &good,
                "localhost",
            );
            assert!(out.accepted(), "{vname} pin {pin}: {out:?}");
        }
        let chain = vec![
            attacker.der.clone(),
            other_ca.der.clone(),
            legit_ca.der.clone(),
        ];
        let bad = RustlsServer::start(chain, attacker.key_der(), version);
        let out = connect(
            webpki(&roots, &[legit_ca.pin(), UNRELATED.into()]),
            version,
            &bad,
            "localhost",
        );
        let failure = assert_refused_silently(&out, &bad);
        assert_eq!(failure.reason, FailureReason::NoPinMatched);
        assert_eq!(failure.served_chain.len(), 3);
    }
}

#[test]
fn expired_leaf_pin_only_without_clock_accepts_webpki_refuses() {
    let ca = root("test root", Alg::P256);
    let leaf = expired_leaf(Alg::P256, &ca);
    for (vname, version) in VERSIONS {
        let server = RustlsServer::start(vec![leaf.der.clone()], leaf.key_der(), version);
        let out = connect(
            pin_only(&[leaf.pin(), UNRELATED.into()]),
            version,
            &server,
            "localhost",
        );
        assert!(out.accepted(), "{vname}: {out:?}");

        let with_clock = PinnedVerifier::pin_only(provider())
            .pin("localhost", [leaf.pin(), UNRELATED.into()])
            .unwrap()
            .check_validity_dates()
            .build()
            .unwrap();
        let server = RustlsServer::start(vec![leaf.der.clone()], leaf.key_der(), version);
        let out = connect(with_clock, version, &server, "localhost");
        assert!(
            matches!(
                out.error(),
                rustls::Error::InvalidCertificate(CertificateError::Expired)
            ),
            "{out:?}"
        );
        assert!(server.received().is_empty());

        let server = RustlsServer::start(vec![leaf.der.clone()], leaf.key_der(), version);
        let out = connect(
            webpki(&[&ca], &[leaf.pin(), UNRELATED.into()]),
            version,
            &server,
            "localhost",
        );
        assert!(
            matches!(
                out.error(),
                rustls::Error::InvalidCertificate(
                    CertificateError::Expired | CertificateError::ExpiredContext { .. }
                )
            ),
            "{out:?}"
        );
        assert!(server.received().is_empty());
    }
}

#[test]
fn name_mismatch_is_refused_unless_explicitly_allowed() {
    let ca = root("test root", Alg::P256);
    let leaf = issue("elsewhere", &["elsewhere.example"], Alg::P256, false, &ca);
    for (vname, version) in VERSIONS {
        let server = RustlsServer::start(vec![leaf.der.clone()], leaf.key_der(), version);
        let out = connect(
            pin_only(&[leaf.pin(), UNRELATED.into()]),
            version,
            &server,
            "localhost",
        );
        assert!(
            matches!(
                out.error(),
                rustls::Error::InvalidCertificate(
                    CertificateError::NotValidForName
                        | CertificateError::NotValidForNameContext { .. }
                )
            ),
            "{vname}: {out:?}"
        );
        assert!(server.received().is_empty());
        let relaxed = PinnedVerifier::pin_only(provider())
            .pin("localhost", [leaf.pin(), UNRELATED.into()])
            .unwrap()
            .dangerous_disable_hostname_check()
            .build()
            .unwrap();
        assert!(
            connect(relaxed, version, &server, "localhost").accepted(),
            "{vname}"
        );
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
            let out = connect(
                pin_only(&[pinned.pin(), UNRELATED.into()]),
                version,
                &server,
                "localhost",
            );
            let err = out.error();
            assert!(
                PinFailure::from_rustls_error(err).is_none(),
                "{alg:?} {vname}: {err:?}"
            );
            assert!(server.received().is_empty(), "{alg:?} {vname}");
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
