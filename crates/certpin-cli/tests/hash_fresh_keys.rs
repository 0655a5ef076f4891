//! `certpin hash` on keys and certificates OpenSSL generates in this run: no fixture can hide a
//! disagreement with OpenSSL's own digests.

mod common;

use std::path::Path;
use std::process::Command;

use common::{certpin, stderr, stdout};

/// Runs openssl, failing the test with its stderr if it fails.
fn openssl(args: &[&str], dir: &Path) -> Vec<u8> {
    let out = Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .output()
        .expect("openssl is installed");
    assert!(
        out.status.success(),
        "openssl {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

/// `openssl dgst -sha256` of a file, as lowercase hex.
fn openssl_sha256(file: &str, dir: &Path) -> String {
    let out = String::from_utf8(openssl(&["dgst", "-sha256", "-r", file], dir)).unwrap();
    out.split_whitespace().next().unwrap().to_string()
}

/// Keys made fresh by OpenSSL in this run: certpin's pins of the certificate, the private key
/// and the public key must equal OpenSSL's digests of the public key it exports, and the
/// ucertpin pin OpenSSL's digest of the BIT STRING contents cut at asn1parse's offsets.
#[test]
fn fresh_openssl_keys_agree_with_openssl() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    for (name, genpkey) in [
        (
            "rsa",
            vec!["-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048"],
        ),
        (
            "p384",
            vec!["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-384"],
        ),
        (
            "p521",
            vec!["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-521"],
        ),
        ("ed25519", vec!["-algorithm", "ED25519"]),
        // RSA-PSS keys, unrestricted and restricted to SHA-256 (parameters in the key's
        // AlgorithmIdentifier, which the public key keeps).
        (
            "rsa-pss",
            vec!["-algorithm", "RSA-PSS", "-pkeyopt", "rsa_keygen_bits:2048"],
        ),
        (
            "rsa-pss-sha256",
            vec![
                "-algorithm",
                "RSA-PSS",
                "-pkeyopt",
                "rsa_keygen_bits:2048",
                "-pkeyopt",
                "rsa_pss_keygen_md:sha256",
            ],
        ),
        // An EC key with explicit curve parameters instead of the curve's name.
        (
            "p256-explicit",
            vec![
                "-algorithm",
                "EC",
                "-pkeyopt",
                "ec_paramgen_curve:P-256",
                "-pkeyopt",
                "ec_param_enc:explicit",
            ],
        ),
    ] {
        let key = format!("{name}.key");
        let mut args = vec!["genpkey", "-out", &key];
        args.extend(genpkey);
        openssl(&args, d);
        let cert = format!("{name}.crt");
        openssl(
            &[
                "req",
                "-x509",
                "-new",
                "-key",
                &key,
                "-subj",
                "/CN=fresh",
                "-days",
                "1",
                "-out",
                &cert,
            ],
            d,
        );
        let spki = format!("{name}.spki.der");
        openssl(
            &[
                "pkey", "-in", &key, "-pubout", "-outform", "DER", "-out", &spki,
            ],
            d,
        );
        openssl(
            &[
                "pkey",
                "-in",
                &key,
                "-pubout",
                "-out",
                &format!("{name}.pub"),
            ],
            d,
        );
        let want_hex = openssl_sha256(&spki, d);

        // The subjectPublicKey BIT STRING: asn1parse line "… d=1 hl=H l=L prim: BIT STRING".
        let listing =
            String::from_utf8(openssl(&["asn1parse", "-inform", "DER", "-in", &spki], d)).unwrap();
        // Depth 1: explicit EC parameters hold a BIT STRING (the curve's seed) deeper down.
        let line = listing
            .lines()
            .find(|l| l.contains("d=1") && l.contains("BIT STRING"))
            .unwrap();
        let field = |key: &str| -> usize {
            let after = line.split(key).nth(1).unwrap().trim_start();
            after
                .split(|c: char| !c.is_ascii_digit())
                .next()
                .unwrap()
                .parse()
                .unwrap()
        };
        let offset: usize = line
            .trim_start()
            .split(':')
            .next()
            .unwrap()
            .parse()
            .unwrap();
        let (hl, l) = (field("hl="), field(" l="));
        let spki_bytes = std::fs::read(d.join(&spki)).unwrap();
        let contents = &spki_bytes[offset + hl..offset + hl + l];
        std::fs::write(d.join("bits"), contents).unwrap();
        let want_ucert = openssl_sha256("bits", d);
        let want_cert = {
            openssl(
                &["x509", "-in", &cert, "-outform", "DER", "-out", "cert.der"],
                d,
            );
            openssl_sha256("cert.der", d)
        };

        for file in [&cert, &key, &format!("{name}.pub"), &spki] {
            let path = d.join(file);
            let path = path.to_str().unwrap();
            let hex = certpin(&["hash", "-f", "hex", path]);
            assert!(hex.status.success(), "{file}: {}", stderr(&hex));
            assert_eq!(stdout(&hex).trim(), want_hex, "{file}");
            assert_eq!(
                stdout(&certpin(&["hash", "-f", "ucertpin", path])).trim(),
                want_ucert,
                "{file}"
            );
        }
        assert_eq!(
            stdout(&certpin(&[
                "hash",
                "-f",
                "cert-sha256",
                d.join(&cert).to_str().unwrap()
            ]))
            .trim(),
            want_cert
        );
    }
}
