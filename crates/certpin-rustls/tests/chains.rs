//! Chains, dates and names, against a real in-process rustls server, over TLS 1.3 and TLS 1.2,
//! with the server's key RSA, ECDSA P-256 and Ed25519: a pinned intermediate counts only if it
//! signed the chain, WebPKI mode pins only the validated path (CVE-2016-2402), an expired leaf
//! passes pin-only without a clock but not WebPKI, a name mismatch is refused unless turned
//! off, a cross-signed intermediate is followed on both of its paths. Every refusal: zero bytes
//! of application data on the server side.

mod common;

use certpin_rustls::{FailureReason, PinnedVerifier};
use common::*;
use rustls::CertificateError;

#[test]
fn pinned_intermediate_counts_only_if_it_signed_the_chain() {
    let ca = root("test root", Alg::Rsa);
    let intermediate = issue("certpin intermediate", &[], Alg::P256, true, &ca);
    // The attacker's own CA, with the same name as the pinned intermediate.
    let evil = root("certpin intermediate", Alg::P256);
    for alg in ALGS {
        let leaf = issue("localhost", &["localhost"], alg, false, &intermediate);
        let rogue_leaf = issue("localhost", &["localhost"], alg, false, &evil);
        for (vname, version) in VERSIONS {
            let good = RustlsServer::start(
                vec![leaf.der.clone(), intermediate.der.clone()],
                leaf.key_der(),
                version,
            );
            let pins = [intermediate.pin(), UNRELATED.into()];
            let out = connect(pin_only(&pins), version, &good, "localhost");
            assert!(out.accepted(), "{alg:?} {vname}: {out:?}");

            // The pinned intermediate is served, but it did not sign this leaf.
            let bad = RustlsServer::start(
                vec![rogue_leaf.der.clone(), intermediate.der.clone()],
                rogue_leaf.key_der(),
                version,
            );
            let out = connect(pin_only(&pins), version, &bad, "localhost");
            let failure = assert_refused_silently(&out, &bad);
            assert_eq!(
                failure.verified_chain.as_ref().map(Vec::len),
                Some(1),
                "{alg:?} {vname}: only the leaf verified"
            );
            assert!(failure.to_string().contains("(not verified)"), "{failure}");
        }
    }
}

#[test]
fn webpki_mode_matches_only_the_validated_path() {
    // CVE-2016-2402: a valid chain for the attacker's key, with the pinned CA appended.
    let legit_root = root("legit root", Alg::P256);
    let legit_ca = issue("legit ca", &[], Alg::P256, true, &legit_root);
    let other_root = root("other root", Alg::P256);
    let other_ca = issue("other ca", &[], Alg::P256, true, &other_root);
    let roots = [&legit_root, &other_root];
    for alg in ALGS {
        let legit_leaf = issue("localhost", &["localhost"], alg, false, &legit_ca);
        let attacker = issue("localhost", &["localhost"], alg, false, &other_ca);
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
                assert!(out.accepted(), "{alg:?} {vname} pin {pin}: {out:?}");
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
            assert_eq!(
                failure.reason,
                FailureReason::NoPinMatched,
                "{alg:?} {vname}"
            );
            assert_eq!(failure.served_chain.len(), 3);
        }
    }
}

#[test]
fn expired_leaf_pin_only_without_clock_accepts_webpki_refuses() {
    let ca = root("test root", Alg::P256);
    for alg in ALGS {
        let leaf = expired_leaf(alg, &ca);
        let pins = [leaf.pin(), UNRELATED.into()];
        for (vname, version) in VERSIONS {
            let what = format!("{alg:?} {vname}");
            let server = RustlsServer::start(vec![leaf.der.clone()], leaf.key_der(), version);
            let out = connect(pin_only(&pins), version, &server, "localhost");
            assert!(out.accepted(), "{what}: {out:?}");

            let with_clock = PinnedVerifier::pin_only(provider())
                .pin("localhost", &pins)
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
                "{what}: {out:?}"
            );
            assert!(server.received().is_empty(), "{what}");

            let server = RustlsServer::start(vec![leaf.der.clone()], leaf.key_der(), version);
            let out = connect(webpki(&[&ca], &pins), version, &server, "localhost");
            assert!(
                matches!(
                    out.error(),
                    rustls::Error::InvalidCertificate(
                        CertificateError::Expired | CertificateError::ExpiredContext { .. }
                    )
                ),
                "{what}: {out:?}"
            );
            assert!(server.received().is_empty(), "{what}");
        }
    }
}

fn is_name_error(err: &rustls::Error) -> bool {
    matches!(
        err,
        rustls::Error::InvalidCertificate(
            CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. }
        )
    )
}

#[test]
fn name_mismatch_is_refused_unless_explicitly_allowed() {
    let ca = root("test root", Alg::P256);
    for alg in ALGS {
        let leaf = issue("elsewhere", &["elsewhere.example"], alg, false, &ca);
        let pins = [leaf.pin(), UNRELATED.into()];
        for (vname, version) in VERSIONS {
            let what = format!("{alg:?} {vname}");
            let server = RustlsServer::start(vec![leaf.der.clone()], leaf.key_der(), version);
            let out = connect(pin_only(&pins), version, &server, "localhost");
            assert!(is_name_error(out.error()), "{what}: {out:?}");
            assert!(server.received().is_empty(), "{what}");
            // WebPKI mode: the chain validates and the pin matches, the name does not.
            let out = connect(webpki(&[&ca], &pins), version, &server, "localhost");
            assert!(is_name_error(out.error()), "{what} webpki: {out:?}");
            assert!(server.received().is_empty(), "{what}");

            let relaxed = PinnedVerifier::pin_only(provider())
                .pin("localhost", &pins)
                .unwrap()
                .dangerous_disable_hostname_check()
                .build()
                .unwrap();
            assert!(
                connect(relaxed, version, &server, "localhost").accepted(),
                "{what}"
            );
        }
    }
}

#[test]
fn a_cross_signed_intermediate_is_followed_on_every_path() {
    // One intermediate key and name signed by two roots, as while a new root is distributed;
    // only root B is pinned and served, root A is not.
    let root_a = root("root A", Alg::P256);
    let root_b = root("root B", Alg::Rsa);
    let via_a = issue("cross-signed intermediate", &[], Alg::P256, true, &root_a);
    let via_b = via_a
        .params
        .signed_by(&via_a.key, &root_b.issuer())
        .unwrap()
        .der()
        .clone();
    let leaf = issue("localhost", &["localhost"], Alg::P256, false, &via_a);
    let pins = [root_b.pin(), UNRELATED.into()];
    for (vname, version) in VERSIONS {
        // The dead end (leaf, intermediate by A, root A missing) first, then the other order.
        for chain in [
            vec![
                leaf.der.clone(),
                via_a.der.clone(),
                via_b.clone(),
                root_b.der.clone(),
            ],
            vec![
                leaf.der.clone(),
                via_b.clone(),
                via_a.der.clone(),
                root_b.der.clone(),
            ],
        ] {
            let server = RustlsServer::start(chain, leaf.key_der(), version);
            let out = connect(pin_only(&pins), version, &server, "localhost");
            assert!(out.accepted(), "{vname}: {out:?}");
        }
        // Root B served, but not the intermediate it signed: no verified path reaches it.
        let server = RustlsServer::start(
            vec![leaf.der.clone(), via_a.der.clone(), root_b.der.clone()],
            leaf.key_der(),
            version,
        );
        let out = connect(pin_only(&pins), version, &server, "localhost");
        let failure = assert_refused_silently(&out, &server);
        assert_eq!(
            failure.verified_chain.as_ref().map(Vec::len),
            Some(2),
            "{vname}: leaf and the intermediate by A verified"
        );
    }
}
