//! Public-key pinning for [embedded-tls](embedded_tls) (TLS 1.3, `no_std`, no allocator).
//!
//! [`PinningProvider`] is an embedded-tls `CryptoProvider` whose verifier accepts a server only
//! if the key in its leaf certificate matches a [`certpin::PinSet`], and then verifies the
//! server's CertificateVerify signature with that pinned key itself (embedded-tls does not
//! expose its own check). Open connections with [`open`] (async) or [`open_blocking`]: besides
//! running the handshake they refuse one that ended without the server's signature being
//! checked, which embedded-tls on its own would accept.
//!
//! Signature schemes: ECDSA P-256 always; P-384 (feature `p384`), Ed25519 (feature `ed25519`),
//! RSA-PSS (feature `alloc`, which needs a global allocator).
//!
//! ```no_run
//! use certpin::{Pin, PinKind, PinSet};
//! use certpin_embedded_tls::{PinningProvider, open_blocking};
//! use embedded_tls::blocking::{Aes128GcmSha256, TlsConfig, TlsConnection};
//!
//! // The server key's pin and a backup key's pin, in flash.
//! const PINS: [Pin; 2] = [
//!     Pin::new(PinKind::Spki, [0x44; 32]),
//!     Pin::new(PinKind::Spki, [0x11; 32]),
//! ];
//!
//! let tcp = std::net::TcpStream::connect("127.0.0.1:4433")?;
//! let (mut read_buf, mut write_buf) = ([0u8; 16640], [0u8; 16640]);
//! let mut tls: TlsConnection<_, Aes128GcmSha256> = TlsConnection::new(
//!     embedded_io_adapters::std::FromStd::new(tcp), &mut read_buf, &mut write_buf);
//! let config = TlsConfig::new().with_server_name("localhost");
//! let mut provider = PinningProvider::new(rand_core::OsRng, PinSet::new(&PINS))?;
//! open_blocking(&mut tls, &config, &mut provider)?;
//! tls.write(b"hello")?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![no_std]
#![forbid(unsafe_code)]
#![deny(missing_docs)]

use core::marker::PhantomData;

use certpin::PinSet;
use embedded_tls::{
    CryptoProvider, CryptoRngCore, TlsCipherSuite, TlsConfig, TlsContext, TlsError,
};

mod key;
mod names;
mod verifier;

pub use names::NameError;
pub use verifier::PinningVerifier;

/// Why a [`PinningVerifier`] refused a server. embedded-tls reports a coarse `TlsError`; this
/// says which check failed ([`PinningVerifier::last_rejection`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Rejection {
    /// The server sent no X.509 certificate.
    NoCertificate,
    /// The leaf certificate is not valid DER; the certpin error says where.
    MalformedCertificate(certpin::Error),
    /// The leaf's key matches no pin.
    NotPinned,
    /// The leaf's names do not match the server name.
    HostName(NameError),
    /// The pinned key is of a type this build cannot verify signatures with (see the features).
    UnsupportedKey,
    /// The pinned key's bytes are not a valid key of its type.
    InvalidKey,
    /// The server signed with a scheme that does not belong to its key.
    SchemeMismatch,
    /// The CertificateVerify signature is not valid for the pinned key: the server does not
    /// hold the pinned key's private half.
    BadSignature,
    /// A CertificateVerify without an accepted Certificate before it.
    OutOfOrder,
    /// The handshake finished without the server's signature having been verified.
    NotVerified,
}

impl Rejection {
    /// The embedded-tls error a handshake fails with for this rejection.
    ///
    /// ```
    /// use certpin_embedded_tls::Rejection;
    /// use embedded_tls::TlsError;
    /// assert!(matches!(Rejection::NotPinned.tls_error(), TlsError::InvalidCertificate));
    /// assert!(matches!(Rejection::BadSignature.tls_error(), TlsError::InvalidSignature));
    /// ```
    pub fn tls_error(self) -> TlsError {
        match self {
            Rejection::SchemeMismatch => TlsError::InvalidSignatureScheme,
            Rejection::BadSignature | Rejection::OutOfOrder | Rejection::NotVerified => {
                TlsError::InvalidSignature
            }
            _ => TlsError::InvalidCertificate,
        }
    }
}

/// An embedded-tls `CryptoProvider` that always verifies with a [`PinningVerifier`].
///
/// It cannot be built without pins, and its `verifier()` never fails, so embedded-tls never
/// takes its "no verifier: skip verification" branch.
///
/// ```
/// use certpin::{Pin, PinKind, PinSet};
/// use certpin_embedded_tls::PinningProvider;
/// use embedded_tls::Aes128GcmSha256;
/// const PINS: [Pin; 1] = [Pin::new(PinKind::Spki, [0x11; 32])];
/// let provider: PinningProvider<'_, Aes128GcmSha256, _> =
///     PinningProvider::new(rand_core::OsRng, PinSet::new(&PINS))?;
/// assert!(PinningProvider::<Aes128GcmSha256, _>::new(rand_core::OsRng, PinSet::new(&[])).is_err());
/// # let _ = provider;
/// # Ok::<(), certpin::Error>(())
/// ```
pub struct PinningProvider<'p, CipherSuite, Rng> {
    rng: Rng,
    verifier: PinningVerifier<'p>,
    suite: PhantomData<CipherSuite>,
}

impl<'p, CipherSuite: TlsCipherSuite, Rng: CryptoRngCore> PinningProvider<'p, CipherSuite, Rng> {
    /// A provider drawing randomness from `rng` and accepting the keys of `pins`.
    ///
    /// An empty set is refused ([`certpin::Error::EmptyPin`]): it could never accept a server.
    pub fn new(rng: Rng, pins: PinSet<'p>) -> Result<Self, certpin::Error> {
        Self::with_verifier(rng, PinningVerifier::new(pins))
    }

    /// A provider with a verifier configured by the caller (e.g. without the host check).
    ///
    /// ```
    /// # use certpin::{Pin, PinKind, PinSet};
    /// # use certpin_embedded_tls::{PinningProvider, PinningVerifier};
    /// # const PINS: [Pin; 1] = [Pin::new(PinKind::Spki, [0x11; 32])];
    /// let verifier = PinningVerifier::new(PinSet::new(&PINS)).without_host_check();
    /// let provider = PinningProvider::<embedded_tls::Aes128GcmSha256, _>::with_verifier(rand_core::OsRng, verifier)?;
    /// # let _ = provider;
    /// # Ok::<(), certpin::Error>(())
    /// ```
    pub fn with_verifier(rng: Rng, verifier: PinningVerifier<'p>) -> Result<Self, certpin::Error> {
        if verifier_pins_empty(&verifier) {
            return Err(certpin::Error::EmptyPin);
        }
        Ok(PinningProvider {
            rng,
            verifier,
            suite: PhantomData,
        })
    }

    /// The verifier, to ask why a handshake was refused.
    pub fn pinning_verifier(&self) -> &PinningVerifier<'p> {
        &self.verifier
    }
}

fn verifier_pins_empty(verifier: &PinningVerifier<'_>) -> bool {
    verifier.pins().pins().is_empty()
}

impl<CipherSuite: TlsCipherSuite, Rng: CryptoRngCore> CryptoProvider
    for PinningProvider<'_, CipherSuite, Rng>
{
    type CipherSuite = CipherSuite;
    type Signature = p256::ecdsa::DerSignature;

    fn rng(&mut self) -> impl CryptoRngCore {
        &mut self.rng
    }

    fn verifier(&mut self) -> Result<&mut impl embedded_tls::TlsVerifier<CipherSuite>, TlsError> {
        Ok(&mut self.verifier)
    }
}

/// Runs the handshake on an async connection and succeeds only if the server proved it holds a
/// pinned key. No application data has been sent when this returns an error.
pub async fn open<'a, Socket, CipherSuite, Rng>(
    connection: &mut embedded_tls::TlsConnection<'a, Socket, CipherSuite>,
    config: &TlsConfig<'_>,
    provider: &mut PinningProvider<'_, CipherSuite, Rng>,
) -> Result<(), TlsError>
where
    Socket: embedded_io_async::Read + embedded_io_async::Write + 'a,
    CipherSuite: TlsCipherSuite + 'static,
    Rng: CryptoRngCore,
{
    provider.verifier.reset();
    connection
        .open(TlsContext::new(config, &mut *provider))
        .await?;
    provider.verifier.ensure_verified()
}

/// [`open`] for embedded-tls's blocking connection.
pub fn open_blocking<'a, Socket, CipherSuite, Rng>(
    connection: &mut embedded_tls::blocking::TlsConnection<'a, Socket, CipherSuite>,
    config: &TlsConfig<'_>,
    provider: &mut PinningProvider<'_, CipherSuite, Rng>,
) -> Result<(), TlsError>
where
    Socket: embedded_io::Read + embedded_io::Write + 'a,
    CipherSuite: TlsCipherSuite + 'static,
    Rng: CryptoRngCore,
{
    provider.verifier.reset();
    connection.open(TlsContext::new(config, &mut *provider))?;
    provider.verifier.ensure_verified()
}
