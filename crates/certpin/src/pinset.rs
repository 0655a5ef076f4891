//! Sets of pins (a primary and its backups) and constant-time matching.

use crate::cert::Certificate;
use crate::error::Error;
use crate::format::parse_pin_list;
use crate::pin::{DIGEST_LEN, Pin, PinDigests, PinKind};
use crate::sha::Sha256Engine;
use crate::sha::internal::{Token, words_from_bytes};
use crate::spki::SubjectPublicKeyInfo;

/// Several pins, any one of which accepts a key: the current key's pin plus backup pins for
/// keys not yet in use (RFC 7469 §4.3: without a backup, losing the key bricks every client).
///
/// A `PinSet` borrows its pins, so it needs no allocator: keep them in a `const` array in flash,
/// in a `Vec`, or in a buffer filled by [`PinSet::parse_into`]. An empty set matches nothing.
///
/// Matching compares every pin in constant time, whatever matched first: how long a
/// check takes reveals nothing about which configured pin is close to the presented key.
///
/// ```
/// use certpin::{Certificate, Pin, PinKind, PinSet, SoftSha256};
/// const PINS: [Pin; 2] = [
///     Pin::new(PinKind::Spki, [0x11; 32]), // a backup key, not deployed yet
///     Pin::new(PinKind::UCertPin, [
///         0xd6, 0x53, 0x93, 0xe3, 0xb6, 0x16, 0xb3, 0x9f, 0xdb, 0xb2, 0xb4, 0x77, 0xf1, 0x3b, 0x88, 0x65,
///         0x9a, 0x68, 0xee, 0x72, 0xd7, 0xa7, 0x6d, 0xd4, 0x76, 0x1e, 0xde, 0x3b, 0x22, 0xd0, 0x1a, 0xfc,
///     ]),
/// ];
/// # let der = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/../../testdata/certs/rsa2048.der")).unwrap();
/// let cert = Certificate::from_der(&der)?;
/// let found = PinSet::new(&PINS).match_certificate(&cert, &mut SoftSha256).expect("pinned");
/// assert_eq!((found.index, found.matched), (1, PinKind::UCertPin));
/// # Ok::<(), certpin::Error>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PinSet<'a> {
    pins: &'a [Pin],
}

/// Which pin of a [`PinSet`] accepted a key.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PinMatch {
    /// Position of the pin in the set (the first matching one).
    pub index: usize,
    /// The pin itself.
    pub pin: Pin,
    /// What the matching digest was computed over: the pin's own kind, or for
    /// [`PinKind::SpkiOrUCertPin`] whichever of [`PinKind::Spki`] / [`PinKind::UCertPin`] matched.
    pub matched: PinKind,
}

impl<'a> PinSet<'a> {
    /// A set over `pins`.
    pub const fn new(pins: &'a [Pin]) -> Self {
        PinSet { pins }
    }

    /// Parses a list of pins (see [`parse_pin_list`]) into `buf`, without allocating.
    ///
    /// ```
    /// use certpin::{Error, Pin, PinKind, PinSet};
    /// let mut buf = [Pin::new(PinKind::Spki, [0; 32]); 4];
    /// let set = PinSet::parse_into("sha256//ERERERERERERERERERERERERERERERERERERERERERE=; ucertpin:2222222222222222222222222222222222222222222222222222222222222222", &mut buf)?;
    /// assert_eq!(set.pins().len(), 2);
    /// let mut small = [Pin::new(PinKind::Spki, [0; 32]); 1];
    /// let two = "sha256//ERERERERERERERERERERERERERERERERERERERERERE= sha256//IiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiI=";
    /// assert_eq!(PinSet::parse_into(two, &mut small).unwrap_err(), Error::TooManyPins { capacity: 1 });
    /// assert_eq!(PinSet::parse_into(" ; ", &mut small).unwrap_err(), Error::EmptyPin);
    /// # Ok::<(), certpin::Error>(())
    /// ```
    pub fn parse_into(text: &str, buf: &'a mut [Pin]) -> Result<Self, Error> {
        let capacity = buf.len();
        let mut count = 0usize;
        for pin in parse_pin_list(text) {
            let pin = pin?;
            let slot = buf.get_mut(count).ok_or(Error::TooManyPins { capacity })?;
            *slot = pin;
            count = count.saturating_add(1);
        }
        if count == 0 {
            return Err(Error::EmptyPin);
        }
        let pins: &'a [Pin] = buf;
        Ok(PinSet {
            pins: pins.get(..count).unwrap_or_default(),
        })
    }

    /// The pins, in order.
    pub fn pins(&self) -> &'a [Pin] {
        self.pins
    }

    /// The first pin matching one of `digests`.
    ///
    /// ```
    /// use certpin::{Pin, PinDigests, PinKind, PinSet};
    /// let pins = [Pin::new(PinKind::SpkiOrUCertPin, [2; 32])];
    /// let digests = PinDigests { spki_sha256: [1; 32], ucertpin: [2; 32], cert_sha256: None };
    /// assert_eq!(PinSet::new(&pins).find(&digests).unwrap().matched, PinKind::UCertPin);
    /// ```
    pub fn find(&self, digests: &PinDigests) -> Option<PinMatch> {
        let mut best = Best::NONE;
        for (kind, digest) in [
            (PinKind::Spki, Some(&digests.spki_sha256)),
            (PinKind::UCertPin, Some(&digests.ucertpin)),
            (PinKind::Certificate, digests.cert_sha256.as_ref()),
        ] {
            if let Some(digest) = digest {
                self.consider(&mut best, kind, &words_from_bytes(digest));
            }
        }
        self.result(best)
    }

    /// Matches a certificate, hashing only what the set's pin kinds need.
    pub fn match_certificate(
        &self,
        cert: &Certificate<'_>,
        engine: &mut impl Sha256Engine,
    ) -> Option<PinMatch> {
        self.match_key(&cert.spki(), Some(cert.der()), engine)
    }

    /// Matches a DER certificate, reading only the way to its key
    /// ([`SubjectPublicKeyInfo::from_certificate`]) and hashing only what the set's pin kinds
    /// need: the smallest and fastest pin check, for TLS clients and microcontrollers.
    ///
    /// `Ok(None)`: the certificate is well-formed up to and including its key (what
    /// [`SubjectPublicKeyInfo::from_certificate`] checks: the outer SEQUENCE fills `der`, the
    /// TBSCertificate's fields before the key, the whole SubjectPublicKeyInfo) and no pin
    /// accepts that key. Nothing after the key is read, so `Ok` says nothing about the
    /// extensions or the signature; use [`Certificate::from_der`](crate::Certificate::from_der)
    /// where they matter. `Err`: the first defect found on the way to the key.
    ///
    /// ```
    /// use certpin::{Pin, PinKind, PinSet, SoftSha256};
    /// # let der = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/../../testdata/certs/ed25519.der")).unwrap();
    /// let pins = [Pin::parse("sha256//WCucs/g/C97P+b3wzjeMXlzFxrgHnbTY4WJMKkAAqiA=")?];
    /// let found = PinSet::new(&pins).match_certificate_der(&der, &mut SoftSha256)?;
    /// assert_eq!(found.map(|m| m.matched), Some(PinKind::Spki));
    /// assert!(PinSet::new(&pins).match_certificate_der(&der[1..], &mut SoftSha256).is_err());
    /// # Ok::<(), certpin::Error>(())
    /// ```
    pub fn match_certificate_der(
        &self,
        der: &[u8],
        engine: &mut impl Sha256Engine,
    ) -> Result<Option<PinMatch>, Error> {
        let spki = SubjectPublicKeyInfo::from_certificate(der)?;
        // The walk checked that the Certificate fills `der`: `der` is the certificate's bytes.
        Ok(self.match_key(&spki, Some(der), engine))
    }

    /// Matches a bare public key (certificate pins cannot match it).
    ///
    /// ```
    /// use certpin::{Pin, PinSet, SoftSha256, SubjectPublicKeyInfo};
    /// # let der = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/../../testdata/certs/ed25519.der")).unwrap();
    /// # let cert = certpin::Certificate::from_der(&der)?;
    /// let pins = [Pin::parse("sha256//WCucs/g/C97P+b3wzjeMXlzFxrgHnbTY4WJMKkAAqiA=")?];
    /// assert!(PinSet::new(&pins).match_spki(&cert.spki(), &mut SoftSha256).is_some());
    /// # Ok::<(), certpin::Error>(())
    /// ```
    pub fn match_spki(
        &self,
        spki: &SubjectPublicKeyInfo<'_>,
        engine: &mut impl Sha256Engine,
    ) -> Option<PinMatch> {
        self.match_key(spki, None, engine)
    }

    fn match_key(
        &self,
        spki: &SubjectPublicKeyInfo<'_>,
        cert_der: Option<&[u8]>,
        engine: &mut impl Sha256Engine,
    ) -> Option<PinMatch> {
        // One digest at a time, each only if a pin needs it, through one call site of the
        // engine and one 32-byte buffer: less flash and stack on a microcontroller than three
        // digests side by side. The kinds come from a counter, not an array of them: no table
        // on the stack.
        let mut best = Best::NONE;
        // A splat of a run-time value (zeros would become `memset`); each digest overwrites it.
        let mut digest = [self.pins.len() as u32; 8];
        for k in 0..3u8 {
            let (kind, data) = match k {
                0 => (PinKind::Spki, Some(spki.der())),
                1 => (PinKind::UCertPin, Some(spki.bit_string_contents())),
                _ => (PinKind::Certificate, cert_der),
            };
            let needed = self.pins.iter().any(|p| accepts(accepting(kind), p.kind()));
            if let Some(data) = data.filter(|_| needed) {
                engine.sha256_words(data, &mut digest, Token(()));
                self.consider(&mut best, kind, &digest);
            }
        }
        self.result(best)
    }

    /// Compares `digest` (of what `kind` pins hash) with every pin, in constant time, and keeps
    /// in `best` the lowest index of a pin that accepts that kind and matches.
    ///
    /// Kinds are configuration, not secret: branching on them would be fine. The digest
    /// comparison and the choice of the match are constant-time: branch-free arithmetic on
    /// machine words up to one optimisation barrier (`black_box`) on the match decision, and a
    /// mask select after it, which cannot become a branch because the optimiser cannot see the
    /// mask.
    /// Callers go through the kinds in the order Spki, UCertPin, Certificate, and only a
    /// strictly lower index replaces a match, so a [`PinKind::SpkiOrUCertPin`] pin matching
    /// both ways reports [`PinKind::Spki`].
    fn consider(&self, best: &mut Best, kind: PinKind, digest: &[u32; 8]) {
        for (i, pin) in self.pins.iter().enumerate() {
            // Every pin is compared, and whether it accepts this kind of digest is one more
            // bit of the decision: less code than skipping the others, which costs only a
            // comparison of eight words per pin and kind hashed.
            let equal = digests_equal(digest, pin.digest())
                & usize::from(accepts(accepting(kind), pin.kind()));
            // 1 if i < best.index; both are below isize::MAX, so the top bit of the wrapped
            // difference is the comparison.
            let lower = i.wrapping_sub(best.index) >> (usize::BITS - 1);
            // The one optimisation barrier, on the decision itself: the optimiser cannot tell
            // that the mask is all zeros or all ones, so the select cannot become a branch.
            // What comes before it is branch-free arithmetic that only feeds it, so a second
            // barrier between the comparison and this one (`subtle`'s `ct_eq`) guarded nothing
            // more. (`subtle` itself uses this barrier with its `core_hint_black_box` feature.)
            let take = core::hint::black_box((equal & lower).wrapping_neg());
            best.index = (best.index & !take) | (i & take);
            best.kind = (best.kind & !take) | (kind as usize & take);
        }
    }

    fn result(&self, best: Best) -> Option<PinMatch> {
        let pin = *self.pins.get(best.index)?;
        let matched = match best.kind {
            k if k == PinKind::Spki as usize => PinKind::Spki,
            k if k == PinKind::UCertPin as usize => PinKind::UCertPin,
            _ => PinKind::Certificate,
        };
        Some(PinMatch {
            index: best.index,
            pin,
            matched,
        })
    }
}

/// The first matching pin so far: its index (or [`Best::NONE`]) and the kind of digest that
/// matched it.
#[derive(Clone, Copy)]
struct Best {
    index: usize,
    kind: usize,
}

impl Best {
    /// No match: an index past any slice (slices hold at most `isize::MAX` bytes).
    const NONE: Best = Best {
        index: usize::MAX >> 1,
        kind: 0,
    };
}

/// 1 if a digest (its big-endian words, as engines hand them to [`PinSet`]) equals a pin's
/// digest, else 0, without branches: each word is compared with the pin's next four bytes read
/// as a big-endian word (one load and one byte swap on thumbv7em), the differences are folded
/// into one word with `xor`/`or`, and that word is turned into the result arithmetically. The
/// caller puts the match decision through an optimisation barrier. A barrier per byte
/// (`subtle`'s slice `ct_eq`) made a two-pin match cost more than the walk to the key (about
/// 100 ns on x86-64, and a call per byte on a microcontroller) for the same guarantee.
///
/// Not inlined: `consider`'s loop then keeps fewer values live across the comparison (16 bytes
/// less on thumbv7em, 8 on riscv32imc, with the byte-wise comparison this had before); a call
/// per pin costs nothing noticeable next to the SHA-256 before it.
#[inline(never)]
fn digests_equal(a: &[u32; 8], b: &[u8; DIGEST_LEN]) -> usize {
    let diff = a
        .iter()
        .zip(b.chunks_exact(4))
        .fold(0u32, |acc, (&x, bytes)| {
            // `chunks_exact(4)`: the conversion cannot fail, and the `0` is never used.
            acc | (x ^ <[u8; 4]>::try_from(bytes).map_or(0, u32::from_be_bytes))
        });
    (((diff | diff.wrapping_neg()) >> 31) ^ 1) as usize
}

/// The pin kinds that accept a digest of what `digest` pins hash, as bits `pin as u32` of the
/// result: each kind accepts its own digest, and `SpkiOrUCertPin` those of `Spki` and
/// `UCertPin`. Worked out once per digest kind, so each pin then costs one shift.
fn accepting(digest: PinKind) -> u32 {
    const fn bit(pin: PinKind, digest: PinKind) -> u32 {
        1 << ((digest as u32).wrapping_mul(4).wrapping_add(pin as u32))
    }
    // One row of four bits per digest kind, at `digest * 4`.
    const TABLE: u32 = bit(PinKind::Spki, PinKind::Spki)
        | bit(PinKind::SpkiOrUCertPin, PinKind::Spki)
        | bit(PinKind::UCertPin, PinKind::UCertPin)
        | bit(PinKind::SpkiOrUCertPin, PinKind::UCertPin)
        | bit(PinKind::Certificate, PinKind::Certificate);
    // `digest`'s row lands in the low four bits. The rows of later kinds stay above them and are
    // not masked off: `accepts` only reads bits 0 to 3 (there are four pin kinds).
    TABLE
        .checked_shr((digest as u32).wrapping_mul(4))
        .unwrap_or(0)
}

/// Whether a pin of kind `pin` is among `kinds` (from [`accepting`]; `pin as u32` is below 4).
fn accepts(kinds: u32, pin: PinKind) -> bool {
    kinds.checked_shr(pin as u32).unwrap_or(0) & 1 != 0
}

#[cfg(test)]
mod tests {
    use super::{digests_equal, words_from_bytes};

    #[test]
    fn a_difference_in_any_bit_makes_digests_unequal() {
        let a: [u8; 32] = core::array::from_fn(|i| (i as u8).wrapping_mul(37));
        assert_eq!(digests_equal(&words_from_bytes(&a), &a), 1);
        for byte in 0..32 {
            for bit in 0..8 {
                let mut b = a;
                b[byte] ^= 1 << bit;
                assert_eq!(
                    digests_equal(&words_from_bytes(&a), &b),
                    0,
                    "byte {byte} bit {bit}"
                );
            }
        }
    }
}
