//! Every class of malformed certificate gets its own error, at the right offset, and no input
//! panics.
//!
//! Malformed certificates are built here from a real OpenSSL certificate: it is split into its
//! elements by a tiny reader (`support/der_parts.rs`, not certpin's), one element is replaced,
//! and the enclosing lengths are re-encoded. The expected offsets follow from that construction.
#![cfg(feature = "sha2")]

use certpin::{Certificate, Error, Field, PinDigests, PinSet, SoftSha256};

mod common;
use common::{Lean, compare_lean};

#[path = "support/der_parts.rs"]
mod der_parts;
use der_parts::{Parts, fixture, split_header, tlv};

/// `Certificate::from_der`, with the lean walk checked against it on the same input: every
/// single-defect certificate below is also a lean-path test.
fn parse(der: &[u8]) -> Result<(), Error> {
    let lean = compare_lean(der);
    assert_ne!(lean, Lean::BothRejectDifferently, "one defect, two errors");
    Certificate::from_der(der).map(|_| ())
}

#[test]
fn the_splitter_round_trips() {
    for name in [
        "ec-p256.der",
        "rsa2048.der",
        "rsa2048-v1.der",
        "unique-ids.der",
    ] {
        let der = fixture(name);
        assert_eq!(Parts::of(&der).build(), der, "{name}");
        parse(&der).unwrap();
    }
}

#[test]
fn outer_length_errors() {
    let der = fixture("ec-p256.der");
    let (header, content) = split_header(&der);
    let f = Field::Certificate;

    let mut indefinite = vec![0x30, 0x80];
    indefinite.extend(content);
    indefinite.extend([0, 0]);
    assert_eq!(
        parse(&indefinite),
        Err(Error::IndefiniteLength { field: f, at: 0 })
    );

    let mut padded = vec![0x30, 0x80 | (header as u8), 0x00];
    padded.extend(&der[2..]);
    assert_eq!(
        parse(&padded),
        Err(Error::NonMinimalLength { field: f, at: 0 })
    );

    let mut five = vec![0x30, 0x85, 0, 0, 0];
    five.extend(&der[2..]);
    assert_eq!(parse(&five), Err(Error::LengthTooLong { field: f, at: 0 }));

    let truncated = &der[..der.len() - 1];
    assert_eq!(
        parse(truncated),
        Err(Error::LengthPastEnd {
            field: f,
            at: 0,
            length: content.len(),
            available: content.len() - 1
        })
    );

    let mut trailing = der.clone();
    trailing.push(0);
    assert_eq!(
        parse(&trailing),
        Err(Error::TrailingData {
            field: f,
            at: der.len()
        })
    );

    assert_eq!(parse(&[]), Err(Error::UnexpectedEnd { field: f, at: 0 }));
}

#[test]
fn wrong_tags_name_the_field() {
    let der = fixture("ec-p256.der");
    let parts = Parts::of(&der);
    let tbs_at = split_header(&der).0;
    let mut wrong = der.clone();
    wrong[tbs_at] = 0x31;
    assert_eq!(
        parse(&wrong),
        Err(Error::WrongTag {
            field: Field::TbsCertificate,
            at: tbs_at,
            expected: 0x30,
            found: 0x31
        })
    );

    let mut p = parts.clone();
    p.tbs[p.spki_index - 2][0] = 0x31; // validity
    let at = p.tbs_child_offset(p.spki_index - 2);
    assert_eq!(
        parse(&p.build()),
        Err(Error::WrongTag {
            field: Field::Validity,
            at,
            expected: 0x30,
            found: 0x31
        })
    );
}

#[test]
fn subject_public_key_errors() {
    let parts = Parts::of(&fixture("ec-p256.der"));
    let f = Field::SubjectPublicKey;
    let with_key = |key: Vec<u8>| {
        let mut p = parts.clone();
        p.spki[1] = key;
        (parse(&p.build()), p.key_offset())
    };
    let (r, at) = with_key(tlv(0x23, &tlv(0x03, &[0x00, 0x04, 0x01])));
    assert_eq!(r, Err(Error::ConstructedBitString { field: f, at }));
    let (r, at) = with_key(tlv(0x03, &[]));
    assert_eq!(r, Err(Error::EmptyBitString { field: f, at }));
    let (r, at) = with_key(tlv(0x03, &[0x00]));
    assert_eq!(r, Err(Error::EmptyPublicKey { at }));
    let (r, at) = with_key(tlv(0x03, &[0x08, 0x04]));
    assert_eq!(
        r,
        Err(Error::InvalidUnusedBits {
            field: f,
            at,
            unused: 8
        })
    );
    let (r, at) = with_key(tlv(0x03, &[0x01, 0x05]));
    assert_eq!(r, Err(Error::NonZeroPaddingBits { field: f, at }));
    let (r, at) = with_key(tlv(0x04, &[0x00, 0x04]));
    assert_eq!(
        r,
        Err(Error::WrongTag {
            field: f,
            at,
            expected: 0x03,
            found: 0x04
        })
    );
    // A key with unused bits but zero padding is valid DER, and is pinned as it is.
    assert_eq!(with_key(tlv(0x03, &[0x01, 0x04])).0, Ok(()));

    // Something after the BIT STRING inside the SPKI.
    let mut p = parts.clone();
    p.spki.push(vec![0x05, 0x00]);
    let at = p.key_offset() + p.spki[1].len();
    assert_eq!(
        parse(&p.build()),
        Err(Error::TrailingData {
            field: Field::SubjectPublicKeyInfo,
            at
        })
    );
}

#[test]
fn algorithm_identifier_errors() {
    let parts = Parts::of(&fixture("ec-p256.der"));
    let spki_at = parts.tbs_child_offset(parts.spki_index);
    let alg_at = spki_at + 2; // the EC SPKI is short: a one-octet length
    let mut p = parts.clone();
    p.spki[0] = tlv(0x30, &[tlv(0x06, &[0x2a, 0x86]), vec![0x05, 0x00]].concat());
    assert_eq!(parse(&p.build()), Err(Error::InvalidOid { at: alg_at + 2 }));
    p.spki[0] = tlv(
        0x30,
        &[tlv(0x06, &[0x2a, 0x03]), vec![0x1f, 0x01, 0x00]].concat(),
    );
    assert_eq!(
        parse(&p.build()),
        Err(Error::HighTagNumber {
            field: Field::AlgorithmParameters,
            at: alg_at + 2 + 4
        })
    );
}

#[test]
fn version_rules() {
    let v3 = Parts::of(&fixture("ec-p256.der"));
    // v1 spelled out explicitly: DER requires the DEFAULT to be omitted.
    let mut p = v3.clone();
    p.tbs[0] = tlv(0xa0, &[0x02, 0x01, 0x00]);
    let at = p.tbs_child_offset(0) + 2;
    assert_eq!(parse(&p.build()), Err(Error::UnsupportedVersion { at }));
    p.tbs[0] = tlv(0xa0, &[0x02, 0x01, 0x05]);
    assert_eq!(parse(&p.build()), Err(Error::UnsupportedVersion { at }));

    // Extensions in a certificate without a version field (v1).
    let mut p = v3.clone();
    p.tbs.remove(0);
    p.spki_index -= 1;
    let at = p.tbs_child_offset(p.tbs.len() - 1);
    assert_eq!(
        parse(&p.build()),
        Err(Error::FieldNotAllowedInVersion {
            field: Field::Extensions,
            at
        })
    );

    // Unique identifiers in v1.
    let v1 = Parts::of(&fixture("rsa2048-v1.der"));
    let mut p = v1.clone();
    p.tbs.push(tlv(0x81, &[0x00, 0xaa]));
    let at = p.tbs_child_offset(p.tbs.len() - 1);
    assert_eq!(
        parse(&p.build()),
        Err(Error::FieldNotAllowedInVersion {
            field: Field::IssuerUniqueId,
            at
        })
    );

    // Extensions before the unique identifiers: wrong order, so the UID is trailing data.
    let uid = Parts::of(&fixture("unique-ids.der"));
    let mut p = uid.clone();
    let n = p.tbs.len();
    p.tbs.swap(n - 1, n - 3);
    let at = p.tbs_child_offset(n - 2);
    assert_eq!(
        parse(&p.build()),
        Err(Error::TrailingData {
            field: Field::TbsCertificate,
            at
        })
    );
}

#[test]
fn non_minimal_serial() {
    let mut p = Parts::of(&fixture("ec-p256.der"));
    p.tbs[1] = tlv(0x02, &[0x00, 0x01]);
    let at = p.tbs_child_offset(1);
    assert_eq!(
        parse(&p.build()),
        Err(Error::NonMinimalInteger {
            field: Field::SerialNumber,
            at
        })
    );
}

#[test]
fn four_octet_lengths_and_huge_certificates() {
    // Over 16 MiB of extension makes every enclosing length take four octets (0x84).
    let der = fixture("ec-p256.der");
    let mut p = Parts::of(&der);
    let big = tlv(0x04, &vec![0x5a; 16 << 20]);
    let ext = tlv(0x30, &[tlv(0x06, &[0x2a, 0x03, 0x04]), big].concat());
    let last = p.tbs.len() - 1;
    p.tbs[last] = tlv(0xa3, &tlv(0x30, &ext));
    let huge = p.build();
    assert_eq!(huge[1], 0x84);
    let cert = Certificate::from_der(&huge).unwrap();
    let original = Certificate::from_der(&der).unwrap();
    assert_eq!(
        PinDigests::of_spki(&cert.spki(), &mut SoftSha256),
        PinDigests::of_spki(&original.spki(), &mut SoftSha256)
    );
}

/// A small deterministic generator, so failures reproduce.
struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

fn must_not_panic(input: &[u8]) {
    // Also the lean walk, through the pin check a firmware calls, and its relation to the full
    // parser even with several defects at once.
    compare_lean(input);
    let pins = [certpin::Pin::new(certpin::PinKind::SpkiOrUCertPin, [0; 32])];
    if let Err(e) = PinSet::new(&pins).match_certificate_der(input, &mut SoftSha256) {
        assert!(e.offset().is_some_and(|at| at <= input.len()), "{e:?}");
    }
    for result in [
        Certificate::from_der(input).map(|c| {
            let _ = c.spki().key_type().to_string();
            PinDigests::of_certificate(&c, &mut SoftSha256);
        }),
        certpin::CertificationRequest::from_der(input).map(|_| ()),
        certpin::SubjectPublicKeyInfo::from_der(input).map(|s| {
            let _ = s.key_type().to_string();
        }),
    ] {
        if let Err(e) = result {
            assert!(
                e.offset().is_none_or(|at| at <= input.len()),
                "{e:?} for {} bytes",
                input.len()
            );
            assert!(!e.to_string().is_empty());
        }
    }
}

#[test]
fn no_input_panics() {
    let mut rng = XorShift(0x9e37_79b9_7f4a_7c15);
    for name in [
        "ec-p256.der",
        "rsa2048.der",
        "ed25519.der",
        "unique-ids.der",
        "dsa2048.der",
    ] {
        let der = fixture(name);
        for len in 0..der.len() {
            must_not_panic(&der[..len]);
        }
        for at in 0..der.len() {
            for flip in [0x01, 0x80, 0xff] {
                let mut m = der.clone();
                m[at] ^= flip;
                must_not_panic(&m);
            }
        }
        for _ in 0..3000 {
            let mut m = der.clone();
            for _ in 0..1 + rng.next() % 4 {
                let at = (rng.next() as usize) % m.len();
                m[at] = rng.next() as u8;
            }
            must_not_panic(&m);
        }
    }
}
