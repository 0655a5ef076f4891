//! Arbitrary bytes into every DER entry point of the core: never a panic, errors always point
//! inside the input, and whatever parses is self-consistent (accessors, digests, pin matching).
#![no_main]

use certpin::{
    Certificate, CertificationRequest, Error, Pin, PinDigests, PinKind, PinSet, Sha256Engine,
    SoftSha256, SubjectPublicKeyInfo,
};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let full = Certificate::from_der(data);
    match &full {
        Ok(cert) => check_certificate(cert, data),
        Err(err) => check_error(err, data),
    }
    check_lean_walk(&full, data);
    match CertificationRequest::from_der(data) {
        Ok(csr) => {
            assert!(is_subslice(csr.subject(), data));
            check_spki(&csr.spki(), data);
        }
        Err(err) => check_error(&err, data),
    }
    match SubjectPublicKeyInfo::from_der(data) {
        Ok(spki) => {
            assert_eq!(spki.der(), data, "an SPKI fills its input");
            check_spki(&spki, data);
        }
        Err(err) => check_error(&err, data),
    }
});

/// The pin path's walk (`SubjectPublicKeyInfo::from_certificate`) reads less than the full parser
/// but never accepts more: it finds the same key wherever the full parser accepts, and accepts
/// a certificate the full parser rejects only for a defect after the key.
fn check_lean_walk(full: &Result<Certificate<'_>, Error>, data: &[u8]) {
    let lean = SubjectPublicKeyInfo::from_certificate(data);
    match (full, &lean) {
        (Ok(cert), Ok(spki)) => assert_eq!(*spki, cert.spki(), "the walks found different keys"),
        (Ok(_), Err(e)) => panic!("the lean walk rejects what the full parser accepts: {e:?}"),
        (Err(full), Ok(spki)) => {
            let key_end = spki.der().as_ptr() as usize - data.as_ptr() as usize + spki.der().len();
            let at = full.offset().unwrap_or(0);
            assert!(
                at >= key_end,
                "lean walk accepted {full:?}, before the key's end {key_end}"
            );
        }
        (Err(_), Err(e)) => check_error(e, data),
    }
    let pins = [
        Pin::new(PinKind::Spki, [0x5a; 32]),
        Pin::new(PinKind::UCertPin, [0xa5; 32]),
    ];
    let matched = PinSet::new(&pins).match_certificate_der(data, &mut SoftSha256);
    assert_eq!(
        matched.is_ok(),
        lean.is_ok(),
        "match_certificate_der disagrees with the walk"
    );
}

/// `offset()` is inside the input (the end itself only for "input ends here"), and the message
/// and the stable name are not empty.
fn check_error(err: &Error, data: &[u8]) {
    if let Some(at) = err.offset() {
        match err {
            Error::UnexpectedEnd { .. } => assert!(at <= data.len(), "{err:?} past {}", data.len()),
            _ => assert!(at < data.len(), "{err:?} outside {} bytes", data.len()),
        }
    }
    assert!(!err.to_string().is_empty(), "{err:?} has an empty message");
    assert!(!err.name().is_empty(), "{err:?} has an empty name");
}

fn check_certificate(cert: &Certificate<'_>, data: &[u8]) {
    assert_eq!(cert.der(), data, "a certificate fills its input");
    for part in [
        cert.tbs_certificate(),
        cert.serial_number(),
        cert.issuer(),
        cert.validity(),
        cert.subject(),
        cert.signature(),
        cert.extensions().unwrap_or_default(),
    ] {
        assert!(is_subslice(part, data));
    }
    let _ = cert.version();
    let _ = cert.signature_algorithm().oid().to_string();
    let spki = cert.spki();
    check_spki(&spki, data);

    // Re-parsing what was found gives the same thing.
    assert_eq!(Certificate::from_der(cert.der()).as_ref(), Ok(cert));
    let alone = SubjectPublicKeyInfo::from_der(spki.der()).expect("the SPKI of a certificate");
    assert_eq!(alone.der(), spki.der());
    assert_eq!(alone.algorithm(), spki.algorithm());
    assert_eq!(alone.bit_string_contents(), spki.bit_string_contents());
    assert_eq!(alone.key_type(), spki.key_type());

    let digests = PinDigests::of_certificate(cert, &mut SoftSha256);
    assert_eq!(digests.cert_sha256, Some(SoftSha256.sha256(data)));
    assert_eq!(
        PinDigests::of_spki(&spki, &mut SoftSha256).spki_sha256,
        digests.spki_sha256
    );
    for kind in [PinKind::Spki, PinKind::UCertPin, PinKind::Certificate] {
        let pin = digests.pin(kind).expect("a certificate has every pin kind");
        let decoy = Pin::new(kind, flip(pin.digest()));
        let pins = [decoy, pin];
        let found = PinSet::new(&pins)
            .match_certificate(cert, &mut SoftSha256)
            .expect("a certificate matches its own pin");
        assert_eq!((found.index, found.matched), (1, kind), "{kind:?}");
        assert_eq!(PinSet::new(&pins).find(&digests).map(|m| m.index), Some(1));
        assert!(
            PinSet::new(&pins[..1])
                .match_certificate(cert, &mut SoftSha256)
                .is_none()
        );
    }
    // The ambiguous hex kind matches either key digest, never the certificate digest.
    for (digest, matched) in [
        (digests.spki_sha256, PinKind::Spki),
        (digests.ucertpin, PinKind::UCertPin),
    ] {
        let pins = [Pin::new(PinKind::SpkiOrUCertPin, digest)];
        let found = PinSet::new(&pins).match_certificate(cert, &mut SoftSha256);
        // The two digests can only coincide by a SHA-256 collision; Spki wins ties.
        assert_eq!(found.map(|m| m.matched), Some(matched));
    }
    if let Some(cert_digest) = digests.cert_sha256 {
        if cert_digest != digests.spki_sha256 && cert_digest != digests.ucertpin {
            let pins = [Pin::new(PinKind::SpkiOrUCertPin, cert_digest)];
            assert!(
                PinSet::new(&pins)
                    .match_certificate(cert, &mut SoftSha256)
                    .is_none()
            );
        }
    }
}

fn check_spki(spki: &SubjectPublicKeyInfo<'_>, data: &[u8]) {
    assert!(is_subslice(spki.der(), data));
    assert!(is_subslice(spki.bit_string_contents(), spki.der()));
    assert_eq!(spki.public_key(), &spki.bit_string_contents()[1..]);
    assert!(!spki.public_key().is_empty(), "an empty key was accepted");
    assert!(!spki.key_type().to_string().is_empty());
    let algorithm = spki.algorithm();
    let _ = algorithm.oid().to_string();
    if let Some(parameters) = algorithm.parameters() {
        assert!(is_subslice(parameters, spki.der()));
    }

    let digests = PinDigests::of_spki(spki, &mut SoftSha256);
    assert_eq!(digests.cert_sha256, None);
    assert_eq!(digests.pin(PinKind::Certificate), None);
    let spki_pin = digests.pin(PinKind::Spki).expect("an SPKI pin");
    let ucert_pin = digests.pin(PinKind::UCertPin).expect("a ucertpin pin");
    let pins = [
        Pin::new(PinKind::Certificate, *spki_pin.digest()),
        ucert_pin,
        spki_pin,
    ];
    let found = PinSet::new(&pins)
        .match_spki(spki, &mut SoftSha256)
        .expect("a key matches its own pins");
    // A certificate pin never matches a bare key, whatever its digest.
    assert_eq!((found.index, found.matched), (1, PinKind::UCertPin));
}

fn flip(digest: &[u8; 32]) -> [u8; 32] {
    let mut out = *digest;
    out[0] ^= 1;
    out
}

fn is_subslice(part: &[u8], whole: &[u8]) -> bool {
    let (start, end) = (part.as_ptr() as usize, whole.as_ptr() as usize);
    part.is_empty() || (start >= end && start + part.len() <= end + whole.len())
}
