//! The pinned leaf key, kept between the Certificate and CertificateVerify messages, and the
//! TLS 1.3 CertificateVerify check (RFC 8446 §4.4.3) made with it.

use certpin::{Curve, KeyType, SubjectPublicKeyInfo};
use embedded_tls::SignatureScheme;

use crate::Rejection;

/// A server key of a kind this crate can verify signatures with.
#[derive(Clone, Debug)]
pub(crate) enum LeafKey {
    P256(p256::ecdsa::VerifyingKey),
    #[cfg(feature = "p384")]
    P384(p384::ecdsa::VerifyingKey),
    #[cfg(feature = "ed25519")]
    Ed25519(ed25519_dalek::VerifyingKey),
    #[cfg(feature = "alloc")]
    Rsa(rsa::RsaPublicKey),
}

impl LeafKey {
    pub(crate) fn from_spki(spki: &SubjectPublicKeyInfo<'_>) -> Result<Self, Rejection> {
        let key = spki.public_key();
        let bad = |_| Rejection::InvalidKey;
        match spki.key_type() {
            KeyType::Ec(Curve::P256) => Ok(LeafKey::P256(
                p256::ecdsa::VerifyingKey::from_sec1_bytes(key).map_err(bad)?,
            )),
            #[cfg(feature = "p384")]
            KeyType::Ec(Curve::P384) => Ok(LeafKey::P384(
                p384::ecdsa::VerifyingKey::from_sec1_bytes(key).map_err(bad)?,
            )),
            #[cfg(feature = "ed25519")]
            KeyType::Ed25519 => {
                let bytes: &[u8; 32] = key.try_into().map_err(|_| Rejection::InvalidKey)?;
                Ok(LeafKey::Ed25519(
                    ed25519_dalek::VerifyingKey::from_bytes(bytes).map_err(bad)?,
                ))
            }
            #[cfg(feature = "alloc")]
            KeyType::Rsa { .. } => {
                use rsa::pkcs1::DecodeRsaPublicKey;
                Ok(LeafKey::Rsa(
                    rsa::RsaPublicKey::from_pkcs1_der(key).map_err(|_| Rejection::InvalidKey)?,
                ))
            }
            _ => Err(Rejection::UnsupportedKey),
        }
    }

    /// Verifies `signature` over `message` with the scheme the server named, which must be the
    /// one scheme TLS 1.3 allows for this key (no PKCS#1 v1.5, no cross-curve ECDSA).
    pub(crate) fn verify(
        &self,
        scheme: SignatureScheme,
        message: &[u8],
        signature: &[u8],
    ) -> Result<(), Rejection> {
        use p256::ecdsa::signature::Verifier;
        let bad = |_| Rejection::BadSignature;
        match (self, scheme) {
            (LeafKey::P256(key), SignatureScheme::EcdsaSecp256r1Sha256) => {
                let sig = p256::ecdsa::Signature::from_der(signature).map_err(bad)?;
                key.verify(message, &sig).map_err(bad)
            }
            #[cfg(feature = "p384")]
            (LeafKey::P384(key), SignatureScheme::EcdsaSecp384r1Sha384) => {
                let sig = p384::ecdsa::Signature::from_der(signature).map_err(bad)?;
                key.verify(message, &sig).map_err(bad)
            }
            #[cfg(feature = "ed25519")]
            (LeafKey::Ed25519(key), SignatureScheme::Ed25519) => {
                let sig = ed25519_dalek::Signature::from_slice(signature).map_err(bad)?;
                key.verify_strict(message, &sig).map_err(bad)
            }
            #[cfg(feature = "alloc")]
            (LeafKey::Rsa(key), scheme) => verify_rsa_pss(key, scheme, message, signature),
            _ => Err(Rejection::SchemeMismatch),
        }
    }
}

#[cfg(feature = "alloc")]
fn verify_rsa_pss(
    key: &rsa::RsaPublicKey,
    scheme: SignatureScheme,
    message: &[u8],
    signature: &[u8],
) -> Result<(), Rejection> {
    use rsa::pss::{Signature, VerifyingKey};
    use rsa::signature::Verifier;
    let sig = Signature::try_from(signature).map_err(|_| Rejection::BadSignature)?;
    let result = match scheme {
        SignatureScheme::RsaPssRsaeSha256 => {
            VerifyingKey::<sha2::Sha256>::new(key.clone()).verify(message, &sig)
        }
        SignatureScheme::RsaPssRsaeSha384 => {
            VerifyingKey::<sha2::Sha384>::new(key.clone()).verify(message, &sig)
        }
        SignatureScheme::RsaPssRsaeSha512 => {
            VerifyingKey::<sha2::Sha512>::new(key.clone()).verify(message, &sig)
        }
        _ => return Err(Rejection::SchemeMismatch),
    };
    result.map_err(|_| Rejection::BadSignature)
}

/// The content a TLS 1.3 server signs (RFC 8446 §4.4.3): 64 spaces, the context string, a zero
/// byte, then the transcript hash up to and including the Certificate message.
pub(crate) fn signed_content<'b>(
    transcript_hash: &[u8],
    buf: &'b mut [u8; 64 + 34 + 64],
) -> &'b [u8] {
    const CONTEXT: &[u8; 34] = b"TLS 1.3, server CertificateVerify\x00";
    let (spaces, rest) = buf.split_at_mut(64);
    spaces.fill(0x20);
    let (context, rest) = rest.split_at_mut(CONTEXT.len());
    context.copy_from_slice(CONTEXT);
    let hash_len = transcript_hash.len().min(rest.len());
    let (hash, _) = rest.split_at_mut(hash_len);
    hash.copy_from_slice(transcript_hash.get(..hash_len).unwrap_or_default());
    let total = 64 + CONTEXT.len() + hash_len;
    buf.get(..total).unwrap_or_default()
}
