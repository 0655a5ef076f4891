//! Where the SHA-256 comes from: the `sha2` crate by default, or the caller's own engine.

/// A SHA-256 implementation that certpin can call.
///
/// Every pin is the SHA-256 of one contiguous slice (the SPKI, the key's BIT STRING contents, or
/// the whole certificate), so a one-shot function is all certpin needs. That keeps a hardware
/// engine (ESP32, STM32 HASH, nRF CC310) easy to plug in: any `FnMut(&[u8]) -> [u8; 32]` is an
/// engine, and it is called directly, with no dynamic dispatch.
///
/// ```
/// use certpin::{PinSet, Sha256Engine};
/// // A stand-in for a hardware engine: any closure of this shape works.
/// let mut engine = |data: &[u8]| -> [u8; 32] {
///     use sha2::Digest;
///     sha2::Sha256::digest(data).into()
/// };
/// assert_eq!(engine.sha256(b"abc")[0], 0xba);
/// ```
pub trait Sha256Engine {
    /// Returns SHA-256(`data`).
    fn sha256(&mut self, data: &[u8]) -> [u8; 32];
}

impl<F: FnMut(&[u8]) -> [u8; 32]> Sha256Engine for F {
    fn sha256(&mut self, data: &[u8]) -> [u8; 32] {
        self(data)
    }
}

/// The software SHA-256 of the RustCrypto `sha2` crate (feature `sha2`, on by default).
///
/// On microcontrollers build with `RUSTFLAGS='--cfg sha2_backend_soft="compact"'` for the
/// compact, non-unrolled backend (a few hundred bytes instead of several KiB of code).
///
/// ```
/// use certpin::{Sha256Engine, SoftSha256};
/// let digest = SoftSha256.sha256(b"abc");
/// assert_eq!(digest[..4], [0xba, 0x78, 0x16, 0xbf]);
/// ```
#[cfg(feature = "sha2")]
#[derive(Clone, Copy, Debug, Default)]
pub struct SoftSha256;

#[cfg(feature = "sha2")]
impl Sha256Engine for SoftSha256 {
    fn sha256(&mut self, data: &[u8]) -> [u8; 32] {
        use sha2::Digest;
        sha2::Sha256::digest(data).into()
    }
}
