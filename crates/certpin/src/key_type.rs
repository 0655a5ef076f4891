//! What kind of key an SPKI holds, and how big it is: for people reading `certpin` output and
//! for callers choosing a signature algorithm. Pins never depend on it.

use core::fmt;

use crate::der::{self, Reader};
use crate::error::{Error, Field};
use crate::spki::SubjectPublicKeyInfo;

// OIDs (content octets) of the key algorithms and curves certpin names.
const RSA_ENCRYPTION: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01];
const RSASSA_PSS: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0a];
const EC_PUBLIC_KEY: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01];
const DSA: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x38, 0x04, 0x01];
const X25519: &[u8] = &[0x2b, 0x65, 0x6e];
const X448: &[u8] = &[0x2b, 0x65, 0x6f];
const ED25519: &[u8] = &[0x2b, 0x65, 0x70];
const ED448: &[u8] = &[0x2b, 0x65, 0x71];
const P256: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07];
const P384: &[u8] = &[0x2b, 0x81, 0x04, 0x00, 0x22];
const P521: &[u8] = &[0x2b, 0x81, 0x04, 0x00, 0x23];
const SECP256K1: &[u8] = &[0x2b, 0x81, 0x04, 0x00, 0x0a];
const BRAINPOOL_P256R1: &[u8] = &[0x2b, 0x24, 0x03, 0x03, 0x02, 0x08, 0x01, 0x01, 0x07];
const BRAINPOOL_P384R1: &[u8] = &[0x2b, 0x24, 0x03, 0x03, 0x02, 0x08, 0x01, 0x01, 0x0b];
const BRAINPOOL_P512R1: &[u8] = &[0x2b, 0x24, 0x03, 0x03, 0x02, 0x08, 0x01, 0x01, 0x0d];

/// An elliptic curve named by an EC SPKI.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Curve {
    /// NIST P-256 (secp256r1, prime256v1).
    P256,
    /// NIST P-384 (secp384r1).
    P384,
    /// NIST P-521 (secp521r1).
    P521,
    /// secp256k1.
    Secp256k1,
    /// brainpoolP256r1.
    BrainpoolP256r1,
    /// brainpoolP384r1.
    BrainpoolP384r1,
    /// brainpoolP512r1.
    BrainpoolP512r1,
    /// Explicit curve parameters instead of a named curve (RFC 3279 `ECParameters`).
    Explicit,
    /// A named curve certpin does not know, or `implicitCurve`.
    Other,
}

impl fmt::Display for Curve {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Curve::P256 => "P256",
            Curve::P384 => "P384",
            Curve::P521 => "P521",
            Curve::Secp256k1 => "secp256k1",
            Curve::BrainpoolP256r1 => "brainpoolP256r1",
            Curve::BrainpoolP384r1 => "brainpoolP384r1",
            Curve::BrainpoolP512r1 => "brainpoolP512r1",
            Curve::Explicit => "explicit",
            Curve::Other => "unknown-curve",
        })
    }
}

/// The type of a public key, with its size where it is variable.
///
/// `Display` gives the short names the `certpin` command prints: `RSA-2048`, `RSA-PSS-2048`,
/// `EC-P256`, `Ed25519`, `DSA-2048`, `unknown`.
///
/// ```
/// use certpin::{Curve, KeyType};
/// assert_eq!(KeyType::Rsa { bits: 2048 }.to_string(), "RSA-2048");
/// assert_eq!(KeyType::Ec(Curve::P384).to_string(), "EC-P384");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum KeyType {
    /// rsaEncryption, with the modulus size in bits (0 if the key does not parse).
    Rsa {
        /// Modulus size in bits.
        bits: u32,
    },
    /// id-RSASSA-PSS, with the modulus size in bits (0 if the key does not parse).
    RsaPss {
        /// Modulus size in bits.
        bits: u32,
    },
    /// id-ecPublicKey on a curve.
    Ec(Curve),
    /// Ed25519 (RFC 8410).
    Ed25519,
    /// Ed448 (RFC 8410).
    Ed448,
    /// X25519 (RFC 8410).
    X25519,
    /// X448 (RFC 8410).
    X448,
    /// DSA, with the size of `p` in bits when the parameters are present.
    Dsa {
        /// Size of the prime `p`, if the SPKI carries the parameters.
        bits: Option<u32>,
    },
    /// An algorithm OID certpin does not know; its pins work all the same.
    Unknown,
}

impl KeyType {
    pub(crate) fn of(spki: &SubjectPublicKeyInfo<'_>) -> KeyType {
        let alg = spki.algorithm();
        match alg.oid().as_bytes() {
            RSA_ENCRYPTION => KeyType::Rsa {
                bits: rsa_modulus_bits(spki).unwrap_or(0),
            },
            RSASSA_PSS => KeyType::RsaPss {
                bits: rsa_modulus_bits(spki).unwrap_or(0),
            },
            EC_PUBLIC_KEY => KeyType::Ec(curve(alg.parameters())),
            ED25519 => KeyType::Ed25519,
            ED448 => KeyType::Ed448,
            X25519 => KeyType::X25519,
            X448 => KeyType::X448,
            DSA => KeyType::Dsa {
                bits: alg.parameters().and_then(dsa_p_bits),
            },
            _ => KeyType::Unknown,
        }
    }
}

impl fmt::Display for KeyType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            KeyType::Rsa { bits } => write!(f, "RSA-{bits}"),
            KeyType::RsaPss { bits } => write!(f, "RSA-PSS-{bits}"),
            KeyType::Ec(curve) => write!(f, "EC-{curve}"),
            KeyType::Ed25519 => f.write_str("Ed25519"),
            KeyType::Ed448 => f.write_str("Ed448"),
            KeyType::X25519 => f.write_str("X25519"),
            KeyType::X448 => f.write_str("X448"),
            KeyType::Dsa { bits: Some(bits) } => write!(f, "DSA-{bits}"),
            KeyType::Dsa { bits: None } => f.write_str("DSA"),
            KeyType::Unknown => f.write_str("unknown"),
        }
    }
}

fn curve(parameters: Option<&[u8]>) -> Curve {
    let Some(parameters) = parameters else {
        return Curve::Other;
    };
    if parameters.first() == Some(&der::TAG_SEQUENCE) {
        return Curve::Explicit;
    }
    let Ok(oid) = der::single(parameters, der::TAG_OID, Field::AlgorithmParameters) else {
        return Curve::Other;
    };
    match oid.value {
        P256 => Curve::P256,
        P384 => Curve::P384,
        P521 => Curve::P521,
        SECP256K1 => Curve::Secp256k1,
        BRAINPOOL_P256R1 => Curve::BrainpoolP256r1,
        BRAINPOOL_P384R1 => Curve::BrainpoolP384r1,
        BRAINPOOL_P512R1 => Curve::BrainpoolP512r1,
        _ => Curve::Other,
    }
}

/// Size in bits of a positive, minimally encoded INTEGER's value.
fn unsigned_bits(value: &[u8]) -> u32 {
    let digits = match value {
        [0, rest @ ..] => rest,
        all => all,
    };
    let Some((&top, rest)) = digits.split_first() else {
        return 0;
    };
    let len = u32::try_from(rest.len()).unwrap_or(u32::MAX / 16);
    len.saturating_mul(8)
        .saturating_add(8u32.saturating_sub(top.leading_zeros()))
}

/// The modulus size of an RSA key, from its strictly read `RSAPublicKey` (RFC 8017 §A.1.1).
pub(crate) fn rsa_modulus_bits(spki: &SubjectPublicKeyInfo<'_>) -> Result<u32, Error> {
    let mut reader = Reader::new(spki.public_key());
    let key = reader.expect(der::TAG_SEQUENCE, Field::RsaPublicKey)?;
    reader.finish(Field::RsaPublicKey)?;
    let mut contents = key.contents();
    let modulus = contents.integer(Field::RsaModulus)?;
    let exponent = contents.integer(Field::RsaPublicExponent)?;
    contents.finish(Field::RsaPublicKey)?;
    for (tlv, field) in [
        (modulus, Field::RsaModulus),
        (exponent, Field::RsaPublicExponent),
    ] {
        if tlv.value.first().is_some_and(|b| b & 0x80 != 0) {
            return Err(Error::NegativeInteger {
                field,
                at: tlv.at.saturating_add(spki.key_offset()),
            });
        }
    }
    Ok(unsigned_bits(modulus.value))
}

/// The size of `p` in DSA `Dss-Parms ::= SEQUENCE { p, q, g }` (RFC 3279 §2.3.2).
fn dsa_p_bits(parameters: &[u8]) -> Option<u32> {
    let params = der::single(parameters, der::TAG_SEQUENCE, Field::AlgorithmParameters).ok()?;
    let p = params.contents().integer(Field::AlgorithmParameters).ok()?;
    Some(unsigned_bits(p.value))
}
