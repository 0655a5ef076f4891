//! Pin lists into caller-owned pin sets, and matching certificates and keys against them.

use core::ffi::c_char;

use certpin::{
    Certificate, DIGEST_LEN, Error, Pin, PinDigests, PinKind, PinSet, SoftSha256,
    SubjectPublicKeyInfo,
};

use crate::CertpinStatus;
use crate::raw::{put, put_required, reference, slice};
use crate::types::{CERTPIN_NO_OFFSET, CertpinPin, CertpinPinSet, core_error};

/// Parses a list of pins in any supported format (separated by `;`, `,` or whitespace) into
/// the caller's array `buf` of `capacity` pins, and points `*out` at the parsed ones.
///
/// `text` need not be NUL-terminated: `text_len` bytes are read. Nothing is allocated. On
/// error `*out` is set to an empty set (`{NULL, 0}`), which every match rejects.
///
/// # Safety
/// `text` points at `text_len` readable bytes; `buf` is valid for writing `capacity` pins;
/// `out` is valid for writing a `certpin_pinset_t`. The three must not overlap: the pins are
/// written into `buf` while `text` is still being read, and `*out` is written twice (emptied
/// first, set last).
///
/// ```
/// use certpin_ffi::*;
/// let text = "sha256//RHaUBi8q4r2jWKGfTQmOA7Ejai5VzPXAwV0TssRVORw=; ucertpin:2222222222222222222222222222222222222222222222222222222222222222";
/// let mut buf = [CertpinPin { kind: 0, digest: [0; 32] }; 4];
/// let mut set = CertpinPinSet { pins: core::ptr::null(), len: 0 };
/// // SAFETY: valid pointers and lengths.
/// let status = unsafe { certpin_pinset_parse(text.as_ptr().cast(), text.len(), buf.as_mut_ptr(), buf.len(), &mut set) };
/// assert_eq!((status, set.len, buf[1].kind), (CertpinStatus::CERTPIN_OK, 2, CERTPIN_KIND_UCERTPIN));
///
/// let bad = "sha1/8dIgFeL3V+2DSHkkcbNPlKBLLZs=";
/// // SAFETY: as above.
/// let status = unsafe { certpin_pinset_parse(bad.as_ptr().cast(), bad.len(), buf.as_mut_ptr(), buf.len(), &mut set) };
/// assert_eq!((status, set.len), (CertpinStatus::CERTPIN_ERR_UNSUPPORTED_HASH, 0));
/// ```
#[unsafe(no_mangle)]
pub unsafe extern "C" fn certpin_pinset_parse(
    text: *const c_char,
    text_len: usize,
    buf: *mut CertpinPin,
    capacity: usize,
    out: *mut CertpinPinSet,
) -> CertpinStatus {
    let empty = CertpinPinSet {
        pins: core::ptr::null(),
        len: 0,
    };
    // SAFETY: `out` is forwarded under this function's contract.
    if let Err(status) = unsafe { put_required(out, empty) } {
        return status;
    }
    // SAFETY: `text` is forwarded under this function's contract.
    let text = match unsafe { slice(text.cast::<u8>(), text_len) } {
        Ok(text) => text,
        Err(status) => return status,
    };
    if buf.is_null() {
        return CertpinStatus::CERTPIN_ERR_NULL_POINTER;
    }
    // No pin format has a non-ASCII character, so text that is not UTF-8 is no pin at all.
    let Ok(text) = core::str::from_utf8(text) else {
        return CertpinStatus::CERTPIN_ERR_UNRECOGNIZED_PIN;
    };
    let mut count = 0usize;
    for pin in certpin::parse_pin_list(text) {
        let pin = match pin {
            Ok(pin) => pin,
            Err(err) => return CertpinStatus::from(err),
        };
        if count >= capacity {
            return CertpinStatus::from(Error::TooManyPins { capacity });
        }
        // SAFETY: `count < capacity` and `buf` holds `capacity` writable pins that overlap
        // neither `text`, still borrowed, nor `out` (contract); `write` because the C array
        // may be uninitialized.
        unsafe { buf.add(count).write(CertpinPin::from_pin(pin)) };
        count = count.saturating_add(1);
    }
    if count == 0 {
        return CertpinStatus::from(Error::EmptyPin);
    }
    let set = CertpinPinSet {
        pins: buf,
        len: count,
    };
    // SAFETY: `out` was checked non-NULL above and is writable, apart from `buf` (contract).
    unsafe { put(out, set) };
    CertpinStatus::CERTPIN_OK
}

/// The pins of a C set as validated core pins, in chunks that fit on the stack.
const CHUNK: usize = 8;

/// Index of the first pin accepting `digests`. Every pin is compared in constant time within a
/// chunk (the core's `PinSet::find`), and every chunk is always compared, so the time taken
/// depends only on the number of pins.
fn find(pins: &[CertpinPin], digests: &PinDigests) -> Result<Option<usize>, CertpinStatus> {
    pins.iter().try_for_each(|pin| pin.to_pin().map(drop))?;
    let mut found = None;
    let mut base = 0usize;
    for chunk in pins.chunks(CHUNK) {
        let mut buf = [Pin::new(PinKind::Spki, [0; DIGEST_LEN]); CHUNK];
        for (slot, pin) in buf.iter_mut().zip(chunk) {
            *slot = pin.to_pin()?;
        }
        let core_set = PinSet::new(buf.get(..chunk.len()).unwrap_or_default());
        if let Some(matched) = core_set.find(digests) {
            found = found.or(Some(base.saturating_add(matched.index)));
        }
        base = base.saturating_add(chunk.len());
    }
    Ok(found)
}

/// # Safety
/// `set` is NULL or a valid `certpin_pinset_t` whose `pins` point at `len` pins.
unsafe fn set_pins<'a>(set: *const CertpinPinSet) -> Result<&'a [CertpinPin], CertpinStatus> {
    // SAFETY: forwarded from this function's contract.
    let set = unsafe { reference(set) }?;
    if set.len == 0 {
        return Err(CertpinStatus::CERTPIN_ERR_BAD_LENGTH);
    }
    // SAFETY: forwarded from this function's contract.
    unsafe { slice(set.pins, set.len) }
}

/// Matches a DER certificate against a pin set: `CERTPIN_OK` and the index of the first
/// matching pin in `*matched_index` (if not NULL), `CERTPIN_NO_MATCH`, or an error (with the
/// byte offset of a DER error in `*err_offset`, if not NULL). No allocation.
///
/// # Safety
/// `set` points at a valid set; `der` at `der_len` readable bytes; `matched_index` and
/// `err_offset` are NULL or valid for writing a `size_t`. The out-parameters must not overlap
/// each other, the set, its pins or `der`: `*err_offset` is written before the inputs are read
/// and `*matched_index` while they are still borrowed.
///
/// ```
/// use certpin_ffi::*;
/// let der = include_bytes!("../../../testdata/chain/leaf.der");
/// let pins = [CertpinPin { kind: CERTPIN_KIND_SPKI, digest: [0x11; 32] }];
/// let set = CertpinPinSet { pins: pins.as_ptr(), len: 1 };
/// let mut index = 0;
/// // SAFETY: valid pointers and lengths.
/// let status = unsafe { certpin_match_certificate(&set, der.as_ptr(), der.len(), &mut index, core::ptr::null_mut()) };
/// assert_eq!(status, CertpinStatus::CERTPIN_NO_MATCH);
/// ```
#[unsafe(no_mangle)]
pub unsafe extern "C" fn certpin_match_certificate(
    set: *const CertpinPinSet,
    der: *const u8,
    der_len: usize,
    matched_index: *mut usize,
    err_offset: *mut usize,
) -> CertpinStatus {
    // SAFETY: every pointer is forwarded under this function's contract, which keeps the
    // out-parameters apart from the inputs borrowed here.
    unsafe {
        put(err_offset, CERTPIN_NO_OFFSET);
        let (pins, der) = match (set_pins(set), slice(der, der_len)) {
            (Ok(pins), Ok(der)) => (pins, der),
            (Err(status), _) | (_, Err(status)) => return status,
        };
        match Certificate::from_der(der) {
            Ok(cert) => matched(
                find(pins, &PinDigests::of_certificate(&cert, &mut SoftSha256)),
                matched_index,
            ),
            Err(err) => core_error(err, err_offset),
        }
    }
}

/// Matches a DER SubjectPublicKeyInfo against a pin set; as [`certpin_match_certificate`],
/// except that certificate pins (`CERTPIN_KIND_CERTIFICATE`) cannot match a bare key.
///
/// # Safety
/// As for [`certpin_match_certificate`].
///
/// ```
/// use certpin_ffi::*;
/// let pins = [CertpinPin { kind: 9, digest: [0; 32] }];
/// let set = CertpinPinSet { pins: pins.as_ptr(), len: 1 };
/// let spki = [0u8; 4];
/// // SAFETY: valid pointers and lengths.
/// let status = unsafe { certpin_match_spki(&set, spki.as_ptr(), 4, core::ptr::null_mut(), core::ptr::null_mut()) };
/// assert_eq!(status, CertpinStatus::CERTPIN_ERR_INVALID_PIN_KIND);
/// ```
#[unsafe(no_mangle)]
pub unsafe extern "C" fn certpin_match_spki(
    set: *const CertpinPinSet,
    der: *const u8,
    der_len: usize,
    matched_index: *mut usize,
    err_offset: *mut usize,
) -> CertpinStatus {
    // SAFETY: every pointer is forwarded under this function's contract, which keeps the
    // out-parameters apart from the inputs borrowed here.
    unsafe {
        put(err_offset, CERTPIN_NO_OFFSET);
        let (pins, der) = match (set_pins(set), slice(der, der_len)) {
            (Ok(pins), Ok(der)) => (pins, der),
            (Err(status), _) | (_, Err(status)) => return status,
        };
        // Pin kinds are checked before the key is parsed, so a bad table is reported as such.
        if let Err(status) = pins.iter().try_for_each(|pin| pin.to_pin().map(drop)) {
            return status;
        }
        match SubjectPublicKeyInfo::from_der(der) {
            Ok(spki) => matched(
                find(pins, &PinDigests::of_spki(&spki, &mut SoftSha256)),
                matched_index,
            ),
            Err(err) => core_error(err, err_offset),
        }
    }
}

/// # Safety
/// `matched_index` is NULL or valid for writing a `size_t`.
unsafe fn matched(
    found: Result<Option<usize>, CertpinStatus>,
    matched_index: *mut usize,
) -> CertpinStatus {
    match found {
        Ok(Some(index)) => {
            // SAFETY: forwarded from this function's contract.
            unsafe { put(matched_index, index) };
            CertpinStatus::CERTPIN_OK
        }
        Ok(None) => CertpinStatus::CERTPIN_NO_MATCH,
        Err(status) => status,
    }
}
