//! SubjectPublicKeyInfo (RFC 5280 §4.1.2.7): the structure every SPKI pin is computed over.

use core::fmt;

use crate::der::{self, Reader, Tlv};
use crate::error::{Error, Field};

/// A DER `SubjectPublicKeyInfo`, borrowed from the certificate, CSR or key file it came from.
///
/// The bytes are kept exactly as they appeared: an SPKI pin (RFC 7469) is a hash of these bytes,
/// and re-encoding (compressed EC points, explicit curve parameters, a missing RSA `NULL`) would
/// silently change it.
///
/// ```
/// use certpin::SubjectPublicKeyInfo;
/// // id-Ed25519 key from RFC 8410 §10.1.
/// let der = [
///     0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00, 0x19, 0xbf, 0x44,
///     0x09, 0x69, 0x84, 0xcd, 0xfe, 0x85, 0x41, 0xba, 0xc1, 0x67, 0xdc, 0x3b, 0x96, 0xc8, 0x50,
///     0x86, 0xaa, 0x30, 0xb6, 0xb6, 0xcb, 0x0c, 0x5c, 0x38, 0xad, 0x70, 0x31, 0x66, 0xe1,
/// ];
/// let spki = SubjectPublicKeyInfo::from_der(&der)?;
/// assert_eq!(spki.key_type().to_string(), "Ed25519");
/// assert_eq!(spki.public_key().len(), 32);
/// # Ok::<(), certpin::Error>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SubjectPublicKeyInfo<'a> {
    der: &'a [u8],
    algorithm: AlgorithmIdentifier<'a>,
    /// Content octets of the subjectPublicKey BIT STRING, unused-bits octet included.
    bit_string: &'a [u8],
    /// Absolute offset of the BIT STRING's first content octet, for key-level errors.
    key_at: usize,
}

impl<'a> SubjectPublicKeyInfo<'a> {
    /// Parses a DER SubjectPublicKeyInfo that fills `der` exactly (a `PUBLIC KEY` file).
    pub fn from_der(der: &'a [u8]) -> Result<Self, Error> {
        let tlv = der::single(der, der::TAG_SEQUENCE, Field::SubjectPublicKeyInfo)?;
        Self::from_tlv(tlv)
    }

    /// Finds the key of a DER certificate that fills `der` exactly, reading only the way to it:
    /// the lean form of [`Certificate::from_der`](crate::Certificate::from_der)`(der)?.spki()`
    /// for a pin check, which is all a TLS client or a microcontroller needs.
    ///
    /// It is strict DER for everything it reads, with the same [`Error`] (variant, field,
    /// offset) as `Certificate::from_der` for the same defect:
    /// - the outer `Certificate` SEQUENCE fills `der` exactly (nothing trailing);
    /// - the `TBSCertificate` is a SEQUENCE within it;
    /// - inside it, in order: the optional `[0]` version (1 or 2, i.e. v2/v3; an explicit v1 is
    ///   rejected), the serialNumber (a minimal INTEGER), the signature AlgorithmIdentifier (a
    ///   SEQUENCE holding a valid OID and at most one parameters element), and the issuer,
    ///   validity and subject (each a SEQUENCE; their contents are not decoded, as in
    ///   `from_der`);
    /// - the subjectPublicKeyInfo, fully: its AlgorithmIdentifier, a primitive, non-empty BIT
    ///   STRING with valid unused bits and zero padding bits, nothing after it.
    ///
    /// Every element read has a low tag number and a canonical definite length within its
    /// parent. What follows the key is *not* read: the unique identifiers, the extensions,
    /// the end of the TBSCertificate, the outer signatureAlgorithm and signatureValue (and
    /// whether they fill the Certificate). A pin decides whether to trust the key; a
    /// certificate broken only there still carries exactly the pinned key bytes, and a
    /// certificate-fingerprint pin hashes all of `der` anyway. Use `Certificate::from_der`
    /// where the rest matters (it also checks what this does, in the same way).
    ///
    /// ```
    /// use certpin::{Certificate, SubjectPublicKeyInfo};
    /// # let der = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/../../testdata/certs/ec-p256.der")).unwrap();
    /// let spki = SubjectPublicKeyInfo::from_certificate(&der)?;
    /// assert_eq!(spki, Certificate::from_der(&der)?.spki());
    /// # Ok::<(), certpin::Error>(())
    /// ```
    pub fn from_certificate(der: &'a [u8]) -> Result<Self, Error> {
        crate::walk::spki_of_certificate(der)
    }

    /// An SPKI from parts the lean walk (`walk.rs`) has already checked.
    pub(crate) fn from_parts(
        der: &'a [u8],
        algorithm: AlgorithmIdentifier<'a>,
        bit_string: &'a [u8],
        key_at: usize,
    ) -> Self {
        SubjectPublicKeyInfo {
            der,
            algorithm,
            bit_string,
            key_at,
        }
    }

    /// Reads the next element of `reader` as an SPKI (inside a certificate or CSR).
    pub(crate) fn read(reader: &mut Reader<'a>) -> Result<Self, Error> {
        let tlv = reader.expect(der::TAG_SEQUENCE, Field::SubjectPublicKeyInfo)?;
        Self::from_tlv(tlv)
    }

    fn from_tlv(tlv: Tlv<'a>) -> Result<Self, Error> {
        let mut contents = tlv.contents();
        let algorithm = AlgorithmIdentifier::read(&mut contents, Field::Algorithm)?;
        let key = contents.bit_string(Field::SubjectPublicKey)?;
        if key.value.len() < 2 {
            // Only the unused-bits octet: a key of zero bits pins nothing.
            return Err(Error::EmptyPublicKey { at: key.at });
        }
        contents.finish(Field::SubjectPublicKeyInfo)?;
        Ok(SubjectPublicKeyInfo {
            der: tlv.whole,
            algorithm,
            bit_string: key.value,
            key_at: key.value_at.saturating_add(1),
        })
    }

    /// The DER bytes of the whole SPKI, outer SEQUENCE included: what `spki-sha256` hashes.
    pub fn der(&self) -> &'a [u8] {
        self.der
    }

    /// The key's algorithm identifier.
    pub fn algorithm(&self) -> AlgorithmIdentifier<'a> {
        self.algorithm
    }

    /// The content octets of the subjectPublicKey BIT STRING *including* the leading
    /// unused-bits octet: what the `ucertpin` pin hashes.
    pub fn bit_string_contents(&self) -> &'a [u8] {
        self.bit_string
    }

    /// The key bytes themselves (the BIT STRING without its unused-bits octet): an
    /// `RSAPublicKey` for RSA, the point for EC, the 32 key bytes for Ed25519.
    pub fn public_key(&self) -> &'a [u8] {
        self.bit_string.get(1..).unwrap_or_default()
    }

    /// What kind of key this is, and its size where the SPKI says it.
    pub fn key_type(&self) -> KeyType {
        KeyType::of(self)
    }

    pub(crate) fn key_offset(&self) -> usize {
        self.key_at
    }
}

/// An `AlgorithmIdentifier` (RFC 5280 §4.1.1.2): an OID and optional parameters.
///
/// ```
/// use certpin::SubjectPublicKeyInfo;
/// # let der = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/../../testdata/certs/ec-p256.der")).unwrap();
/// let cert = certpin::Certificate::from_der(&der)?;
/// let alg = cert.spki().algorithm();
/// assert_eq!(alg.oid().to_string(), "1.2.840.10045.2.1"); // id-ecPublicKey
/// assert!(alg.parameters().is_some()); // the namedCurve OID
/// # Ok::<(), certpin::Error>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AlgorithmIdentifier<'a> {
    contents: &'a [u8],
    oid: Oid<'a>,
    parameters: Option<&'a [u8]>,
}

impl<'a> AlgorithmIdentifier<'a> {
    /// An AlgorithmIdentifier from parts the lean walk (`walk.rs`) has already checked.
    pub(crate) fn from_parts(
        contents: &'a [u8],
        oid: Oid<'a>,
        parameters: Option<&'a [u8]>,
    ) -> Self {
        AlgorithmIdentifier {
            contents,
            oid,
            parameters,
        }
    }

    pub(crate) fn read(reader: &mut Reader<'a>, field: Field) -> Result<Self, Error> {
        let tlv = reader.expect(der::TAG_SEQUENCE, field)?;
        let mut contents = tlv.contents();
        let oid = Oid(contents.oid(Field::AlgorithmOid)?.value);
        let parameters = if contents.at_end() {
            None
        } else {
            Some(contents.any(Field::AlgorithmParameters)?.whole)
        };
        contents.finish(field)?;
        Ok(AlgorithmIdentifier {
            contents: tlv.value,
            oid,
            parameters,
        })
    }

    /// The DER inside the SEQUENCE (OID and parameters): the form in which rustls and
    /// webpki name signature and key algorithms (`signature_alg_id`, `public_key_alg_id`).
    pub fn der_contents(&self) -> &'a [u8] {
        self.contents
    }

    /// The algorithm's OBJECT IDENTIFIER.
    pub fn oid(&self) -> Oid<'a> {
        self.oid
    }

    /// The parameters element (tag, length and value), if present.
    pub fn parameters(&self) -> Option<&'a [u8]> {
        self.parameters
    }
}

/// The content octets of an OBJECT IDENTIFIER; `Display` prints the dotted form.
///
/// ```
/// use certpin::Oid;
/// assert_eq!(Oid::from_der_contents(&[0x2b, 0x65, 0x70]).to_string(), "1.3.101.112");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Oid<'a>(&'a [u8]);

impl<'a> Oid<'a> {
    /// Wraps already-validated content octets (for comparisons with known OIDs).
    pub const fn from_der_contents(contents: &'a [u8]) -> Self {
        Oid(contents)
    }

    /// The content octets.
    pub fn as_bytes(&self) -> &'a [u8] {
        self.0
    }
}

impl fmt::Display for Oid<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut arc: u128 = 0;
        let mut first = true;
        for &b in self.0 {
            // Saturate instead of wrapping, so an oversized arc cannot print as a small one.
            arc = if arc > u128::MAX >> 7 {
                u128::MAX
            } else {
                (arc << 7) | u128::from(b & 0x7f)
            };
            if b & 0x80 != 0 {
                continue;
            }
            if first {
                // X.690 §8.19.4: the first subidentifier packs the first two arcs.
                let (x, y) = match arc {
                    0..=39 => (0, arc),
                    40..=79 => (1, arc.saturating_sub(40)),
                    _ => (2, arc.saturating_sub(80)),
                };
                write!(f, "{x}.{y}")?;
                first = false;
            } else {
                write!(f, ".{arc}")?;
            }
            arc = 0;
        }
        Ok(())
    }
}

pub use crate::key_type::{Curve, KeyType};
