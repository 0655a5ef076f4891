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

    /// Not part of the API (its token cannot be named outside certpin, so it can be neither
    /// overridden nor called): writes SHA-256(`data`) to `out` as its eight big-endian words,
    /// what [`PinSet`](crate::PinSet) compares pins with. [`CompactSha256`] leaves its final
    /// state there as it is: on riscv32imc, which has no misaligned word stores, spelling the
    /// digest out as 32 bytes costs about 200 B of flash.
    #[doc(hidden)]
    fn sha256_words(&mut self, data: &[u8], out: &mut [u32; 8], _: internal::Token) {
        *out = internal::words_from_bytes(&self.sha256(data));
    }
}

/// What [`Sha256Engine`]'s hidden method needs: its token is public, so the trait may use it,
/// in a private module, so no one outside certpin can name it.
pub(crate) mod internal {
    /// Proof that the caller is certpin.
    pub struct Token(pub(crate) ());

    /// A digest's eight big-endian words.
    pub(crate) fn words_from_bytes(bytes: &[u8; 32]) -> [u32; 8] {
        core::array::from_fn(|i| {
            let at = |j: usize| {
                u32::from(
                    bytes
                        .get(i.wrapping_mul(4).wrapping_add(j))
                        .copied()
                        .unwrap_or(0),
                )
            };
            (at(0) << 24) | (at(1) << 16) | (at(2) << 8) | at(3)
        })
    }
}

impl<F: FnMut(&[u8]) -> [u8; 32]> Sha256Engine for F {
    fn sha256(&mut self, data: &[u8]) -> [u8; 32] {
        self(data)
    }
}

/// The software SHA-256 of the RustCrypto `sha2` crate (feature `sha2`, on by default).
///
/// On microcontrollers build with `RUSTFLAGS='--cfg sha2_backend_soft="compact"'` for the
/// compact, non-unrolled compression function (about 650 bytes with its constants instead of
/// several KiB).
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
        // Why not `sha2::Sha256::digest`: certpin always hashes one contiguous slice, and the
        // streaming `digest` layers around the compression function (block buffer, generic
        // arrays, `copy_from_slice` with a length check) cost a microcontroller about 1.5 KiB
        // of flash, a few hundred bytes of stack and a linked panic path.
        sha2_oneshot(data)
    }
}

/// A small software SHA-256 for microcontrollers, with no dependencies.
///
/// [`SoftSha256`] (the `sha2` crate) is the default and the faster one (it uses SHA
/// instructions where the CPU has them). This one exists for flash: it uses no buffer (each
/// padded byte is computed when read, the message schedule is a ring updated in place), so it
/// links no `memcpy`/`memset` and costs about 0.8 KiB of code and constants on a Cortex-M4
/// (288 B of them the round constants and the initial value), where `sha2`'s compact backend
/// passes the schedule by value and pulls the 0.7 KiB `memcpy` of `compiler_builtins` into a
/// firmware that has none. It is checked against `sha2` for every input length up to 300 and
/// beyond, and against the FIPS 180-2 examples.
///
/// ```
/// use certpin::{CompactSha256, Sha256Engine};
/// let digest = CompactSha256.sha256(b"abc");
/// assert_eq!(digest[..4], [0xba, 0x78, 0x16, 0xbf]);
/// ```
#[derive(Clone, Copy, Debug, Default)]
pub struct CompactSha256;

impl Sha256Engine for CompactSha256 {
    fn sha256(&mut self, data: &[u8]) -> [u8; 32] {
        crate::sha_compact::sha256(data)
    }

    fn sha256_words(&mut self, data: &[u8], out: &mut [u32; 8], _: internal::Token) {
        crate::sha_compact::sha256_state(data, out);
    }
}

/// SHA-256 of one slice with `sha2`'s compression function and a padded tail assembled in a
/// buffer (fast where `sha2` uses SHA instructions; `sha_compact` has the small one). No indexing:
/// every copy is a `zip`, every position a `get`.
#[cfg(feature = "sha2")]
fn sha2_oneshot(data: &[u8]) -> [u8; 32] {
    use sha2::block_api::compress256;
    let mut state = crate::sha_compact::IV;
    let mut blocks = data.chunks_exact(64);
    for block in &mut blocks {
        if let Ok(block) = <&[u8; 64]>::try_from(block) {
            compress256(&mut state, core::slice::from_ref(block));
        }
    }
    let tail = blocks.remainder();
    let mut padded = [[0u8; 64]; 2];
    let flat = padded.as_flattened_mut();
    for (d, s) in flat.iter_mut().zip(tail) {
        *d = *s;
    }
    if let Some(d) = flat.get_mut(tail.len()) {
        *d = 0x80;
    }
    let count: usize = if tail.len() < 56 { 1 } else { 2 };
    let bits = (data.len() as u64).wrapping_mul(8).to_be_bytes();
    let end = count.wrapping_mul(64);
    for (d, s) in flat.iter_mut().skip(end.wrapping_sub(8)).zip(bits) {
        *d = s;
    }
    compress256(&mut state, padded.get(..count).unwrap_or_default());
    let mut out = [0u8; 32];
    for (bytes, word) in out.chunks_exact_mut(4).zip(state) {
        for (o, b) in bytes.iter_mut().zip(word.to_be_bytes()) {
            *o = b;
        }
    }
    out
}

#[cfg(all(test, feature = "sha2"))]
mod tests {
    use super::{CompactSha256, Sha256Engine, SoftSha256};
    use sha2::Digest;
    use std::vec::Vec;

    fn reference(data: &[u8]) -> [u8; 32] {
        sha2::Sha256::digest(data).into()
    }

    /// Both engines, so every test checks both.
    fn sha256_oneshot(data: &[u8]) -> [u8; 32] {
        let soft = SoftSha256.sha256(data);
        assert_eq!(CompactSha256.sha256(data), soft, "len {}", data.len());
        soft
    }

    #[test]
    fn matches_sha2_for_every_padding_case() {
        // 0..=300 covers the empty input, tails of every length including 55/56 (the one/two
        // padding block boundary) and several whole blocks.
        let data: Vec<u8> = (0..70_000u32)
            .map(|i| (i.wrapping_mul(31) >> 3) as u8)
            .collect();
        for len in 0..=300 {
            assert_eq!(
                sha256_oneshot(&data[..len]),
                reference(&data[..len]),
                "len {len}"
            );
        }
        for len in [511, 512, 513, 4095, 65_535, 65_536, 70_000] {
            assert_eq!(
                sha256_oneshot(&data[..len]),
                reference(&data[..len]),
                "len {len}"
            );
        }
    }

    #[test]
    fn fips_180_2_known_answers() {
        // FIPS 180-2 Appendix B, independent of the sha2 crate.
        assert_eq!(
            sha256_oneshot(b"abc")[..],
            [
                0xba, 0x78, 0x16, 0xbf, 0x8f, 0x01, 0xcf, 0xea, 0x41, 0x41, 0x40, 0xde, 0x5d, 0xae,
                0x22, 0x23, 0xb0, 0x03, 0x61, 0xa3, 0x96, 0x17, 0x7a, 0x9c, 0xb4, 0x10, 0xff, 0x61,
                0xf2, 0x00, 0x15, 0xad
            ]
        );
        assert_eq!(
            sha256_oneshot(b"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")[..],
            [
                0x24, 0x8d, 0x6a, 0x61, 0xd2, 0x06, 0x38, 0xb8, 0xe5, 0xc0, 0x26, 0x93, 0x0c, 0x3e,
                0x60, 0x39, 0xa3, 0x3c, 0xe4, 0x59, 0x64, 0xff, 0x21, 0x67, 0xf6, 0xec, 0xed, 0xd4,
                0x19, 0xdb, 0x06, 0xc1
            ]
        );
        let million_a = std::vec![b'a'; 1_000_000];
        assert_eq!(
            sha256_oneshot(&million_a)[..],
            [
                0xcd, 0xc7, 0x6e, 0x5c, 0x99, 0x14, 0xfb, 0x92, 0x81, 0xa1, 0xc7, 0xe2, 0x84, 0xd7,
                0x3e, 0x67, 0xf1, 0x80, 0x9a, 0x48, 0xa4, 0x97, 0x20, 0x0e, 0x04, 0x6d, 0x39, 0xcc,
                0xc7, 0x11, 0x2c, 0xd0
            ]
        );
    }
}
