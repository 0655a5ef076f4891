//! Known answers: certpin's pins against digests computed by the `openssl` command line.
//!
//! `testdata/pins.tsv` was written by `testdata/make-fixtures.sh` (OpenSSL only; CI re-runs it
//! with `--check`), `../shared/vectors/vectors.tsv` independently by the project's CEO. Nothing
//! here compares certpin against itself.
#![cfg(feature = "files")]

use std::path::{Path, PathBuf};

use certpin::files::read_objects;
use certpin::{Certificate, PinDigests, PinFormat, PinKind, SoftSha256};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

struct Row {
    file: String,
    index: usize,
    object: String,
    key_type: String,
    b64: String,
    hex: String,
    ucertpin: String,
    cert: Option<String>,
}

fn rows(tsv: &Path, indexed: bool) -> Vec<Row> {
    let text = std::fs::read_to_string(tsv).unwrap_or_else(|e| panic!("{}: {e}", tsv.display()));
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().expect("header").split('\t').collect();
    let col = |name: &str| {
        header
            .iter()
            .position(|h| *h == name)
            .unwrap_or_else(|| panic!("no column {name}"))
    };
    let (file, key_type, b64, hex, ucert, cert) = (
        col("file"),
        col("key_type"),
        col("spki_sha256_b64"),
        col("spki_sha256_hex"),
        col("ucertpin_hex"),
        col("cert_sha256_hex"),
    );
    lines
        .filter(|l| !l.is_empty())
        .map(|line| {
            let f: Vec<&str> = line.split('\t').collect();
            Row {
                file: f[file].to_string(),
                index: if indexed {
                    f[col("index")].parse().unwrap()
                } else {
                    0
                },
                object: if indexed {
                    f[col("object")].to_string()
                } else {
                    "certificate".into()
                },
                key_type: f[key_type].to_string(),
                b64: f[b64].to_string(),
                hex: f[hex].to_string(),
                ucertpin: f[ucert].to_string(),
                cert: Some(f[cert].to_string()).filter(|c| c != "-"),
            }
        })
        .collect()
}

fn check_rows(dir: &Path, rows: &[Row], check_key_type: bool) {
    assert!(!rows.is_empty());
    for row in rows {
        let bytes = std::fs::read(dir.join(&row.file)).unwrap();
        let objects = read_objects(&bytes);
        let object = objects[row.index]
            .as_ref()
            .unwrap_or_else(|e| panic!("{}: {e}", row.file));
        let what = format!("{} [{}]", row.file, row.index);
        assert_eq!(object.kind().name(), row.object, "{what}");
        if check_key_type {
            assert_eq!(object.spki().key_type().to_string(), row.key_type, "{what}");
        }
        let d = object.digests(&mut SoftSha256);
        let pin = |kind, format| d.pin(kind).unwrap().format(format).unwrap().to_string();
        assert_eq!(pin(PinKind::Spki, PinFormat::Base64), row.b64, "{what}");
        assert_eq!(pin(PinKind::Spki, PinFormat::Hex), row.hex, "{what}");
        assert_eq!(
            pin(PinKind::UCertPin, PinFormat::Hex),
            row.ucertpin,
            "{what}"
        );
        assert_eq!(
            d.cert_sha256
                .map(|_| pin(PinKind::Certificate, PinFormat::Hex)),
            row.cert,
            "{what}"
        );
    }
}

#[test]
fn fixtures_match_openssl() {
    let dir = repo().join("testdata");
    let rows = rows(&dir.join("pins.tsv"), true);
    // Every key type and object kind of the issue is covered by the table.
    for kind in [
        "certificate",
        "public-key",
        "rsa-public-key",
        "csr",
        "private-key-pkcs8",
        "private-key-pkcs1",
        "private-key-sec1",
    ] {
        assert!(
            rows.iter().any(|r| r.object == kind),
            "no {kind} in pins.tsv"
        );
    }
    check_rows(&dir, &rows, true);
}

#[test]
fn shared_vectors_match_openssl() {
    let dir = repo().join("../shared/vectors");
    if !dir.exists() {
        // The shared vectors live beside the checkout; the project's own fixtures above cover
        // the same definitions. CI always provides them, so there a missing copy is a failure.
        assert!(
            std::env::var_os("CI").is_none(),
            "{} is missing in CI",
            dir.display()
        );
        eprintln!("skipping: {} not present", dir.display());
        return;
    }
    // The shared table names curves the OpenSSL way (EC-prime256v1); compare digests only.
    check_rows(&dir, &rows(&dir.join("vectors.tsv"), false), false);
    // Their keys, public key and CSR pin like their certificates.
    for (key, cert) in [
        ("rsa2048.key.pem", "rsa2048.der"),
        ("rsa2048.pkcs1.key.pem", "rsa2048.der"),
        ("p256.key.pem", "p256.der"),
        ("p256.sec1.key.pem", "p256.der"),
        ("p256.pub.pem", "p256.der"),
        ("p256.csr.pem", "p256.der"),
        ("ed25519.key.pem", "ed25519.der"),
    ] {
        let object = &read_objects(&std::fs::read(dir.join(key)).unwrap())[0];
        let cert = std::fs::read(dir.join(cert)).unwrap();
        let cert = Certificate::from_der(&cert).unwrap();
        let key_digests = object.as_ref().unwrap().digests(&mut SoftSha256);
        let cert_digests = PinDigests::of_spki(&cert.spki(), &mut SoftSha256);
        assert_eq!(key_digests, cert_digests, "{key}");
    }
}

#[test]
fn encrypted_keys_are_refused_clearly() {
    let dir = repo().join("testdata/encrypted");
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let objects = read_objects(&std::fs::read(&path).unwrap());
        assert_eq!(objects.len(), 1);
        let err = objects[0].as_ref().unwrap_err();
        assert_eq!(
            *err,
            certpin::files::ReadError::EncryptedKey,
            "{}",
            path.display()
        );
        assert!(err.to_string().contains("encrypted private key"));
    }
}
