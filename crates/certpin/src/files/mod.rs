//! Certificates, public keys, CSRs and private keys from PEM or DER files (feature `files`).
//!
//! This is how pins are made for keys that have no certificate yet: a backup key's pin must be
//! in the field before its certificate exists, so it has to come from the key (or its CSR).
//! A private key's pin is the pin of the public key it implies, exactly what
//! `openssl pkey -pubout` would print; the private key is used for nothing else.

mod keys;

use std::fmt;
use std::string::{String, ToString};
use std::vec::Vec;

use crate::cert::{Certificate, CertificationRequest};
use crate::error::Error;
use crate::pin::PinDigests;
use crate::sha::Sha256Engine;
use crate::spki::SubjectPublicKeyInfo;

/// What a [`KeyObject`] was read from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ObjectKind {
    /// An X.509 certificate (`CERTIFICATE`).
    Certificate,
    /// A SubjectPublicKeyInfo (`PUBLIC KEY`).
    PublicKey,
    /// A PKCS#1 `RSAPublicKey` (`RSA PUBLIC KEY`).
    RsaPublicKey,
    /// A PKCS#10 request (`CERTIFICATE REQUEST`).
    CertificateRequest,
    /// A PKCS#8 private key (`PRIVATE KEY`).
    PrivateKeyPkcs8,
    /// A PKCS#1 RSA private key (`RSA PRIVATE KEY`).
    PrivateKeyPkcs1,
    /// A SEC1 EC private key (`EC PRIVATE KEY`).
    PrivateKeySec1,
}

impl ObjectKind {
    /// A short, stable name: `certificate`, `public-key`, `rsa-public-key`, `csr`,
    /// `private-key-pkcs8`, `private-key-pkcs1`, `private-key-sec1`.
    ///
    /// ```
    /// assert_eq!(certpin::files::ObjectKind::CertificateRequest.name(), "csr");
    /// ```
    pub fn name(self) -> &'static str {
        match self {
            ObjectKind::Certificate => "certificate",
            ObjectKind::PublicKey => "public-key",
            ObjectKind::RsaPublicKey => "rsa-public-key",
            ObjectKind::CertificateRequest => "csr",
            ObjectKind::PrivateKeyPkcs8 => "private-key-pkcs8",
            ObjectKind::PrivateKeyPkcs1 => "private-key-pkcs1",
            ObjectKind::PrivateKeySec1 => "private-key-sec1",
        }
    }
}

impl fmt::Display for ObjectKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Why an object in a file could not be read.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ReadError {
    /// Malformed DER in a certificate, CSR or public key (with field and offset).
    Der(Error),
    /// The PEM armour itself is broken (bad base64, unterminated block …).
    Pem(String),
    /// Neither PEM with a known label nor a DER certificate, key or CSR.
    NotRecognized,
    /// A PEM block whose label certpin does not read (e.g. `X509 CRL`).
    UnsupportedLabel(String),
    /// An encrypted private key: certpin never asks for passphrases. Decrypt it first
    /// (`openssl pkey -in KEY -pubout`), or pin its certificate or CSR instead.
    EncryptedKey,
    /// A private key that does not decode (with the decoder's reason).
    InvalidPrivateKey(String),
    /// A private key of an algorithm or curve certpin cannot derive a public key for.
    UnsupportedKeyAlgorithm(String),
}

impl fmt::Display for ReadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReadError::Der(e) => e.fmt(f),
            ReadError::Pem(e) => write!(f, "invalid PEM: {e}"),
            ReadError::NotRecognized => f.write_str(
                "not a certificate, public key, CSR or private key (PEM or DER)",
            ),
            ReadError::UnsupportedLabel(label) => {
                write!(f, "unsupported PEM block \"{label}\"")
            }
            ReadError::EncryptedKey => f.write_str(
                "encrypted private key: certpin does not decrypt keys; run `openssl pkey -in KEY -pubout` and pin the public key",
            ),
            ReadError::InvalidPrivateKey(e) => write!(f, "invalid private key: {e}"),
            ReadError::UnsupportedKeyAlgorithm(what) => {
                write!(f, "cannot derive the public key of this private key: {what}")
            }
        }
    }
}

impl std::error::Error for ReadError {}

impl From<Error> for ReadError {
    fn from(e: Error) -> Self {
        ReadError::Der(e)
    }
}

/// One certificate, key or CSR found in a file, with the public key it pins.
///
/// ```
/// use certpin::files::{read_objects, ObjectKind};
/// use certpin::{PinKind, SoftSha256};
/// let pem = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/../../testdata/keys/ec-p256.key.pem")).unwrap();
/// let objects = read_objects(&pem);
/// let key = objects[0].as_ref().unwrap();
/// assert_eq!(key.kind(), ObjectKind::PrivateKeyPkcs8);
/// let pin = key.digests(&mut SoftSha256).pin(PinKind::Spki).unwrap();
/// assert_eq!(pin.to_string(), "sha256/zIikwBCm6qNlohOuoq3X/ZzqKSvrLmmvVZNU2O7y43U=");
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeyObject {
    kind: ObjectKind,
    /// The object's own DER.
    der: Vec<u8>,
    /// The SPKI DER, when it is not a slice of `der` (derived from a private or PKCS#1 key).
    derived_spki: Option<Vec<u8>>,
}

impl KeyObject {
    /// What the object is.
    pub fn kind(&self) -> ObjectKind {
        self.kind
    }

    /// The object's DER, as read (for PEM: the decoded block).
    pub fn der(&self) -> &[u8] {
        &self.der
    }

    /// The certificate, if this object is one.
    pub fn certificate(&self) -> Option<Certificate<'_>> {
        match self.kind {
            ObjectKind::Certificate => Certificate::from_der(&self.der).ok(),
            _ => None,
        }
    }

    /// The CSR, if this object is one.
    pub fn certification_request(&self) -> Option<CertificationRequest<'_>> {
        match self.kind {
            ObjectKind::CertificateRequest => CertificationRequest::from_der(&self.der).ok(),
            _ => None,
        }
    }

    /// The public key that the object carries or implies.
    pub fn spki(&self) -> SubjectPublicKeyInfo<'_> {
        let parsed = match (&self.derived_spki, self.kind) {
            (Some(spki), _) => SubjectPublicKeyInfo::from_der(spki),
            (None, ObjectKind::Certificate) => Certificate::from_der(&self.der).map(|c| c.spki()),
            (None, ObjectKind::CertificateRequest) => {
                CertificationRequest::from_der(&self.der).map(|c| c.spki())
            }
            (None, _) => SubjectPublicKeyInfo::from_der(&self.der),
        };
        // Every constructor below checked this parse before building the object.
        parsed.unwrap_or_else(|_| unreachable!("KeyObject holds a validated SPKI"))
    }

    /// The object's pin digests (the certificate digest only for certificates).
    pub fn digests(&self, engine: &mut impl Sha256Engine) -> PinDigests {
        match self.certificate() {
            Some(cert) => PinDigests::of_certificate(&cert, engine),
            None => PinDigests::of_spki(&self.spki(), engine),
        }
    }

    /// A certificate received from somewhere else (a TLS handshake), checked like one read
    /// from a file.
    ///
    /// ```
    /// # let der = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/../../testdata/certs/ec-p256.der")).unwrap();
    /// let object = certpin::files::KeyObject::from_certificate_der(der)?;
    /// assert!(object.certificate().is_some());
    /// # Ok::<(), certpin::files::ReadError>(())
    /// ```
    pub fn from_certificate_der(der: Vec<u8>) -> Result<Self, ReadError> {
        Self::checked(ObjectKind::Certificate, der, None)
    }

    fn checked(
        kind: ObjectKind,
        der: Vec<u8>,
        derived_spki: Option<Vec<u8>>,
    ) -> Result<Self, ReadError> {
        let object = KeyObject {
            kind,
            der,
            derived_spki,
        };
        match (&object.derived_spki, kind) {
            (Some(spki), _) => SubjectPublicKeyInfo::from_der(spki).map(|_| ())?,
            (None, ObjectKind::Certificate) => Certificate::from_der(&object.der).map(|_| ())?,
            (None, ObjectKind::CertificateRequest) => {
                CertificationRequest::from_der(&object.der).map(|_| ())?
            }
            (None, _) => SubjectPublicKeyInfo::from_der(&object.der).map(|_| ())?,
        }
        Ok(object)
    }
}

/// Finds every certificate, public key, CSR and private key in `input`, PEM (any number of
/// blocks, text around them ignored) or DER (one object, type detected), in input order.
///
/// Each object is its own `Result`, so one bad block does not hide the others: a PEM block
/// whose armour or base64 is broken is a [`ReadError::Pem`] at its place in the list, and
/// the blocks around it are still read. PEM blocks that carry no key (`EC PARAMETERS`) are
/// skipped; other unknown labels are errors. Input is taken as PEM only if it is text (it
/// begins, after whitespace, with `-----BEGIN `, or it is UTF-8 without NUL bytes and holds
/// that marker): DER that happens to contain those bytes is still read as DER.
/// An input with nothing in it at all gives a single [`ReadError::NotRecognized`].
///
/// ```
/// use certpin::files::{read_objects, ReadError};
/// let cert = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../testdata/certs/ec-p256.pem")).unwrap();
/// let broken = "-----BEGIN CERTIFICATE-----\n!!!!\n-----END CERTIFICATE-----\n";
/// let objects = read_objects(format!("{broken}{cert}").as_bytes());
/// assert!(matches!(objects[0], Err(ReadError::Pem(_))));
/// assert!(objects[1].is_ok());
/// ```
pub fn read_objects(input: &[u8]) -> Vec<Result<KeyObject, ReadError>> {
    if is_pem_text(input) {
        return read_pem(input);
    }
    std::vec![read_der(input)]
}

const BEGIN: &[u8] = b"-----BEGIN ";
const END: &[u8] = b"-----END ";
const DASHES: &[u8] = b"-----";

/// PEM is text; DER is binary and may hold any bytes, `-----BEGIN ` included.
fn is_pem_text(input: &[u8]) -> bool {
    let start = input.iter().position(|b| !b.is_ascii_whitespace());
    if start
        .and_then(|i| input.get(i..))
        .is_some_and(|t| t.starts_with(BEGIN))
    {
        return true;
    }
    !input.contains(&0) && core::str::from_utf8(input).is_ok() && find(input, BEGIN).is_some()
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// Splits PEM text into its blocks, each from `-----BEGIN ` to the end of its END line. A
/// block without an END line ends where the next one begins, so it cannot swallow it.
///
/// Each search stops at the next `-----BEGIN `, so the whole split reads the input a bounded
/// number of times: a file of many blocks without END lines is not read once per block.
fn pem_blocks(input: &[u8]) -> Vec<&[u8]> {
    let mut blocks = Vec::new();
    let mut rest = input;
    while let Some(block) = find(rest, BEGIN).and_then(|at| rest.get(at..)) {
        let body = block.get(BEGIN.len()..).unwrap_or_default();
        let next_at = find(body, BEGIN);
        let next_begin = next_at.map(|at| at.saturating_add(BEGIN.len()));
        // An END line after the next BEGIN would lose to it below anyway.
        let before_next = body
            .get(..next_at.unwrap_or(body.len()))
            .unwrap_or_default();
        let end_line = find(before_next, END).and_then(|at| {
            let label_at = at.saturating_add(END.len());
            let close = find(body.get(label_at..)?, DASHES)?;
            Some(
                BEGIN
                    .len()
                    .saturating_add(label_at)
                    .saturating_add(close)
                    .saturating_add(DASHES.len()),
            )
        });
        let len = match (end_line, next_begin) {
            (Some(end), Some(next)) if next < end => next,
            (Some(end), _) => end,
            (None, Some(next)) => next,
            (None, None) => block.len(),
        };
        let (this, after) = block.split_at(len.min(block.len()));
        blocks.push(this);
        rest = after;
    }
    blocks
}

fn read_pem(input: &[u8]) -> Vec<Result<KeyObject, ReadError>> {
    let objects: Vec<_> = pem_blocks(input)
        .into_iter()
        .filter_map(|text| match pem::parse(text) {
            Ok(block) => read_pem_block(&block),
            Err(e) => Some(Err(ReadError::Pem(e.to_string()))),
        })
        .collect();
    if objects.is_empty() {
        std::vec![Err(ReadError::NotRecognized)]
    } else {
        objects
    }
}

fn read_pem_block(block: &pem::Pem) -> Option<Result<KeyObject, ReadError>> {
    let der = block.contents().to_vec();
    let encrypted_header = block
        .headers()
        .get("Proc-Type")
        .is_some_and(|v| v.contains("ENCRYPTED"));
    let result = match block.tag() {
        "CERTIFICATE" | "X509 CERTIFICATE" => {
            KeyObject::checked(ObjectKind::Certificate, der, None)
        }
        "PUBLIC KEY" => KeyObject::checked(ObjectKind::PublicKey, der, None),
        "CERTIFICATE REQUEST" | "NEW CERTIFICATE REQUEST" => {
            KeyObject::checked(ObjectKind::CertificateRequest, der, None)
        }
        "ENCRYPTED PRIVATE KEY" => Err(ReadError::EncryptedKey),
        _ if encrypted_header => Err(ReadError::EncryptedKey),
        "RSA PUBLIC KEY" => keys::rsa_public_key(der),
        "PRIVATE KEY" => keys::pkcs8(der),
        "RSA PRIVATE KEY" => keys::pkcs1(der),
        "EC PRIVATE KEY" => keys::sec1(der),
        // Curve parameters that `openssl ecparam -genkey` writes before the key.
        "EC PARAMETERS" => return None,
        other => Err(ReadError::UnsupportedLabel(other.to_string())),
    };
    Some(result)
}

/// Detects what a DER object is by trying each structure, most common first.
fn read_der(input: &[u8]) -> Result<KeyObject, ReadError> {
    let cert = Certificate::from_der(input);
    if cert.is_ok() {
        return KeyObject::checked(ObjectKind::Certificate, input.to_vec(), None);
    }
    let spki = SubjectPublicKeyInfo::from_der(input);
    if spki.is_ok() {
        return KeyObject::checked(ObjectKind::PublicKey, input.to_vec(), None);
    }
    let csr = CertificationRequest::from_der(input);
    if csr.is_ok() {
        return KeyObject::checked(ObjectKind::CertificateRequest, input.to_vec(), None);
    }
    if let Some(key) = keys::detect_der_key(input) {
        return key;
    }
    if input.first() != Some(&0x30) {
        return Err(ReadError::NotRecognized);
    }
    // A private key's SEQUENCE opens with an INTEGER version, the others' with a SEQUENCE:
    // say what is wrong with the key rather than why it is not a certificate.
    if let Some(key_error) = keys::der_key_error(input) {
        return Err(key_error);
    }
    // Report the error of the structure the input got furthest into: for a damaged
    // certificate that is the certificate's own error, at its offset.
    let furthest = [cert.err(), spki.err(), csr.err()]
        .into_iter()
        .flatten()
        .max_by_key(|e| e.offset().unwrap_or(0));
    Err(furthest.map_or(ReadError::NotRecognized, ReadError::Der))
}
