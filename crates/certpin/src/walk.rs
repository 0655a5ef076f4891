//! The lean certificate-to-key walk of [`SubjectPublicKeyInfo::from_certificate`], written for
//! flash size on microcontrollers.
//!
//! Why an interpreter: the straight-line walk (`TbsToKey` in `cert.rs`, which
//! `Certificate::from_der` keeps using) is inlined by LTO into one ~1 KiB function with an
//! `Error` built at every rejection site. Here the way to the key is a `const` table of steps
//! run by one loop; each kind of check exists once, over one non-inlined TLV-header reader, and
//! a rejection is a small record (what, where, two numbers) turned into the public [`Error`] at
//! one place. The checks, their order, and the resulting `Error` (variant, field, offset) are
//! exactly those of `TbsToKey`; a unit test compares both on every fixture under thousands of
//! mutations.

use crate::error::{Error, Field};
use crate::spki::{AlgorithmIdentifier, Oid, SubjectPublicKeyInfo};
use Field as F;

/// A step: read the next element of `tag` (0: any tag) in the current element, check it as
/// its flags say, then step over it or continue inside it. The first field names the element
/// in errors; the second, for a step that [`CLOSE`]s, the element it closes.
#[derive(Clone, Copy)]
struct Step(u8, u8, Field, Field);

/// Continue inside the element (its end and field are kept for the checks that close it).
const ENTER: u8 = 1;
/// The element must end where its parent ends (the Certificate fills the input); checked
/// before anything inside it is read.
const FILLS: u8 = 2;
/// Only if the next element has this step's tag; otherwise the next step is skipped too
/// (the `[0]` version and the INTEGER inside it).
const IF_TAG: u8 = 4;
/// Only if the current element has bytes left (an AlgorithmIdentifier's parameters).
const IF_ANY: u8 = 8;
/// What the element's value must be: a minimally encoded INTEGER (X.690 §8.3.2), one whose
/// value is 1 or 2 (v2/v3: an explicit v1 is not DER), an OBJECT IDENTIFIER with minimally
/// encoded arcs (§8.19.2), the subjectPublicKey BIT STRING (§10.2, §11.2) holding at least
/// one key octet.
const INTEGER: u8 = 0x10;
const VERSION: u8 = 0x20;
const OID: u8 = 0x30;
const BIT_STRING: u8 = 0x40;
const CHECK: u8 = 0x70;
/// After the step, the element entered last must end here, and is left (X.690 §8.1.1: no
/// trailing bytes in a SEQUENCE of known components).
const CLOSE: u8 = 0x80;

const SEQUENCE: u8 = 0x30;

/// RFC 5280 §4.1 up to the key, in the order `Certificate::from_der` checks it.
#[rustfmt::skip] // a table: one step a line
const WALK: [Step; 16] = [
    Step(SEQUENCE, ENTER | FILLS,      F::Certificate,          F::Certificate),
    Step(SEQUENCE, ENTER,              F::TbsCertificate,       F::TbsCertificate),
    Step(0xa0,     ENTER | IF_TAG,     F::Version,              F::Version),
    Step(0x02,     VERSION | CLOSE,    F::Version,              F::Version),
    Step(0x02,     INTEGER,            F::SerialNumber,         F::SerialNumber),
    Step(SEQUENCE, ENTER,              F::TbsSignature,         F::TbsSignature),
    Step(0x06,     OID,                F::AlgorithmOid,         F::AlgorithmOid),
    Step(0,        IF_ANY | CLOSE,     F::AlgorithmParameters,  F::TbsSignature),
    Step(SEQUENCE, 0,                  F::Issuer,               F::Issuer),
    Step(SEQUENCE, 0,                  F::Validity,             F::Validity),
    Step(SEQUENCE, 0,                  F::Subject,              F::Subject),
    Step(SEQUENCE, ENTER,              F::SubjectPublicKeyInfo, F::SubjectPublicKeyInfo),
    Step(SEQUENCE, ENTER,              F::Algorithm,            F::Algorithm),
    Step(0x06,     OID,                F::AlgorithmOid,         F::AlgorithmOid),
    Step(0,        IF_ANY | CLOSE,     F::AlgorithmParameters,  F::Algorithm),
    Step(0x03,     BIT_STRING | CLOSE, F::SubjectPublicKey,     F::SubjectPublicKeyInfo),
];

/// `ends` has room for depths 0 (the input) to 7, more than the 4 `WALK` enters (the
/// AlgorithmIdentifier in the SubjectPublicKeyInfo), and is indexed with `depth & DEPTH_MASK`:
/// an index that cannot miss needs no bounds check.
const DEPTH_MASK: usize = 7;

/// A rejection, as recorded where it is found; [`Fault::into_error`] makes it an [`Error`].
#[derive(Clone, Copy)]
enum Fault {
    UnexpectedEnd,
    WrongTag,
    HighTagNumber,
    IndefiniteLength,
    NonMinimalLength,
    LengthTooLong,
    LengthPastEnd,
    TrailingData,
    InvalidOid,
    EmptyInteger,
    NonMinimalInteger,
    UnsupportedVersion,
    ConstructedBitString,
    EmptyBitString,
    InvalidUnusedBits,
    NonZeroPaddingBits,
    EmptyPublicKey,
}

impl Fault {
    /// The one place that builds an `Error`: one copy of each variant's construction instead of
    /// one per rejection site. `a` and `b` are the variant's numbers (expected and found tag,
    /// length and bytes available, unused bits).
    #[inline(never)]
    fn into_error(self, field: Field, at: usize, a: usize, b: usize) -> Error {
        let byte = |n: usize| n as u8; // only ever given octets
        match self {
            Fault::UnexpectedEnd => Error::UnexpectedEnd { field, at },
            Fault::WrongTag => Error::WrongTag {
                field,
                at,
                expected: byte(a),
                found: byte(b),
            },
            Fault::HighTagNumber => Error::HighTagNumber { field, at },
            Fault::IndefiniteLength => Error::IndefiniteLength { field, at },
            Fault::NonMinimalLength => Error::NonMinimalLength { field, at },
            Fault::LengthTooLong => Error::LengthTooLong { field, at },
            Fault::LengthPastEnd => Error::LengthPastEnd {
                field,
                at,
                length: a,
                available: b,
            },
            Fault::TrailingData => Error::TrailingData { field, at },
            Fault::InvalidOid => Error::InvalidOid { at },
            Fault::EmptyInteger => Error::EmptyInteger { field, at },
            Fault::NonMinimalInteger => Error::NonMinimalInteger { field, at },
            Fault::UnsupportedVersion => Error::UnsupportedVersion { at },
            Fault::ConstructedBitString => Error::ConstructedBitString { field, at },
            Fault::EmptyBitString => Error::EmptyBitString { field, at },
            Fault::InvalidUnusedBits => Error::InvalidUnusedBits {
                field,
                at,
                unused: byte(a),
            },
            Fault::NonZeroPaddingBits => Error::NonZeroPaddingBits { field, at },
            Fault::EmptyPublicKey => Error::EmptyPublicKey { at },
        }
    }
}

struct Walk<'a> {
    der: &'a [u8],
    pos: usize,
    /// Value start and end of the element read last.
    start: usize,
    end: usize,
    /// The numbers of a [`Fault`].
    a: usize,
    b: usize,
}

impl<'a> Walk<'a> {
    fn byte(&self, at: usize) -> Option<u8> {
        self.der.get(at).copied()
    }

    /// Reads the header of the element at `pos` inside a parent ending at `limit`, checking its
    /// tag against `expected` and its length as `der::Reader::any` does (same faults, same
    /// order). Leaves the value's bounds in `start`/`end`; does not move `pos`.
    ///
    /// Inlining trades flash for speed: 64-bit targets (servers, phones) inline it into the
    /// step loop; microcontrollers (32-bit) keep it out of line, which is smaller there.
    #[cfg_attr(target_pointer_width = "64", inline(always))]
    #[cfg_attr(not(target_pointer_width = "64"), inline(never))]
    fn header(&mut self, expected: Option<u8>, limit: usize) -> Result<(), Fault> {
        let at = self.pos;
        let within = |i: usize| if i < limit { self.byte(i) } else { None };
        let tag = within(at).ok_or(Fault::UnexpectedEnd)?;
        if let Some(expected) = expected.filter(|&e| e != tag) {
            (self.a, self.b) = (usize::from(expected), usize::from(tag));
            return Err(Fault::WrongTag);
        }
        if tag & 0x1f == 0x1f {
            return Err(Fault::HighTagNumber);
        }
        let mut next = at.wrapping_add(2);
        let first = within(at.wrapping_add(1)).ok_or(Fault::UnexpectedEnd)?;
        let mut length = usize::from(first);
        if first == 0x80 {
            return Err(Fault::IndefiniteLength);
        }
        if first > 0x80 {
            let octets = usize::from(first & 0x7f);
            if octets > 4 {
                return Err(Fault::LengthTooLong);
            }
            // At most 4 octets: the value fits in a u32 without overflow.
            let mut value: u32 = 0;
            for _ in 0..octets {
                let b = within(next).ok_or(Fault::UnexpectedEnd)?;
                if value == 0 && b == 0 {
                    // A leading zero octet could have been left out (X.690 §10.1).
                    return Err(Fault::NonMinimalLength);
                }
                value = (value << 8) | u32::from(b);
                next = next.wrapping_add(1);
            }
            length = usize::try_from(value).map_err(|_| Fault::LengthTooLong)?;
            if length < 0x80 {
                return Err(Fault::NonMinimalLength);
            }
        }
        let available = limit.saturating_sub(next);
        if length > available {
            (self.a, self.b) = (length, available);
            return Err(Fault::LengthPastEnd);
        }
        self.start = next;
        self.end = next.wrapping_add(length);
        Ok(())
    }

    fn slice(&self, from: usize, to: usize) -> &'a [u8] {
        self.der.get(from..to).unwrap_or_default()
    }
}

/// Runs `WALK` over `der`. Returns the SPKI, or the fault with its field and offset.
fn run(der: &[u8]) -> Result<SubjectPublicKeyInfo<'_>, (Fault, Field, usize, usize, usize)> {
    // Not zeros: a zeroed 20-byte struct is cleared with a call to `memclr`, which a firmware
    // would otherwise not link. The values are overwritten before they are read.
    let n = der.len();
    let mut w = Walk {
        der,
        pos: 0,
        start: n,
        end: n,
        a: n,
        b: n,
    };
    // The end of the element entered at each depth (depth 0: the input).
    let mut ends = [n; DEPTH_MASK + 1];
    // The tag offsets of the last two elements entered and the value of the last: at the end,
    // the SubjectPublicKeyInfo and its AlgorithmIdentifier.
    let (mut outer_at, mut inner_at, mut inner) = (0, 0, (0, 0));
    let mut depth = 0usize;
    let mut oid = (0, 0);
    let mut parameters = None;
    let mut skip = false;
    for &Step(tag, flags, field, closes) in &WALK {
        if skip {
            skip = false;
            continue;
        }
        let at = w.pos;
        let limit = ends.get(depth & DEPTH_MASK).copied().unwrap_or(0);
        let fail = |fault: Fault, w: &Walk<'_>| Err((fault, field, at, w.a, w.b));
        let present = if flags & IF_TAG != 0 {
            at < limit && w.byte(at) == Some(tag)
        } else {
            flags & IF_ANY == 0 || at < limit
        };
        if present {
            let check = flags & CHECK;
            if check == BIT_STRING && at < limit && w.byte(at) == Some(tag | 0x20) {
                return fail(Fault::ConstructedBitString, &w);
            }
            let expected = if tag == 0 { None } else { Some(tag) };
            if let Err(f) = w.header(expected, limit) {
                return fail(f, &w);
            }
            let value = w.slice(w.start, w.end);
            if check == INTEGER || check == VERSION {
                match value {
                    [] => return fail(Fault::EmptyInteger, &w),
                    [0x00, next, ..] if next & 0x80 == 0 => {
                        return fail(Fault::NonMinimalInteger, &w);
                    }
                    [0xff, next, ..] if next & 0x80 != 0 => {
                        return fail(Fault::NonMinimalInteger, &w);
                    }
                    _ => {}
                }
            } else if check == OID {
                let mut arc_start = true;
                for &b in value {
                    if arc_start && b == 0x80 {
                        return fail(Fault::InvalidOid, &w);
                    }
                    arc_start = b & 0x80 == 0;
                }
                // Empty, or the last arc is unfinished.
                if !arc_start || value.is_empty() {
                    return fail(Fault::InvalidOid, &w);
                }
                oid = (w.start, w.end);
            } else if check == BIT_STRING {
                let Some((&unused, bits)) = value.split_first() else {
                    return fail(Fault::EmptyBitString, &w);
                };
                if unused > 7 || (bits.is_empty() && unused != 0) {
                    w.a = usize::from(unused);
                    return fail(Fault::InvalidUnusedBits, &w);
                }
                let mask = (1u8 << unused).wrapping_sub(1);
                if bits.last().is_some_and(|&last| last & mask != 0) {
                    return fail(Fault::NonZeroPaddingBits, &w);
                }
                if bits.is_empty() {
                    // Only the unused-bits octet: a key of zero bits pins nothing.
                    return fail(Fault::EmptyPublicKey, &w);
                }
            }
            if flags & IF_ANY != 0 {
                parameters = Some((at, w.end));
            }
            if flags & FILLS != 0 && w.end != limit {
                return Err((Fault::TrailingData, field, w.end, 0, 0));
            }
            if flags & ENTER != 0 {
                depth = depth.wrapping_add(1);
                if let Some(end) = ends.get_mut(depth & DEPTH_MASK) {
                    *end = w.end;
                }
                (outer_at, inner_at, inner) = (inner_at, at, (w.start, w.end));
                w.pos = w.start;
            } else {
                w.pos = w.end;
            }
        } else if flags & IF_TAG != 0 {
            skip = true;
            continue;
        } else {
            parameters = None;
        }
        if flags & CLOSE != 0 {
            if Some(&w.pos) != ends.get(depth & DEPTH_MASK) {
                return Err((Fault::TrailingData, closes, w.pos, 0, 0));
            }
            depth = depth.saturating_sub(1);
            if check_version(flags, w.slice(w.start, w.end)) {
                return Err((Fault::UnsupportedVersion, field, at, 0, 0));
            }
        }
    }
    // The last step checked that the key's BIT STRING ends the SubjectPublicKeyInfo.
    Ok(SubjectPublicKeyInfo::from_parts(
        w.slice(outer_at, w.end),
        AlgorithmIdentifier::from_parts(
            w.slice(inner.0, inner.1),
            Oid::from_der_contents(w.slice(oid.0, oid.1)),
            parameters.map(|(from, to)| w.slice(from, to)),
        ),
        w.slice(w.start, w.end),
        w.start.wrapping_add(1),
    ))
}

/// Whether a step's element is a version INTEGER whose value is not 1 or 2 (checked after the
/// `[0]` around it was closed, as `Certificate::from_der` does).
fn check_version(flags: u8, value: &[u8]) -> bool {
    flags & CHECK == VERSION && value != [1] && value != [2]
}

/// The lean walk: [`SubjectPublicKeyInfo::from_certificate`].
pub(crate) fn spki_of_certificate(der: &[u8]) -> Result<SubjectPublicKeyInfo<'_>, Error> {
    run(der).map_err(|(fault, field, at, a, b)| fault.into_error(field, at, a, b))
}

#[cfg(test)]
#[path = "walk_tests.rs"]
mod tests;
