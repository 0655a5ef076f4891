//! The one error type of the core, and the names of the structures it points into.

use core::fmt;

pub use crate::field::{Field, UnsupportedHash};

/// Everything that can be wrong with a certificate, a key or a pin given to certpin.
///
/// Byte offsets (`at`) count from the first byte of the input given to the parsing function,
/// and point at the first octet (the tag) of the offending element, so
/// `openssl asn1parse -inform DER` shows the same element at the same offset.
///
/// ```
/// use certpin::{Certificate, Error, Field};
/// // An indefinite length (BER, forbidden in DER) on the outer SEQUENCE.
/// let err = Certificate::from_der(&[0x30, 0x80, 0x00, 0x00]).unwrap_err();
/// assert_eq!(err, Error::IndefiniteLength { field: Field::Certificate, at: 0 });
/// assert_eq!(
///     err.to_string(),
///     "malformed DER: indefinite length (BER, not DER) in Certificate at byte 0"
/// );
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Error {
    // --- DER encoding ---------------------------------------------------------------------
    /// The input ended where `field` (its tag or its length) was expected.
    UnexpectedEnd {
        /// The element that was expected.
        field: Field,
        /// Offset where it should have started.
        at: usize,
    },
    /// `field` has a different tag from the one its definition requires.
    WrongTag {
        /// The element that was expected.
        field: Field,
        /// Offset of the tag.
        at: usize,
        /// The tag the definition requires.
        expected: u8,
        /// The tag found.
        found: u8,
    },
    /// A tag in the high-tag-number form (low five bits all set); no field certpin reads uses one.
    HighTagNumber {
        /// The element that was expected.
        field: Field,
        /// Offset of the tag.
        at: usize,
    },
    /// The indefinite length form (`0x80`), allowed in BER but not in DER (X.690 §10.1).
    IndefiniteLength {
        /// The element whose length it is.
        field: Field,
        /// Offset of the element.
        at: usize,
    },
    /// A length not encoded in the fewest octets (X.690 §10.1): long form for a length
    /// under 128, or a leading zero octet.
    NonMinimalLength {
        /// The element whose length it is.
        field: Field,
        /// Offset of the element.
        at: usize,
    },
    /// A length of more than four octets (over 4 GiB); certpin reads nothing that large.
    LengthTooLong {
        /// The element whose length it is.
        field: Field,
        /// Offset of the element.
        at: usize,
    },
    /// The length of `field` runs past the end of the input or of the element containing it.
    LengthPastEnd {
        /// The element whose length it is.
        field: Field,
        /// Offset of the element.
        at: usize,
        /// The length the element claims.
        length: usize,
        /// The bytes actually left after its header.
        available: usize,
    },
    /// Bytes left over after the last element of `field` (or after the outer element).
    TrailingData {
        /// The element that should have ended.
        field: Field,
        /// Offset of the first extra byte.
        at: usize,
    },
    /// A BIT STRING in the constructed form (tag `0x23`), which DER forbids (X.690 §10.2).
    ConstructedBitString {
        /// The BIT STRING.
        field: Field,
        /// Offset of its tag.
        at: usize,
    },
    /// A BIT STRING with no content octets at all (not even the unused-bits octet).
    EmptyBitString {
        /// The BIT STRING.
        field: Field,
        /// Offset of its tag.
        at: usize,
    },
    /// A BIT STRING whose unused-bits octet is over 7, or non-zero with no bits following.
    InvalidUnusedBits {
        /// The BIT STRING.
        field: Field,
        /// Offset of its tag.
        at: usize,
        /// The unused-bits octet.
        unused: u8,
    },
    /// A BIT STRING whose unused bits are not zero (X.690 §11.2.1).
    NonZeroPaddingBits {
        /// The BIT STRING.
        field: Field,
        /// Offset of its tag.
        at: usize,
    },
    /// A subjectPublicKey BIT STRING with no key bits: there is nothing to pin.
    EmptyPublicKey {
        /// Offset of the BIT STRING's tag.
        at: usize,
    },
    /// An INTEGER (or OBJECT IDENTIFIER) with no content octets.
    EmptyInteger {
        /// The element.
        field: Field,
        /// Offset of its tag.
        at: usize,
    },
    /// An INTEGER not in its shortest two's-complement form (X.690 §8.3.2).
    NonMinimalInteger {
        /// The element.
        field: Field,
        /// Offset of its tag.
        at: usize,
    },
    /// A negative INTEGER where only positive values are defined (RSA modulus and exponent).
    NegativeInteger {
        /// The element.
        field: Field,
        /// Offset of its tag.
        at: usize,
    },
    /// An OBJECT IDENTIFIER that is empty, ends inside an arc, or pads an arc with `0x80`.
    InvalidOid {
        /// Offset of its tag.
        at: usize,
    },
    /// A certificate version other than v2 (1) or v3 (2) in the `[0]` field.
    ///
    /// v1 (0) is the DEFAULT and DER requires it to be omitted (X.690 §11.5).
    UnsupportedVersion {
        /// Offset of the version INTEGER.
        at: usize,
    },
    /// A field that the certificate's version does not allow: unique identifiers need v2 or
    /// v3, extensions need v3 (RFC 5280 §4.1).
    FieldNotAllowedInVersion {
        /// The element.
        field: Field,
        /// Offset of its tag.
        at: usize,
    },

    // --- pins -------------------------------------------------------------------------------
    /// An empty pin (or a list with no pin in it).
    EmptyPin,
    /// A pin for a hash other than SHA-256, e.g. `sha1/…`.
    UnsupportedHash(UnsupportedHash),
    /// A prefix certpin does not know, e.g. `sha-256:` or `spki:`.
    UnknownPinPrefix,
    /// Text that is in none of the pin formats.
    UnrecognizedPin,
    /// `pin-sha256=` whose value is not in double quotes (RFC 7469 §2.1.1 requires them).
    UnquotedHpkpPin,
    /// Base64 that is not canonical standard base64 with padding.
    InvalidBase64,
    /// A character that is not a hex digit (or a misplaced `:` separator).
    InvalidHex {
        /// Offset of the bad character within the pin's digest text.
        at: usize,
    },
    /// A digest that decodes to the wrong number of bytes (SHA-256 is 32).
    WrongDigestLength {
        /// The number of bytes the text decodes to (roughly, for over-long text).
        found: usize,
    },
    /// More pins in a list than the caller's buffer holds.
    TooManyPins {
        /// The capacity of the buffer.
        capacity: usize,
    },
}

impl Error {
    /// The byte offset the error points at, for errors about DER input.
    ///
    /// ```
    /// use certpin::Certificate;
    /// let err = Certificate::from_der(&[0x30, 0x03, 0x02, 0x01]).unwrap_err();
    /// assert_eq!(err.offset(), Some(0));
    /// ```
    pub fn offset(&self) -> Option<usize> {
        match *self {
            Error::UnexpectedEnd { at, .. }
            | Error::WrongTag { at, .. }
            | Error::HighTagNumber { at, .. }
            | Error::IndefiniteLength { at, .. }
            | Error::NonMinimalLength { at, .. }
            | Error::LengthTooLong { at, .. }
            | Error::LengthPastEnd { at, .. }
            | Error::TrailingData { at, .. }
            | Error::ConstructedBitString { at, .. }
            | Error::EmptyBitString { at, .. }
            | Error::InvalidUnusedBits { at, .. }
            | Error::NonZeroPaddingBits { at, .. }
            | Error::EmptyPublicKey { at }
            | Error::EmptyInteger { at, .. }
            | Error::NonMinimalInteger { at, .. }
            | Error::NegativeInteger { at, .. }
            | Error::InvalidOid { at }
            | Error::UnsupportedVersion { at }
            | Error::FieldNotAllowedInVersion { at, .. } => Some(at),
            _ => None,
        }
    }

    /// A stable, machine-readable name of the variant (`"wrong-tag"`, `"invalid-base64"`, …).
    ///
    /// The same names are used by the C ABI, by the MicroPython module and by the shared test
    /// vectors in `testdata/`, so one table of expected errors drives every implementation.
    ///
    /// ```
    /// use certpin::Pin;
    /// assert_eq!(Pin::parse("sha256//not base64").unwrap_err().name(), "invalid-base64");
    /// ```
    pub fn name(&self) -> &'static str {
        match self {
            Error::UnexpectedEnd { .. } => "unexpected-end",
            Error::WrongTag { .. } => "wrong-tag",
            Error::HighTagNumber { .. } => "high-tag-number",
            Error::IndefiniteLength { .. } => "indefinite-length",
            Error::NonMinimalLength { .. } => "non-minimal-length",
            Error::LengthTooLong { .. } => "length-too-long",
            Error::LengthPastEnd { .. } => "length-past-end",
            Error::TrailingData { .. } => "trailing-data",
            Error::ConstructedBitString { .. } => "constructed-bit-string",
            Error::EmptyBitString { .. } => "empty-bit-string",
            Error::InvalidUnusedBits { .. } => "invalid-unused-bits",
            Error::NonZeroPaddingBits { .. } => "non-zero-padding-bits",
            Error::EmptyPublicKey { .. } => "empty-public-key",
            Error::EmptyInteger { .. } => "empty-integer",
            Error::NonMinimalInteger { .. } => "non-minimal-integer",
            Error::NegativeInteger { .. } => "negative-integer",
            Error::InvalidOid { .. } => "invalid-oid",
            Error::UnsupportedVersion { .. } => "unsupported-version",
            Error::FieldNotAllowedInVersion { .. } => "field-not-allowed-in-version",
            Error::EmptyPin => "empty-pin",
            Error::UnsupportedHash(_) => "unsupported-hash",
            Error::UnknownPinPrefix => "unknown-pin-prefix",
            Error::UnrecognizedPin => "unrecognized-pin",
            Error::UnquotedHpkpPin => "unquoted-hpkp-pin",
            Error::InvalidBase64 => "invalid-base64",
            Error::InvalidHex { .. } => "invalid-hex",
            Error::WrongDigestLength { .. } => "wrong-digest-length",
            Error::TooManyPins { .. } => "too-many-pins",
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Error::UnexpectedEnd { field, at } => {
                write!(f, "malformed DER: input ends where {field} was expected, at byte {at}")
            }
            Error::WrongTag { field, at, expected, found } => write!(
                f,
                "malformed DER: wrong tag for {field} at byte {at}: expected 0x{expected:02x}, found 0x{found:02x}"
            ),
            Error::HighTagNumber { field, at } => write!(
                f,
                "malformed DER: unsupported high-tag-number form where {field} was expected, at byte {at}"
            ),
            Error::IndefiniteLength { field, at } => write!(
                f,
                "malformed DER: indefinite length (BER, not DER) in {field} at byte {at}"
            ),
            Error::NonMinimalLength { field, at } => write!(
                f,
                "malformed DER: length of {field} at byte {at} is not in its shortest form"
            ),
            Error::LengthTooLong { field, at } => write!(
                f,
                "malformed DER: length of {field} at byte {at} has more than 4 octets"
            ),
            Error::LengthPastEnd { field, at, length, available } => write!(
                f,
                "malformed DER: {field} at byte {at} claims {length} bytes but only {available} follow"
            ),
            Error::TrailingData { field, at } => write!(
                f,
                "malformed DER: unexpected bytes after the end of {field}, at byte {at}"
            ),
            Error::ConstructedBitString { field, at } => write!(
                f,
                "malformed DER: {field} at byte {at} is a constructed BIT STRING (DER requires primitive)"
            ),
            Error::EmptyBitString { field, at } => write!(
                f,
                "malformed DER: {field} at byte {at} is a BIT STRING without content"
            ),
            Error::InvalidUnusedBits { field, at, unused } => write!(
                f,
                "malformed DER: {field} at byte {at} has an invalid unused-bits count {unused}"
            ),
            Error::NonZeroPaddingBits { field, at } => write!(
                f,
                "malformed DER: {field} at byte {at} has non-zero padding bits"
            ),
            Error::EmptyPublicKey { at } => write!(
                f,
                "malformed certificate: subjectPublicKey at byte {at} holds no key bits"
            ),
            Error::EmptyInteger { field, at } => {
                write!(f, "malformed DER: {field} at byte {at} is empty")
            }
            Error::NonMinimalInteger { field, at } => write!(
                f,
                "malformed DER: INTEGER {field} at byte {at} is not in its shortest form"
            ),
            Error::NegativeInteger { field, at } => {
                write!(f, "malformed key: {field} at byte {at} is negative")
            }
            Error::InvalidOid { at } => {
                write!(f, "malformed DER: invalid OBJECT IDENTIFIER at byte {at}")
            }
            Error::UnsupportedVersion { at } => write!(
                f,
                "malformed certificate: version at byte {at} must be v2 or v3 (v1 must be omitted in DER)"
            ),
            Error::FieldNotAllowedInVersion { field, at } => write!(
                f,
                "malformed certificate: {field} at byte {at} is not allowed in this certificate version"
            ),
            Error::EmptyPin => f.write_str("invalid pin: empty"),
            // `Other` names no hash, so it cannot stand before "pins".
            Error::UnsupportedHash(UnsupportedHash::Other) => f.write_str(
                "invalid pin: the hash is not one certpin knows; expected a SHA-256 pin (e.g. sha256//BASE64)",
            ),
            Error::UnsupportedHash(hash) => write!(
                f,
                "invalid pin: {hash} pins are not supported; expected a SHA-256 pin (e.g. sha256//BASE64)"
            ),
            Error::UnknownPinPrefix => f.write_str(
                "invalid pin: unknown prefix; expected sha256//, sha256/, pin-sha256=, spki-sha256:, ucertpin: or cert-sha256:",
            ),
            Error::UnrecognizedPin => f.write_str(
                "invalid pin: expected base64 of 32 bytes (44 characters) or 64 hex digits, optionally prefixed",
            ),
            Error::UnquotedHpkpPin => {
                f.write_str("invalid pin: pin-sha256 value must be in double quotes")
            }
            Error::InvalidBase64 => f.write_str(
                "invalid pin: not valid base64 (standard alphabet with = padding, 44 characters)",
            ),
            Error::InvalidHex { at } => write!(
                f,
                "invalid pin: character {at} is not a hex digit (expected 64 hex digits, optionally in colon-separated pairs)"
            ),
            Error::WrongDigestLength { found } => write!(
                f,
                "invalid pin: digest is {found} bytes, a SHA-256 digest is 32"
            ),
            Error::TooManyPins { capacity } => {
                write!(f, "too many pins: the buffer holds {capacity}")
            }
        }
    }
}

#[cfg(feature = "std")]
impl std::error::Error for Error {}
