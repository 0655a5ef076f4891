//! Pins as text, in each format, into a caller's buffer.

use core::ffi::c_char;
use core::fmt::Write;

use certpin::PinFormat;

use crate::CertpinStatus;
use crate::raw::{put, reference};
use crate::types::CertpinPin;

/// Buffer size that holds any pin in any format, terminating NUL included
/// (`spki-sha256:` + 64 hex digits + NUL).
pub const CERTPIN_PIN_TEXT_MAX: usize = 77;

/// `certpin_pin_format` format: `sha256//BASE64` (curl).
pub const CERTPIN_FORMAT_CURL: u8 = 1;
/// `certpin_pin_format` format: `sha256/BASE64` (OkHttp).
pub const CERTPIN_FORMAT_OKHTTP: u8 = 2;
/// `certpin_pin_format` format: `pin-sha256="BASE64"` (RFC 7469).
pub const CERTPIN_FORMAT_HPKP: u8 = 3;
/// `certpin_pin_format` format: bare base64.
pub const CERTPIN_FORMAT_BASE64: u8 = 4;
/// `certpin_pin_format` format: bare lowercase hex.
pub const CERTPIN_FORMAT_HEX: u8 = 5;
/// `certpin_pin_format` format: `spki-sha256:HEX`, `ucertpin:HEX` or `cert-sha256:HEX`.
pub const CERTPIN_FORMAT_PREFIXED: u8 = 6;

/// Writes a pin as NUL-terminated text in one of the `CERTPIN_FORMAT_*` formats into `buf`
/// (`CERTPIN_PIN_TEXT_MAX` bytes always suffice). `*written` (if not NULL) gets the text's
/// length without the NUL, also on `CERTPIN_ERR_BUFFER_TOO_SMALL`, when nothing is written.
///
/// # Safety
/// `pin` points at a pin; `buf` is valid for writing `buf_len` bytes; `written` is NULL or
/// valid for writing a `size_t`.
///
/// ```
/// use certpin_ffi::*;
/// let pin = CertpinPin { kind: CERTPIN_KIND_SPKI, digest: [0; 32] };
/// let mut buf = [0 as core::ffi::c_char; CERTPIN_PIN_TEXT_MAX];
/// let mut len = 0;
/// // SAFETY: valid pointers and lengths.
/// let status = unsafe { certpin_pin_format(&pin, CERTPIN_FORMAT_CURL, buf.as_mut_ptr(), buf.len(), &mut len) };
/// assert_eq!((status, len), (CertpinStatus::CERTPIN_OK, 52));
/// // SAFETY: NUL-terminated on success.
/// let text = unsafe { core::ffi::CStr::from_ptr(buf.as_ptr()) };
/// assert_eq!(text, c"sha256//AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=");
/// ```
#[unsafe(no_mangle)]
pub unsafe extern "C" fn certpin_pin_format(
    pin: *const CertpinPin,
    format: u8,
    buf: *mut c_char,
    buf_len: usize,
    written: *mut usize,
) -> CertpinStatus {
    // SAFETY: forwarded from this function's contract.
    let pin = match unsafe { reference(pin) }.and_then(|pin| pin.to_pin()) {
        Ok(pin) => pin,
        Err(status) => return status,
    };
    let format = match format {
        CERTPIN_FORMAT_CURL => PinFormat::Curl,
        CERTPIN_FORMAT_OKHTTP => PinFormat::OkHttp,
        CERTPIN_FORMAT_HPKP => PinFormat::Hpkp,
        CERTPIN_FORMAT_BASE64 => PinFormat::Base64,
        CERTPIN_FORMAT_HEX => PinFormat::Hex,
        CERTPIN_FORMAT_PREFIXED => PinFormat::Prefixed,
        _ => return CertpinStatus::CERTPIN_ERR_INVALID_FORMAT,
    };
    let Some(formatted) = pin.format(format) else {
        return CertpinStatus::CERTPIN_ERR_INVALID_FORMAT;
    };
    let mut text = TextBuf::new();
    if write!(text, "{formatted}").is_err() {
        return CertpinStatus::CERTPIN_ERR_UNKNOWN;
    }
    let bytes = text.as_bytes();
    // SAFETY: forwarded from this function's contract.
    unsafe { put(written, bytes.len()) };
    if buf.is_null() {
        return CertpinStatus::CERTPIN_ERR_NULL_POINTER;
    }
    if buf_len <= bytes.len() {
        return CertpinStatus::CERTPIN_ERR_BUFFER_TOO_SMALL;
    }
    // SAFETY: `buf` is non-NULL and writable for `buf_len > bytes.len()` bytes (contract), so
    // the text and its NUL fit; the stack buffer cannot overlap the caller's.
    unsafe {
        core::ptr::copy_nonoverlapping(bytes.as_ptr(), buf.cast::<u8>(), bytes.len());
        buf.cast::<u8>().add(bytes.len()).write(0);
    }
    CertpinStatus::CERTPIN_OK
}

/// A fixed stack buffer for one formatted pin (no allocator on this path).
struct TextBuf {
    bytes: [u8; CERTPIN_PIN_TEXT_MAX],
    len: usize,
}

impl TextBuf {
    fn new() -> Self {
        TextBuf {
            bytes: [0; CERTPIN_PIN_TEXT_MAX],
            len: 0,
        }
    }

    fn as_bytes(&self) -> &[u8] {
        self.bytes.get(..self.len).unwrap_or_default()
    }
}

impl Write for TextBuf {
    fn write_str(&mut self, s: &str) -> core::fmt::Result {
        let end = self.len.checked_add(s.len()).ok_or(core::fmt::Error)?;
        let dest = self.bytes.get_mut(self.len..end).ok_or(core::fmt::Error)?;
        dest.copy_from_slice(s.as_bytes());
        self.len = end;
        Ok(())
    }
}
