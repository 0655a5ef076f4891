//! The digests (pins) of a certificate or a public key.

use certpin::{Certificate, PinDigests, SoftSha256, SubjectPublicKeyInfo};

use crate::CertpinStatus;
use crate::raw::{put, put_required, slice};
use crate::types::{CERTPIN_NO_OFFSET, CertpinDigests, core_error, status};

/// Computes every digest of a DER certificate into `out`.
///
/// On a malformed certificate returns its `CERTPIN_ERR_*` code and, if `err_offset` is not
/// NULL, writes the byte offset of the offending element there (`CERTPIN_NO_OFFSET` if none).
///
/// # Safety
/// `der` points at `der_len` readable bytes; `out` is valid for writing a `certpin_digests_t`;
/// `err_offset` is NULL or valid for writing a `size_t`. None of the three may overlap
/// another: the outputs are written while `der` is borrowed.
///
/// ```
/// use certpin_ffi::*;
/// let der = include_bytes!("../../../testdata/chain/leaf.der");
/// let mut digests = core::mem::MaybeUninit::<CertpinDigests>::uninit();
/// let mut offset = 0;
/// // SAFETY: valid pointers and lengths.
/// let status = unsafe { certpin_digests_of_certificate(der.as_ptr(), der.len(), digests.as_mut_ptr(), &mut offset) };
/// assert_eq!(status, CertpinStatus::CERTPIN_OK);
/// // SAFETY: initialized on success.
/// assert!(unsafe { digests.assume_init() }.has_cert_sha256);
///
/// let truncated = &der[..100];
/// // SAFETY: as above.
/// let status = unsafe { certpin_digests_of_certificate(truncated.as_ptr(), truncated.len(), digests.as_mut_ptr(), &mut offset) };
/// assert_eq!((status, offset), (CertpinStatus::CERTPIN_ERR_LENGTH_PAST_END, 0));
/// ```
#[unsafe(no_mangle)]
pub unsafe extern "C" fn certpin_digests_of_certificate(
    der: *const u8,
    der_len: usize,
    out: *mut CertpinDigests,
    err_offset: *mut usize,
) -> CertpinStatus {
    // SAFETY: every pointer is forwarded under this function's contract.
    unsafe {
        put(err_offset, CERTPIN_NO_OFFSET);
        let der = match slice(der, der_len) {
            Ok(der) => der,
            Err(status) => return status,
        };
        match Certificate::from_der(der) {
            Ok(cert) => {
                let digests = PinDigests::of_certificate(&cert, &mut SoftSha256);
                status(put_required(out, to_c_digests(&digests)))
            }
            Err(err) => core_error(err, err_offset),
        }
    }
}

/// Computes the key digests of a DER SubjectPublicKeyInfo (`-----BEGIN PUBLIC KEY-----`
/// decoded) into `out`; `has_cert_sha256` is false. Errors as for
/// [`certpin_digests_of_certificate`].
///
/// # Safety
/// As for [`certpin_digests_of_certificate`].
///
/// ```
/// use certpin_ffi::*;
/// // A SET where the SPKI SEQUENCE should be.
/// let spki = [0x31, 0x00];
/// let mut digests = core::mem::MaybeUninit::<CertpinDigests>::uninit();
/// let mut offset = 0;
/// // SAFETY: valid pointers and lengths.
/// let status = unsafe { certpin_digests_of_spki(spki.as_ptr(), spki.len(), digests.as_mut_ptr(), &mut offset) };
/// assert_eq!((status, offset), (CertpinStatus::CERTPIN_ERR_WRONG_TAG, 0));
/// ```
#[unsafe(no_mangle)]
pub unsafe extern "C" fn certpin_digests_of_spki(
    der: *const u8,
    der_len: usize,
    out: *mut CertpinDigests,
    err_offset: *mut usize,
) -> CertpinStatus {
    // SAFETY: every pointer is forwarded under this function's contract.
    unsafe {
        put(err_offset, CERTPIN_NO_OFFSET);
        let der = match slice(der, der_len) {
            Ok(der) => der,
            Err(status) => return status,
        };
        match SubjectPublicKeyInfo::from_der(der) {
            Ok(spki) => {
                let digests = PinDigests::of_spki(&spki, &mut SoftSha256);
                status(put_required(out, to_c_digests(&digests)))
            }
            Err(err) => core_error(err, err_offset),
        }
    }
}

fn to_c_digests(digests: &PinDigests) -> CertpinDigests {
    CertpinDigests {
        spki_sha256: digests.spki_sha256,
        ucertpin: digests.ucertpin,
        cert_sha256: digests.cert_sha256.unwrap_or_default(),
        has_cert_sha256: digests.cert_sha256.is_some(),
    }
}
