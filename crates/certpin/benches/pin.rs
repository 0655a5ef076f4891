//! What a pin check costs, next to the SHA-256 it cannot avoid and to a general X.509 parser.
//!
//! One group per certificate (RSA-2048, EC P-256), six benchmarks each:
//! - `floor_sha256_spki`: SHA-256 of the SPKI slice alone, cut out beforehand: the floor;
//! - `certpin_spki_pin`: `Certificate::from_der` + SHA-256 of `spki().der()`;
//! - `certpin_match_pinset`: `Certificate::from_der` + `PinSet::match_certificate` over two
//!   SPKI pins, the second one matching;
//! - `certpin_lean_spki_pin`: `SubjectPublicKeyInfo::from_certificate` (the walk to the key
//!   only) + SHA-256 of the SPKI: the pin path of `match_certificate_der`;
//! - `certpin_lean_match_pinset`: `PinSet::match_certificate_der` over the same two pins;
//! - `x509_parser_plus_sha2`: `x509_parser::parse_x509_certificate` + SHA-256 of the SPKI.
//!
//! `scripts/bench-report` runs this and prints the ratios.

// `criterion_group!` defines an undocumented `pub fn`.
#![allow(missing_docs)]

use std::hint::black_box;
use std::path::PathBuf;
use std::time::Duration;

use certpin::{Certificate, Pin, PinKind, PinSet, SoftSha256, SubjectPublicKeyInfo};
use criterion::{Criterion, criterion_group, criterion_main};
use sha2::{Digest, Sha256};

/// (group name, file in `testdata/certs/`, same key type in `../shared/vectors/`).
const CERTS: [(&str, &str, &str); 2] = [
    ("rsa2048", "rsa2048.der", "rsa2048.der"),
    ("ec-p256", "ec-p256.der", "p256.der"),
];

/// The repository's fixture if there is one, else the shared vector.
fn load(testdata: &str, vector: &str) -> Vec<u8> {
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let candidates = [
        manifest.join("../../testdata/certs").join(testdata),
        manifest.join("../../../shared/vectors").join(vector),
    ];
    candidates
        .iter()
        .find_map(|path| std::fs::read(path).ok())
        .unwrap_or_else(|| panic!("none of {candidates:?} is readable"))
}

fn bench(c: &mut Criterion) {
    for (name, testdata, vector) in CERTS {
        let der = load(testdata, vector);
        let cert = Certificate::from_der(&der).expect("fixture parses");
        let spki = cert.spki().der().to_vec();
        let digest: [u8; 32] = Sha256::digest(&spki).into();
        let pins = [
            Pin::new(PinKind::Spki, [0x11; 32]), // a backup key, not this one
            Pin::new(PinKind::Spki, digest),
        ];
        let set = PinSet::new(&pins);

        // Every path must agree before any of them is timed.
        let (_, x509) = x509_parser::parse_x509_certificate(&der).expect("x509-parser reads it");
        assert_eq!(x509.tbs_certificate.subject_pki.raw, &spki[..]);
        assert_eq!(
            set.match_certificate(&cert, &mut SoftSha256)
                .map(|m| m.index),
            Some(1)
        );
        assert_eq!(
            set.match_certificate_der(&der, &mut SoftSha256)
                .map(|m| m.map(|m| m.index)),
            Ok(Some(1))
        );

        let mut group = c.benchmark_group(name);
        group
            .warm_up_time(Duration::from_secs(1))
            .measurement_time(Duration::from_secs(3));

        group.bench_function("floor_sha256_spki", |b| {
            b.iter(|| Sha256::digest(black_box(&spki[..])))
        });
        group.bench_function("certpin_spki_pin", |b| {
            b.iter(|| {
                let cert = Certificate::from_der(black_box(&der)).expect("parses");
                Sha256::digest(cert.spki().der())
            })
        });
        group.bench_function("certpin_match_pinset", |b| {
            b.iter(|| {
                let cert = Certificate::from_der(black_box(&der)).expect("parses");
                black_box(set)
                    .match_certificate(&cert, &mut SoftSha256)
                    .map(|m| m.index)
            })
        });
        group.bench_function("certpin_lean_spki_pin", |b| {
            b.iter(|| {
                let spki = SubjectPublicKeyInfo::from_certificate(black_box(&der)).expect("parses");
                Sha256::digest(spki.der())
            })
        });
        group.bench_function("certpin_lean_match_pinset", |b| {
            b.iter(|| {
                black_box(set)
                    .match_certificate_der(black_box(&der), &mut SoftSha256)
                    .expect("parses")
                    .map(|m| m.index)
            })
        });
        group.bench_function("x509_parser_plus_sha2", |b| {
            b.iter(|| {
                let (_, cert) =
                    x509_parser::parse_x509_certificate(black_box(&der)).expect("parses");
                Sha256::digest(cert.tbs_certificate.subject_pki.raw)
            })
        });
        group.finish();
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
