//! The same pinned handshakes against `openssl s_server`, an independent TLS implementation.
//! s_server prints the application data it receives; a refused handshake must leave that
//! output without the request.

mod common;

use certpin_rustls::{FailureReason, PinFailure, PinnedVerifier};
use common::*;

const UNRELATED: &str = "sha256//ERERERERERERERERERERERERERERERERERERERERERE=";

#[test]
fn openssl_server_pinned_accept_and_refuse() {
    let dir = tempfile::tempdir().unwrap();
    for alg in ALGS {
        let ca = root("test root", Alg::P256);
        let intermediate = issue("certpin intermediate", &[], Alg::P256, true, &ca);
        let leaf = issue("localhost", &["localhost"], alg, false, &intermediate);
        let other = issue("localhost", &["localhost"], alg, false, &intermediate);
        for ((vname, version), flag) in VERSIONS.into_iter().zip(["-tls1_3", "-tls1_2"]) {
            let server =
                OpensslServer::start(dir.path(), &[&leaf.der, &intermediate.der], &leaf.key, flag);
            let verifier = |pins: &[String]| {
                PinnedVerifier::pin_only(provider())
                    .pin("localhost", pins)
                    .unwrap()
                    .build()
                    .unwrap()
            };
            // Leaf pin, backup pin, and a pinned intermediate that really signed the leaf.
            for pins in [
                vec![leaf.pin()],
                vec![UNRELATED.into(), leaf.pin()],
                vec![intermediate.pin(), UNRELATED.into()],
            ] {
                let out = connect_with(
                    client_config(verifier(&pins), version),
                    server.addr,
                    "localhost",
                    false,
                );
                assert!(out.accepted(), "{alg:?} {vname}: {out:?}");
            }
            let printed = server.output();
            assert_eq!(
                printed.matches("Authorization: Bearer token").count(),
                3,
                "{alg:?} {vname}: {printed}"
            );
            drop(server);

            let server = OpensslServer::start(dir.path(), &[&other.der], &other.key, flag);
            let out = connect_with(
                client_config(verifier(&[leaf.pin(), UNRELATED.into()]), version),
                server.addr,
                "localhost",
                false,
            );
            let failure = PinFailure::from_rustls_error(out.error()).expect("a pin failure");
            assert_eq!(failure.reason, FailureReason::NoPinMatched);
            let printed = server.output();
            assert!(
                !printed.contains("Authorization"),
                "{alg:?} {vname}: server received data: {printed}"
            );
        }
    }
}
