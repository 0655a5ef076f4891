//! Pin-only mode with a pinned root: a signature from the pinned CA's chain counts only if
//! every certificate above the leaf is a CA allowed to sign it (basicConstraints, path length,
//! key usage, extended key usage; name constraints are refused, not half-checked).
//!
//! Each chain is also given to `openssl verify -purpose sslserver` with the root as the only
//! trust anchor, the independent reference: certpin must accept exactly the chains OpenSSL
//! accepts (and the scenario's expected verdict guards against a scenario that tests nothing).
//! Every refusal is checked on the server side: zero bytes of application data.

mod common;

use std::process::Command;

use certpin_rustls::{FailureReason, PinFailure, PinnedVerifier};
use common::*;
use rcgen::{
    BasicConstraints, CertificateParams, DistinguishedName, DnType, ExtendedKeyUsagePurpose,
    GeneralSubtree, IsCa, KeyUsagePurpose, NameConstraints,
};
use rustls::pki_types::CertificateDer;

fn ca_params(cn: &str) -> CertificateParams {
    let mut p = CertificateParams::new(Vec::<String>::new()).unwrap();
    p.distinguished_name.push(DnType::CommonName, cn);
    p.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    p
}

fn leaf_params(cn: &str, name: &str) -> CertificateParams {
    let mut p = CertificateParams::new(vec![name.to_string()]).unwrap();
    p.distinguished_name.push(DnType::CommonName, cn);
    p
}

fn self_signed(params: CertificateParams) -> Issued {
    let key = key(Alg::P256);
    let der = params.self_signed(&key).unwrap().der().clone();
    Issued { der, key, params }
}

fn pem(der: &CertificateDer<'_>) -> String {
    pem::encode(&pem::Pem::new("CERTIFICATE", der.to_vec()))
}

/// Whether `openssl verify` accepts `leaf` for a TLS server through `intermediates` up to
/// `root`, the only trusted certificate.
fn openssl_accepts(root: &Issued, intermediates: &[&Issued], leaf: &Issued) -> bool {
    let dir = tempfile::tempdir().unwrap();
    let path = |name: &str| dir.path().join(name).to_str().unwrap().to_string();
    std::fs::write(path("root.pem"), pem(&root.der)).unwrap();
    std::fs::write(path("leaf.pem"), pem(&leaf.der)).unwrap();
    let chain: String = intermediates.iter().map(|c| pem(&c.der)).collect();
    let mut args = vec![
        "verify".to_string(),
        "-purpose".into(),
        "sslserver".into(),
        "-trusted".into(),
        path("root.pem"),
    ];
    if !chain.is_empty() {
        std::fs::write(path("chain.pem"), chain).unwrap();
        args.extend(["-untrusted".into(), path("chain.pem")]);
    }
    args.push(path("leaf.pem"));
    let out = Command::new("openssl")
        .args(&args)
        .output()
        .expect("openssl");
    out.status.success()
}

/// Serves `leaf`, `intermediates` and the root (a pin-only client has only the root key's
/// hash, so the server must send the certificate that holds it) and connects with the root's
/// pin and an unrelated backup pin. A refusal must come from the pin policy.
fn certpin_accepts(root: &Issued, intermediates: &[&Issued], leaf: &Issued) -> bool {
    let mut chain = vec![leaf.der.clone()];
    chain.extend(intermediates.iter().map(|c| c.der.clone()));
    chain.push(root.der.clone());
    let version = &rustls::version::TLS13;
    let server = RustlsServer::start(chain, leaf.key_der(), version);
    let verifier = PinnedVerifier::pin_only(provider())
        .pin(
            "localhost",
            [
                root.pin(),
                "sha256//ERERERERERERERERERERERERERERERERERERERERERE=".into(),
            ],
        )
        .unwrap()
        .build()
        .unwrap();
    let out = connect(verifier, version, &server, "localhost");
    if let Outcome::Refused(err) = &out {
        assert!(
            server.received().is_empty(),
            "a refused server received data"
        );
        // Refused by the pin policy (the pinned root did not verifiably sign the leaf through
        // CAs allowed to), not for some unrelated error a refusal would otherwise hide.
        let failure = PinFailure::from_rustls_error(err)
            .unwrap_or_else(|| panic!("refused, but not by the pins: {err:?}"));
        assert_eq!(failure.reason, FailureReason::NoPinMatched);
    }
    out.accepted()
}

fn check(what: &str, expected: bool, root: &Issued, intermediates: &[&Issued], leaf: &Issued) {
    let openssl = openssl_accepts(root, intermediates, leaf);
    assert_eq!(
        openssl, expected,
        "{what}: OpenSSL's verdict is not the scenario's"
    );
    assert_eq!(
        certpin_accepts(root, intermediates, leaf),
        openssl,
        "{what}"
    );
}

#[test]
fn a_proper_intermediate_is_accepted_through_the_pinned_root() {
    let root = self_signed(ca_params("pinned root"));
    let inter = issue_with(ca_params("intermediate"), Alg::P256, &root);
    let leaf = issue_with(leaf_params("localhost", "localhost"), Alg::P256, &inter);
    check("CA intermediate", true, &root, &[&inter], &leaf);
    let direct = issue_with(leaf_params("localhost", "localhost"), Alg::P256, &root);
    check("leaf issued by the root", true, &root, &[], &direct);
}

#[test]
fn a_leaf_with_an_empty_subject_and_a_critical_subject_alt_name_is_accepted() {
    // RFC 5280 §4.2.1.6: with an empty subject, the subjectAltName is critical.
    let root = self_signed(ca_params("pinned root"));
    let inter = issue_with(ca_params("intermediate"), Alg::P256, &root);
    let mut p = CertificateParams::new(vec!["localhost".to_string()]).unwrap();
    p.distinguished_name = DistinguishedName::new();
    let leaf = issue_with(p, Alg::P256, &inter);
    check("empty subject, critical SAN", true, &root, &[&inter], &leaf);
}

#[test]
fn an_end_entity_certificate_of_the_pinned_ca_cannot_sign_a_leaf() {
    let root = self_signed(ca_params("pinned root"));
    // Someone's ordinary certificate from the pinned CA, and its key.
    let attacker = issue_with(leaf_params("attacker", "attacker.test"), Alg::P256, &root);
    let forged = issue_with(leaf_params("localhost", "localhost"), Alg::P256, &attacker);
    check(
        "end entity used as a CA",
        false,
        &root,
        &[&attacker],
        &forged,
    );
}

#[test]
fn a_path_length_constraint_is_enforced() {
    for (max, expected) in [(0u8, false), (1, true)] {
        let mut p = ca_params("pinned root");
        p.is_ca = IsCa::Ca(BasicConstraints::Constrained(max));
        let root = self_signed(p);
        let inter = issue_with(ca_params("intermediate"), Alg::P256, &root);
        let leaf = issue_with(leaf_params("localhost", "localhost"), Alg::P256, &inter);
        check(
            &format!("root pathLen {max}"),
            expected,
            &root,
            &[&inter],
            &leaf,
        );
    }
}

#[test]
fn an_intermediate_without_key_cert_sign_cannot_sign() {
    let root = self_signed(ca_params("pinned root"));
    let mut p = ca_params("intermediate");
    p.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    let inter = issue_with(p, Alg::P256, &root);
    let leaf = issue_with(leaf_params("localhost", "localhost"), Alg::P256, &inter);
    check(
        "keyUsage without keyCertSign",
        false,
        &root,
        &[&inter],
        &leaf,
    );

    let mut p = ca_params("intermediate");
    p.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    let inter = issue_with(p, Alg::P256, &root);
    let leaf = issue_with(leaf_params("localhost", "localhost"), Alg::P256, &inter);
    check("keyUsage with keyCertSign", true, &root, &[&inter], &leaf);
}

#[test]
fn extended_key_usage_must_allow_tls_servers() {
    let root = self_signed(ca_params("pinned root"));
    let mut p = ca_params("client-auth intermediate");
    p.extended_key_usages = vec![ExtendedKeyUsagePurpose::ClientAuth];
    let inter = issue_with(p, Alg::P256, &root);
    let leaf = issue_with(leaf_params("localhost", "localhost"), Alg::P256, &inter);
    check(
        "intermediate for client auth only",
        false,
        &root,
        &[&inter],
        &leaf,
    );

    let inter = issue_with(ca_params("intermediate"), Alg::P256, &root);
    let mut p = leaf_params("localhost", "localhost");
    p.extended_key_usages = vec![ExtendedKeyUsagePurpose::ClientAuth];
    let leaf = issue_with(p, Alg::P256, &inter);
    check("client-auth leaf", false, &root, &[&inter], &leaf);
}

#[test]
fn name_constraints_are_refused_rather_than_half_checked() {
    let root = self_signed(ca_params("pinned root"));
    let mut p = ca_params("constrained intermediate");
    p.name_constraints = Some(NameConstraints {
        permitted_subtrees: vec![GeneralSubtree::DnsName("example.org".into())],
        excluded_subtrees: vec![],
    });
    let inter = issue_with(p, Alg::P256, &root);
    let leaf = issue_with(leaf_params("localhost", "localhost"), Alg::P256, &inter);
    // OpenSSL refuses: localhost is outside the permitted subtree.
    check(
        "leaf outside the name constraints",
        false,
        &root,
        &[&inter],
        &leaf,
    );
}

#[test]
fn an_intermediate_with_an_extension_twice_cannot_sign() {
    // RFC 5280 §4.2: "A certificate MUST NOT include more than one instance of a particular
    // extension." Here keyUsage, once from rcgen and once more, with the same value.
    let root = self_signed(ca_params("pinned root"));
    let mut p = ca_params("intermediate");
    p.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    // BIT STRING, 2 unused bits: digitalSignature (bit 0) and keyCertSign (bit 5).
    p.custom_extensions = vec![rcgen::CustomExtension::from_oid_content(
        &[2, 5, 29, 15],
        vec![0x03, 0x02, 0x02, 0x84],
    )];
    let inter = issue_with(p, Alg::P256, &root);
    let leaf = issue_with(leaf_params("localhost", "localhost"), Alg::P256, &inter);
    check("keyUsage twice", false, &root, &[&inter], &leaf);
}
