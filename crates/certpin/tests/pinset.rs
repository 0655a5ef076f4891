//! PinSet matching against the OpenSSL-computed pins of `testdata/pins.tsv`.
#![cfg(feature = "sha2")]

use std::path::Path;

use certpin::{Certificate, Pin, PinKind, PinSet, Sha256Engine, SoftSha256};

struct Case {
    der: Vec<u8>,
    b64: String,
    hex: String,
    ucertpin: String,
    cert: String,
}

/// Every DER certificate of the fixtures with its OpenSSL pins.
fn cases() -> Vec<Case> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../testdata");
    let tsv = std::fs::read_to_string(root.join("pins.tsv")).unwrap();
    tsv.lines()
        .skip(1)
        .map(|l| l.split('\t').collect::<Vec<_>>())
        .filter(|f| f[0].starts_with("certs/") && f[0].ends_with(".der"))
        .map(|f| Case {
            der: std::fs::read(root.join(f[0])).unwrap(),
            b64: f[4].into(),
            hex: f[5].into(),
            ucertpin: f[6].into(),
            cert: f[7].into(),
        })
        .collect()
}

#[test]
fn each_certificate_matches_its_own_pins_only() {
    let cases = cases();
    assert!(cases.len() >= 15);
    for (i, case) in cases.iter().enumerate() {
        let pins: Vec<(String, PinKind)> = vec![
            (format!("sha256//{}", case.b64), PinKind::Spki),
            (format!("pin-sha256=\"{}\"", case.b64), PinKind::Spki),
            (case.hex.to_uppercase(), PinKind::Spki),
            (case.ucertpin.clone(), PinKind::UCertPin),
            (format!("ucertpin:{}", case.ucertpin), PinKind::UCertPin),
            (format!("cert-sha256:{}", case.cert), PinKind::Certificate),
        ];
        for (text, matched) in pins {
            let pin = Pin::parse(&text).unwrap();
            // Backup pins of the other certificates come first, so the index is checked too.
            let mut set: Vec<Pin> = cases
                .iter()
                .enumerate()
                .filter(|(j, _)| *j != i)
                .map(|(_, other)| Pin::parse(&format!("sha256//{}", other.b64)).unwrap())
                .collect();
            set.push(pin);
            for (j, other) in cases.iter().enumerate() {
                let cert = Certificate::from_der(&other.der).unwrap();
                let found = PinSet::new(&set).match_certificate(&cert, &mut SoftSha256);
                let expected_index = if j == i {
                    set.len() - 1
                } else if j < i {
                    j
                } else {
                    j - 1
                };
                let found = found.unwrap_or_else(|| panic!("{text} vs case {j}"));
                assert_eq!(found.index, expected_index, "{text} vs case {j}");
                if j == i {
                    assert_eq!(found.matched, matched, "{text}");
                }
            }
            let alone = [pin];
            let cert_i = Certificate::from_der(&case.der).unwrap();
            for (j, other) in cases.iter().enumerate() {
                let cert = Certificate::from_der(&other.der).unwrap();
                let hit = PinSet::new(&alone)
                    .match_certificate(&cert, &mut SoftSha256)
                    .is_some();
                assert_eq!(hit, i == j, "{text} vs case {j}");
                if matched != PinKind::Certificate {
                    let hit = PinSet::new(&alone)
                        .match_spki(&cert.spki(), &mut SoftSha256)
                        .is_some();
                    assert_eq!(hit, i == j, "{text} vs spki of case {j}");
                }
            }
            if matched == PinKind::Certificate {
                // A certificate pin cannot match a bare key, even the certificate's own.
                assert!(
                    PinSet::new(&alone)
                        .match_spki(&cert_i.spki(), &mut SoftSha256)
                        .is_none()
                );
            }
        }
    }
}

#[test]
fn empty_set_matches_nothing() {
    let case = &cases()[0];
    let cert = Certificate::from_der(&case.der).unwrap();
    assert!(
        PinSet::new(&[])
            .match_certificate(&cert, &mut SoftSha256)
            .is_none()
    );
}

/// Counts hashed bytes, to see that a set hashes only what its pin kinds need.
struct Counting(Vec<usize>);

impl Sha256Engine for Counting {
    fn sha256(&mut self, data: &[u8]) -> [u8; 32] {
        self.0.push(data.len());
        SoftSha256.sha256(data)
    }
}

#[test]
fn only_needed_digests_are_computed() {
    let case = &cases()[0];
    let cert = Certificate::from_der(&case.der).unwrap();
    let spki_len = cert.spki().der().len();
    let bits_len = cert.spki().bit_string_contents().len();
    let check = |pins: &[Pin], want: Vec<usize>| {
        let mut engine = Counting(Vec::new());
        assert!(
            PinSet::new(pins)
                .match_certificate(&cert, &mut engine)
                .is_some()
        );
        assert_eq!(engine.0, want);
    };
    let spki = Pin::parse(&format!("sha256//{}", case.b64)).unwrap();
    let ucert = Pin::parse(&format!("ucertpin:{}", case.ucertpin)).unwrap();
    let fingerprint = Pin::parse(&format!("cert-sha256:{}", case.cert)).unwrap();
    let ambiguous = Pin::parse(&case.ucertpin).unwrap();
    check(&[spki], vec![spki_len]);
    check(&[ucert], vec![bits_len]);
    check(&[fingerprint], vec![case.der.len()]);
    check(&[ambiguous], vec![spki_len, bits_len]);
}

#[test]
fn first_matching_pin_wins_whatever_the_kinds() {
    // Every ordering of three pins drawn from matching pins of every kind and pins that match
    // nothing: the result is the lowest matching index with the kind of digest that matched it
    // (the digests hashed one kind at a time must not favour a kind over a lower index). The
    // expectation is a plain first-match scan.
    let der = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../testdata/certs/ec-p256.der"
    ))
    .unwrap();
    let cert = certpin::Certificate::from_der(&der).unwrap();
    let spki = SoftSha256.sha256(cert.spki().der());
    let ucert = SoftSha256.sha256(cert.spki().bit_string_contents());
    let whole = SoftSha256.sha256(&der);
    let candidates = [
        (Pin::new(PinKind::Spki, spki), Some(PinKind::Spki)),
        (Pin::new(PinKind::UCertPin, ucert), Some(PinKind::UCertPin)),
        (
            Pin::new(PinKind::Certificate, whole),
            Some(PinKind::Certificate),
        ),
        (Pin::new(PinKind::SpkiOrUCertPin, spki), Some(PinKind::Spki)),
        (
            Pin::new(PinKind::SpkiOrUCertPin, ucert),
            Some(PinKind::UCertPin),
        ),
        (Pin::new(PinKind::Spki, ucert), None),
        (Pin::new(PinKind::UCertPin, whole), None),
    ];
    let n = candidates.len();
    for a in 0..n {
        for b in 0..n {
            for c in 0..n {
                let set = [candidates[a], candidates[b], candidates[c]];
                let pins = set.map(|(p, _)| p);
                let expected = set
                    .iter()
                    .enumerate()
                    .find_map(|(i, (_, m))| m.map(|m| (i, m)));
                let found = PinSet::new(&pins)
                    .match_certificate_der(&der, &mut certpin::CompactSha256)
                    .unwrap()
                    .map(|m| (m.index, m.matched));
                assert_eq!(found, expected, "{a} {b} {c}");
                let digests = certpin::PinDigests::of_certificate(&cert, &mut SoftSha256);
                let by_digests = PinSet::new(&pins)
                    .find(&digests)
                    .map(|m| (m.index, m.matched));
                assert_eq!(by_digests, expected, "{a} {b} {c}");
            }
        }
    }
}
