//! The cases of `crates/certpin/benches/pin.rs` as a plain loop, so that
//! `scripts/bench-report-instructions` can count their instructions under callgrind.
//!
//! `certpin-instructions CERT.der ENGINE CASE N` checks that every path agrees on the pin (and
//! that the floor hashes exactly the bytes the pin hashes), then runs CASE N times:
//! - `floor`: SHA-256 of the SPKI slice alone, cut out beforehand (`floor_sha256_spki`);
//! - `lean_pin`: `SubjectPublicKeyInfo::from_certificate` + SHA-256 of its `der()`
//!   (`certpin_lean_spki_pin`);
//! - `lean_match`: `PinSet::match_certificate_der` over two SPKI pins, the second one matching
//!   (`certpin_lean_match_pinset`);
//! - `full_pin`: `Certificate::from_der` + SHA-256 of `spki().der()` (`certpin_spki_pin`);
//! - `full_match`: `Certificate::from_der` + `PinSet::match_certificate` (`certpin_match_pinset`).
//!
//! ENGINE is the SHA-256 every case uses: `digest` (`sha2::Sha256::digest`, what the criterion
//! benchmark's floor and `*_spki_pin` cases call), `soft` (`certpin::SoftSha256`, what its
//! `*_match_pinset` cases pass) or `compact` (`certpin::CompactSha256`). Which `sha2` backend
//! `digest` and `soft` use is chosen at build time (`--cfg sha2_backend="soft"`).
//!
//! Start-up and the checks cost the same for any N, so the script runs N and 2N and divides the
//! difference by N.

use std::hint::black_box;

use certpin::{
    Certificate, CompactSha256, Pin, PinKind, PinSet, Sha256Engine, SoftSha256,
    SubjectPublicKeyInfo,
};
use sha2::Digest;

fn digest(data: &[u8]) -> [u8; 32] {
    sha2::Sha256::digest(data).into()
}

fn run<E: Sha256Engine>(mut engine: E, der: &[u8], case: &str, n: u64) {
    let cert = Certificate::from_der(der).expect("the certificate parses");
    let spki = cert.spki().der().to_vec();
    let lean = SubjectPublicKeyInfo::from_certificate(der).expect("the lean walk reads it");
    let expected = digest(&spki);
    let pins = [
        Pin::new(PinKind::Spki, [0x11; 32]), // a backup key, not this one
        Pin::new(PinKind::Spki, expected),
    ];
    let set = PinSet::new(&pins);

    // The floor hashes the very bytes each pin path hashes, and every path finds the pin.
    assert_eq!(
        lean.der(),
        &spki[..],
        "lean walk and full parse disagree on the SPKI"
    );
    assert_eq!(cert.spki().der(), &spki[..]);
    assert_eq!(engine.sha256(&spki), expected, "engine disagrees with sha2");
    assert_eq!(engine.sha256(lean.der()), expected);
    assert_eq!(
        set.match_certificate_der(der, &mut engine)
            .map(|m| m.map(|m| m.index)),
        Ok(Some(1))
    );
    assert_eq!(
        set.match_certificate(&cert, &mut engine).map(|m| m.index),
        Some(1)
    );

    match case {
        "floor" => {
            for _ in 0..n {
                black_box(engine.sha256(black_box(&spki[..])));
            }
        }
        "lean_pin" => {
            for _ in 0..n {
                let spki = SubjectPublicKeyInfo::from_certificate(black_box(der)).expect("parses");
                black_box(engine.sha256(spki.der()));
            }
        }
        "lean_match" => {
            for _ in 0..n {
                let m = black_box(set)
                    .match_certificate_der(black_box(der), &mut engine)
                    .expect("parses")
                    .map(|m| m.index);
                black_box(m);
            }
        }
        "full_pin" => {
            for _ in 0..n {
                let cert = Certificate::from_der(black_box(der)).expect("parses");
                black_box(engine.sha256(cert.spki().der()));
            }
        }
        "full_match" => {
            for _ in 0..n {
                let cert = Certificate::from_der(black_box(der)).expect("parses");
                let m = black_box(set)
                    .match_certificate(&cert, &mut engine)
                    .map(|m| m.index);
                black_box(m);
            }
        }
        other => panic!("unknown case {other:?}"),
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let [_, path, engine, case, n] = &args[..] else {
        eprintln!("usage: certpin-instructions CERT.der digest|soft|compact CASE N");
        std::process::exit(2);
    };
    let der = std::fs::read(path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let n: u64 = n.parse().expect("N is a number");
    match engine.as_str() {
        "digest" => run(digest, &der, case, n),
        "soft" => run(SoftSha256, &der, case, n),
        "compact" => run(CompactSha256, &der, case, n),
        other => panic!("unknown engine {other:?}"),
    }
}
