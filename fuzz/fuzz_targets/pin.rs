//! Arbitrary text into the pin parsers: never a panic, every pin that parses prints back to
//! text that parses to the same pin, and `PinSet::parse_into` agrees with `parse_pin_list`.
#![no_main]

use certpin::{Error, Pin, PinDigests, PinFormat, PinKind, PinSet, parse_pin_list};
use libfuzzer_sys::fuzz_target;

const FORMATS: [PinFormat; 6] = [
    PinFormat::Curl,
    PinFormat::OkHttp,
    PinFormat::Hpkp,
    PinFormat::Base64,
    PinFormat::Hex,
    PinFormat::Prefixed,
];

/// Capacity of the `parse_into` buffer: small, so `TooManyPins` is reachable.
const CAPACITY: usize = 3;

fuzz_target!(|data: &[u8]| {
    // Valid UTF-8 as is; anything else through the lossy conversion (U+FFFD in the text is one
    // more thing the parsers must reject cleanly).
    let text = String::from_utf8_lossy(data);
    let text = text.as_ref();

    match Pin::parse(text) {
        Ok(pin) => {
            check_round_trips(&pin);
            assert_eq!(
                text.parse::<Pin>(),
                Ok(pin),
                "FromStr disagrees with Pin::parse"
            );
        }
        Err(err) => check_error(&err),
    }

    // The list, and what `parse_into` must make of it with a CAPACITY-pin buffer.
    let mut expected: Result<Vec<Pin>, Error> = Ok(Vec::new());
    for item in parse_pin_list(text) {
        match item {
            Ok(pin) => {
                check_round_trips(&pin);
                if let Ok(pins) = &mut expected {
                    if pins.len() == CAPACITY {
                        expected = Err(Error::TooManyPins { capacity: CAPACITY });
                    } else {
                        pins.push(pin);
                    }
                }
            }
            Err(err) => {
                check_error(&err);
                if expected.is_ok() {
                    expected = Err(err);
                }
            }
        }
    }
    if expected.as_ref().is_ok_and(|pins| pins.is_empty()) {
        expected = Err(Error::EmptyPin);
    }
    let mut buf = [Pin::new(PinKind::Spki, [0; 32]); CAPACITY];
    let set = PinSet::parse_into(text, &mut buf);
    assert_eq!(
        set.map(|s| s.pins().to_vec()),
        expected,
        "parse_into vs parse_pin_list"
    );
    if let Ok(set) = set {
        check_matching(&set);
    }
});

fn check_error(err: &Error) {
    assert!(!err.to_string().is_empty(), "{err:?} has an empty message");
    assert!(!err.name().is_empty(), "{err:?} has an empty name");
}

/// The canonical form parses back to the same pin; every format that can express the pin
/// parses back to a pin with the same digest (and the kind that format denotes).
fn check_round_trips(pin: &Pin) {
    let canonical = pin.to_string();
    assert_eq!(
        Pin::parse(&canonical),
        Ok(*pin),
        "canonical form {canonical:?}"
    );
    assert_eq!(
        Pin::parse(&format!(" {canonical}\n")),
        Ok(*pin),
        "padded {canonical:?}"
    );
    assert!(
        pin.format(PinFormat::Hex).is_some(),
        "every pin has a hex form"
    );
    for format in FORMATS {
        let Some(formatted) = pin.format(format) else {
            let expressible = match format {
                PinFormat::Curl | PinFormat::OkHttp | PinFormat::Hpkp | PinFormat::Base64 => {
                    pin.kind() == PinKind::Spki
                }
                PinFormat::Hex => true,
                PinFormat::Prefixed => pin.kind() != PinKind::SpkiOrUCertPin,
            };
            assert!(!expressible, "{format:?} refused {pin:?}");
            continue;
        };
        let text = formatted.to_string();
        let back = Pin::parse(&text).unwrap_or_else(|e| panic!("{format:?} {text:?}: {e:?}"));
        assert_eq!(back.digest(), pin.digest(), "{format:?} {text:?}");
        let kind = match format {
            PinFormat::Hex => PinKind::SpkiOrUCertPin,
            PinFormat::Prefixed => pin.kind(),
            _ => PinKind::Spki,
        };
        assert_eq!(back.kind(), kind, "{format:?} {text:?}");
    }
}

/// Every pin of a set is found by digests that equal its own, at its index or an earlier
/// pin with the same digest.
fn check_matching(set: &PinSet<'_>) {
    for (i, pin) in set.pins().iter().enumerate() {
        let d = *pin.digest();
        let digests = PinDigests {
            spki_sha256: d,
            ucertpin: d,
            cert_sha256: Some(d),
        };
        let found = set.find(&digests).expect("a pin matches its own digest");
        assert!(found.index <= i);
        assert_eq!(set.pins()[found.index], found.pin);
        assert_eq!(found.pin.digest(), pin.digest());
        match found.pin.kind() {
            PinKind::SpkiOrUCertPin => assert_eq!(found.matched, PinKind::Spki),
            kind => assert_eq!(found.matched, kind),
        }
        // Digests differing from every pin match nothing.
        let other = PinDigests {
            spki_sha256: [0; 32],
            ucertpin: [0; 32],
            cert_sha256: None,
        };
        if set.pins().iter().all(|p| p.digest() != &[0; 32]) {
            assert!(set.find(&other).is_none());
        }
    }
}
