//! The pinning `TlsVerifier`.

use certpin::{Certificate, PinSet, SoftSha256};
use embedded_tls::{CertificateEntryRef, CertificateRef, CertificateVerifyRef};
use embedded_tls::{TlsCipherSuite, TlsError, TlsVerifier};
use sha2::Digest;

use crate::Rejection;
use crate::key::{LeafKey, signed_content};
use crate::names::{self, NameError};

/// The longest DNS name (RFC 1035 §2.3.4, without the trailing dot).
const MAX_HOST_LEN: usize = 253;
/// The longest transcript hash of a TLS 1.3 cipher suite (SHA-384), with room to spare.
const MAX_HASH_LEN: usize = 64;

/// The pin check embedded-tls runs during a handshake opened with [`crate::open`] or
/// [`crate::open_blocking`]: it accepts a server only if its leaf certificate's key matches a
/// [`PinSet`], and then checks the server's CertificateVerify signature with that key.
///
/// It is deliberately not an embedded-tls `TlsVerifier` itself: embedded-tls 0.19 lets a server
/// skip its Certificate and CertificateVerify messages without ever calling the verifier, so a
/// verifier handed to embedded-tls on its own would accept anyone. Only `open`, which refuses
/// such a handshake afterwards, can plug it in.
///
/// No CA chain is consulted: the pin *is* the trust decision, so a pin must name the server's
/// own key (or certificate). Pins on an intermediate or root would need a verified chain, which
/// this verifier does not build; such pins simply never match the leaf.
///
/// When the connection has a server name ([`embedded_tls::TlsConfig::with_server_name`]), the
/// leaf's subjectAltName must also match it, unless [`PinningVerifier::without_host_check`]
/// turned that off (pinning alone already identifies the server; the name check guards against
/// a pinned key being reused for another host).
///
/// ```
/// use certpin::{Pin, PinKind, PinSet};
/// use certpin_embedded_tls::PinningVerifier;
/// const PINS: [Pin; 1] = [Pin::new(PinKind::Spki, [0x11; 32])];
/// let verifier = PinningVerifier::new(PinSet::new(&PINS));
/// assert!(!verifier.is_verified());
/// assert_eq!(verifier.last_rejection(), None);
/// ```
#[derive(Debug)]
pub struct PinningVerifier<'p>(pub(crate) Checker<'p>);

impl<'p> PinningVerifier<'p> {
    /// A verifier accepting the keys of `pins`, with the host name check on.
    pub const fn new(pins: PinSet<'p>) -> Self {
        PinningVerifier(Checker::new(pins))
    }

    /// Turns off the subjectAltName check against the configured server name.
    ///
    /// ```
    /// # use certpin::{Pin, PinKind, PinSet};
    /// # const PINS: [Pin; 1] = [Pin::new(PinKind::Spki, [0x11; 32])];
    /// let verifier = certpin_embedded_tls::PinningVerifier::new(PinSet::new(&PINS)).without_host_check();
    /// # let _ = verifier;
    /// ```
    pub const fn without_host_check(mut self) -> Self {
        self.0.check_host = false;
        self
    }

    /// Whether the last handshake's server proved possession of a pinned key (its
    /// CertificateVerify signature checked out).
    ///
    /// ```
    /// # use certpin::{Pin, PinKind, PinSet};
    /// # const PINS: [Pin; 1] = [Pin::new(PinKind::Spki, [0x11; 32])];
    /// let verifier = certpin_embedded_tls::PinningVerifier::new(PinSet::new(&PINS));
    /// assert!(!verifier.is_verified()); // no handshake yet
    /// ```
    pub fn is_verified(&self) -> bool {
        matches!(self.0.state, State::Verified)
    }

    /// Why the last handshake was refused, if it was.
    ///
    /// ```
    /// # use certpin::{Pin, PinKind, PinSet};
    /// # const PINS: [Pin; 1] = [Pin::new(PinKind::Spki, [0x11; 32])];
    /// let verifier = certpin_embedded_tls::PinningVerifier::new(PinSet::new(&PINS));
    /// assert_eq!(verifier.last_rejection(), None);
    /// ```
    pub fn last_rejection(&self) -> Option<Rejection> {
        self.0.last_rejection
    }

    /// The pins this verifier accepts.
    ///
    /// ```
    /// # use certpin::{Pin, PinKind, PinSet};
    /// # const PINS: [Pin; 1] = [Pin::new(PinKind::Spki, [0x11; 32])];
    /// let verifier = certpin_embedded_tls::PinningVerifier::new(PinSet::new(&PINS));
    /// assert_eq!(verifier.pins().pins().len(), 1);
    /// ```
    pub fn pins(&self) -> PinSet<'p> {
        self.0.pins
    }
}

/// The verifier's state and the embedded-tls `TlsVerifier`; crate-private so that it can only
/// be handed to embedded-tls by `open`, which checks afterwards that it was called.
#[derive(Debug)]
pub(crate) struct Checker<'p> {
    pins: PinSet<'p>,
    check_host: bool,
    host: [u8; MAX_HOST_LEN],
    host_len: Option<usize>,
    state: State,
    last_rejection: Option<Rejection>,
}

// One per provider, and without an allocator there is nothing to box the key into.
#[allow(clippy::large_enum_variant)]
#[derive(Debug)]
enum State {
    Idle,
    CertificateAccepted {
        key: LeafKey,
        transcript: [u8; MAX_HASH_LEN],
        transcript_len: usize,
    },
    Verified,
}

impl<'p> Checker<'p> {
    const fn new(pins: PinSet<'p>) -> Self {
        Checker {
            pins,
            check_host: true,
            host: [0; MAX_HOST_LEN],
            host_len: None,
            state: State::Idle,
            last_rejection: None,
        }
    }

    /// Forgets the previous handshake (called before each new one by [`crate::open`]).
    pub(crate) fn reset(&mut self) {
        self.state = State::Idle;
        self.last_rejection = None;
    }

    /// `Ok` only if the server's signature was verified; a handshake that ended without a
    /// Certificate/CertificateVerify pair (which embedded-tls would let through) is refused.
    pub(crate) fn ensure_verified(&mut self) -> Result<(), TlsError> {
        if matches!(self.state, State::Verified) {
            return Ok(());
        }
        Err(self.reject(self.last_rejection.unwrap_or(Rejection::NotVerified)))
    }

    fn reject(&mut self, why: Rejection) -> TlsError {
        self.state = State::Idle;
        self.last_rejection = Some(why);
        why.tls_error()
    }

    fn accept_certificate(
        &mut self,
        transcript: &[u8],
        cert: &CertificateRef<'_>,
    ) -> Result<State, Rejection> {
        let der = match cert.entries.first() {
            Some(CertificateEntryRef::X509(der)) => *der,
            _ => return Err(Rejection::NoCertificate),
        };
        let leaf = Certificate::from_der(der).map_err(Rejection::MalformedCertificate)?;
        // Pin first: nothing else about an unpinned server is worth looking at.
        self.pins
            .match_certificate(&leaf, &mut SoftSha256)
            .ok_or(Rejection::NotPinned)?;
        if let (true, Some(len)) = (self.check_host, self.host_len) {
            let host = self.host.get(..len).unwrap_or_default();
            let host = core::str::from_utf8(host).map_err(|_| NameError::Mismatch);
            host.and_then(|h| names::check_host(leaf.extensions(), h))
                .map_err(Rejection::HostName)?;
        }
        let key = LeafKey::from_spki(&leaf.spki())?;
        let mut saved = [0u8; MAX_HASH_LEN];
        let slot = saved
            .get_mut(..transcript.len())
            .ok_or(Rejection::NotVerified)?;
        slot.copy_from_slice(transcript);
        Ok(State::CertificateAccepted {
            key,
            transcript: saved,
            transcript_len: transcript.len(),
        })
    }
}

impl<CipherSuite: TlsCipherSuite> TlsVerifier<CipherSuite> for Checker<'_> {
    fn set_hostname_verification(&mut self, hostname: &str) -> Result<(), TlsError> {
        let slot = self
            .host
            .get_mut(..hostname.len())
            .ok_or(Rejection::HostName(NameError::HostNameTooLong).tls_error())?;
        slot.copy_from_slice(hostname.as_bytes());
        self.host_len = Some(hostname.len());
        Ok(())
    }

    fn verify_certificate(
        &mut self,
        transcript: &CipherSuite::Hash,
        cert: CertificateRef<'_>,
    ) -> Result<(), TlsError> {
        let hash = transcript.clone().finalize();
        match self.accept_certificate(hash.as_slice(), &cert) {
            Ok(state) => {
                self.state = state;
                Ok(())
            }
            Err(why) => Err(self.reject(why)),
        }
    }

    fn verify_signature(&mut self, verify: CertificateVerifyRef<'_>) -> Result<(), TlsError> {
        let State::CertificateAccepted {
            key,
            transcript,
            transcript_len,
        } = core::mem::replace(&mut self.state, State::Idle)
        else {
            return Err(self.reject(Rejection::OutOfOrder));
        };
        let mut buf = [0u8; 64 + 34 + 64];
        let content = signed_content(
            transcript.get(..transcript_len).unwrap_or_default(),
            &mut buf,
        );
        match key.verify(verify.signature_scheme, content, verify.signature) {
            Ok(()) => {
                self.state = State::Verified;
                Ok(())
            }
            Err(why) => Err(self.reject(why)),
        }
    }
}
