//! The names of the structures an [`Error`](crate::Error) points into, and the hashes a pin may
//! name that certpin refuses.

use core::fmt;

/// The ASN.1 structure (or field) an [`Error`](crate::Error) refers to.
///
/// Named after the ASN.1 definitions of RFC 5280 (certificates), RFC 2986 (certification
/// requests) and RFC 8017 (RSA keys), so a message like "wrong tag for TBSCertificate" can be
/// looked up in the RFC.
///
/// ```
/// use certpin::Field;
/// assert_eq!(Field::SubjectPublicKey.to_string(), "subjectPublicKey");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Field {
    /// The outer `Certificate` SEQUENCE.
    Certificate,
    /// `TBSCertificate`.
    TbsCertificate,
    /// `[0] EXPLICIT Version` of a certificate, or the version of a CSR.
    Version,
    /// `serialNumber`.
    SerialNumber,
    /// The `signature` AlgorithmIdentifier inside the TBSCertificate.
    TbsSignature,
    /// `issuer` Name.
    Issuer,
    /// `validity`.
    Validity,
    /// `subject` Name.
    Subject,
    /// `subjectPublicKeyInfo` (SPKI).
    SubjectPublicKeyInfo,
    /// The `algorithm` AlgorithmIdentifier of an SPKI.
    Algorithm,
    /// The OBJECT IDENTIFIER of an AlgorithmIdentifier.
    AlgorithmOid,
    /// The optional parameters of an AlgorithmIdentifier.
    AlgorithmParameters,
    /// The `subjectPublicKey` BIT STRING of an SPKI.
    SubjectPublicKey,
    /// `[1] IMPLICIT issuerUniqueID`.
    IssuerUniqueId,
    /// `[2] IMPLICIT subjectUniqueID`.
    SubjectUniqueId,
    /// `[3] EXPLICIT extensions`.
    Extensions,
    /// The outer `signatureAlgorithm` of a certificate or CSR.
    SignatureAlgorithm,
    /// The outer `signatureValue` BIT STRING of a certificate or CSR.
    SignatureValue,
    /// The outer `CertificationRequest` SEQUENCE (PKCS#10).
    CertificationRequest,
    /// `CertificationRequestInfo`.
    CertificationRequestInfo,
    /// `[0] IMPLICIT attributes` of a CSR.
    Attributes,
    /// `RSAPublicKey` (RFC 8017), the content of an RSA subjectPublicKey.
    RsaPublicKey,
    /// The `modulus` INTEGER of an RSAPublicKey.
    RsaModulus,
    /// The `publicExponent` INTEGER of an RSAPublicKey.
    RsaPublicExponent,
}

impl fmt::Display for Field {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Field::Certificate => "Certificate",
            Field::TbsCertificate => "TBSCertificate",
            Field::Version => "version",
            Field::SerialNumber => "serialNumber",
            Field::TbsSignature => "TBSCertificate signature",
            Field::Issuer => "issuer",
            Field::Validity => "validity",
            Field::Subject => "subject",
            Field::SubjectPublicKeyInfo => "subjectPublicKeyInfo",
            Field::Algorithm => "SPKI algorithm",
            Field::AlgorithmOid => "algorithm OID",
            Field::AlgorithmParameters => "algorithm parameters",
            Field::SubjectPublicKey => "subjectPublicKey",
            Field::IssuerUniqueId => "issuerUniqueID",
            Field::SubjectUniqueId => "subjectUniqueID",
            Field::Extensions => "extensions",
            Field::SignatureAlgorithm => "signatureAlgorithm",
            Field::SignatureValue => "signatureValue",
            Field::CertificationRequest => "CertificationRequest",
            Field::CertificationRequestInfo => "CertificationRequestInfo",
            Field::Attributes => "attributes",
            Field::RsaPublicKey => "RSAPublicKey",
            Field::RsaModulus => "RSA modulus",
            Field::RsaPublicExponent => "RSA publicExponent",
        })
    }
}

/// A hash algorithm named by a pin that certpin does not accept.
///
/// Pins are SHA-256 only: RFC 7469 defines no other, and SHA-1 pins (`sha1/…`, once accepted by
/// OkHttp 2) are a downgrade nobody should carry forward.
///
/// ```
/// use certpin::{Error, Pin, UnsupportedHash};
/// assert_eq!(
///     Pin::parse("sha1/8dIgFeL3V+2DSHkkcbNPlKBLLZs="),
///     Err(Error::UnsupportedHash(UnsupportedHash::Sha1)),
/// );
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum UnsupportedHash {
    /// SHA-1.
    Sha1,
    /// SHA-224.
    Sha224,
    /// SHA-384.
    Sha384,
    /// SHA-512.
    Sha512,
    /// MD5.
    Md5,
    /// A name certpin does not know at all.
    Other,
}

impl fmt::Display for UnsupportedHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            UnsupportedHash::Sha1 => "sha1",
            UnsupportedHash::Sha224 => "sha224",
            UnsupportedHash::Sha384 => "sha384",
            UnsupportedHash::Sha512 => "sha512",
            UnsupportedHash::Md5 => "md5",
            UnsupportedHash::Other => "an unknown hash",
        })
    }
}
