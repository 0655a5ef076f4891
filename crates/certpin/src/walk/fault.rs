//! How the walk records a rejection, and the one place that makes it a public [`Error`].

use crate::error::{Error, Field};

/// A rejection, as recorded where it is found; [`Fault::into_error`] makes it an [`Error`].
#[derive(Clone, Copy)]
pub(super) enum Fault {
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
    pub(super) fn into_error(self, field: Field, at: usize, a: usize, b: usize) -> Error {
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
pub(super) type Rejection = (Fault, Field, usize, usize, usize);

pub(super) fn into_error((fault, field, at, a, b): Rejection) -> Error {
    fault.into_error(field, at, a, b)
}
