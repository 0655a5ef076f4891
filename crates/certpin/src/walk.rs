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
//! is compiled with its flags known. The checks, their order, and the resulting `Error`
//! (variant, field, offset) are exactly those of `TbsToKey`; a unit test compares both drivers
//! with it on every fixture under thousands of mutations.

use crate::error::{Error, Field};
use crate::spki::{AlgorithmIdentifier, Oid, SubjectPublicKeyInfo};
use Field as F;

/// A step: read the next element of `tag` (0: any tag) in the current element, check it as
/// its flags say, then step over it or continue inside it. The first field names the element
/// in errors; the second, for a step that [`CLOSE`]s, the element it closes.
///
/// The walk reads a step's tag and flags from [`CODES`] and its fields from `WALK` only where
/// a step rejects: a firmware that only asks whether a certificate is accepted links no table
/// of fields.
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

// A closing step must not enter: it closes the parent it read its element in.
const _: () = {
    let mut steps: &[Step] = &WALK;
    while let [Step(_, flags, ..), rest @ ..] = steps {
        assert!(
            *flags & (ENTER | CLOSE) != ENTER | CLOSE,
            "a step that enters cannot close"
        );
        steps = rest;
    }
};

/// The tag and flags of each step of `WALK`: what the loop reads, two bytes a step.
// Evaluated at compile time: an index out of range would fail the build, not panic.
#[allow(clippy::indexing_slicing)]
const CODES: [[u8; 2]; WALK.len()] = {
    let mut codes = [[0; 2]; WALK.len()];
    let mut i = 0;
    while i < WALK.len() {
        let Step(tag, flags, ..) = WALK[i];
        codes[i] = [tag, flags];
        i += 1;
    }
    codes
};

/// The fields step `i` names in errors (see [`Step`]); `i` is always a step of `WALK`.
fn fields(i: usize) -> (Field, Field) {
    match WALK.get(i) {
        Some(&Step(_, _, field, closes)) => (field, closes),
        None => (F::Certificate, F::Certificate),
    }
}

/// `ends` has room for depths 0 (the input) to 7, more than the 4 `WALK` enters (the
/// AlgorithmIdentifier in the SubjectPublicKeyInfo), and is indexed with `depth & DEPTH_MASK`:
/// an index that cannot miss needs no bounds check.
const DEPTH_MASK: usize = 7;

/// The end of the element entered at each depth.
type Ends = [usize; DEPTH_MASK + 1];

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

/// A rejection as the walk records it: the fault, the field, the offset, and the fault's two
/// numbers (see [`Fault::into_error`]).
type Rejection = (Fault, Field, usize, usize, usize);

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
    const _: () = assert!(WALK.len() == 16, "unroll every step of WALK");
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

fn into_error((fault, field, at, a, b): Rejection) -> Error {
    fault.into_error(field, at, a, b)
}

#[cfg(test)]
#[path = "walk_tests.rs"]
mod tests;
