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
    // Found by the `pin` fuzz target.
    for text in [
        "sha/5swxyP+1d+lzksoFkOdOtfXOi16orTe9eWBlmP0=",
        "sha256/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
    ] {
        let pin = Pin::parse(text).unwrap();
        assert_eq!(pin.format(PinFormat::Base64).unwrap().to_string(), text);
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
