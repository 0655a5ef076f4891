//! Unit tests of the pin text formats.
use super::*;
use std::format;
use std::prelude::rust_2024::*;

const B64: &str = "4fyH5swxyP+1d+lzksoFkOdOtfXOi16orTe9eWBlmP0=";
const HEX: &str = "e1fc87e6cc31c8ffb577e97392ca0590e74eb5f5ce8b5ea8ad37bd79606598fd";

#[test]
fn every_spki_form_gives_the_same_pin() {
    let expected = Pin::parse(&format!("spki-sha256:{HEX}")).unwrap();
    for text in [
        format!("sha256//{B64}"),
        format!("sha256/{B64}"),
        format!("pin-sha256=\"{B64}\""),
        format!("  {B64}\n"),
        format!("SPKI-SHA256:{}", HEX.to_uppercase()),
    ] {
        assert_eq!(Pin::parse(&text), Ok(expected), "{text}");
    }
}

#[test]
fn rejections_are_specific() {
    assert_eq!(Pin::parse(" "), Err(Error::EmptyPin));
    assert_eq!(
        Pin::parse(&format!("pin-sha256={B64}")),
        Err(Error::UnquotedHpkpPin)
    );
    assert_eq!(
        Pin::parse("sha1//AAAA"),
        Err(Error::UnsupportedHash(UnsupportedHash::Sha1))
    );
    assert_eq!(
        Pin::parse("pin-sha1=\"x\""),
        Err(Error::UnsupportedHash(UnsupportedHash::Sha1))
    );
    assert_eq!(
        Pin::parse("sha512/x"),
        Err(Error::UnsupportedHash(UnsupportedHash::Sha512))
    );
    assert_eq!(
        Pin::parse("md5:00"),
        Err(Error::UnsupportedHash(UnsupportedHash::Md5))
    );
    assert_eq!(
        Pin::parse(&format!("spki:{HEX}")),
        Err(Error::UnknownPinPrefix)
    );
    assert_eq!(
        Pin::parse(&HEX[..62]),
        Err(Error::WrongDigestLength { found: 31 })
    );
    assert_eq!(
        Pin::parse(&format!("{HEX}00")),
        Err(Error::WrongDigestLength { found: 33 })
    );
    assert_eq!(
        Pin::parse(&format!("ucertpin:{}g", &HEX[..63])),
        Err(Error::InvalidHex { at: 63 })
    );
    assert_eq!(Pin::parse("sha256//****"), Err(Error::InvalidBase64));
    assert_eq!(Pin::parse(&B64[..43]), Err(Error::InvalidBase64)); // padding missing
    assert_eq!(Pin::parse("hello world!"), Err(Error::UnrecognizedPin));
    assert_eq!(
        Pin::parse(&format!("sha256//{}", "A".repeat(400))),
        Err(Error::WrongDigestLength { found: 300 })
    );
}

#[test]
fn okhttp_base64_starting_with_a_slash() {
    // Found by the `pin` fuzz target: 0xff.. digests print as `sha256///…`.
    let pin = Pin::new(PinKind::Spki, [0xff; 32]);
    for format in [PinFormat::OkHttp, PinFormat::Curl] {
        let text = pin.format(format).unwrap().to_string();
        assert_eq!(Pin::parse(&text), Ok(pin), "{text}");
    }
    assert_eq!(Pin::parse(&pin.to_string()), Ok(pin));
}

#[test]
fn bare_base64_that_looks_like_a_prefix() {
    // Found by the `pin` fuzz target: valid bare base64 that begins like a hash name.
    let pin = Pin::parse("sha/5swxyP+1d+lzksoFkOdOtfXOi16orTe9eWBlmP0=").unwrap();
    // Decoded by Python's base64 module.
    let expected = "b216bfe6cc31c8ffb577e97392ca0590e74eb5f5ce8b5ea8ad37bd79606598fd";
    assert_eq!(pin.format(PinFormat::Hex).unwrap().to_string(), expected);
    // 44 characters of valid base64 beginning `sha256/`: OkHttp's part (37 characters)
    // cannot be base64, so the text cannot be a prefixed pin and is read bare.
    let text = "sha256/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";
    let expected = "b216b6e7afc00000000000000000000000000000000000000000000000000000";
    let pin = Pin::parse(text).unwrap();
    assert_eq!(pin.format(PinFormat::Hex).unwrap().to_string(), expected);
    assert_eq!(pin.format(PinFormat::Base64).unwrap().to_string(), text);
    // Neither reading being base64, the prefixed form's error.
    assert_eq!(
        Pin::parse("sha256/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA*="),
        Err(Error::InvalidBase64)
    );
}

#[test]
fn a_mistyped_prefixed_pin_is_not_read_as_bare_base64() {
    // `sha256//` + base64(bytes 0..26) (Python's base64) is 44 valid base64 characters.
    let text = "sha256//AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBk=";
    assert_eq!(text.len(), 44);
    assert_eq!(
        Pin::parse(text),
        Err(Error::WrongDigestLength { found: 26 })
    );
}

#[test]
fn a_curl_pin_missing_a_character_reads_as_okhttp() {
    // The one accepted ambiguity (see `Pin::parse`): B64 with its 13th character deleted,
    // after `sha256//`, is OkHttp's form of the digest Python's base64 gives for "/" + it.
    let text = format!("sha256//{}{}", &B64[..12], &B64[13..]);
    let okhttp = "ff87f21f9b30c723fed7e97392ca0590e74eb5f5ce8b5ea8ad37bd79606598fd";
    let pin = Pin::parse(&text).unwrap();
    assert_eq!(pin.kind(), PinKind::Spki);
    assert_eq!(pin.format(PinFormat::Hex).unwrap().to_string(), okhttp);
    // A missing padding character leaves neither reading 32 bytes: curl's error.
    let no_pad = format!("sha256//{}", &B64[..43]);
    assert_eq!(Pin::parse(&no_pad), Err(Error::InvalidBase64));
}

#[test]
fn overlong_base64_reports_its_size() {
    // base64 of 33, 64, 65 and 66 bytes of 0xa5 (Python's base64).
    let block = "paWl"; // 3 bytes of 0xa5
    for (text, found) in [
        (format!("{}pQ==", block.repeat(21)), 64),
        (block.repeat(11), 33),
        (format!("{}paU=", block.repeat(21)), 65),
        (block.repeat(22), 66),
    ] {
        for pin in [format!("sha256//{text}"), format!("pin-sha256=\"{text}\"")] {
            assert_eq!(
                Pin::parse(&pin),
                Err(Error::WrongDigestLength { found }),
                "{pin}"
            );
        }
    }
}

#[test]
fn colon_hex() {
    let pairs: Vec<&str> = (0..32).map(|i| &HEX[2 * i..2 * i + 2]).collect();
    let colon = pairs.join(":");
    assert_eq!(
        Pin::parse(&colon).unwrap().digest(),
        Pin::parse(HEX).unwrap().digest()
    );
    assert_eq!(
        Pin::parse(&format!("{colon}:")),
        Err(Error::InvalidHex { at: 95 })
    );
    // A missing separator in the middle: the digit lands where a colon belongs.
    let bad = format!("{}{}", &colon[..14], &colon[15..]);
    assert_eq!(Pin::parse(&bad), Err(Error::InvalidHex { at: 14 }));
    // A missing separator right after the first pair reads as an unknown prefix.
    assert_eq!(
        Pin::parse(&colon.replacen(':', "", 1)),
        Err(Error::UnknownPinPrefix)
    );
}

#[test]
fn every_format_round_trips() {
    let pin = Pin::parse(B64).unwrap();
    for format in [
        PinFormat::Curl,
        PinFormat::OkHttp,
        PinFormat::Hpkp,
        PinFormat::Base64,
        PinFormat::Prefixed,
    ] {
        let text = pin.format(format).unwrap().to_string();
        assert_eq!(Pin::parse(&text), Ok(pin), "{text}");
    }
    assert_eq!(pin.format(PinFormat::Hex).unwrap().to_string(), HEX);
}

#[test]
fn unsupported_hash_messages_read_as_sentences() {
    let message = |text: &str| Pin::parse(text).unwrap_err().to_string();
    assert_eq!(
        message("sha3/AAAA"),
        "invalid pin: the hash is not one certpin knows; expected a SHA-256 pin (e.g. sha256//BASE64)"
    );
    assert_eq!(
        message("sha1/AAAA"),
        "invalid pin: sha1 pins are not supported; expected a SHA-256 pin (e.g. sha256//BASE64)"
    );
}
