//! The walk's table: the way from a certificate's first byte to its key, one step a line.

use crate::error::Field;
use Field as F;

/// A step: read the next element of `tag` (0: any tag) in the current element, check it as
/// its flags say, then step over it or continue inside it. The first field names the element
/// in errors; the second, for a step that [`CLOSE`]s, the element it closes.
///
/// The walk reads a step's tag and flags from [`CODES`] and its fields from `WALK` only where
/// a step rejects: a firmware that only asks whether a certificate is accepted links no table
/// of fields.
#[derive(Clone, Copy)]
pub(super) struct Step(u8, u8, Field, Field);

/// Continue inside the element (its end and field are kept for the checks that close it).
pub(super) const ENTER: u8 = 1;
/// The element must end where its parent ends (the Certificate fills the input); checked
/// before anything inside it is read.
pub(super) const FILLS: u8 = 2;
/// Only if the next element has this step's tag; otherwise the next step is skipped too
/// (the `[0]` version and the INTEGER inside it).
pub(super) const IF_TAG: u8 = 4;
/// Only if the current element has bytes left (an AlgorithmIdentifier's parameters).
pub(super) const IF_ANY: u8 = 8;
/// What the element's value must be: a minimally encoded INTEGER (X.690 §8.3.2), one whose
/// value is 1 or 2 (v2/v3: an explicit v1 is not DER), an OBJECT IDENTIFIER with minimally
/// encoded arcs (§8.19.2), the subjectPublicKey BIT STRING (§10.2, §11.2) holding at least
/// one key octet.
pub(super) const INTEGER: u8 = 0x10;
pub(super) const VERSION: u8 = 0x20;
pub(super) const OID: u8 = 0x30;
pub(super) const BIT_STRING: u8 = 0x40;
pub(super) const CHECK: u8 = 0x70;
/// After the step, the element entered last must end here, and is left (X.690 §8.1.1: no
/// trailing bytes in a SEQUENCE of known components).
pub(super) const CLOSE: u8 = 0x80;

pub(super) const SEQUENCE: u8 = 0x30;

/// RFC 5280 §4.1 up to the key, in the order `Certificate::from_der` checks it.
#[rustfmt::skip] // a table: one step a line
pub(super) const WALK: [Step; 16] = [
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
pub(super) const CODES: [[u8; 2]; WALK.len()] = {
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
pub(super) fn fields(i: usize) -> (Field, Field) {
    match WALK.get(i) {
        Some(&Step(_, _, field, closes)) => (field, closes),
        None => (F::Certificate, F::Certificate),
    }
}
