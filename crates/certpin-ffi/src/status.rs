//! Status codes: one per core [`certpin::Error`] variant, plus the ones only a C caller can cause.

use core::ffi::{CStr, c_char, c_int};

use certpin::Error;

/// The result of every `certpin_*` function that can fail.
///
/// `CERTPIN_OK` (0) is success; `CERTPIN_NO_MATCH` is the normal "no pin accepts this key"
/// outcome of a match; every other value is an error. The names of the codes that mirror a core
/// error are the core's [`Error::name`] (`wrong-tag` is `CERTPIN_ERR_WRONG_TAG`), so logs and the
/// shared test vectors use one vocabulary across Rust, C and MicroPython.
///
/// Values are stable: new codes get new numbers, none is ever reused.
///
/// ```
/// use certpin_ffi::CertpinStatus;
/// assert_eq!(CertpinStatus::CERTPIN_OK as i32, 0);
/// assert_eq!(CertpinStatus::from(certpin::Error::InvalidBase64), CertpinStatus::CERTPIN_ERR_INVALID_BASE64);
/// ```
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
// The C names, prefix included: cbindgen copies variant names as they are.
#[allow(non_camel_case_types)]
pub enum CertpinStatus {
    /// Success.
    CERTPIN_OK = 0,
    /// The input is well-formed but no pin of the set accepts its key.
    CERTPIN_NO_MATCH = 1,

    /// A pointer argument that must not be NULL was NULL.
    CERTPIN_ERR_NULL_POINTER = 2,
    /// A length over `PTRDIFF_MAX` bytes (no C object is that large), or a pin set whose
    /// `len` is 0.
    CERTPIN_ERR_BAD_LENGTH = 3,
    /// The output buffer is too small; the needed size is reported where the function says.
    CERTPIN_ERR_BUFFER_TOO_SMALL = 4,
    /// A `certpin_pin_t` whose `kind` is not one of the `CERTPIN_KIND_*` values.
    CERTPIN_ERR_INVALID_PIN_KIND = 5,
    /// A `format` that is not a `CERTPIN_FORMAT_*` value, or that cannot express the pin's
    /// kind (only SPKI pins have base64 forms; the ambiguous hex kind has no prefix).
    CERTPIN_ERR_INVALID_FORMAT = 6,
    /// An error this build of the C ABI has no code for (a newer core); never expected.
    CERTPIN_ERR_UNKNOWN = 7,

    /// `unexpected-end`: the input ended where an element was expected.
    CERTPIN_ERR_UNEXPECTED_END = 10,
    /// `wrong-tag`: an element has a different tag from the one its definition requires.
    CERTPIN_ERR_WRONG_TAG = 11,
    /// `high-tag-number`: a tag in the high-tag-number form.
    CERTPIN_ERR_HIGH_TAG_NUMBER = 12,
    /// `indefinite-length`: the BER indefinite length form, forbidden in DER.
    CERTPIN_ERR_INDEFINITE_LENGTH = 13,
    /// `non-minimal-length`: a length not encoded in the fewest octets.
    CERTPIN_ERR_NON_MINIMAL_LENGTH = 14,
    /// `length-too-long`: a length of more than four octets.
    CERTPIN_ERR_LENGTH_TOO_LONG = 15,
    /// `length-past-end`: a length running past the end of its container.
    CERTPIN_ERR_LENGTH_PAST_END = 16,
    /// `trailing-data`: bytes after the last element.
    CERTPIN_ERR_TRAILING_DATA = 17,
    /// `constructed-bit-string`: a constructed BIT STRING, forbidden in DER.
    CERTPIN_ERR_CONSTRUCTED_BIT_STRING = 18,
    /// `empty-bit-string`: a BIT STRING without the unused-bits octet.
    CERTPIN_ERR_EMPTY_BIT_STRING = 19,
    /// `invalid-unused-bits`: an unused-bits octet over 7, or non-zero with no bits.
    CERTPIN_ERR_INVALID_UNUSED_BITS = 20,
    /// `non-zero-padding-bits`: unused bits of a BIT STRING that are not zero.
    CERTPIN_ERR_NON_ZERO_PADDING_BITS = 21,
    /// `empty-public-key`: a subjectPublicKey with no key bits.
    CERTPIN_ERR_EMPTY_PUBLIC_KEY = 22,
    /// `empty-integer`: an INTEGER or OBJECT IDENTIFIER without content.
    CERTPIN_ERR_EMPTY_INTEGER = 23,
    /// `non-minimal-integer`: an INTEGER not in its shortest form.
    CERTPIN_ERR_NON_MINIMAL_INTEGER = 24,
    /// `negative-integer`: a negative RSA modulus or exponent.
    CERTPIN_ERR_NEGATIVE_INTEGER = 25,
    /// `invalid-oid`: a malformed OBJECT IDENTIFIER.
    CERTPIN_ERR_INVALID_OID = 26,
    /// `unsupported-version`: a certificate version other than v2 or v3 in the `[0]` field.
    CERTPIN_ERR_UNSUPPORTED_VERSION = 27,
    /// `field-not-allowed-in-version`: unique IDs or extensions the version does not allow.
    CERTPIN_ERR_FIELD_NOT_ALLOWED_IN_VERSION = 28,

    /// `empty-pin`: an empty pin, or a list with no pin in it.
    CERTPIN_ERR_EMPTY_PIN = 40,
    /// `unsupported-hash`: a pin for a hash other than SHA-256 (e.g. `sha1/…`).
    CERTPIN_ERR_UNSUPPORTED_HASH = 41,
    /// `unknown-pin-prefix`: a prefix certpin does not know.
    CERTPIN_ERR_UNKNOWN_PIN_PREFIX = 42,
    /// `unrecognized-pin`: text in none of the pin formats (also: text that is not UTF-8).
    CERTPIN_ERR_UNRECOGNIZED_PIN = 43,
    /// `unquoted-hpkp-pin`: `pin-sha256=` without double quotes.
    CERTPIN_ERR_UNQUOTED_HPKP_PIN = 44,
    /// `invalid-base64`: base64 that is not canonical standard base64 with padding.
    CERTPIN_ERR_INVALID_BASE64 = 45,
    /// `invalid-hex`: a character that is not a hex digit, or a misplaced `:`.
    CERTPIN_ERR_INVALID_HEX = 46,
    /// `wrong-digest-length`: a digest that is not 32 bytes.
    CERTPIN_ERR_WRONG_DIGEST_LENGTH = 47,
    /// `too-many-pins`: more pins in the list than the caller's buffer holds.
    CERTPIN_ERR_TOO_MANY_PINS = 48,
}

impl From<Error> for CertpinStatus {
    fn from(err: Error) -> Self {
        // By name, not by variant: `Error` is non-exhaustive, and the name is the documented,
        // stable identity of a variant. A test checks every variant maps to its own code.
        ALL.iter()
            .find(|status| status.describe().0.to_bytes() == err.name().as_bytes())
            .copied()
            .unwrap_or(CertpinStatus::CERTPIN_ERR_UNKNOWN)
    }
}

/// Every code, for the name lookup and for looking codes up from a C `int`.
const ALL: [CertpinStatus; 36] = {
    use CertpinStatus::*;
    [
        CERTPIN_OK,
        CERTPIN_NO_MATCH,
        CERTPIN_ERR_NULL_POINTER,
        CERTPIN_ERR_BAD_LENGTH,
        CERTPIN_ERR_BUFFER_TOO_SMALL,
        CERTPIN_ERR_INVALID_PIN_KIND,
        CERTPIN_ERR_INVALID_FORMAT,
        CERTPIN_ERR_UNKNOWN,
        CERTPIN_ERR_UNEXPECTED_END,
        CERTPIN_ERR_WRONG_TAG,
        CERTPIN_ERR_HIGH_TAG_NUMBER,
        CERTPIN_ERR_INDEFINITE_LENGTH,
        CERTPIN_ERR_NON_MINIMAL_LENGTH,
        CERTPIN_ERR_LENGTH_TOO_LONG,
        CERTPIN_ERR_LENGTH_PAST_END,
        CERTPIN_ERR_TRAILING_DATA,
        CERTPIN_ERR_CONSTRUCTED_BIT_STRING,
        CERTPIN_ERR_EMPTY_BIT_STRING,
        CERTPIN_ERR_INVALID_UNUSED_BITS,
        CERTPIN_ERR_NON_ZERO_PADDING_BITS,
        CERTPIN_ERR_EMPTY_PUBLIC_KEY,
        CERTPIN_ERR_EMPTY_INTEGER,
        CERTPIN_ERR_NON_MINIMAL_INTEGER,
        CERTPIN_ERR_NEGATIVE_INTEGER,
        CERTPIN_ERR_INVALID_OID,
        CERTPIN_ERR_UNSUPPORTED_VERSION,
        CERTPIN_ERR_FIELD_NOT_ALLOWED_IN_VERSION,
        CERTPIN_ERR_EMPTY_PIN,
        CERTPIN_ERR_UNSUPPORTED_HASH,
        CERTPIN_ERR_UNKNOWN_PIN_PREFIX,
        CERTPIN_ERR_UNRECOGNIZED_PIN,
        CERTPIN_ERR_UNQUOTED_HPKP_PIN,
        CERTPIN_ERR_INVALID_BASE64,
        CERTPIN_ERR_INVALID_HEX,
        CERTPIN_ERR_WRONG_DIGEST_LENGTH,
        CERTPIN_ERR_TOO_MANY_PINS,
    ]
};

impl CertpinStatus {
    /// The code with this numeric value, if there is one.
    ///
    /// ```
    /// use certpin_ffi::CertpinStatus;
    /// assert_eq!(CertpinStatus::from_code(11), Some(CertpinStatus::CERTPIN_ERR_WRONG_TAG));
    /// assert_eq!(CertpinStatus::from_code(9), None);
    /// ```
    pub fn from_code(code: c_int) -> Option<Self> {
        ALL.iter().find(|status| **status as c_int == code).copied()
    }

    /// The stable name (the core's [`Error::name`] for core errors) and a one-line message.
    fn describe(self) -> (&'static CStr, &'static CStr) {
        use CertpinStatus::*;
        match self {
            CERTPIN_OK => (c"ok", c"success"),
            CERTPIN_NO_MATCH => (c"no-match", c"no pin of the set matches the key"),
            CERTPIN_ERR_NULL_POINTER => (c"null-pointer", c"a required pointer argument is NULL"),
            CERTPIN_ERR_BAD_LENGTH => (c"bad-length", c"a length argument is impossible"),
            CERTPIN_ERR_BUFFER_TOO_SMALL => (c"buffer-too-small", c"the output buffer is too small"),
            CERTPIN_ERR_INVALID_PIN_KIND => (c"invalid-pin-kind", c"a pin's kind is not a CERTPIN_KIND_* value"),
            CERTPIN_ERR_INVALID_FORMAT => (c"invalid-format", c"the format is unknown or cannot express this pin's kind"),
            CERTPIN_ERR_UNKNOWN => (c"unknown-error", c"an error this version of the C ABI has no code for"),
            CERTPIN_ERR_UNEXPECTED_END => (c"unexpected-end", c"malformed DER: the input ends where an element was expected"),
            CERTPIN_ERR_WRONG_TAG => (c"wrong-tag", c"malformed DER: an element has the wrong tag"),
            CERTPIN_ERR_HIGH_TAG_NUMBER => (c"high-tag-number", c"malformed DER: unsupported high-tag-number form"),
            CERTPIN_ERR_INDEFINITE_LENGTH => (c"indefinite-length", c"malformed DER: indefinite length (BER, not DER)"),
            CERTPIN_ERR_NON_MINIMAL_LENGTH => (c"non-minimal-length", c"malformed DER: a length is not in its shortest form"),
            CERTPIN_ERR_LENGTH_TOO_LONG => (c"length-too-long", c"malformed DER: a length has more than 4 octets"),
            CERTPIN_ERR_LENGTH_PAST_END => (c"length-past-end", c"malformed DER: an element runs past the end of its container"),
            CERTPIN_ERR_TRAILING_DATA => (c"trailing-data", c"malformed DER: unexpected bytes after the end of an element"),
            CERTPIN_ERR_CONSTRUCTED_BIT_STRING => (c"constructed-bit-string", c"malformed DER: constructed BIT STRING (DER requires primitive)"),
            CERTPIN_ERR_EMPTY_BIT_STRING => (c"empty-bit-string", c"malformed DER: BIT STRING without content"),
            CERTPIN_ERR_INVALID_UNUSED_BITS => (c"invalid-unused-bits", c"malformed DER: invalid unused-bits count in a BIT STRING"),
            CERTPIN_ERR_NON_ZERO_PADDING_BITS => (c"non-zero-padding-bits", c"malformed DER: BIT STRING with non-zero padding bits"),
            CERTPIN_ERR_EMPTY_PUBLIC_KEY => (c"empty-public-key", c"malformed certificate: subjectPublicKey holds no key bits"),
            CERTPIN_ERR_EMPTY_INTEGER => (c"empty-integer", c"malformed DER: empty INTEGER or OBJECT IDENTIFIER"),
            CERTPIN_ERR_NON_MINIMAL_INTEGER => (c"non-minimal-integer", c"malformed DER: INTEGER not in its shortest form"),
            CERTPIN_ERR_NEGATIVE_INTEGER => (c"negative-integer", c"malformed key: negative RSA modulus or exponent"),
            CERTPIN_ERR_INVALID_OID => (c"invalid-oid", c"malformed DER: invalid OBJECT IDENTIFIER"),
            CERTPIN_ERR_UNSUPPORTED_VERSION => (c"unsupported-version", c"malformed certificate: version must be v2 or v3 (v1 must be omitted in DER)"),
            CERTPIN_ERR_FIELD_NOT_ALLOWED_IN_VERSION => (c"field-not-allowed-in-version", c"malformed certificate: field not allowed in this certificate version"),
            CERTPIN_ERR_EMPTY_PIN => (c"empty-pin", c"invalid pin: empty"),
            CERTPIN_ERR_UNSUPPORTED_HASH => (c"unsupported-hash", c"invalid pin: only SHA-256 pins are supported (e.g. sha256//BASE64)"),
            CERTPIN_ERR_UNKNOWN_PIN_PREFIX => (c"unknown-pin-prefix", c"invalid pin: unknown prefix; expected sha256//, sha256/, pin-sha256=, spki-sha256:, ucertpin: or cert-sha256:"),
            CERTPIN_ERR_UNRECOGNIZED_PIN => (c"unrecognized-pin", c"invalid pin: expected base64 of 32 bytes (44 characters) or 64 hex digits, optionally prefixed"),
            CERTPIN_ERR_UNQUOTED_HPKP_PIN => (c"unquoted-hpkp-pin", c"invalid pin: pin-sha256 value must be in double quotes"),
            CERTPIN_ERR_INVALID_BASE64 => (c"invalid-base64", c"invalid pin: not valid base64 (standard alphabet with = padding, 44 characters)"),
            CERTPIN_ERR_INVALID_HEX => (c"invalid-hex", c"invalid pin: not a hex digit (expected 64 hex digits, optionally in colon-separated pairs)"),
            CERTPIN_ERR_WRONG_DIGEST_LENGTH => (c"wrong-digest-length", c"invalid pin: the digest is not 32 bytes (SHA-256)"),
            CERTPIN_ERR_TOO_MANY_PINS => (c"too-many-pins", c"too many pins for the caller's buffer"),
        }
    }
}

/// A static, NUL-terminated English message for a status code; never NULL.
///
/// Unknown codes give `"unknown certpin status code"`. The string lives as long as the program;
/// do not free it.
///
/// ```
/// use certpin_ffi::{CertpinStatus, certpin_error_message};
/// use core::ffi::CStr;
/// let msg = certpin_error_message(CertpinStatus::CERTPIN_ERR_INVALID_BASE64 as i32);
/// // SAFETY: the function returns a static NUL-terminated string.
/// let msg = unsafe { CStr::from_ptr(msg) }.to_str().unwrap();
/// assert!(msg.starts_with("invalid pin: not valid base64"));
/// ```
#[unsafe(no_mangle)]
pub extern "C" fn certpin_error_message(code: c_int) -> *const c_char {
    CertpinStatus::from_code(code)
        .map_or(c"unknown certpin status code", |status| status.describe().1)
        .as_ptr()
}

/// The stable, machine-readable name of a status code (`"wrong-tag"`, `"no-match"`, …); never
/// NULL. For codes mirroring a core error it is the core's [`Error::name`]; unknown codes give
/// `"unknown-status"`.
///
/// ```
/// use certpin_ffi::{CertpinStatus, certpin_error_name};
/// use core::ffi::CStr;
/// let name = certpin_error_name(CertpinStatus::CERTPIN_ERR_TOO_MANY_PINS as i32);
/// // SAFETY: the function returns a static NUL-terminated string.
/// assert_eq!(unsafe { CStr::from_ptr(name) }, c"too-many-pins");
/// ```
#[unsafe(no_mangle)]
pub extern "C" fn certpin_error_name(code: c_int) -> *const c_char {
    CertpinStatus::from_code(code)
        .map_or(c"unknown-status", |status| status.describe().0)
        .as_ptr()
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::undocumented_unsafe_blocks)]
mod tests {
    use core::ffi::CStr;

    use certpin::{Error, Field, UnsupportedHash};

    use super::*;

    #[test]
    fn every_core_error_has_its_own_code_and_name() {
        let f = Field::Certificate;
        let errors = [
            Error::UnexpectedEnd { field: f, at: 0 },
            Error::WrongTag {
                field: f,
                at: 0,
                expected: 0x30,
                found: 0x31,
            },
            Error::HighTagNumber { field: f, at: 0 },
            Error::IndefiniteLength { field: f, at: 0 },
            Error::NonMinimalLength { field: f, at: 0 },
            Error::LengthTooLong { field: f, at: 0 },
            Error::LengthPastEnd {
                field: f,
                at: 0,
                length: 1,
                available: 0,
            },
            Error::TrailingData { field: f, at: 0 },
            Error::ConstructedBitString { field: f, at: 0 },
            Error::EmptyBitString { field: f, at: 0 },
            Error::InvalidUnusedBits {
                field: f,
                at: 0,
                unused: 8,
            },
            Error::NonZeroPaddingBits { field: f, at: 0 },
            Error::EmptyPublicKey { at: 0 },
            Error::EmptyInteger { field: f, at: 0 },
            Error::NonMinimalInteger { field: f, at: 0 },
            Error::NegativeInteger { field: f, at: 0 },
            Error::InvalidOid { at: 0 },
            Error::UnsupportedVersion { at: 0 },
            Error::FieldNotAllowedInVersion { field: f, at: 0 },
            Error::EmptyPin,
            Error::UnsupportedHash(UnsupportedHash::Sha1),
            Error::UnknownPinPrefix,
            Error::UnrecognizedPin,
            Error::UnquotedHpkpPin,
            Error::InvalidBase64,
            Error::InvalidHex { at: 0 },
            Error::WrongDigestLength { found: 0 },
            Error::TooManyPins { capacity: 0 },
        ];
        let mut codes = Vec::new();
        for err in errors {
            let code = CertpinStatus::from(err) as i32;
            assert_ne!(
                CertpinStatus::from(err),
                CertpinStatus::CERTPIN_ERR_UNKNOWN,
                "{err:?}"
            );
            // SAFETY: the functions return static NUL-terminated strings.
            let (name, message) = unsafe {
                (
                    CStr::from_ptr(certpin_error_name(code)),
                    CStr::from_ptr(certpin_error_message(code)),
                )
            };
            assert_eq!(name.to_str().unwrap(), err.name());
            assert!(message.to_bytes().len() > 10);
            codes.push(code);
        }
        codes.sort();
        codes.dedup();
        assert_eq!(codes.len(), errors.len());
        // SAFETY: as above.
        let unknown = unsafe { CStr::from_ptr(certpin_error_message(-1)) };
        assert_eq!(unknown, c"unknown certpin status code");
    }
}
