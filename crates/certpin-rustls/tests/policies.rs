//! Several policies for one host, against a real in-process rustls server over TLS 1.3 and
//! 1.2: any pin of any live policy suffices, and the pins of an expired policy count for
//! nothing while another policy for the host is live. Every refusal: zero bytes of
//! application data on the server side.

mod common;

use std::sync::Arc;
use std::time::Duration;

use certpin_rustls::{
    ConfigError, FailureReason, HostPolicy, PinFailure, PinnedVerifier, UnpinnedHosts,
};
use common::*;
use rustls::RootCertStore;
use rustls::pki_types::UnixTime;

const BACKUP: &str = "sha256//IiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiI=";
const BACKUP2: &str = "sha256//MzMzMzMzMzMzMzMzMzMzMzMzMzMzMzMzMzMzMzMzMzM=";

fn policy(pattern: &str, pins: &[&str]) -> HostPolicy {
    HostPolicy::new(pattern, pins).unwrap()
}

/// 2001-09-09: long past.
fn past() -> UnixTime {
    UnixTime::since_unix_epoch(Duration::from_secs(1_000_000_000))
}

fn roots(ca: &Issued) -> Arc<RootCertStore> {
    let mut roots = RootCertStore::empty();
    roots.add(ca.der.clone()).unwrap();
    Arc::new(roots)
}

#[test]
fn any_pin_of_any_matching_policy_suffices() {
    let ca = root("test root", Alg::P256);
    let leaf = issue("localhost", &["localhost"], Alg::P256, false, &ca);
    let pin = leaf.pin();
    for (vname, version) in VERSIONS {
        let server = RustlsServer::start(vec![leaf.der.clone()], leaf.key_der(), version);
        let unmatched = policy("localhost", &[UNRELATED, BACKUP]);
        // `**.localhost` names the apex too; the leaf's pin is second in it.
        let matched = policy("**.localhost", &[BACKUP2, &pin]);
        for order in [
            [unmatched.clone(), matched.clone()],
            [matched.clone(), unmatched.clone()],
        ] {
            let [a, b] = order;
            let verifier = PinnedVerifier::pin_only(provider())
                .policy(a)
                .policy(b)
                .build()
                .unwrap();
            let out = connect(verifier, version, &server, "localhost");
            assert!(out.accepted(), "{vname}: {out:?}");
        }
        // Control: without the matching pin in either policy, refused, and the report lists
        // every policy that applied with all their pins.
        let verifier = PinnedVerifier::pin_only(provider())
            .policy(unmatched)
            .policy(policy("**.localhost", &[BACKUP2, BACKUP]))
            .build()
            .unwrap();
        let before = server.received();
        let out = connect(verifier, version, &server, "localhost");
        let failure = PinFailure::from_rustls_error(out.error()).expect("a pin failure");
        assert_eq!(failure.reason, FailureReason::NoPinMatched, "{vname}");
        assert_eq!(failure.policies, ["localhost", "**.localhost"], "{vname}");
        assert_eq!(failure.expected_pins.len(), 4, "{vname}");
        assert_eq!(
            server.received(),
            before,
            "{vname}: the refused one sent nothing"
        );
        assert_eq!(before, [REQUEST, REQUEST].concat(), "{vname}");
    }
}

#[test]
fn an_expired_policy_pin_does_not_count_while_another_policy_is_live() {
    let ca = root("test root", Alg::P256);
    let leaf = issue("localhost", &["localhost"], Alg::P256, false, &ca);
    let pin = leaf.pin();
    let expired = || policy("localhost", &[&pin, BACKUP]).expires_at(past());
    let live = || policy("**.localhost", &[UNRELATED, BACKUP2]);
    for (vname, version) in VERSIONS {
        let server = RustlsServer::start(vec![leaf.der.clone()], leaf.key_der(), version);
        // Control: the same pins, not expired, accept.
        let control = PinnedVerifier::pin_only(provider())
            .policy(policy("localhost", &[&pin, BACKUP]))
            .policy(live())
            .build()
            .unwrap();
        assert!(connect(control, version, &server, "localhost").accepted());

        for (mode, builder) in [
            ("pin-only", PinnedVerifier::pin_only(provider())),
            ("webpki", PinnedVerifier::webpki(roots(&ca), provider())),
        ] {
            let verifier = builder.policy(expired()).policy(live()).build().unwrap();
            let out = connect(verifier, version, &server, "localhost");
            let failure = PinFailure::from_rustls_error(out.error())
                .unwrap_or_else(|| panic!("{vname} {mode}: {out:?}"));
            assert_eq!(
                failure.reason,
                FailureReason::NoPinMatched,
                "{vname} {mode}"
            );
            // Only the live policy's pins were enforced, and reported.
            assert_eq!(failure.policies, ["**.localhost"], "{vname} {mode}");
            // RFC 7469 §3: the noted host without its wildcard, subdomains flagged apart.
            let json = failure.to_rfc7469_json();
            assert_eq!(json["noted-hostname"], "localhost", "{vname} {mode}");
            assert_eq!(json["include-subdomains"], true, "{vname} {mode}");
            assert!(
                !failure
                    .expected_pins
                    .iter()
                    .any(|p| p.to_string() == pin.replace("sha256//", "sha256/")),
                "{vname} {mode}"
            );
        }
        assert_eq!(
            server.received(),
            REQUEST,
            "{vname}: only the control sent data"
        );
    }
}

#[test]
fn webpki_without_the_name_check_needs_a_pin_match_for_every_server() {
    let ca = root("test root", Alg::P256);
    let pins = [UNRELATED, BACKUP];
    let base = || {
        PinnedVerifier::webpki(roots(&ca), provider())
            .pin("localhost", pins)
            .unwrap()
            .dangerous_disable_hostname_check()
    };
    let refused = |b: certpin_rustls::PinnedVerifierBuilder, setting: &str| {
        let err = b.build().expect_err(setting);
        assert!(
            matches!(&err, ConfigError::UncheckedNamesWithoutPins(s) if s.contains(setting)),
            "{err:?}"
        );
    };
    refused(
        base().unpinned_hosts(UnpinnedHosts::WebPkiOnly),
        "WebPkiOnly",
    );
    refused(base().report_only(), "report_only");
    refused(
        base().policy(policy("**.example", &pins).expires_at(past())),
        "**.example",
    );
    // Every server must match a pin: allowed (pin-only mode never accepts without one).
    assert!(base().build().is_ok());
    assert!(
        PinnedVerifier::pin_only(provider())
            .policy(policy("localhost", &pins).expires_at(past()))
            .dangerous_disable_hostname_check()
            .build()
            .is_ok()
    );
    // With the name check, these settings are allowed.
    assert!(
        PinnedVerifier::webpki(roots(&ca), provider())
            .pin("localhost", pins)
            .unwrap()
            .unpinned_hosts(UnpinnedHosts::WebPkiOnly)
            .report_only()
            .build()
            .is_ok()
    );
}
