//! The lean certificate-to-key walk of [`SubjectPublicKeyInfo::from_certificate`], written for
//! flash size on microcontrollers and speed on servers.
//!
//! Why a table: the straight-line walk (`TbsToKey` in `cert.rs`, which
//! `Certificate::from_der` keeps using) is inlined by LTO into one ~1 KiB function with an
//! `Error` built at every rejection site. Here the way to the key is a `const` table of steps,
//! each run by one step method: read one element (one TLV-header reader), check its value by
//! kind, enter or step over it, close the element it ends. A rejection is a small record (what,
//! where, two numbers) turned into the public [`Error`] at one place. Microcontrollers run the
//! table in a loop, so each check exists once in flash; 64-bit targets unroll it, so each step
//! is compiled with its flags known (the table is in `walk/table.rs`, the rejection record in
//! `walk/fault.rs`). The checks, their order, and the resulting `Error` (variant, field,
//! offset) are exactly those of `TbsToKey`; a unit test compares both drivers with it on every
//! fixture under thousands of mutations.

use crate::error::{Error, Field};
use crate::spki::{AlgorithmIdentifier, Oid, SubjectPublicKeyInfo};
use Field as F;

mod fault;
mod table;

use fault::{Fault, Rejection, into_error};
use table::{
    BIT_STRING, CHECK, CLOSE, CODES, ENTER, FILLS, IF_ANY, IF_TAG, INTEGER, OID, VERSION, fields,
};

/// `ends` has room for depths 0 (the input) to 7, more than the 4 `WALK` enters (the
/// AlgorithmIdentifier in the SubjectPublicKeyInfo), and is indexed with `depth & DEPTH_MASK`:
/// an index that cannot miss needs no bounds check.
const DEPTH_MASK: usize = 7;

/// The end of the element entered at each depth.
type Ends = [usize; DEPTH_MASK + 1];

/// Reads the header of the element at `at` inside a parent ending at `limit`, checking it as
/// `der::Reader::any` does (same faults, same order), except the expected tag, which the step
/// checks with the tag it has read. Returns its value and where it ends, or the fault and its
/// two numbers. The value is the slice that checks the length against the bytes available, so
/// the caller need not slice.
///
/// Inlined into its one call site, in the step, on every target: out of line, a
/// microcontroller gets its result back through memory and copies it into the step's own
/// stack slots (84 B more flash on thumbv7em, 112 B on riscv32imc).
#[inline(always)]
fn header(der: &[u8], at: usize, limit: usize) -> Result<(&[u8], usize), (Fault, usize, usize)> {
    // `limit` never exceeds `der.len()`, so `..limit` never misses.
    let der = der.get(..limit);
    let byte = |i: usize| {
        der.and_then(|d| d.get(i))
            .copied()
            .ok_or((Fault::UnexpectedEnd, 0, 0))
    };
    let tag = byte(at)?;
    if tag & 0x1f == 0x1f {
        return Err((Fault::HighTagNumber, 0, 0));
    }
    let first = byte(at.wrapping_add(1))?;
    let mut next = at.wrapping_add(2);
    let mut length = usize::from(first);
    if first == 0x80 {
        return Err((Fault::IndefiniteLength, 0, 0));
    }
    if first > 0x80 {
        let octets = first & 0x7f;
        if octets > 4 {
            return Err((Fault::LengthTooLong, 0, 0));
        }
        // At most 4 octets: the value fits in a u32 without overflow.
        let mut value: u32 = 0;
        for _ in 0..octets {
            let b = byte(next)?;
            // `value` and `b` both zero, tested as one value (one test on Thumb-2, where two
            // cost more registers than the walk has): a leading zero octet could have been
            // left out (X.690 §10.1).
            if value | u32::from(b) == 0 {
                return Err((Fault::NonMinimalLength, 0, 0));
            }
            value = (value << 8) | u32::from(b);
            next = next.wrapping_add(1);
        }
        length = usize::try_from(value).map_err(|_| (Fault::LengthTooLong, 0, 0))?;
        if length < 0x80 {
            return Err((Fault::NonMinimalLength, 0, 0));
        }
    }
    // `next` is at most `limit`: every octet before it was read. An `end` that wraps around
    // is before `next`, and the range misses as it should.
    let end = next.wrapping_add(length);
    let value = der.and_then(|d| d.get(next..end)).ok_or((
        Fault::LengthPastEnd,
        length,
        limit.wrapping_sub(next),
    ))?;
    Ok((value, end))
}

/// The walk's state between steps.
struct Walk<'a> {
    der: &'a [u8],
    depth: usize,
    /// Where the next element starts, and where the value of the element read last starts.
    pos: usize,
    start: usize,
    /// The value of the element read last (from `start`): kept, not sliced again where the key
    /// is returned.
    value: &'a [u8],
    /// The tag offsets of the last two elements entered and the value of the last: at the end,
    /// the SubjectPublicKeyInfo and its AlgorithmIdentifier.
    outer_at: usize,
    inner_at: usize,
    inner: (usize, usize),
    /// The value of the last OBJECT IDENTIFIER, and the last parameters read (if any).
    oid: (usize, usize),
    parameters: Option<(usize, usize)>,
}

impl<'a> Walk<'a> {
    fn slice(&self, from: usize, to: usize) -> &'a [u8] {
        self.der.get(from..to).unwrap_or_default()
    }

    /// Runs one step; `ends` holds the end of the element entered at each depth (depth 0: the
    /// input). Returns whether the next step is to be skipped (an absent `IF_TAG` element
    /// takes the step inside it along).
    #[cfg_attr(target_pointer_width = "64", inline(always))]
    fn step(
        &mut self,
        ends: &mut Ends,
        i: usize,
        [tag, flags]: [u8; 2],
    ) -> Result<bool, Rejection> {
        let (field, closes) = fields(i);
        let at = self.pos;
        let limit = ends.get(self.depth & DEPTH_MASK).copied().unwrap_or(0);
        // The tag of the element at `at`, if the parent has one there.
        let next_tag = self.der.get(..limit).and_then(|d| d.get(at)).copied();
        let present = if flags & IF_TAG != 0 {
            next_tag == Some(tag)
        } else {
            flags & IF_ANY == 0 || next_tag.is_some()
        };
        if present {
            let check = flags & CHECK;
            let fail = |fault: Fault| Err((fault, field, at, 0, 0));
            // The tag is checked here, where it was read already (after the end of input, which
            // `header` reports, and before the rest of the header); a constructed BIT STRING
            // has its own fault.
            if let Some(found) = next_tag.filter(|&found| tag != 0 && found != tag) {
                if check == BIT_STRING && found == tag | 0x20 {
                    return fail(Fault::ConstructedBitString);
                }
                return Err((
                    Fault::WrongTag,
                    field,
                    at,
                    usize::from(tag),
                    usize::from(found),
                ));
            }
            let (value, end) =
                header(self.der, at, limit).map_err(|(f, a, b)| (f, field, at, a, b))?;
            let start = end.wrapping_sub(value.len());
            self.start = start;
            self.value = value;
            if check == INTEGER || check == VERSION {
                match *value {
                    [] => return fail(Fault::EmptyInteger),
                    // The first nine bits all equal (0x00 then 0..., 0xff then 1...): the first
                    // octet could have been left out. Sign-extended, they are 0 or -1.
                    [first, next, ..]
                        if ((i32::from(first as i8) << 1) | i32::from(next >> 7)).wrapping_add(1)
                            as u32
                            <= 1 =>
                    {
                        return fail(Fault::NonMinimalInteger);
                    }
                    _ => {}
                }
                // The version's value is checked after the `[0]` around it was closed, as
                // `Certificate::from_der` does: an element that does not end the `[0]` is
                // trailing data there (this step closes the `[0]`, below), so the value is
                // rejected here only for a version that does end it.
                if check_version(flags, value) && end == limit {
                    return fail(Fault::UnsupportedVersion);
                }
            } else if check == OID {
                // An arc starts after an octet without the top bit (or at the start).
                let mut prev = 0u8;
                for &b in value {
                    if b == 0x80 && prev < 0x80 {
                        return fail(Fault::InvalidOid);
                    }
                    prev = b;
                }
                // Empty, or the last arc is unfinished.
                if prev >= 0x80 || value.is_empty() {
                    return fail(Fault::InvalidOid);
                }
                self.oid = (start, end);
            } else if check == BIT_STRING {
                let Some((&unused, bits)) = value.split_first() else {
                    return fail(Fault::EmptyBitString);
                };
                if unused > 7 || (bits.is_empty() && unused != 0) {
                    return Err((Fault::InvalidUnusedBits, field, at, usize::from(unused), 0));
                }
                match bits.last() {
                    // Only the unused-bits octet: a key of zero bits pins nothing.
                    None => return fail(Fault::EmptyPublicKey),
                    Some(&last) if last & ((1u8 << unused).wrapping_sub(1)) != 0 => {
                        return fail(Fault::NonZeroPaddingBits);
                    }
                    Some(_) => {}
                }
            }
            if flags & IF_ANY != 0 {
                self.parameters = Some((at, end));
            }
            if flags & FILLS != 0 && end != limit {
                return Err((Fault::TrailingData, field, end, 0, 0));
            }
            if flags & ENTER != 0 {
                self.depth = self.depth.wrapping_add(1);
                if let Some(slot) = ends.get_mut(self.depth & DEPTH_MASK) {
                    *slot = end;
                }
                (self.outer_at, self.inner_at, self.inner) = (self.inner_at, at, (start, end));
                self.pos = start;
            } else {
                self.pos = end;
            }
        } else if flags & IF_TAG != 0 {
            return Ok(true);
        } else {
            self.parameters = None;
        }
        if flags & CLOSE != 0 {
            // A closing step enters nothing (see `WALK`), so the element it closes is the parent
            // whose end is `limit`.
            if self.pos != limit {
                return Err((Fault::TrailingData, closes, self.pos, 0, 0));
            }
            // Every closing step closes an element the table entered: depth is at least 1.
            self.depth = self.depth.wrapping_sub(1);
        }
        Ok(false)
    }

    /// The SubjectPublicKeyInfo found, once every step has passed: it ends where the walk
    /// stopped, after the key's BIT STRING, which the last step checked ends it (the position,
    /// not a copy of the BIT STRING's end kept on every step: one value fewer for the walk to
    /// keep in a register).
    ///
    /// Its bytes are a range the walk has read, so they are always there; should they not be,
    /// the certificate is rejected (as truncated there) rather than an empty SPKI returned, and
    /// a microcontroller's walk has no empty slice to make up for a case that cannot happen.
    fn spki(&self) -> Result<SubjectPublicKeyInfo<'a>, Rejection> {
        let der = self.der.get(self.outer_at..self.pos).ok_or((
            Fault::UnexpectedEnd,
            F::SubjectPublicKeyInfo,
            self.outer_at,
            0,
            0,
        ))?;
        Ok(SubjectPublicKeyInfo::from_parts(
            der,
            AlgorithmIdentifier::from_parts(
                self.slice(self.inner.0, self.inner.1),
                Oid::from_der_contents(self.slice(self.oid.0, self.oid.1)),
                self.parameters.map(|(from, to)| self.slice(from, to)),
            ),
            self.value,
            self.start.wrapping_add(1),
        ))
    }
}

/// Runs `WALK` over `der` with `drive`. Returns the SPKI, or where and why it was rejected.
fn run<'a>(
    der: &'a [u8],
    drive: impl FnOnce(&mut Walk<'a>, &mut Ends) -> Result<(), Rejection>,
) -> Result<SubjectPublicKeyInfo<'a>, Rejection> {
    // Not zeros: a zeroed array or struct is cleared with a call to `memset`, which a firmware
    // would otherwise not link. The values are overwritten before they are read.
    let n = der.len();
    // Apart from the struct: moving an array into it is a `memcpy`.
    let mut ends = [n; DEPTH_MASK + 1];
    let mut w = Walk {
        der,
        depth: 0,
        pos: 0,
        start: n,
        value: &[],
        outer_at: n,
        inner_at: n,
        inner: (n, n),
        oid: (n, n),
        parameters: None,
    };
    drive(&mut w, &mut ends)?;
    w.spki()
}

/// On microcontrollers, one loop over the table: each check exists once in flash.
#[cfg(any(test, not(target_pointer_width = "64")))]
fn drive_loop(w: &mut Walk<'_>, ends: &mut Ends) -> Result<(), Rejection> {
    let mut i = 0;
    while let Some(&code) = CODES.get(i) {
        // The next step, or the one after it if this one says to skip it.
        i = i.wrapping_add(if w.step(ends, i, code)? { 2 } else { 1 });
    }
    Ok(())
}

/// On 64-bit targets, where speed matters more than bytes, the same steps unrolled: each is
/// compiled with its flags known, so the checks it does not make cost nothing (on x86-64 the
/// walk takes about 60% of the loop's time). The tests run both drivers.
#[cfg(any(test, target_pointer_width = "64"))]
fn drive_unrolled(w: &mut Walk<'_>, ends: &mut Ends) -> Result<(), Rejection> {
    const _: () = assert!(table::WALK.len() == 16, "unroll every step of WALK");
    macro_rules! unrolled {
        ($($i:literal)*) => {
            let mut skip = false;
            $(
                let code = CODES.get($i).copied();
                skip = match code {
                    Some(code) if !skip => w.step(ends, $i, code)?,
                    _ => false,
                };
            )*
            let _ = skip;
        };
    }
    unrolled!(0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15);
    Ok(())
}

/// Whether a step's element is a version INTEGER whose value is not 1 or 2.
fn check_version(flags: u8, value: &[u8]) -> bool {
    flags & CHECK == VERSION && !matches!(value, [1 | 2])
}

/// The lean walk: [`SubjectPublicKeyInfo::from_certificate`].
pub(crate) fn spki_of_certificate(der: &[u8]) -> Result<SubjectPublicKeyInfo<'_>, Error> {
    #[cfg(not(target_pointer_width = "64"))]
    let walked = run(der, drive_loop);
    #[cfg(target_pointer_width = "64")]
    let walked = run(der, drive_unrolled);
    walked.map_err(into_error)
}

#[cfg(test)]
#[path = "walk_tests.rs"]
mod tests;
