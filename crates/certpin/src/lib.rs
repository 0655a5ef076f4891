//! Public-key pinning for TLS clients: certificates and keys in, pins out, pins matched.
//!
//! A pinning client accepts a server only if the server's public key hashes to a value the
//! client already knows. This crate is the part every certpin integration shares (the rustls and
//! embedded-tls verifiers, the C ABI, the `certpin` command): it finds the public key in a
//! certificate, computes its pins, parses and prints the pin formats in use, and matches a
//! [`PinSet`] in constant time.
//!
//! It is `no_std`, needs no allocator and has no `unsafe`; every malformed input is an
//! [`Error`] naming the structure and byte offset, never a panic.
//!
//! # Pin kinds
//! | kind | SHA-256 over | used by |
//! |---|---|---|
//! | [`PinKind::Spki`] | the DER SubjectPublicKeyInfo, as it appears | RFC 7469, curl, OkHttp, Android |
//! | [`PinKind::UCertPin`] | the subjectPublicKey BIT STRING contents, unused-bits octet included | MicroPython `ucertpin` |
//! | [`PinKind::Certificate`] | the whole certificate | fingerprint pinning |
//!
//! # Example
//! ```
//! use certpin::{Certificate, PinDigests, PinFormat, PinKind, PinSet, SoftSha256};
//! # let der = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/../../testdata/certs/ec-p256.der")).unwrap();
//! let cert = Certificate::from_der(&der)?;
//!
//! // Compute the pins, as `certpin hash` does.
//! let digests = PinDigests::of_certificate(&cert, &mut SoftSha256);
//! let spki_pin = digests.pin(PinKind::Spki).unwrap();
//! assert_eq!(
//!     spki_pin.format(PinFormat::Curl).unwrap().to_string(),
//!     "sha256//zIikwBCm6qNlohOuoq3X/ZzqKSvrLmmvVZNU2O7y43U="
//! );
//!
//! // Check a certificate against the pins a client ships with.
//! let mut buf = [spki_pin; 2];
//! let pins = PinSet::parse_into(
//!     "sha256//zIikwBCm6qNlohOuoq3X/ZzqKSvrLmmvVZNU2O7y43U=;sha256//ERERERERERERERERERERERERERERERERERERERERERE=",
//!     &mut buf,
//! )?;
//! assert!(pins.match_certificate(&cert, &mut SoftSha256).is_some());
//! # Ok::<(), certpin::Error>(())
//! ```
//!
//! # Features
//! - `sha2` (default): [`SoftSha256`], the RustCrypto software SHA-256. Without it, bring your
//!   own [`Sha256Engine`] (e.g. a microcontroller's hash peripheral).
//! - `std`: `std::error::Error` for [`Error`].
//! - `files`: the `files` module, certificates, public keys, CSRs and private keys from PEM or DER files
//!   (uses the RustCrypto key decoders; implies `std`).
#![no_std]
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![deny(
    clippy::indexing_slicing,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::arithmetic_side_effects
)]
#![cfg_attr(
    test,
    allow(
        clippy::indexing_slicing,
        clippy::unwrap_used,
        clippy::arithmetic_side_effects
    )
)]

#[cfg(any(test, feature = "std"))]
extern crate std;

mod cert;
mod der;
mod error;
mod field;
#[cfg(feature = "files")]
pub mod files;
mod format;
mod key_type;
mod pin;
mod pinset;
mod sha;
mod sha_compact;
mod spki;
mod walk;

pub use cert::{Certificate, CertificationRequest, Version};
pub use error::{Error, Field, UnsupportedHash};
pub use format::{FormattedPin, PinFormat, parse_pin_list};
pub use pin::{DIGEST_LEN, Pin, PinDigests, PinKind};
pub use pinset::{PinMatch, PinSet};
#[cfg(feature = "sha2")]
pub use sha::SoftSha256;
pub use sha::{CompactSha256, Sha256Engine};
pub use spki::{AlgorithmIdentifier, Curve, KeyType, Oid, SubjectPublicKeyInfo};
