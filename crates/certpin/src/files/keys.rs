//! Public keys implied by private keys and PKCS#1 public keys, encoded as OpenSSL does.
//!
//! Decoding uses the RustCrypto crates (`pkcs8`, `pkcs1`, `sec1`, the curve crates,
//! `ed25519-dalek`): private-key formats are many and subtle, and these are the reviewed
//! implementations. The SPKI written is the one `openssl pkey -pubout` writes:
//! RSA with `NULL` parameters, RSA-PSS with the private key's own parameters, EC with the
//! namedCurve OID (or the key's explicit curve parameters) and the key's own point encoding
//! (or, on P-256/P-384/P-521, an uncompressed point computed from the scalar when the key
//! carries none), Ed25519 bare.

use std::format;
use std::string::ToString;
use std::vec::Vec;

use der::asn1::{AnyRef, BitStringRef, ObjectIdentifier, OctetStringRef};
use der::{Decode, Encode, Tagged};
use pkcs1::{RsaPrivateKeyRef, RsaPublicKeyRef};
use sec1::{EcParameters, EcPrivateKey};
use spki::{AlgorithmIdentifierRef, SubjectPublicKeyInfoRef};

use super::{KeyObject, ObjectKind, ReadError};

const RSA_ENCRYPTION: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.1");
const RSASSA_PSS: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.10");
const EC_PUBLIC_KEY: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.2.1");
const ED25519: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.101.112");
const P256: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.3.1.7");
const P384: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.132.0.34");
const P521: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.132.0.35");

fn invalid(e: impl core::fmt::Display) -> ReadError {
    ReadError::InvalidPrivateKey(e.to_string())
}

fn encode_spki(
    oid: ObjectIdentifier,
    parameters: Option<AnyRef<'_>>,
    key: &[u8],
) -> Result<Vec<u8>, ReadError> {
    let spki = SubjectPublicKeyInfoRef {
        algorithm: AlgorithmIdentifierRef { oid, parameters },
        subject_public_key: BitStringRef::from_bytes(key).map_err(invalid)?,
    };
    spki.to_der().map_err(invalid)
}

fn rsa_spki(modulus: &[u8], exponent: &[u8]) -> Result<Vec<u8>, ReadError> {
    rsa_spki_as(RSA_ENCRYPTION, Some(AnyRef::NULL), modulus, exponent)
}

fn rsa_spki_as(
    oid: ObjectIdentifier,
    parameters: Option<AnyRef<'_>>,
    modulus: &[u8],
    exponent: &[u8],
) -> Result<Vec<u8>, ReadError> {
    let public = RsaPublicKeyRef {
        modulus: der::asn1::UintRef::new(modulus).map_err(invalid)?,
        public_exponent: der::asn1::UintRef::new(exponent).map_err(invalid)?,
    };
    encode_spki(oid, parameters, &public.to_der().map_err(invalid)?)
}

/// `RSA PUBLIC KEY`: a bare PKCS#1 RSAPublicKey, wrapped as rsaEncryption.
pub(super) fn rsa_public_key(der: Vec<u8>) -> Result<KeyObject, ReadError> {
    let key = RsaPublicKeyRef::from_der(&der).map_err(invalid)?;
    let spki = rsa_spki(key.modulus.as_bytes(), key.public_exponent.as_bytes())?;
    KeyObject::checked(ObjectKind::RsaPublicKey, der, Some(spki))
}

/// `RSA PRIVATE KEY` (PKCS#1).
pub(super) fn pkcs1(der: Vec<u8>) -> Result<KeyObject, ReadError> {
    let key = RsaPrivateKeyRef::from_der(&der).map_err(invalid)?;
    let spki = rsa_spki(key.modulus.as_bytes(), key.public_exponent.as_bytes())?;
    KeyObject::checked(ObjectKind::PrivateKeyPkcs1, der, Some(spki))
}

/// `EC PRIVATE KEY` (SEC1).
pub(super) fn sec1(der: Vec<u8>) -> Result<KeyObject, ReadError> {
    let spki = sec1_spki(&der, None)?;
    KeyObject::checked(ObjectKind::PrivateKeySec1, der, Some(spki))
}

fn sec1_spki(der: &[u8], outer_curve: Option<ObjectIdentifier>) -> Result<Vec<u8>, ReadError> {
    let key = EcPrivateKey::from_der(der).map_err(invalid)?;
    let curve = match (key.parameters, outer_curve) {
        (Some(EcParameters::NamedCurve(oid)), _) => oid,
        (None, Some(oid)) => oid,
        (None, None) => {
            return Err(ReadError::InvalidPrivateKey("EC key names no curve".into()));
        }
    };
    // OpenSSL keeps the encoding (compressed or not) of a point stored in the key; only a
    // key without one gets a freshly computed, uncompressed point.
    let point: Vec<u8> = match key.public_key {
        Some(point) => point.to_vec(),
        None => derive_point(curve, key.private_key)?,
    };
    let curve_der = curve.to_der().map_err(invalid)?;
    let params = AnyRef::from_der(&curve_der).map_err(invalid)?;
    encode_spki(EC_PUBLIC_KEY, Some(params), &point)
}

fn derive_point(curve: ObjectIdentifier, scalar: &[u8]) -> Result<Vec<u8>, ReadError> {
    let point = if curve == P256 {
        p256::SecretKey::from_slice(scalar)
            .map_err(invalid)?
            .public_key()
            .to_sec1_bytes()
    } else if curve == P384 {
        p384::SecretKey::from_slice(scalar)
            .map_err(invalid)?
            .public_key()
            .to_sec1_bytes()
    } else if curve == P521 {
        p521::SecretKey::from_slice(scalar)
            .map_err(invalid)?
            .public_key()
            .to_sec1_bytes()
    } else {
        return Err(ReadError::UnsupportedKeyAlgorithm(format!(
            "EC key on curve {curve} without its public point (P-256, P-384 and P-521 are supported)"
        )));
    };
    Ok(point.into_vec())
}

/// `PRIVATE KEY` (PKCS#8 / RFC 5958 OneAsymmetricKey).
pub(super) fn pkcs8(der: Vec<u8>) -> Result<KeyObject, ReadError> {
    let info = pkcs8::PrivateKeyInfoRef::from_der(&der).map_err(invalid)?;
    let oid = info.algorithm.oid;
    let private = info.private_key.as_bytes();
    let spki = if oid == RSA_ENCRYPTION {
        let key = RsaPrivateKeyRef::from_der(private).map_err(invalid)?;
        rsa_spki(key.modulus.as_bytes(), key.public_exponent.as_bytes())?
    } else if oid == RSASSA_PSS {
        // RFC 4055 §1.2, and what `openssl pkey -pubout` writes: the public key keeps the
        // private key's AlgorithmIdentifier, parameters (the hash restrictions) included.
        let key = RsaPrivateKeyRef::from_der(private).map_err(invalid)?;
        rsa_spki_as(
            RSASSA_PSS,
            info.algorithm.parameters,
            key.modulus.as_bytes(),
            key.public_exponent.as_bytes(),
        )?
    } else if oid == EC_PUBLIC_KEY {
        ec_pkcs8_spki(info.algorithm.parameters, private)?
    } else if oid == ED25519 {
        // RFC 8410 §7: the private key is an OCTET STRING holding the 32-byte seed.
        let seed = <&OctetStringRef>::from_der(private).map_err(invalid)?;
        let seed: &[u8; 32] = seed
            .as_bytes()
            .try_into()
            .map_err(|_| ReadError::InvalidPrivateKey("Ed25519 seed is not 32 bytes".into()))?;
        let public = ed25519_dalek::SigningKey::from_bytes(seed)
            .verifying_key()
            .to_bytes();
        encode_spki(ED25519, None, &public)?
    } else {
        return Err(ReadError::UnsupportedKeyAlgorithm(format!(
            "PKCS#8 key of algorithm {oid} (RSA, RSA-PSS, EC and Ed25519 are supported)"
        )));
    };
    KeyObject::checked(ObjectKind::PrivateKeyPkcs8, der, Some(spki))
}

/// The SPKI of a PKCS#8 EC key: its curve is in the AlgorithmIdentifier, the key itself is a
/// SEC1 ECPrivateKey.
fn ec_pkcs8_spki(parameters: Option<AnyRef<'_>>, private: &[u8]) -> Result<Vec<u8>, ReadError> {
    let parameters = parameters.ok_or_else(|| {
        ReadError::UnsupportedKeyAlgorithm("EC key without curve parameters".into())
    })?;
    if let Ok(curve) = parameters.decode_as::<ObjectIdentifier>() {
        return sec1_spki(private, Some(curve));
    }
    if parameters.tag() != der::Tag::Sequence {
        return Err(ReadError::UnsupportedKeyAlgorithm(
            "EC key whose curve is neither named nor explicit".into(),
        ));
    }
    // Explicit curve parameters (X9.62 SpecifiedECDomain), as `openssl ecparam -param_enc
    // explicit` writes them: `openssl pkey -pubout` copies them into the public key as they
    // are, with the key's own point. Without the point, computing it would need arithmetic on
    // an arbitrary curve; certpin refuses instead.
    let key = EcPrivateKey::from_der(private).map_err(invalid)?;
    let point = key.public_key.ok_or_else(|| {
        ReadError::UnsupportedKeyAlgorithm(
            "EC key with explicit curve parameters and without its public point".into(),
        )
    })?;
    encode_spki(EC_PUBLIC_KEY, Some(parameters), point)
}

/// Tries the private and PKCS#1 key structures on DER input of unknown type.
pub(super) fn detect_der_key(der: &[u8]) -> Option<Result<KeyObject, ReadError>> {
    if is_encrypted_pkcs8(der) {
        return Some(Err(ReadError::EncryptedKey));
    }
    if pkcs8::PrivateKeyInfoRef::from_der(der).is_ok() {
        return Some(pkcs8(der.to_vec()));
    }
    if RsaPrivateKeyRef::from_der(der).is_ok() {
        return Some(pkcs1(der.to_vec()));
    }
    if EcPrivateKey::from_der(der).is_ok() {
        return Some(sec1(der.to_vec()));
    }
    if RsaPublicKeyRef::from_der(der).is_ok() {
        return Some(rsa_public_key(der.to_vec()));
    }
    None
}

/// The error of the private-key format that `der` resembles, when every decoder refused it.
///
/// All three private-key formats are `SEQUENCE { INTEGER version, … }` (a certificate, CSR or
/// SPKI opens with a SEQUENCE instead), and the element after the version tells them apart:
/// an AlgorithmIdentifier SEQUENCE for PKCS#8, the modulus INTEGER for PKCS#1, the key's
/// OCTET STRING for SEC1. Only the headers are read, so a truncated key is still recognised.
pub(super) fn der_key_error(der: &[u8]) -> Option<ReadError> {
    let (outer_tag, outer) = header(der)?;
    let (version_tag, version) = header(der.get(outer..)?)?;
    if outer_tag != 0x30 || version_tag != 0x02 {
        return None;
    }
    // A version is a one-octet INTEGER; anything longer is a modulus (RSAPublicKey).
    if der.get(outer.saturating_add(1)) != Some(&1) {
        return None;
    }
    let next = der
        .get(outer.saturating_add(version).saturating_add(1))
        .copied();
    let (format, error) = match next {
        Some(0x02) => ("PKCS#1", RsaPrivateKeyRef::from_der(der).err()?.to_string()),
        Some(0x04) => ("SEC1", EcPrivateKey::from_der(der).err()?.to_string()),
        _ => (
            "PKCS#8",
            pkcs8::PrivateKeyInfoRef::from_der(der).err()?.to_string(),
        ),
    };
    Some(invalid(format!("{format} (DER): {error}")))
}

/// A DER element's tag and header length (tag and length octets), if they are readable.
fn header(der: &[u8]) -> Option<(u8, usize)> {
    let tag = *der.first()?;
    let first = *der.get(1)?;
    let length_octets = if first < 0x80 {
        0
    } else {
        usize::from(first & 0x7f)
    };
    Some((tag, length_octets.saturating_add(2)))
}

/// `EncryptedPrivateKeyInfo ::= SEQUENCE { AlgorithmIdentifier, OCTET STRING }` (RFC 5958 §3),
/// recognised by shape only: certpin never decrypts, so it needs no cipher code to say so.
fn is_encrypted_pkcs8(der: &[u8]) -> bool {
    use der::{Reader as _, Tagged as _};
    let Ok(outer) = AnyRef::from_der(der) else {
        return false;
    };
    if outer.tag() != der::Tag::Sequence {
        return false;
    }
    let Ok(mut reader) = der::SliceReader::new(outer.value()) else {
        return false;
    };
    AlgorithmIdentifierRef::decode(&mut reader).is_ok()
        && <&OctetStringRef>::decode(&mut reader).is_ok()
        && reader.is_finished()
}
