//! Public-key pinning for [embedded-tls](embedded_tls) (TLS 1.3, `no_std`, no allocator).
//!
//! [`open`] (async) and [`open_blocking`] run an embedded-tls handshake that accepts a server
//! only if the key in its leaf certificate matches a [`certpin::PinSet`], and then verify the
//! server's CertificateVerify signature with that pinned key themselves (embedded-tls does not
//! expose its own check). They also refuse a handshake that ended without that signature being
//! checked, which embedded-tls on its own accepts, and hand the connection back only on
//! success. They are the only way in: [`PinningProvider`] (randomness and pins) is not an
//! embedded-tls `CryptoProvider` that could be passed to `TlsConnection::open` without the
//! final check.
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
//! let tls: TlsConnection<_, Aes128GcmSha256> = TlsConnection::new(
//!     embedded_io_adapters::std::FromStd::new(tcp), &mut read_buf, &mut write_buf);
//! let config = TlsConfig::new().with_server_name("localhost");
//! let mut provider = PinningProvider::new(rand_core::OsRng, PinSet::new(&PINS))?;
//! // On a refusal the connection is gone: nothing can be written to that server.
//! let mut tls = open_blocking(tls, &config, &mut provider)?;
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

/// The randomness and the [`PinningVerifier`] for handshakes run by [`open`] and
/// [`open_blocking`].
///
/// It is not an embedded-tls `CryptoProvider`, so it cannot be passed to
/// `TlsConnection::open` directly: embedded-tls 0.19 does not enforce the order of TLS 1.3
/// handshake messages, and a server that goes from EncryptedExtensions straight to Finished
/// (or negotiates an external PSK) completes the handshake without the verifier ever being
/// called. `open` plugs the verifier in and then refuses such a handshake
/// ([`Rejection::NotVerified`]); there is no other way to use it.
///
/// ```
/// use certpin::{Pin, PinKind, PinSet};
/// use certpin_embedded_tls::PinningProvider;
/// const PINS: [Pin; 1] = [Pin::new(PinKind::Spki, [0x11; 32])];
/// let provider = PinningProvider::new(rand_core::OsRng, PinSet::new(&PINS))?;
/// assert!(PinningProvider::new(rand_core::OsRng, PinSet::new(&[])).is_err());
/// # let _ = provider;
/// # Ok::<(), certpin::Error>(())
/// ```
///
/// Handing it to embedded-tls directly does not compile:
///
/// ```compile_fail,E0277
/// # use certpin::{Pin, PinKind, PinSet};
/// # use certpin_embedded_tls::PinningProvider;
/// # use embedded_tls::blocking::{Aes128GcmSha256, TlsConfig, TlsConnection, TlsContext};
/// # const PINS: [Pin; 1] = [Pin::new(PinKind::Spki, [0x11; 32])];
/// # let tcp = std::net::TcpStream::connect("127.0.0.1:4433").unwrap();
/// # let (mut r, mut w) = ([0u8; 16640], [0u8; 16640]);
/// # let mut tls: TlsConnection<_, Aes128GcmSha256> =
/// #     TlsConnection::new(embedded_io_adapters::std::FromStd::new(tcp), &mut r, &mut w);
/// let config = TlsConfig::new().with_server_name("localhost");
/// let mut provider = PinningProvider::new(rand_core::OsRng, PinSet::new(&PINS)).unwrap();
/// tls.open(TlsContext::new(&config, &mut provider)).unwrap();
/// ```
pub struct PinningProvider<'p, Rng> {
    rng: Rng,
    verifier: PinningVerifier<'p>,
}

impl<'p, Rng: CryptoRngCore> PinningProvider<'p, Rng> {
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
    /// let provider = PinningProvider::with_verifier(rand_core::OsRng, verifier)?;
    /// # let _ = provider;
    /// # Ok::<(), certpin::Error>(())
    /// ```
    pub fn with_verifier(rng: Rng, verifier: PinningVerifier<'p>) -> Result<Self, certpin::Error> {
        if verifier.pins().pins().is_empty() {
            return Err(certpin::Error::EmptyPin);
        }
        Ok(PinningProvider { rng, verifier })
    }

    /// The verifier, to ask why a handshake was refused.
    ///
    /// ```
    /// # use certpin::{Pin, PinKind, PinSet};
    /// # const PINS: [Pin; 1] = [Pin::new(PinKind::Spki, [0x11; 32])];
    /// let provider = certpin_embedded_tls::PinningProvider::new(rand_core::OsRng, PinSet::new(&PINS))?;
    /// assert_eq!(provider.pinning_verifier().last_rejection(), None);
    /// # Ok::<(), certpin::Error>(())
    /// ```
    pub fn pinning_verifier(&self) -> &PinningVerifier<'p> {
        &self.verifier
    }
}

/// The embedded-tls `CryptoProvider` for one handshake. Private, and built only by [`open`] and
/// [`open_blocking`], which check after the handshake that its verifier was called: that is
/// what makes a handshake with certpin's pins impossible without the check.
struct Handshake<'h, 'p, CipherSuite, Rng> {
    provider: &'h mut PinningProvider<'p, Rng>,
    suite: PhantomData<CipherSuite>,
}

impl<'h, 'p, CipherSuite, Rng> Handshake<'h, 'p, CipherSuite, Rng> {
    fn new(provider: &'h mut PinningProvider<'p, Rng>) -> Self {
        provider.verifier.0.reset();
        Handshake {
            provider,
            suite: PhantomData,
        }
    }

    /// `Ok` only if the server's CertificateVerify was checked against a pinned key.
    fn finish(self) -> Result<(), TlsError> {
        self.provider.verifier.0.ensure_verified()
    }
}

impl<CipherSuite: TlsCipherSuite, Rng: CryptoRngCore> CryptoProvider
    for Handshake<'_, '_, CipherSuite, Rng>
{
    type CipherSuite = CipherSuite;
    type Signature = p256::ecdsa::DerSignature;

    fn rng(&mut self) -> impl CryptoRngCore {
        &mut self.provider.rng
    }

    fn verifier(&mut self) -> Result<&mut impl embedded_tls::TlsVerifier<CipherSuite>, TlsError> {
        Ok(&mut self.provider.verifier.0)
    }
}

/// Runs the handshake on an async connection and returns the connection only if the server
/// proved it holds a pinned key.
///
/// The connection is taken by value: on any error it is dropped (and with it the socket, so
/// lend the socket, `&mut socket`, to keep it), so no application data can be sent to a server
/// that was refused, even by a caller that ignores the error. That matters for
/// [`Rejection::NotVerified`], where embedded-tls itself considers the connection open.
///
/// ```no_run
/// # use certpin::{Pin, PinKind, PinSet};
/// # use certpin_embedded_tls::{PinningProvider, open};
/// # use embedded_tls::{Aes128GcmSha256, TlsConfig, TlsConnection, TlsError};
/// # const PINS: [Pin; 1] = [Pin::new(PinKind::Spki, [0x11; 32])];
/// async fn fetch<S: embedded_io_async::Read + embedded_io_async::Write>(
///     socket: S,
///     rng: impl embedded_tls::CryptoRngCore,
/// ) -> Result<(), TlsError> {
///     let (mut read_buf, mut write_buf) = ([0u8; 16640], [0u8; 4096]);
///     let tls: TlsConnection<'_, S, Aes128GcmSha256> =
///         TlsConnection::new(socket, &mut read_buf, &mut write_buf);
///     let config = TlsConfig::new().with_server_name("device-api.example");
///     let mut provider = PinningProvider::new(rng, PinSet::new(&PINS))
///         .map_err(|_| TlsError::InvalidCertificate)?;
///     let mut tls = open(tls, &config, &mut provider).await?;
///     tls.write(b"GET / HTTP/1.0\r\n\r\n").await?;
///     tls.flush().await
/// }
/// ```
pub async fn open<'a, Socket, CipherSuite, Rng>(
    mut connection: embedded_tls::TlsConnection<'a, Socket, CipherSuite>,
    config: &TlsConfig<'_>,
    provider: &mut PinningProvider<'_, Rng>,
) -> Result<embedded_tls::TlsConnection<'a, Socket, CipherSuite>, TlsError>
where
    Socket: embedded_io_async::Read + embedded_io_async::Write + 'a,
    CipherSuite: TlsCipherSuite + 'static,
    Rng: CryptoRngCore,
{
    let mut handshake = Handshake::new(provider);
    connection
        .open(TlsContext::new(config, &mut handshake))
        .await?;
    handshake.finish()?;
    Ok(connection)
}

/// [`open`] for embedded-tls's blocking connection (see the crate example).
pub fn open_blocking<'a, Socket, CipherSuite, Rng>(
    mut connection: embedded_tls::blocking::TlsConnection<'a, Socket, CipherSuite>,
    config: &TlsConfig<'_>,
    provider: &mut PinningProvider<'_, Rng>,
) -> Result<embedded_tls::blocking::TlsConnection<'a, Socket, CipherSuite>, TlsError>
where
    Socket: embedded_io::Read + embedded_io::Write + 'a,
    CipherSuite: TlsCipherSuite + 'static,
    Rng: CryptoRngCore,
{
    let mut handshake = Handshake::new(provider);
    connection.open(TlsContext::new(config, &mut handshake))?;
    handshake.finish()?;
    Ok(connection)
}
