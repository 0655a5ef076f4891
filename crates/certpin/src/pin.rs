//! Pins: which bytes are hashed, and the digests of one certificate or key.

use crate::cert::Certificate;
use crate::sha::Sha256Engine;
use crate::spki::SubjectPublicKeyInfo;

/// Length of every pin digest: SHA-256.
pub const DIGEST_LEN: usize = 32;

/// What a pin's digest was computed over.
///
/// ```
/// use certpin::{Pin, PinKind};
/// let pin = Pin::parse("ucertpin:382a89684db08946a82442d8f41911605179908cc43187404535b6f15efd9e91")?;
/// assert_eq!(pin.kind(), PinKind::UCertPin);
/// # Ok::<(), certpin::Error>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PinKind {
    /// SHA-256 of the DER SubjectPublicKeyInfo, exactly as it appears in the certificate:
    /// RFC 7469 `pin-sha256`, curl `sha256//`, OkHttp `sha256/`, Android, TrustKit.
    Spki,
    /// SHA-256 of the subjectPublicKey BIT STRING's content octets, *including* the leading
    /// unused-bits octet: the hex hash MicroPython's `ucertpin` prints.
    UCertPin,
    /// SHA-256 of the whole certificate: a certificate fingerprint. It changes with every
    /// renewal even when the key stays, which is why key pins are preferred.
    Certificate,
    /// An unprefixed 64-digit hex pin, which in the wild is either an SPKI digest
    /// (`openssl … | openssl dgst -sha256`) or a ucertpin digest; it matches a key whose
    /// digest of either kind equals it. Both are SHA-256 preimages of the key, so accepting
    /// either does not let anyone else's key match.
    SpkiOrUCertPin,
}

impl PinKind {
    /// The explicit prefix that names this kind in hex form (`spki-sha256`, `ucertpin`,
    /// `cert-sha256`), or `None` for the ambiguous unprefixed hex.
    ///
    /// ```
    /// assert_eq!(certpin::PinKind::Certificate.prefix(), Some("cert-sha256"));
    /// ```
    pub const fn prefix(self) -> Option<&'static str> {
        match self {
            PinKind::Spki => Some("spki-sha256"),
            PinKind::UCertPin => Some("ucertpin"),
            PinKind::Certificate => Some("cert-sha256"),
            PinKind::SpkiOrUCertPin => None,
        }
    }
}

/// One pin: a kind and a SHA-256 digest.
///
/// Pins are plain values (`Copy`, 33 bytes), so a firmware can keep its pins in flash as a
/// `const` array and build a [`PinSet`](crate::PinSet) over it without an allocator.
///
/// ```
/// use certpin::{Pin, PinKind};
/// const PRIMARY: Pin = Pin::new(PinKind::Spki, [0x11; 32]);
/// let parsed = Pin::parse("sha256//ERERERERERERERERERERERERERERERERERERERERERE=")?;
/// assert_eq!(parsed, PRIMARY);
/// # Ok::<(), certpin::Error>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Pin {
    kind: PinKind,
    digest: [u8; DIGEST_LEN],
}

impl Pin {
    /// A pin of `kind` with the given digest.
    pub const fn new(kind: PinKind, digest: [u8; DIGEST_LEN]) -> Self {
        Pin { kind, digest }
    }

    /// What the digest was computed over.
    pub const fn kind(&self) -> PinKind {
        self.kind
    }

    /// The SHA-256 digest.
    pub const fn digest(&self) -> &[u8; DIGEST_LEN] {
        &self.digest
    }
}

/// The digests of one certificate or key, of every kind that applies to it.
///
/// ```
/// use certpin::{Certificate, PinDigests, SoftSha256};
/// # let der = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/../../testdata/certs/ed25519.der")).unwrap();
/// let cert = Certificate::from_der(&der)?;
/// let digests = PinDigests::of_certificate(&cert, &mut SoftSha256);
/// assert!(digests.cert_sha256.is_some());
/// let spki_only = PinDigests::of_spki(&cert.spki(), &mut SoftSha256);
/// assert_eq!(spki_only.spki_sha256, digests.spki_sha256);
/// assert_eq!(spki_only.cert_sha256, None);
/// # Ok::<(), certpin::Error>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct PinDigests {
    /// SHA-256 of the SubjectPublicKeyInfo ([`PinKind::Spki`]).
    pub spki_sha256: [u8; DIGEST_LEN],
    /// SHA-256 of the subjectPublicKey BIT STRING contents ([`PinKind::UCertPin`]).
    pub ucertpin: [u8; DIGEST_LEN],
    /// SHA-256 of the certificate ([`PinKind::Certificate`]); `None` for a bare key or CSR.
    pub cert_sha256: Option<[u8; DIGEST_LEN]>,
}

impl PinDigests {
    /// All digests of a certificate.
    pub fn of_certificate(cert: &Certificate<'_>, engine: &mut impl Sha256Engine) -> Self {
        let mut digests = Self::of_spki(&cert.spki(), engine);
        digests.cert_sha256 = Some(engine.sha256(cert.der()));
        digests
    }

    /// The key digests of a public key (no certificate digest).
    pub fn of_spki(spki: &SubjectPublicKeyInfo<'_>, engine: &mut impl Sha256Engine) -> Self {
        PinDigests {
            spki_sha256: engine.sha256(spki.der()),
            ucertpin: engine.sha256(spki.bit_string_contents()),
            cert_sha256: None,
        }
    }

    /// The pin of `kind` for this object, if it has one (a bare key has no certificate pin;
    /// the ambiguous hex kind is never produced, only matched).
    ///
    /// ```
    /// use certpin::{PinDigests, PinKind};
    /// let d = PinDigests { spki_sha256: [1; 32], ucertpin: [2; 32], cert_sha256: None };
    /// assert_eq!(d.pin(PinKind::UCertPin).unwrap().digest(), &[2; 32]);
    /// assert_eq!(d.pin(PinKind::Certificate), None);
    /// ```
    pub fn pin(&self, kind: PinKind) -> Option<Pin> {
        let digest = match kind {
            PinKind::Spki => self.spki_sha256,
            PinKind::UCertPin => self.ucertpin,
            PinKind::Certificate => self.cert_sha256?,
            PinKind::SpkiOrUCertPin => return None,
        };
        Some(Pin::new(kind, digest))
    }
}
