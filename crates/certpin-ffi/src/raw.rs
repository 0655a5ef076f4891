//! The only place raw C pointers become Rust references: each helper checks NULL and the
//! length first, so the public functions never dereference an unchecked pointer.

use core::mem::size_of;

use crate::CertpinStatus;

/// The largest byte count any object can have: `slice::from_raw_parts` requires
/// `len * size_of::<T>() <= isize::MAX`, and C's `PTRDIFF_MAX` is the same bound.
const MAX_OBJECT_BYTES: usize = isize::MAX.unsigned_abs();

fn check_len<T>(len: usize) -> Result<(), CertpinStatus> {
    match len.checked_mul(size_of::<T>()) {
        Some(bytes) if bytes <= MAX_OBJECT_BYTES => Ok(()),
        _ => Err(CertpinStatus::CERTPIN_ERR_BAD_LENGTH),
    }
}

/// A shared slice over `len` elements at `ptr`.
///
/// # Safety
/// `ptr` is NULL, or points at `len` initialized, properly aligned `T` that stay valid and
/// unmodified for `'a`.
pub(crate) unsafe fn slice<'a, T>(ptr: *const T, len: usize) -> Result<&'a [T], CertpinStatus> {
    if ptr.is_null() {
        return Err(CertpinStatus::CERTPIN_ERR_NULL_POINTER);
    }
    check_len::<T>(len)?;
    // SAFETY: non-NULL and within the object-size bound (checked above); validity, alignment
    // and lifetime are the caller's contract.
    Ok(unsafe { core::slice::from_raw_parts(ptr, len) })
}

/// A shared reference to one `T` at `ptr`.
///
/// # Safety
/// `ptr` is NULL, or points at an initialized, properly aligned `T` valid for `'a`.
pub(crate) unsafe fn reference<'a, T>(ptr: *const T) -> Result<&'a T, CertpinStatus> {
    // SAFETY: `as_ref` checks NULL; the rest is the caller's contract.
    unsafe { ptr.as_ref() }.ok_or(CertpinStatus::CERTPIN_ERR_NULL_POINTER)
}

/// Writes `value` through `ptr` unless `ptr` is NULL (optional out-parameters).
///
/// `write`, not `*ptr = value`: the target may be uninitialized C memory, and no reference to
/// it is ever made.
///
/// # Safety
/// `ptr` is NULL, or valid for writing one properly aligned `T`.
pub(crate) unsafe fn put<T>(ptr: *mut T, value: T) {
    if !ptr.is_null() {
        // SAFETY: non-NULL; writability and alignment are the caller's contract.
        unsafe { ptr.write(value) };
    }
}

/// Writes `value` through `ptr`, which must not be NULL (required out-parameters).
///
/// # Safety
/// As for [`put`].
pub(crate) unsafe fn put_required<T>(ptr: *mut T, value: T) -> Result<(), CertpinStatus> {
    if ptr.is_null() {
        return Err(CertpinStatus::CERTPIN_ERR_NULL_POINTER);
    }
    // SAFETY: non-NULL (checked above); the rest is forwarded from the caller's contract.
    unsafe { put(ptr, value) };
    Ok(())
}
