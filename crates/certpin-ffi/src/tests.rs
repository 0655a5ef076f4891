//! Unit tests of the C functions, called as C would call them (also run under Miri by
//! `scripts/test-ffi`). Expected digests come from `testdata/pins.tsv`, which OpenSSL wrote.

use core::ffi::{CStr, c_char};
use core::ptr::{null, null_mut};

use crate::*;

const LEAF: &[u8] = include_bytes!("../../../testdata/chain/leaf.der");
const SPKI: &[u8] = include_bytes!("../../../testdata/keys/ec-p256.pub.der");
const PINS_TSV: &str = include_str!("../../../testdata/pins.tsv");

/// The (spki base64, spki hex, ucertpin hex, cert hex) columns of `file` in pins.tsv.
fn openssl_row(file: &str) -> [&'static str; 4] {
    let row = PINS_TSV
        .lines()
        .map(|line| line.split('\t').collect::<Vec<_>>())
        .find(|cols| cols[0] == file)
        .unwrap();
    [row[4], row[5], row[6], row[7]]
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

const BLANK: CertpinPin = CertpinPin {
    kind: 0,
    digest: [0; 32],
};

/// Parses `text` into a heap buffer of `capacity` pins, returned with the set so the pins
/// outlive the call, as a C caller's array would (the set points into the buffer).
fn parse(text: &[u8], capacity: usize) -> (CertpinStatus, CertpinPinSet, Vec<CertpinPin>) {
    let mut buf = vec![BLANK; capacity];
    let mut set = CertpinPinSet {
        pins: null(),
        len: 99,
    };
    // SAFETY: all pointers valid for the given lengths.
    let status = unsafe {
        certpin_pinset_parse(
            text.as_ptr().cast(),
            text.len(),
            buf.as_mut_ptr(),
            capacity,
            &mut set,
        )
    };
    (status, set, buf)
}

fn match_cert(set: &CertpinPinSet, der: &[u8]) -> (CertpinStatus, usize, usize) {
    let (mut index, mut offset) = (usize::MAX - 1, 0);
    // SAFETY: all pointers valid for the given lengths.
    let status =
        unsafe { certpin_match_certificate(set, der.as_ptr(), der.len(), &mut index, &mut offset) };
    (status, index, offset)
}

#[test]
fn digests_equal_openssl() {
    let [_, spki, ucert, cert] = openssl_row("chain/leaf.der");
    let mut out = core::mem::MaybeUninit::<CertpinDigests>::uninit();
    // SAFETY: valid pointers; NULL err_offset is allowed.
    let status = unsafe {
        certpin_digests_of_certificate(LEAF.as_ptr(), LEAF.len(), out.as_mut_ptr(), null_mut())
    };
    assert_eq!(status, CertpinStatus::CERTPIN_OK);
    // SAFETY: written on success.
    let out = unsafe { out.assume_init() };
    assert_eq!(
        (
            hex(&out.spki_sha256),
            hex(&out.ucertpin),
            hex(&out.cert_sha256)
        ),
        (spki.into(), ucert.into(), cert.into())
    );
    assert!(out.has_cert_sha256);

    let [_, spki, ucert, _] = openssl_row("keys/ec-p256.pub.der");
    let mut out = core::mem::MaybeUninit::<CertpinDigests>::uninit();
    // SAFETY: as above.
    let status =
        unsafe { certpin_digests_of_spki(SPKI.as_ptr(), SPKI.len(), out.as_mut_ptr(), null_mut()) };
    assert_eq!(status, CertpinStatus::CERTPIN_OK);
    // SAFETY: written on success.
    let out = unsafe { out.assume_init() };
    assert_eq!(
        (hex(&out.spki_sha256), hex(&out.ucertpin)),
        (spki.into(), ucert.into())
    );
    assert!(!out.has_cert_sha256);
}

#[test]
fn matches_report_the_index_of_the_matching_pin() {
    let [b64, spki_hex, ucert, cert] = openssl_row("chain/leaf.der");
    let other = "sha256//ERERERERERERERERERERERERERERERERERERERERERE=";
    for (text, index) in [
        (format!("{other};sha256//{b64}"), 1),
        (format!("{other} {other},ucertpin:{ucert}"), 2),
        (format!("cert-sha256:{cert}"), 0),
        (format!("{other}\n{spki_hex}"), 1),
    ] {
        let (status, set, _buf) = parse(text.as_bytes(), 4);
        assert_eq!(status, CertpinStatus::CERTPIN_OK, "{text}");
        assert_eq!(
            match_cert(&set, LEAF),
            (CertpinStatus::CERTPIN_OK, index, CERTPIN_NO_OFFSET)
        );
    }
    let (_, set, _buf) = parse(other.as_bytes(), 1);
    assert_eq!(match_cert(&set, LEAF).0, CertpinStatus::CERTPIN_NO_MATCH);

    // More pins than one stack chunk: the match is found past the first chunk.
    let many = format!("{}sha256//{b64}", format!("{other};").repeat(11));
    let (status, set, _buf) = parse(many.as_bytes(), 12);
    assert_eq!((status, set.len), (CertpinStatus::CERTPIN_OK, 12));
    assert_eq!(match_cert(&set, LEAF).1, 11);

    // A certificate pin cannot match a bare key.
    let (_, set, _buf) = parse(format!("cert-sha256:{cert}").as_bytes(), 1);
    let [_, _, key_ucert, _] = openssl_row("keys/ec-p256.pub.der");
    // SAFETY: valid pointers.
    let status =
        unsafe { certpin_match_spki(&set, SPKI.as_ptr(), SPKI.len(), null_mut(), null_mut()) };
    assert_eq!(status, CertpinStatus::CERTPIN_NO_MATCH);
    let (_, set, _buf) = parse(format!("ucertpin:{key_ucert}").as_bytes(), 1);
    let mut index = 7;
    // SAFETY: valid pointers.
    let status =
        unsafe { certpin_match_spki(&set, SPKI.as_ptr(), SPKI.len(), &mut index, null_mut()) };
    assert_eq!((status, index), (CertpinStatus::CERTPIN_OK, 0));
}

#[test]
fn malformed_input_gives_codes_and_offsets() {
    let (_, set, _buf) = parse(b"sha256//ERERERERERERERERERERERERERERERERERERERERERE=", 1);
    // Length of the outer SEQUENCE one byte short: trailing data after it, at its end.
    let mut der = LEAF.to_vec();
    der.push(0);
    let (status, _, offset) = match_cert(&set, &der);
    assert_eq!(
        (status, offset),
        (CertpinStatus::CERTPIN_ERR_TRAILING_DATA, LEAF.len())
    );
    let (status, _, offset) = match_cert(&set, &LEAF[..LEAF.len() - 1]);
    assert_eq!(
        (status, offset),
        (CertpinStatus::CERTPIN_ERR_LENGTH_PAST_END, 0)
    );

    for (text, expected) in [
        (
            &b"sha1//AAAA"[..],
            CertpinStatus::CERTPIN_ERR_UNSUPPORTED_HASH,
        ),
        (b" ;, ", CertpinStatus::CERTPIN_ERR_EMPTY_PIN),
        (
            b"sha256//AAAA",
            CertpinStatus::CERTPIN_ERR_WRONG_DIGEST_LENGTH,
        ),
        (
            b"pin-sha256=abc",
            CertpinStatus::CERTPIN_ERR_UNQUOTED_HPKP_PIN,
        ),
        (
            b"sha256//\xff\xfe",
            CertpinStatus::CERTPIN_ERR_UNRECOGNIZED_PIN,
        ),
    ] {
        let (status, set, _buf) = parse(text, 2);
        assert_eq!((status, set.pins, set.len), (expected, null(), 0));
    }
    let two = b"sha256//ERERERERERERERERERERERERERERERERERERERERERE= sha256//ERERERERERERERERERERERERERERERERERERERERERE=";
    assert_eq!(parse(two, 1).0, CertpinStatus::CERTPIN_ERR_TOO_MANY_PINS);
    assert_eq!(parse(two, 0).0, CertpinStatus::CERTPIN_ERR_TOO_MANY_PINS);
}

#[test]
fn null_pointers_and_bad_lengths_are_codes() {
    use CertpinStatus::{CERTPIN_ERR_BAD_LENGTH as BAD_LENGTH, CERTPIN_ERR_NULL_POINTER as NULL};
    let text = b"sha256//ERERERERERERERERERERERERERERERERERERERERERE=";
    let mut buf = [BLANK; 2];
    let mut set = CertpinPinSet {
        pins: null(),
        len: 0,
    };
    let mut digests = core::mem::MaybeUninit::<CertpinDigests>::uninit();
    // SAFETY: each call has a NULL or an impossibly long argument; all others are valid.
    unsafe {
        let t = text.as_ptr().cast::<c_char>();
        assert_eq!(
            certpin_pinset_parse(null(), 4, buf.as_mut_ptr(), 2, &mut set),
            NULL
        );
        assert_eq!(
            certpin_pinset_parse(t, text.len(), null_mut(), 2, &mut set),
            NULL
        );
        assert_eq!(
            certpin_pinset_parse(t, text.len(), buf.as_mut_ptr(), 2, null_mut()),
            NULL
        );
        assert_eq!(
            certpin_pinset_parse(t, usize::MAX, buf.as_mut_ptr(), 2, &mut set),
            BAD_LENGTH
        );
        let d = digests.as_mut_ptr();
        assert_eq!(
            certpin_digests_of_certificate(null(), 0, d, null_mut()),
            NULL
        );
        assert_eq!(
            certpin_digests_of_certificate(LEAF.as_ptr(), LEAF.len(), null_mut(), null_mut()),
            NULL
        );
        assert_eq!(
            certpin_digests_of_spki(SPKI.as_ptr(), usize::MAX / 2 + 1, d, null_mut()),
            BAD_LENGTH
        );
        assert_eq!(
            certpin_digests_of_spki(SPKI.as_ptr(), SPKI.len(), null_mut(), null_mut()),
            NULL
        );

        assert_eq!(
            certpin_pinset_parse(t, text.len(), buf.as_mut_ptr(), 2, &mut set),
            CertpinStatus::CERTPIN_OK
        );
        let (der, len) = (LEAF.as_ptr(), LEAF.len());
        assert_eq!(
            certpin_match_certificate(null(), der, len, null_mut(), null_mut()),
            NULL
        );
        assert_eq!(
            certpin_match_certificate(&set, null(), len, null_mut(), null_mut()),
            NULL
        );
        let empty = CertpinPinSet {
            pins: buf.as_ptr(),
            len: 0,
        };
        assert_eq!(
            certpin_match_certificate(&empty, der, len, null_mut(), null_mut()),
            BAD_LENGTH
        );
        let huge = CertpinPinSet {
            pins: buf.as_ptr(),
            len: usize::MAX / 8,
        };
        assert_eq!(
            certpin_match_spki(&huge, der, len, null_mut(), null_mut()),
            BAD_LENGTH
        );
        let dangling = CertpinPinSet {
            pins: null(),
            len: 1,
        };
        assert_eq!(
            certpin_match_spki(&dangling, der, len, null_mut(), null_mut()),
            NULL
        );

        let mut out = [0 as c_char; CERTPIN_PIN_TEXT_MAX];
        assert_eq!(
            certpin_pin_format(
                null(),
                CERTPIN_FORMAT_HEX,
                out.as_mut_ptr(),
                out.len(),
                null_mut()
            ),
            NULL
        );
        assert_eq!(
            certpin_pin_format(&buf[0], CERTPIN_FORMAT_HEX, null_mut(), 80, null_mut()),
            NULL
        );
    }
    // A kind C wrote by hand that is none of the CERTPIN_KIND_* values.
    let bad = [CertpinPin {
        kind: 0,
        digest: [0; 32],
    }];
    let set = CertpinPinSet {
        pins: bad.as_ptr(),
        len: 1,
    };
    assert_eq!(
        match_cert(&set, LEAF).0,
        CertpinStatus::CERTPIN_ERR_INVALID_PIN_KIND
    );
}

#[test]
fn formats_fit_and_report_their_size() {
    let [b64, spki_hex, ..] = openssl_row("chain/leaf.der");
    let (_, set, _buf) = parse(format!("sha256//{b64}").as_bytes(), 1);
    // SAFETY: the set points at one pin.
    let pin = unsafe { *set.pins };
    let cases = [
        (CERTPIN_FORMAT_CURL, format!("sha256//{b64}")),
        (CERTPIN_FORMAT_OKHTTP, format!("sha256/{b64}")),
        (CERTPIN_FORMAT_HPKP, format!("pin-sha256=\"{b64}\"")),
        (CERTPIN_FORMAT_BASE64, b64.to_string()),
        (CERTPIN_FORMAT_HEX, spki_hex.to_string()),
        (CERTPIN_FORMAT_PREFIXED, format!("spki-sha256:{spki_hex}")),
    ];
    for (format, expected) in cases {
        let mut out = [0x55 as c_char; CERTPIN_PIN_TEXT_MAX];
        let mut written = 0;
        // SAFETY: valid pointers and lengths.
        let status =
            unsafe { certpin_pin_format(&pin, format, out.as_mut_ptr(), out.len(), &mut written) };
        assert_eq!(
            (status, written),
            (CertpinStatus::CERTPIN_OK, expected.len())
        );
        // SAFETY: NUL-terminated on success.
        assert_eq!(
            unsafe { CStr::from_ptr(out.as_ptr()) }.to_str().unwrap(),
            expected
        );
        // Exactly the text's length is one byte short (no room for the NUL): nothing written.
        let mut short = vec![0x55 as c_char; expected.len()];
        // SAFETY: valid pointers and lengths.
        let status = unsafe {
            certpin_pin_format(&pin, format, short.as_mut_ptr(), short.len(), &mut written)
        };
        assert_eq!(
            (status, written),
            (CertpinStatus::CERTPIN_ERR_BUFFER_TOO_SMALL, expected.len())
        );
        assert!(short.iter().all(|&c| c == 0x55));
    }
    let ucert = CertpinPin {
        kind: CERTPIN_KIND_UCERTPIN,
        digest: [0xab; 32],
    };
    let mut out = [0 as c_char; CERTPIN_PIN_TEXT_MAX];
    for format in [CERTPIN_FORMAT_CURL, 0, 7] {
        // SAFETY: valid pointers and lengths.
        let status =
            unsafe { certpin_pin_format(&ucert, format, out.as_mut_ptr(), out.len(), null_mut()) };
        assert_eq!(status, CertpinStatus::CERTPIN_ERR_INVALID_FORMAT);
    }
}
