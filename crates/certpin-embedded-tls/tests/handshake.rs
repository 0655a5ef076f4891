//! embedded-tls handshakes against real TLS 1.3 servers on loopback, pinned with certpin.

mod common;

use certpin_embedded_tls::{NameError, Rejection};
use common::*;

fn leaf() -> (std::path::PathBuf, std::path::PathBuf) {
    let chain = repo().join("testdata/chain");
    (chain.join("leaf.pem"), chain.join("leaf.key.pem"))
}

#[test]
fn pinned_key_is_accepted_and_data_echoed() {
    let (cert, key) = leaf();
    let server = OpensslServer::start(&cert, &key, &["-rev", "-naccept", "1"]);
    // A backup pin first, the server's own second: any pin of the set accepts.
    let pins = [
        fixture_pin("certs/ec-p256.der"),
        fixture_pin("chain/leaf.der"),
    ];
    let outcome = connect(server.port, &pins, Some("localhost"), b"certpin-probe\n");
    assert_eq!(outcome.open, Ok(()), "{:?}", outcome.rejection);
    // s_server -rev sends each line back reversed.
    assert_eq!(
        String::from_utf8_lossy(&outcome.reply).trim(),
        "eborp-niptrec"
    );
}

#[test]
fn wrong_pin_is_rejected_before_any_data() {
    let (cert, key) = leaf();
    let server = OpensslServer::start(&cert, &key, &["-naccept", "2"]);
    let wrong = [fixture_pin("certs/ec-p256.der")];
    let outcome = connect(server.port, &wrong, Some("localhost"), b"certpin-probe\n");
    assert_eq!(outcome.open, Err("InvalidCertificate".to_owned()));
    assert_eq!(outcome.rejection, Some(Rejection::NotPinned));

    // Control: a pinned client's data does show up in the server's log...
    let right = [fixture_pin("chain/leaf.der")];
    let control = std::thread::spawn(move || {
        let port = server.port;
        let outcome = connect_with(port, &right, Some("localhost"), b"certpin-control\n", false);
        assert_eq!(outcome.open, Ok(()), "{:?}", outcome.rejection);
        server
    });
    let server = control.join().unwrap();
    assert!(server.wait_for("certpin-control"), "log: {}", server.log());
    // ...and the rejected client's never did. The client could not have written it after the
    // refusal (open_blocking consumes the connection and returns it only on success), so this
    // checks that the refused handshake itself sent no application data.
    assert!(
        !server.log().contains("certpin-probe"),
        "log: {}",
        server.log()
    );
}

#[test]
fn host_name_must_match_when_given() {
    let (cert, key) = leaf();
    let server = OpensslServer::start(&cert, &key, &["-rev", "-naccept", "2"]);
    let pins = [fixture_pin("chain/leaf.der")];
    let outcome = connect(server.port, &pins, Some("example.com"), b"x\n");
    assert_eq!(outcome.open, Err("InvalidCertificate".to_owned()));
    assert_eq!(
        outcome.rejection,
        Some(Rejection::HostName(NameError::Mismatch))
    );
    // The leaf also names IP 127.0.0.1 (openssl x509 -text shows it).
    let outcome = connect(server.port, &pins, Some("127.0.0.1"), b"abc\n");
    assert_eq!(outcome.open, Ok(()), "{:?}", outcome.rejection);
    assert_eq!(outcome.reply, b"cba\n");
}

#[test]
fn pinned_certificate_without_its_private_key_is_rejected() {
    let dir = tempfile::tempdir().unwrap();
    let other_key = dir.path().join("other.key.pem");
    openssl(&[
        "genpkey",
        "-algorithm",
        "EC",
        "-pkeyopt",
        "ec_paramgen_curve:P-256",
        "-out",
        other_key.to_str().unwrap(),
    ]);
    let (cert, key) = leaf();
    let pins = [fixture_pin("chain/leaf.der")];

    // Control: the same rustls server with the certificate's real key is accepted.
    let (port, received) = rustls_server(&cert, &key);
    let outcome = connect(port, &pins, Some("localhost"), b"certpin-control\n");
    assert_eq!(outcome.open, Ok(()), "{:?}", outcome.rejection);
    assert_eq!(outcome.reply, b"rustls-echo\n");
    assert_eq!(&*received.lock().unwrap(), b"certpin-control\n");

    // The pinned certificate, but a CertificateVerify signed with another key.
    let (port, received) = rustls_server(&cert, &other_key);
    let outcome = connect(port, &pins, Some("localhost"), b"certpin-probe\n");
    assert_eq!(outcome.open, Err("InvalidSignature".to_owned()));
    assert_eq!(outcome.rejection, Some(Rejection::BadSignature));
    // Writing after the refusal is impossible by construction (the connection was consumed);
    // this checks that the handshake itself sent the impostor no application data.
    std::thread::sleep(std::time::Duration::from_millis(100));
    assert!(received.lock().unwrap().is_empty());
}

/// Self-signed certificates of other key types, made and pinned by the openssl command line.
#[cfg(any(feature = "p384", feature = "ed25519", feature = "alloc"))]
fn other_key_type(genpkey: &[&str]) {
    let dir = tempfile::tempdir().unwrap();
    let key = dir.path().join("key.pem");
    let cert = dir.path().join("cert.pem");
    let mut args = vec!["genpkey"];
    args.extend_from_slice(genpkey);
    args.extend_from_slice(&["-out", key.to_str().unwrap()]);
    openssl(&args);
    openssl(&[
        "req",
        "-x509",
        "-new",
        "-key",
        key.to_str().unwrap(),
        "-out",
        cert.to_str().unwrap(),
        "-days",
        "2",
        "-subj",
        "/CN=localhost",
        "-addext",
        "subjectAltName=DNS:localhost",
    ]);
    let server = OpensslServer::start(&cert, &key, &["-rev", "-naccept", "2"]);
    let pins = [openssl_pin(&cert)];
    let outcome = connect(server.port, &pins, Some("localhost"), b"key-type\n");
    assert_eq!(outcome.open, Ok(()), "{:?}", outcome.rejection);
    assert_eq!(outcome.reply, b"epyt-yek\n");
    let wrong = [fixture_pin("chain/leaf.der")];
    let outcome = connect(server.port, &wrong, Some("localhost"), b"key-type\n");
    assert_eq!(outcome.rejection, Some(Rejection::NotPinned));
}

#[cfg(feature = "p384")]
#[test]
fn p384_server() {
    other_key_type(&["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-384"]);
}

#[cfg(feature = "ed25519")]
#[test]
fn ed25519_server() {
    other_key_type(&["-algorithm", "ED25519"]);
}

#[cfg(feature = "alloc")]
#[test]
fn rsa_pss_server() {
    other_key_type(&["-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048"]);
}
