//! `files::read_objects` on damaged and ambiguous input: PEM blocks read one by one, PEM
//! detected only in text, corrupt DER keys reported as keys. Expected pins come from
//! `testdata/pins.tsv` (OpenSSL) or from the `openssl` command line run here.
#![cfg(feature = "files")]

use std::path::{Path, PathBuf};
use std::process::Command;

use certpin::files::{KeyObject, ObjectKind, ReadError, read_objects};
use certpin::{PinFormat, PinKind, SoftSha256};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// `spki_sha256_hex` of `file` (object 0) in testdata/pins.tsv.
fn openssl_spki_hex(file: &str) -> String {
    let tsv = std::fs::read_to_string(repo().join("testdata/pins.tsv")).unwrap();
    tsv.lines()
        .map(|l| l.split('\t').collect::<Vec<_>>())
        .find(|f| f[0] == file && f[1] == "0")
        .unwrap_or_else(|| panic!("{file} not in pins.tsv"))[5]
        .to_string()
}

fn spki_hex(object: &KeyObject) -> String {
    let digests = object.digests(&mut SoftSha256);
    let pin = digests.pin(PinKind::Spki).unwrap();
    pin.format(PinFormat::Hex).unwrap().to_string()
}

#[test]
fn a_bad_pem_block_does_not_hide_the_others() {
    let read = |f: &str| std::fs::read_to_string(repo().join("testdata").join(f)).unwrap();
    let text = [
        read("certs/ec-p256.pem"),
        "-----BEGIN CERTIFICATE-----\n!!!! not base64\n-----END CERTIFICATE-----\n".into(),
        // No END line: it must end at the next block, not swallow it.
        "-----BEGIN PRIVATE KEY-----\nMIGHAgEAMBMGByqGSM49AgEGCCqGSM49\n".into(),
        read("certs/rsa2048.pem"),
    ]
    .concat();
    let objects = read_objects(text.as_bytes());
    assert_eq!(objects.len(), 4, "{objects:?}");
    let ok = |i: usize| objects[i].as_ref().unwrap_or_else(|e| panic!("[{i}]: {e}"));
    assert_eq!(spki_hex(ok(0)), openssl_spki_hex("certs/ec-p256.pem"));
    assert!(
        matches!(objects[1], Err(ReadError::Pem(_))),
        "{:?}",
        objects[1]
    );
    assert!(
        matches!(objects[2], Err(ReadError::Pem(_))),
        "{:?}",
        objects[2]
    );
    assert_eq!(spki_hex(ok(3)), openssl_spki_hex("certs/rsa2048.pem"));
}

fn openssl(args: &[&str], dir: &Path) -> Vec<u8> {
    let out = Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .output()
        .expect("openssl runs");
    assert!(out.status.success(), "openssl {args:?}: {out:?}");
    out.stdout
}

#[test]
fn der_holding_a_pem_marker_is_read_as_der() {
    let dir = std::env::temp_dir().join(format!("certpin-der-marker-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    openssl(
        &[
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-nodes",
            "-keyout",
            "key.pem",
            "-subj",
            "/CN=-----BEGIN CERTIFICATE-----",
            "-days",
            "1",
            "-outform",
            "DER",
            "-out",
            "cert.der",
        ],
        &dir,
    );
    openssl(
        &[
            "pkey", "-in", "key.pem", "-pubout", "-outform", "DER", "-out", "pub.der",
        ],
        &dir,
    );
    let digest = openssl(&["dgst", "-sha256", "-r", "pub.der"], &dir);
    let expected = String::from_utf8(digest).unwrap()[..64].to_string();
    let der = std::fs::read(dir.join("cert.der")).unwrap();
    std::fs::remove_dir_all(&dir).unwrap();
    assert!(
        der.windows(11).any(|w| w == b"-----BEGIN "),
        "the marker is in the DER"
    );

    let objects = read_objects(&der);
    assert_eq!(objects.len(), 1);
    let cert = objects[0].as_ref().unwrap();
    assert_eq!(cert.kind(), ObjectKind::Certificate);
    assert_eq!(spki_hex(cert), expected);
}

#[test]
fn a_corrupt_der_private_key_reports_the_key_format() {
    for (file, format) in [
        ("keys/ec-p256.key.der", "PKCS#8 (DER): "),
        ("keys/rsa2048.key.der", "PKCS#8 (DER): "),
        ("keys/ec-p256.sec1.key.der", "SEC1 (DER): "),
        ("keys/rsa2048.pkcs1.key.der", "PKCS#1 (DER): "),
    ] {
        let der = std::fs::read(repo().join("testdata").join(file)).unwrap();
        // The intact key reads (and pins as OpenSSL says), so the damage is what is reported.
        let intact = read_objects(&der);
        assert!(intact[0].is_ok(), "{file}: {:?}", intact[0]);
        for damaged in [&der[..der.len() - 10], &der[..40]] {
            match &read_objects(damaged)[0] {
                Err(ReadError::InvalidPrivateKey(message)) => {
                    assert!(message.starts_with(format), "{file}: {message}")
                }
                other => panic!("{file}: {other:?}"),
            }
        }
    }
    let der = std::fs::read(repo().join("testdata/keys/ec-p256.key.der")).unwrap();
    let object = read_objects(&der).remove(0).unwrap();
    assert_eq!(spki_hex(&object), openssl_spki_hex("keys/ec-p256.key.der"));
}
