//! The lean pin path (`SubjectPublicKeyInfo::from_certificate`, `PinSet::match_certificate_der`,
//! `CompactSha256`) on every DER certificate fixture: the same key as the full parser, and pins
//! equal to what OpenSSL computed (`testdata/pins.tsv`, written by `testdata/make-fixtures.sh`).
#![cfg(feature = "sha2")]

use std::path::{Path, PathBuf};

use certpin::{
    CompactSha256, Pin, PinKind, PinSet, Sha256Engine, SoftSha256, SubjectPublicKeyInfo,
};

mod common;
use common::{Lean, compare_lean};

fn testdata() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../testdata")
}

fn unhex(hex: &str) -> [u8; 32] {
    let bytes: Vec<u8> = (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap())
        .collect();
    bytes.try_into().unwrap()
}

/// (file, spki-sha256, ucertpin, cert-sha256) as OpenSSL computed them.
type OpensslPins = (String, [u8; 32], [u8; 32], [u8; 32]);

/// The pins of every DER certificate in `pins.tsv`.
fn openssl_pins() -> Vec<OpensslPins> {
    let text = std::fs::read_to_string(testdata().join("pins.tsv")).unwrap();
    let rows: Vec<_> = text
        .lines()
        .skip(1)
        .map(|l| l.split('\t').map(str::to_owned).collect::<Vec<_>>())
        .filter(|r| r[2] == "certificate" && r[0].ends_with(".der"))
        .map(|r| (r[0].clone(), unhex(&r[5]), unhex(&r[6]), unhex(&r[7])))
        .collect();
    assert!(rows.len() >= 15, "only {} DER certificates", rows.len());
    rows
}

#[test]
fn lean_walk_finds_the_same_key_and_openssl_pins() {
    for (file, spki_pin, ucert_pin, cert_pin) in openssl_pins() {
        let der = std::fs::read(testdata().join(&file)).unwrap();
        assert_eq!(compare_lean(&der), Lean::BothAccept, "{file}");
        let spki = SubjectPublicKeyInfo::from_certificate(&der).unwrap();
        for engine in [
            (|d: &[u8]| SoftSha256.sha256(d)) as fn(&[u8]) -> [u8; 32],
            |d: &[u8]| CompactSha256.sha256(d),
        ] {
            assert_eq!(engine(spki.der()), spki_pin, "{file}");
            assert_eq!(engine(spki.bit_string_contents()), ucert_pin, "{file}");
        }
        for (i, (kind, digest)) in [
            (PinKind::Spki, spki_pin),
            (PinKind::UCertPin, ucert_pin),
            (PinKind::Certificate, cert_pin),
            (PinKind::SpkiOrUCertPin, ucert_pin),
        ]
        .into_iter()
        .enumerate()
        {
            // A backup pin that matches nothing first, so the index is checked too.
            let pins = [Pin::new(kind, [0x11; 32]), Pin::new(kind, digest)];
            let set = PinSet::new(&pins);
            let found = set
                .match_certificate_der(&der, &mut CompactSha256)
                .unwrap()
                .unwrap_or_else(|| panic!("{file}: pin {i} did not match"));
            assert_eq!(found.index, 1, "{file}");
            let wrong = [Pin::new(kind, [0x22; 32])];
            assert_eq!(
                PinSet::new(&wrong).match_certificate_der(&der, &mut SoftSha256),
                Ok(None),
                "{file}"
            );
        }
    }
}

#[test]
fn trailing_bytes_after_the_certificate_are_on_the_lean_path() {
    // The input must be exactly one Certificate, for the lean walk too.
    let mut der = std::fs::read(testdata().join("certs/ec-p256.der")).unwrap();
    der.push(0);
    assert_eq!(compare_lean(&der), Lean::SameError);
}
