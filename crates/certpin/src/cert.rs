//! X.509 certificates (RFC 5280 §4.1), read only as deep as pinning needs.

use crate::der::{self, Reader};
use crate::error::{Error, Field};
use crate::spki::{AlgorithmIdentifier, SubjectPublicKeyInfo};

/// `[0] EXPLICIT Version`: context-specific, constructed, number 0.
const TAG_VERSION: u8 = 0xa0;
/// `[1] IMPLICIT UniqueIdentifier` (a BIT STRING): context-specific, primitive, number 1.
const TAG_ISSUER_UID: u8 = 0x81;
/// `[2] IMPLICIT UniqueIdentifier`: context-specific, primitive, number 2.
const TAG_SUBJECT_UID: u8 = 0x82;
/// `[3] EXPLICIT Extensions`: context-specific, constructed, number 3.
const TAG_EXTENSIONS: u8 = 0xa3;

/// The version of a certificate (RFC 5280 §4.1.2.1).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Version {
    /// v1: no `[0]` field, no unique identifiers, no extensions.
    V1,
    /// v2: unique identifiers allowed.
    V2,
    /// v3: extensions allowed.
    V3,
}

/// A DER X.509 certificate, borrowed from its input.
///
/// Parsing walks Certificate → TBSCertificate → subjectPublicKeyInfo strictly (DER lengths,
/// tags, field order, nothing trailing) but does not decode names, times or extensions: pinning
/// needs none of them, and every decoder not run is attack surface not exposed. The raw
/// elements are available for callers that need more (a hostname check, a chain check).
///
/// ```
/// use certpin::Certificate;
/// # let der = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/../../testdata/certs/rsa2048.der")).unwrap();
/// let cert = Certificate::from_der(&der)?;
/// assert_eq!(cert.version(), certpin::Version::V3);
/// assert_eq!(cert.spki().key_type().to_string(), "RSA-2048");
/// # Ok::<(), certpin::Error>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Certificate<'a> {
    der: &'a [u8],
    tbs: &'a [u8],
    version: Version,
    serial: &'a [u8],
    issuer: &'a [u8],
    validity: &'a [u8],
    subject: &'a [u8],
    spki: SubjectPublicKeyInfo<'a>,
    extensions: Option<&'a [u8]>,
    signature_algorithm: AlgorithmIdentifier<'a>,
    signature: &'a [u8],
}

impl<'a> Certificate<'a> {
    /// Parses a DER certificate that fills `der` exactly.
    ///
    /// Rejects, with the [`Error`] variant saying which, anything that is not strict DER:
    /// indefinite or non-minimal lengths, lengths past the end, wrong tags or field order,
    /// trailing bytes, a constructed or empty subjectPublicKey.
    pub fn from_der(der: &'a [u8]) -> Result<Self, Error> {
        let cert = der::single(der, der::TAG_SEQUENCE, Field::Certificate)?;
        let mut outer = cert.contents();
        let tbs = outer.expect(der::TAG_SEQUENCE, Field::TbsCertificate)?;
        let signature_algorithm = AlgorithmIdentifier::read(&mut outer, Field::SignatureAlgorithm)?;
        let signature = outer.bit_string(Field::SignatureValue)?;
        outer.finish(Field::Certificate)?;

        let mut r = tbs.contents();
        let TbsToKey {
            version,
            serial,
            issuer,
            validity,
            subject,
            spki,
        } = TbsToKey::read(&mut r)?;
        for (tag, field) in [
            (TAG_ISSUER_UID, Field::IssuerUniqueId),
            (TAG_SUBJECT_UID, Field::SubjectUniqueId),
        ] {
            let at = r.offset();
            if let Some(uid) = r.optional(tag, field)? {
                if version == Version::V1 {
                    return Err(Error::FieldNotAllowedInVersion { field, at });
                }
                // The unique identifier is a BIT STRING under an implicit tag: same rules.
                check_bit_string_contents(uid.value, field, at)?;
            }
        }
        let at = r.offset();
        let extensions = match r.optional(TAG_EXTENSIONS, Field::Extensions)? {
            Some(_) if version != Version::V3 => {
                return Err(Error::FieldNotAllowedInVersion {
                    field: Field::Extensions,
                    at,
                });
            }
            Some(explicit) => {
                let mut inner = explicit.contents();
                let seq = inner.expect(der::TAG_SEQUENCE, Field::Extensions)?;
                inner.finish(Field::Extensions)?;
                Some(seq.whole)
            }
            None => None,
        };
        r.finish(Field::TbsCertificate)?;

        Ok(Certificate {
            der: cert.whole,
            tbs: tbs.whole,
            version,
            serial,
            issuer,
            validity,
            subject,
            spki,
            extensions,
            signature_algorithm,
            signature: signature.value.get(1..).unwrap_or_default(),
        })
    }

    /// The whole certificate: what `cert-sha256` hashes.
    pub fn der(&self) -> &'a [u8] {
        self.der
    }

    /// The TBSCertificate element (tag and length included): the bytes the issuer signed.
    pub fn tbs_certificate(&self) -> &'a [u8] {
        self.tbs
    }

    /// The certificate's version.
    pub fn version(&self) -> Version {
        self.version
    }

    /// The content octets of the serial number INTEGER.
    pub fn serial_number(&self) -> &'a [u8] {
        self.serial
    }

    /// The issuer Name element (tag and length included), undecoded.
    pub fn issuer(&self) -> &'a [u8] {
        self.issuer
    }

    /// The Validity element (tag and length included), undecoded.
    pub fn validity(&self) -> &'a [u8] {
        self.validity
    }

    /// The subject Name element (tag and length included), undecoded.
    pub fn subject(&self) -> &'a [u8] {
        self.subject
    }

    /// The subject's public key: what SPKI and ucertpin pins are computed over.
    pub fn spki(&self) -> SubjectPublicKeyInfo<'a> {
        self.spki
    }

    /// The `Extensions` SEQUENCE (tag and length included), for v3 certificates that have one.
    pub fn extensions(&self) -> Option<&'a [u8]> {
        self.extensions
    }

    /// The outer signatureAlgorithm.
    pub fn signature_algorithm(&self) -> AlgorithmIdentifier<'a> {
        self.signature_algorithm
    }

    /// The signature bits (the signatureValue BIT STRING without its unused-bits octet).
    pub fn signature(&self) -> &'a [u8] {
        self.signature
    }
}

/// The TBSCertificate fields up to and including the key, read by [`Certificate::from_der`] and
/// by the lean [`SubjectPublicKeyInfo::from_certificate`] alike, so both check them identically.
struct TbsToKey<'a> {
    version: Version,
    serial: &'a [u8],
    issuer: &'a [u8],
    validity: &'a [u8],
    subject: &'a [u8],
    spki: SubjectPublicKeyInfo<'a>,
}

impl<'a> TbsToKey<'a> {
    fn read(r: &mut Reader<'a>) -> Result<Self, Error> {
        let version = read_version(r)?;
        let serial = r.integer(Field::SerialNumber)?.value;
        AlgorithmIdentifier::read(r, Field::TbsSignature)?;
        let issuer = r.expect(der::TAG_SEQUENCE, Field::Issuer)?.whole;
        let validity = r.expect(der::TAG_SEQUENCE, Field::Validity)?.whole;
        let subject = r.expect(der::TAG_SEQUENCE, Field::Subject)?.whole;
        let spki = SubjectPublicKeyInfo::read(r)?;
        Ok(TbsToKey {
            version,
            serial,
            issuer,
            validity,
            subject,
            spki,
        })
    }
}

/// The certificate walk as `Certificate::from_der` does it, up to the key: the reference the
/// lean walk of `walk.rs` is tested against.
#[cfg(test)]
pub(crate) fn spki_of_certificate(der: &[u8]) -> Result<SubjectPublicKeyInfo<'_>, Error> {
    let cert = der::single(der, der::TAG_SEQUENCE, Field::Certificate)?;
    let tbs = cert
        .contents()
        .expect(der::TAG_SEQUENCE, Field::TbsCertificate)?;
    Ok(TbsToKey::read(&mut tbs.contents())?.spki)
}

fn read_version(r: &mut Reader<'_>) -> Result<Version, Error> {
    let Some(explicit) = r.optional(TAG_VERSION, Field::Version)? else {
        return Ok(Version::V1);
    };
    let mut inner = explicit.contents();
    let int = inner.integer(Field::Version)?;
    inner.finish(Field::Version)?;
    match int.value {
        [1] => Ok(Version::V2),
        [2] => Ok(Version::V3),
        // [0] is v1 spelled out, which DER forbids for a DEFAULT value (X.690 §11.5).
        _ => Err(Error::UnsupportedVersion { at: int.at }),
    }
}

/// The BIT STRING rules of X.690 §11.2 for an implicitly tagged BIT STRING's content.
fn check_bit_string_contents(value: &[u8], field: Field, at: usize) -> Result<(), Error> {
    let (&unused, bits) = value
        .split_first()
        .ok_or(Error::EmptyBitString { field, at })?;
    if unused > 7 || (bits.is_empty() && unused != 0) {
        return Err(Error::InvalidUnusedBits { field, at, unused });
    }
    let mask = (1u8 << unused).wrapping_sub(1);
    if bits.last().is_some_and(|last| last & mask != 0) {
        return Err(Error::NonZeroPaddingBits { field, at });
    }
    Ok(())
}

/// A PKCS#10 certification request (RFC 2986), read as deep as its public key.
///
/// A CSR carries the key a future certificate will have, so its pins are the backup pins to
/// ship *before* that certificate exists.
///
/// ```
/// use certpin::CertificationRequest;
/// # let der = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/../../testdata/csr/ec-p256.csr.der")).unwrap();
/// let csr = CertificationRequest::from_der(&der)?;
/// assert_eq!(csr.spki().key_type().to_string(), "EC-P256");
/// # Ok::<(), certpin::Error>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CertificationRequest<'a> {
    subject: &'a [u8],
    spki: SubjectPublicKeyInfo<'a>,
}

impl<'a> CertificationRequest<'a> {
    /// Parses a DER `CertificationRequest` that fills `der` exactly.
    pub fn from_der(der: &'a [u8]) -> Result<Self, Error> {
        let csr = der::single(der, der::TAG_SEQUENCE, Field::CertificationRequest)?;
        let mut outer = csr.contents();
        let info = outer.expect(der::TAG_SEQUENCE, Field::CertificationRequestInfo)?;
        AlgorithmIdentifier::read(&mut outer, Field::SignatureAlgorithm)?;
        outer.bit_string(Field::SignatureValue)?;
        outer.finish(Field::CertificationRequest)?;

        let mut r = info.contents();
        let version = r.integer(Field::Version)?;
        if version.value != [0] {
            return Err(Error::UnsupportedVersion { at: version.at });
        }
        let subject = r.expect(der::TAG_SEQUENCE, Field::Subject)?.whole;
        let spki = SubjectPublicKeyInfo::read(&mut r)?;
        // `attributes [0] IMPLICIT SET OF Attribute` is required, though often empty.
        r.expect(0xa0, Field::Attributes)?;
        r.finish(Field::CertificationRequestInfo)?;
        Ok(CertificationRequest { subject, spki })
    }

    /// The subject Name element (tag and length included), undecoded.
    pub fn subject(&self) -> &'a [u8] {
        self.subject
    }

    /// The public key being certified.
    pub fn spki(&self) -> SubjectPublicKeyInfo<'a> {
        self.spki
    }
}
