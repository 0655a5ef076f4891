//! The SHA-256 of [`CompactSha256`](crate::CompactSha256), written for flash size (see there
//! for why it is not the `sha2` crate's).

/// The round constants of FIPS 180-4 §4.2.2 (first 32 bits of the fractional parts of the cube
/// roots of the first 64 primes).
const K: [u32; 64] = [
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
];

/// The initial hash value H(0) of FIPS 180-4 §5.3.3.
pub(crate) const IV: [u32; 8] = [
    0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
];

/// SHA-256 of `data` with no buffer at all: the padded message (FIPS 180-4 §5.1.1) is read byte
/// by byte through [`padded_byte`], and the compression keeps only the last 16 schedule words
/// (a ring, updated in place). Buffers are what cost flash here: a zeroed or copied block makes
/// LLVM link `memset`/`memcpy` into a firmware that has neither.
pub(crate) fn sha256(data: &[u8]) -> [u8; 32] {
    // A splat of a run-time value, overwritten before it is read (zeros would become `memset`).
    let mut state = [data.len() as u32; 8];
    sha256_state(data, &mut state);
    // Spelled out so the digest is stored straight into the return value (a loop or
    // `from_fn` builds it aside and then copies it with `memcpy`), and from each word rather
    // than through `state.map(u32::to_be_bytes)`, whose array is copied once more (byte by
    // byte on riscv32imc, which has no misaligned stores).
    let [a, b, c, d, e, f, g, h] = state;
    let [a0, a1, a2, a3] = a.to_be_bytes();
    let [b0, b1, b2, b3] = b.to_be_bytes();
    let [c0, c1, c2, c3] = c.to_be_bytes();
    let [d0, d1, d2, d3] = d.to_be_bytes();
    let [e0, e1, e2, e3] = e.to_be_bytes();
    let [f0, f1, f2, f3] = f.to_be_bytes();
    let [g0, g1, g2, g3] = g.to_be_bytes();
    let [h0, h1, h2, h3] = h.to_be_bytes();
    [
        a0, a1, a2, a3, b0, b1, b2, b3, c0, c1, c2, c3, d0, d1, d2, d3, e0, e1, e2, e3, f0, f1, f2,
        f3, g0, g1, g2, g3, h0, h1, h2, h3,
    ]
}

/// Writes the final hash value of SHA-256(`data`), the digest as eight big-endian words, to
/// `state` (whatever it held): in place, as a returned array is copied with `memcpy`.
pub(crate) fn sha256_state(data: &[u8], state: &mut [u32; 8]) {
    // Whole blocks of data, 0x80, zeros and the 8 length octets: `len + 9` rounded up to 64.
    let total = padded_len(data.len());
    // Each initialisation below is shaped so LLVM cannot turn it into a `memcpy`/`memset` call:
    // the state is set word by word (assigning a `from_fn` array of `IV`'s words becomes one),
    // and the ring starts as a splat of a run-time value (overwritten before it is read; zeros
    // would become `memset`).
    for (s, &iv) in state.iter_mut().zip(IV.iter()) {
        *s = iv;
    }
    let mut w = [total as u32; 16];
    // The next byte of the padded message to read; it advances 64 bytes per block.
    let mut pos = 0usize;
    // Tested after each block, not before the first: every padded message has at least one
    // block (`total >= 64`, as no slice is within 72 bytes of `usize::MAX` long), and the
    // test at the bottom is the smaller loop.
    loop {
        compress(state, &mut w, data, &mut pos);
        if pos >= total {
            break;
        }
    }
}

/// The length of the padded message of `len` bytes: `len + 9` rounded up to whole blocks.
fn padded_len(len: usize) -> usize {
    len.wrapping_add(9 + 63) & !63
}

/// Byte `i` of the padded message: the data, then 0x80, zeros, and the data's length in bits as
/// a 64-bit big-endian number. Not inlined: one copy serves the four byte reads of each word.
#[inline(never)]
fn padded_byte(data: &[u8], i: usize) -> u32 {
    if let Some(&b) = data.get(i) {
        return u32::from(b);
    }
    let len = data.len();
    if i == len {
        return 0x80;
    }
    // 1..=8 for the length octets, the last one being 1; larger (or wrapped) for the zeros.
    let from_end = padded_len(len).wrapping_sub(i);
    // The data's length in bits, a 64-bit big-endian number: its octet `from_end - 1` from the
    // right is octet `from_end - 1` of the little-endian bytes (none for the zeros). A `u64`
    // shift by a constant, not a variable one, which would link a runtime helper on 32-bit
    // targets.
    let bits = (len as u64).wrapping_mul(8).to_le_bytes();
    u32::from(bits.get(from_end.wrapping_sub(1)).copied().unwrap_or(0))
}

/// FIPS 180-4 §6.2.2 for the block of the padded message at `*pos` (which it advances by 64);
/// `w` is the ring of the last 16 schedule words (the message words first), so there is no
/// 256-byte schedule.
fn compress(state: &mut [u32; 8], w: &mut [u32; 16], data: &[u8], pos: &mut usize) {
    // Element by element, and added back through an iterator over references: moving the array
    // (`*state`, `zip(v)`) is a `memcpy` call once `v` lives in memory.
    let mut v: [u32; 8] = core::array::from_fn(|j| state.get(j).copied().unwrap_or(0));
    for i in 0..64 {
        // The round constant read by the round number (`i < 64`, so the `get` never misses),
        // not zipped with it: `enumerate` over `K` keeps two counters, a pointer and the
        // round, and the register it takes costs spills throughout the round on Thumb-2.
        let k = K.get(i).copied().unwrap_or(0);
        // `& 15` keeps every index in the ring, so the `get`s never miss.
        let at = |back: usize| w.get(i.wrapping_sub(back) & 15).copied().unwrap_or(0);
        let wi = if i < 16 {
            // Four bytes, big-endian, counted with the test at the bottom: a `for` loop tests
            // at the top and branches back, one instruction more.
            let mut word = 0u32;
            let mut n = 0u32;
            loop {
                word = (word << 8) | padded_byte(data, *pos);
                *pos = pos.wrapping_add(1);
                n = n.wrapping_add(1);
                if n == 4 {
                    break word;
                }
            }
        } else {
            let (w15, w2) = (at(15), at(2));
            let s0 = w15.rotate_right(7) ^ w15.rotate_right(18) ^ (w15 >> 3);
            let s1 = w2.rotate_right(17) ^ w2.rotate_right(19) ^ (w2 >> 10);
            at(16).wrapping_add(s0).wrapping_add(at(7)).wrapping_add(s1)
        };
        if let Some(slot) = w.get_mut(i & 15) {
            *slot = wi;
        }
        let [a, b, c, _, e, f, g, h] = v;
        let s1 = e.rotate_right(6) ^ e.rotate_right(11) ^ e.rotate_right(25);
        // Ch in its three-operation form and Maj as b ^ ((a ^ b) & (b ^ c)) (both equal to
        // FIPS 180-4's §4.1.2 forms); this Maj compiles smaller than (a & b) | (c & (a | b)).
        let ch = g ^ (e & (f ^ g));
        let t1 = h
            .wrapping_add(s1)
            .wrapping_add(ch)
            .wrapping_add(k)
            .wrapping_add(wi);
        let s0 = a.rotate_right(2) ^ a.rotate_right(13) ^ a.rotate_right(22);
        let maj = b ^ ((a ^ b) & (b ^ c));
        // The variables move down one place in a loop over the array (b = a, ..., h = g), then
        // a and e get their new values: fewer instructions than moving eight named values, and
        // no call (`rotate_right` links `ptr::rotate`).
        for j in (0..7).rev() {
            let x = v.get(j).copied().unwrap_or(0);
            if let Some(y) = v.get_mut(j.wrapping_add(1)) {
                *y = x;
            }
        }
        if let Some(x) = v.get_mut(4) {
            *x = x.wrapping_add(t1);
        }
        if let Some(x) = v.get_mut(0) {
            *x = t1.wrapping_add(s0.wrapping_add(maj));
        }
    }
    for (s, &x) in state.iter_mut().zip(v.iter()) {
        *s = s.wrapping_add(x);
    }
}
