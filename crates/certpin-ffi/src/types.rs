//! The C-visible types and constants, and the conversions between them and the core's.

use certpin::{DIGEST_LEN, Error, Pin, PinKind};

use crate::CertpinStatus;
use crate::raw::put;

/// Length of every pin digest (SHA-256).
pub const CERTPIN_DIGEST_LEN: usize = 32;
const _: () = assert!(CERTPIN_DIGEST_LEN == DIGEST_LEN);
/// Written to `err_offset` when an error has no byte offset (or there was no error).
///
/// In C it is `SIZE_MAX` (written by hand in `cbindgen.toml`: cbindgen cannot translate
/// `usize::MAX`).
pub const CERTPIN_NO_OFFSET: usize = usize::MAX;

/// `certpin_pin_t.kind`: SHA-256 of the DER SubjectPublicKeyInfo (curl, OkHttp, RFC 7469).
pub const CERTPIN_KIND_SPKI: u8 = 1;
/// `certpin_pin_t.kind`: SHA-256 of the subjectPublicKey BIT STRING contents (MicroPython ucertpin).
pub const CERTPIN_KIND_UCERTPIN: u8 = 2;
/// `certpin_pin_t.kind`: SHA-256 of the whole certificate (a fingerprint).
pub const CERTPIN_KIND_CERTIFICATE: u8 = 3;
/// `certpin_pin_t.kind`: unprefixed hex that matches an SPKI or a ucertpin digest.
pub const CERTPIN_KIND_SPKI_OR_UCERTPIN: u8 = 4;

/// One pin. `kind` is a plain byte, not a C enum, so a pin table written by hand in C (say a
/// `const` array in flash) can never hold a value Rust would treat as undefined behaviour; an
/// unknown kind is reported as `CERTPIN_ERR_INVALID_PIN_KIND`.
///
/// ```
/// use certpin_ffi::{CERTPIN_KIND_SPKI, CertpinPin, CertpinPinSet};
/// // The pins a firmware ships with, as a table; the set borrows them.
/// static PINS: [CertpinPin; 2] = [
///     CertpinPin { kind: CERTPIN_KIND_SPKI, digest: [0x11; 32] },
///     CertpinPin { kind: CERTPIN_KIND_SPKI, digest: [0x22; 32] },
/// ];
/// let set = CertpinPinSet { pins: PINS.as_ptr(), len: PINS.len() };
/// assert_eq!(set.len, 2);
/// ```
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CertpinPin {
    /// One of the `CERTPIN_KIND_*` values.
    pub kind: u8,
    /// The SHA-256 digest.
    pub digest: [u8; CERTPIN_DIGEST_LEN],
}

/// A set of pins (the current key and its backups): a pointer to `len` pins the caller owns.
///
/// `certpin_pinset_parse` fills one; a firmware with pins in flash can also set `pins` and
/// `len` itself. The pins must stay valid while the set is used.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct CertpinPinSet {
    /// The first pin.
    pub pins: *const CertpinPin,
    /// How many pins `pins` points at; 0 is an error (`CERTPIN_ERR_BAD_LENGTH`).
    pub len: usize,
}

/// The digests of one certificate or key, of every kind that applies to it.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CertpinDigests {
    /// SHA-256 of the SubjectPublicKeyInfo (`CERTPIN_KIND_SPKI`).
    pub spki_sha256: [u8; CERTPIN_DIGEST_LEN],
    /// SHA-256 of the subjectPublicKey BIT STRING contents (`CERTPIN_KIND_UCERTPIN`).
    pub ucertpin: [u8; CERTPIN_DIGEST_LEN],
    /// SHA-256 of the certificate (`CERTPIN_KIND_CERTIFICATE`); zeros for a bare key.
    pub cert_sha256: [u8; CERTPIN_DIGEST_LEN],
    /// Whether `cert_sha256` is set (false for a bare key).
    pub has_cert_sha256: bool,
}

impl CertpinPin {
    pub(crate) fn to_pin(self) -> Result<Pin, CertpinStatus> {
        let kind = match self.kind {
            CERTPIN_KIND_SPKI => PinKind::Spki,
            CERTPIN_KIND_UCERTPIN => PinKind::UCertPin,
            CERTPIN_KIND_CERTIFICATE => PinKind::Certificate,
            CERTPIN_KIND_SPKI_OR_UCERTPIN => PinKind::SpkiOrUCertPin,
            _ => return Err(CertpinStatus::CERTPIN_ERR_INVALID_PIN_KIND),
        };
        Ok(Pin::new(kind, self.digest))
    }

    pub(crate) fn from_pin(pin: Pin) -> Self {
        let kind = match pin.kind() {
            PinKind::Spki => CERTPIN_KIND_SPKI,
            PinKind::UCertPin => CERTPIN_KIND_UCERTPIN,
            PinKind::Certificate => CERTPIN_KIND_CERTIFICATE,
            PinKind::SpkiOrUCertPin => CERTPIN_KIND_SPKI_OR_UCERTPIN,
        };
        CertpinPin {
            kind,
            digest: *pin.digest(),
        }
    }
}

/// Collapses `Result<(), status>` into the status a C function returns.
pub(crate) fn status(result: Result<(), CertpinStatus>) -> CertpinStatus {
    result.err().unwrap_or(CertpinStatus::CERTPIN_OK)
}

/// Records a core error's byte offset (if any) and turns it into its status code.
///
/// # Safety
/// `err_offset` is NULL or valid for writing a `size_t`.
pub(crate) unsafe fn core_error(err: Error, err_offset: *mut usize) -> CertpinStatus {
    // SAFETY: forwarded from this function's contract.
    unsafe { put(err_offset, err.offset().unwrap_or(CERTPIN_NO_OFFSET)) };
    CertpinStatus::from(err)
}
