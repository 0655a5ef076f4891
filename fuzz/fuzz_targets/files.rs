//! Arbitrary bytes into the file reader (`certpin::files::read_objects`: PEM armour, DER type
//! detection, PKCS#8 / PKCS#1 / SEC1 private keys): never a panic, every error has a message,
//! and every object read is self-consistent (its key parses, its own pins match it, and its DER
//! read back alone gives the same key).
#![no_main]

use certpin::files::{ObjectKind, read_objects};
use certpin::{PinKind, PinSet, SoftSha256};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let objects = read_objects(data);
    assert!(!objects.is_empty(), "read_objects returned nothing");
    for object in objects {
        let object = match object {
            Ok(object) => object,
            Err(err) => {
                assert!(!err.to_string().is_empty(), "{err:?} has an empty message");
                continue;
            }
        };
        // `spki()` relies on the reader having validated the key: a panic here is a bug.
        let spki = object.spki();
        assert!(!spki.public_key().is_empty(), "an empty key was accepted");
        assert_eq!(
            object.certificate().is_some(),
            object.kind() == ObjectKind::Certificate
        );
        assert_eq!(
            object.certification_request().is_some(),
            object.kind() == ObjectKind::CertificateRequest
        );
        if let Some(cert) = object.certificate() {
            assert_eq!(cert.der(), object.der());
            assert_eq!(cert.spki(), spki);
        }

        let digests = object.digests(&mut SoftSha256);
        let pin = digests.pin(PinKind::Spki).expect("every object has an SPKI pin");
        let found = PinSet::new(&[pin]).match_spki(&spki, &mut SoftSha256);
        assert_eq!(found.map(|m| m.index), Some(0), "an object's own pin");

        // The object's DER alone (no armour) is read as the same key, unless it happens to
        // look like PEM text itself.
        if let [Ok(again)] = read_objects(object.der()).as_slice() {
            assert_eq!(again.spki(), spki, "{:?} read back differently", object.kind());
        }
    }
});
