//! Public-key pins enforced inside the TLS handshake, for rustls 0.23.
//!
//! Checking a pin *after* connecting (as MicroPython's ucertpin does) is too late: the request,
//! with its cookies and tokens, has already gone to whoever answered. A [`PinnedVerifier`]
//! runs inside the handshake, so a server that fails the pins never receives a byte of
//! application data.
//!
//! Two modes, chosen explicitly when building:
//! - [`PinnedVerifier::pin_only`]: no CA store, no clock needed (devices, private services);
//!   the leaf's key must be pinned, or a pinned certificate must verifiably have signed the
//!   chain down to the leaf, through certificates that are CAs allowed to sign it.
//! - [`PinnedVerifier::webpki`]: ordinary WebPKI validation, then pins on the validated path.
//!
//! ```no_run
//! use std::io::{Read, Write};
//! use std::sync::Arc;
//! use certpin_rustls::PinnedVerifier;
//!
//! let provider = Arc::new(rustls::crypto::ring::default_provider());
//! let verifier = PinnedVerifier::pin_only(provider.clone())
//!     .pin("example.com", [
//!         "sha256//ERERERERERERERERERERERERERERERERERERERERERE=", // current key
//!         "sha256//IiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiI=", // backup key, offline
//!     ])?
//!     .build()?;
//! let config = rustls::ClientConfig::builder_with_provider(provider)
//!     .with_safe_default_protocol_versions()?
//!     .dangerous() // a custom verifier; certpin's still verifies every signature
//!     .with_custom_certificate_verifier(verifier)
//!     .with_no_client_auth();
//! let mut conn = rustls::ClientConnection::new(Arc::new(config), "example.com".try_into()?)?;
//! let mut tcp = std::net::TcpStream::connect("example.com:443")?;
//! let mut tls = rustls::Stream::new(&mut conn, &mut tcp);
//! tls.write_all(b"GET / HTTP/1.0\r\nHost: example.com\r\n\r\n")?; // sent only if pinned
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod builder;
mod ca;
mod chain;
mod policy;
mod report;
mod validity;
mod verifier;

pub use builder::{ConfigError, ConfigWarning, FailureHook, PinnedVerifierBuilder, UnpinnedHosts};
pub use policy::{HostPattern, HostPolicy};
pub use report::{ChainEntry, FailureReason, Mode, PinFailure, subject_text};
pub use verifier::PinnedVerifier;
