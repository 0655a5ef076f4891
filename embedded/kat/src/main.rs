//! Known-answer tests of the certpin core, run on a bare-metal core under QEMU.
//!
//! Every expected value comes from OpenSSL (`testdata/pins.tsv`, `../shared/vectors`), turned
//! into a table by `build.rs`. Each check prints `ok`/`FAIL` over semihosting; the last line is
//! `N passed, M failed` and the exit status (0 only if nothing failed) reaches QEMU's caller.
//! A panic also exits non-zero (the `semihosting` panic handler).
#![no_std]
#![no_main]

use core::fmt::Write as _;

use certpin::{
    Certificate, CompactSha256, Error, Field, Pin, PinDigests, PinKind, PinSet, SoftSha256, Version,
};
use semihosting::println;

/// One certificate and the digests OpenSSL computed for it.
struct Known {
    label: &'static str,
    der: &'static [u8],
    /// certpin's key-type name, where the fixture list uses the same names.
    key_type: Option<&'static str>,
    spki_b64: &'static str,
    spki_hex: &'static str,
    ucert_hex: &'static str,
    cert_hex: &'static str,
    spki: [u8; 32],
    ucert: [u8; 32],
    cert: [u8; 32],
}

include!(concat!(env!("OUT_DIR"), "/known.rs"));

#[cfg(target_arch = "arm")]
#[cortex_m_rt::entry]
fn entry() -> ! {
    run()
}

#[cfg(target_arch = "riscv32")]
#[riscv_rt::entry]
fn entry() -> ! {
    run()
}

#[derive(Default)]
struct Tally {
    passed: u32,
    failed: u32,
}

impl Tally {
    fn check(&mut self, label: &str, what: &str, ok: bool) {
        if ok {
            self.passed += 1;
            println!("ok   {label}: {what}");
        } else {
            self.failed += 1;
            println!("FAIL {label}: {what}");
        }
    }
}

fn run() -> ! {
    let mut tally = Tally::default();
    for (i, known) in KNOWN.iter().enumerate() {
        digests(&mut tally, known);
        pin_set(&mut tally, known, &KNOWN[(i + 1) % KNOWN.len()]);
        device_path(&mut tally, known);
    }
    versions(&mut tally);
    malformed(&mut tally);
    println!("{} passed, {} failed", tally.passed, tally.failed);
    semihosting::process::exit(if tally.failed == 0 && tally.passed > 0 {
        0
    } else {
        1
    })
}

fn digests(tally: &mut Tally, known: &Known) {
    let cert = match Certificate::from_der(known.der) {
        Ok(cert) => cert,
        Err(_) => return tally.check(known.label, "parses", false),
    };
    let got = PinDigests::of_certificate(&cert, &mut SoftSha256);
    tally.check(known.label, "SPKI SHA-256", got.spki_sha256 == known.spki);
    tally.check(known.label, "ucertpin", got.ucertpin == known.ucert);
    tally.check(
        known.label,
        "certificate SHA-256",
        got.cert_sha256 == Some(known.cert),
    );
    if let Some(expected) = known.key_type {
        let mut name = Text::default();
        let _ = write!(name, "{}", cert.spki().key_type());
        tally.check(known.label, "key type", name.as_str() == expected);
    }
}

fn pin_set(tally: &mut Tally, known: &Known, other: &Known) {
    let Ok(cert) = Certificate::from_der(known.der) else {
        return tally.check(known.label, "parses for pin set", false);
    };
    let mut text = Text::default();
    let spellings = [
        ("sha256//", known.spki_b64, PinKind::Spki),
        ("spki-sha256:", known.spki_hex, PinKind::Spki),
        ("ucertpin:", known.ucert_hex, PinKind::UCertPin),
        ("cert-sha256:", known.cert_hex, PinKind::Certificate),
        ("", known.spki_hex, PinKind::Spki),
        ("", known.ucert_hex, PinKind::UCertPin),
    ];
    for (prefix, digest, kind) in spellings {
        text.clear();
        let _ = write!(text, "{prefix}{digest}");
        let found = Pin::parse(text.as_str())
            .ok()
            .and_then(|pin| PinSet::new(&[pin]).match_certificate(&cert, &mut SoftSha256));
        tally.check(
            known.label,
            "PinSet matches its own pin",
            found.is_some_and(|m| m.index == 0 && m.matched == kind),
        );
    }

    // Another certificate's pins first, then this one's: the second must be the match.
    if other.spki != known.spki && other.ucert != known.ucert {
        text.clear();
        let _ = write!(
            text,
            "sha256//{}; ucertpin:{}",
            other.spki_b64, other.ucert_hex
        );
        let mut buf = [Pin::new(PinKind::Spki, [0; 32]); 3];
        let mismatch = PinSet::parse_into(text.as_str(), &mut buf)
            .map(|set| set.match_certificate(&cert, &mut SoftSha256));
        tally.check(
            known.label,
            "PinSet rejects other keys",
            mismatch == Ok(None),
        );

        let _ = write!(text, " {}", known.ucert_hex);
        let mut buf = [Pin::new(PinKind::Spki, [0; 32]); 3];
        let found = PinSet::parse_into(text.as_str(), &mut buf)
            .ok()
            .and_then(|set| set.match_spki(&cert.spki(), &mut SoftSha256));
        tally.check(
            known.label,
            "backup pin matches at its index",
            found.is_some_and(|m| m.index == 2 && m.matched == PinKind::UCertPin),
        );
    }
}

/// What a firmware runs once per handshake, as `embedded/footprint` measures it: the lean walk
/// to the key (`match_certificate_der`) with `CompactSha256`, each pin kind behind a decoy,
/// and a set of other keys' pins that must match nothing.
fn device_path(tally: &mut Tally, known: &Known) {
    let mut compact = CompactSha256;
    let Ok(cert) = Certificate::from_der(known.der) else {
        return tally.check(known.label, "parses for the device path", false);
    };
    let got = PinDigests::of_certificate(&cert, &mut compact);
    tally.check(
        known.label,
        "CompactSha256 digests",
        got.spki_sha256 == known.spki
            && got.ucertpin == known.ucert
            && got.cert_sha256 == Some(known.cert),
    );
    for (kind, digest) in [
        (PinKind::Spki, known.spki),
        (PinKind::UCertPin, known.ucert),
        (PinKind::Certificate, known.cert),
    ] {
        let mut decoy = digest;
        decoy[31] ^= 1;
        let pins = [Pin::new(kind, decoy), Pin::new(kind, digest)];
        let found = PinSet::new(&pins).match_certificate_der(known.der, &mut compact);
        tally.check(
            known.label,
            "device path matches behind a decoy",
            matches!(found, Ok(Some(m)) if m.index == 1 && m.matched == kind),
        );
        let found = PinSet::new(&pins[..1]).match_certificate_der(known.der, &mut compact);
        tally.check(
            known.label,
            "device path rejects the decoy alone",
            found == Ok(None),
        );
    }
}

fn versions(tally: &mut Tally) {
    for known in KNOWN {
        let expected = if known.label.contains("-v1") {
            Version::V1
        } else {
            Version::V3
        };
        let got = Certificate::from_der(known.der).map(|c| c.version());
        tally.check(known.label, "version", got == Ok(expected));
    }
    let v1_count = KNOWN.iter().filter(|k| k.label.contains("-v1")).count();
    tally.check("fixtures", "include v1 certificates", v1_count >= 2);
}

fn malformed(tally: &mut Tally) {
    let Some(good) = KNOWN.iter().find(|k| k.label == "certs/ec-p256.der") else {
        return tally.check("malformed", "ec-p256 fixture present", false);
    };
    let der = good.der;
    let len = der.len();
    // The fixture starts `30 82 LL LL 30 82 ...`: a long-form outer SEQUENCE, then the TBS.
    tally.check(
        "malformed",
        "fixture shape",
        len > 300 && der[..2] == [0x30, 0x82] && der[4] == 0x30,
    );

    let mut buf = [0u8; 1024];
    buf[..len].copy_from_slice(der);

    let truncated = Certificate::from_der(&buf[..len - 1]);
    tally.check(
        "malformed",
        "truncated -> LengthPastEnd(Certificate)",
        matches!(
            truncated,
            Err(Error::LengthPastEnd {
                field: Field::Certificate,
                at: 0,
                ..
            })
        ),
    );
    buf[len] = 0x00;
    tally.check(
        "malformed",
        "trailing byte -> TrailingData",
        Certificate::from_der(&buf[..len + 1])
            == Err(Error::TrailingData {
                field: Field::Certificate,
                at: len,
            }),
    );
    tally.check(
        "malformed",
        "empty -> UnexpectedEnd",
        Certificate::from_der(&[])
            == Err(Error::UnexpectedEnd {
                field: Field::Certificate,
                at: 0,
            }),
    );
    buf[4] = 0x31;
    tally.check(
        "malformed",
        "SET for TBSCertificate -> WrongTag",
        Certificate::from_der(&buf[..len])
            == Err(Error::WrongTag {
                field: Field::TbsCertificate,
                at: 4,
                expected: 0x30,
                found: 0x31,
            }),
    );
    buf[4] = 0x30;
    buf[1] = 0x80;
    tally.check(
        "malformed",
        "indefinite length -> IndefiniteLength",
        Certificate::from_der(&buf[..len])
            == Err(Error::IndefiniteLength {
                field: Field::Certificate,
                at: 0,
            }),
    );
    tally.check(
        "malformed",
        "SHA-1 pin -> UnsupportedHash",
        Pin::parse("sha1/8dIgFeL3V+2DSHkkcbNPlKBLLZs=")
            == Err(Error::UnsupportedHash(certpin::UnsupportedHash::Sha1)),
    );
    // Every prefix of a certificate is malformed; none may panic.
    let all_rejected = (0..len).all(|n| Certificate::from_der(&der[..n]).is_err());
    tally.check(
        "malformed",
        "every truncation rejected without panic",
        all_rejected,
    );
}

/// A small fixed-capacity string, for formatting without an allocator.
struct Text {
    bytes: [u8; 256],
    len: usize,
}

impl Default for Text {
    fn default() -> Self {
        Text {
            bytes: [0; 256],
            len: 0,
        }
    }
}

impl Text {
    fn clear(&mut self) {
        self.len = 0;
    }

    fn as_str(&self) -> &str {
        core::str::from_utf8(&self.bytes[..self.len]).unwrap_or("")
    }
}

impl core::fmt::Write for Text {
    fn write_str(&mut self, s: &str) -> core::fmt::Result {
        let end = self.len + s.len();
        let slot = self.bytes.get_mut(self.len..end).ok_or(core::fmt::Error)?;
        slot.copy_from_slice(s.as_bytes());
        self.len = end;
        Ok(())
    }
}
