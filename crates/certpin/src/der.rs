//! A strict DER reader: just enough of X.690 to walk certificates, CSRs and keys.
//!
//! Hand-written instead of using the `der` crate because the core must stay tiny on a
//! microcontroller (no allocator, a few hundred bytes of code for the pin path) and because every
//! rejection must carry the field and byte offset (see [`Error`]). It never indexes a slice
//! directly and never does unchecked arithmetic, so no input can make it panic.

use crate::error::{Error, Field};

/// X.690 §8.1.2.4: low five bits all set announce a multi-octet (high-number) tag.
const HIGH_TAG_NUMBER: u8 = 0x1f;
/// X.690 §8.1.3.6: `0x80` as the first length octet is the indefinite form, BER only.
const INDEFINITE_LENGTH: u8 = 0x80;
/// X.690 §8.1.3.5: the long form is `0x80 | number of length octets`.
const LONG_FORM: u8 = 0x80;
/// We accept up to 4 length octets (lengths under 4 GiB), as the issue requires.
const MAX_LENGTH_OCTETS: u8 = 4;

pub(crate) const TAG_INTEGER: u8 = 0x02;
pub(crate) const TAG_BIT_STRING: u8 = 0x03;
/// X.690 §8.1.2.5: bit 6 set marks the constructed form.
const CONSTRUCTED: u8 = 0x20;
pub(crate) const TAG_OID: u8 = 0x06;
pub(crate) const TAG_SEQUENCE: u8 = 0x30;

/// One element: where it starts, and the bytes it spans.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Tlv<'a> {
    /// Absolute offset of the tag octet.
    pub(crate) at: usize,
    /// Tag, length and value octets.
    pub(crate) whole: &'a [u8],
    /// Value (content) octets.
    pub(crate) value: &'a [u8],
    /// Absolute offset of the first value octet.
    pub(crate) value_at: usize,
}

impl<'a> Tlv<'a> {
    /// A reader over this element's content.
    pub(crate) fn contents(&self) -> Reader<'a> {
        Reader {
            input: self.value,
            pos: 0,
            base: self.value_at,
        }
    }
}

/// Reads elements one after another from a slice, keeping absolute offsets for errors.
pub(crate) struct Reader<'a> {
    input: &'a [u8],
    pos: usize,
    /// Absolute offset of `input[0]` in the caller's original buffer.
    base: usize,
}

impl<'a> Reader<'a> {
    pub(crate) fn new(input: &'a [u8]) -> Self {
        Reader {
            input,
            pos: 0,
            base: 0,
        }
    }

    /// Absolute offset of the next byte.
    pub(crate) fn offset(&self) -> usize {
        self.base.saturating_add(self.pos)
    }

    pub(crate) fn at_end(&self) -> bool {
        self.pos >= self.input.len()
    }

    fn peek(&self) -> Option<u8> {
        self.input.get(self.pos).copied()
    }

    fn next_byte(&mut self) -> Option<u8> {
        let b = self.peek()?;
        self.pos = self.pos.saturating_add(1);
        Some(b)
    }

    /// Reads one element of any (low-number) tag, checking its length is canonical DER.
    pub(crate) fn any(&mut self, field: Field) -> Result<Tlv<'a>, Error> {
        let start = self.pos;
        let at = self.offset();
        // Built here rather than returned by a helper: propagating another function's `Error`
        // costs a copy, which on a microcontroller links `memcpy`.
        let truncated = Error::UnexpectedEnd { field, at };
        let tag = self.next_byte().ok_or(truncated)?;
        if tag & HIGH_TAG_NUMBER == HIGH_TAG_NUMBER {
            return Err(Error::HighTagNumber { field, at });
        }
        let first = self.next_byte().ok_or(truncated)?;
        let length = if first & LONG_FORM == 0 {
            usize::from(first)
        } else if first == INDEFINITE_LENGTH {
            return Err(Error::IndefiniteLength { field, at });
        } else {
            let octets = first & !LONG_FORM;
            if octets > MAX_LENGTH_OCTETS {
                return Err(Error::LengthTooLong { field, at });
            }
            let mut length: usize = 0;
            for i in 0..octets {
                let b = self.next_byte().ok_or(truncated)?;
                if i == 0 && b == 0 {
                    // A leading zero octet could have been left out (X.690 §10.1).
                    return Err(Error::NonMinimalLength { field, at });
                }
                length = length
                    .checked_mul(256)
                    .and_then(|l| l.checked_add(usize::from(b)))
                    .ok_or(Error::LengthTooLong { field, at })?;
            }
            if length < usize::from(LONG_FORM) {
                // Lengths under 128 must use the short form (X.690 §10.1).
                return Err(Error::NonMinimalLength { field, at });
            }
            length
        };
        let value_start = self.pos;
        let available = self.input.len().saturating_sub(value_start);
        if length > available {
            return Err(Error::LengthPastEnd {
                field,
                at,
                length,
                available,
            });
        }
        let end = value_start.saturating_add(length);
        let whole = self
            .input
            .get(start..end)
            .ok_or(Error::UnexpectedEnd { field, at })?;
        let value = self
            .input
            .get(value_start..end)
            .ok_or(Error::UnexpectedEnd { field, at })?;
        self.pos = end;
        Ok(Tlv {
            at,
            whole,
            value,
            value_at: self.base.saturating_add(value_start),
        })
    }

    /// Reads one element that must have tag `tag`.
    pub(crate) fn expect(&mut self, tag: u8, field: Field) -> Result<Tlv<'a>, Error> {
        let at = self.offset();
        match self.peek() {
            None => Err(Error::UnexpectedEnd { field, at }),
            Some(found) if found != tag => Err(Error::WrongTag {
                field,
                at,
                expected: tag,
                found,
            }),
            Some(_) => self.any(field),
        }
    }

    /// Reads the next element only if it has tag `tag`.
    pub(crate) fn optional(&mut self, tag: u8, field: Field) -> Result<Option<Tlv<'a>>, Error> {
        if self.peek() == Some(tag) {
            self.any(field).map(Some)
        } else {
            Ok(None)
        }
    }

    /// Succeeds only if every byte was consumed; `field` names the enclosing element.
    pub(crate) fn finish(&self, field: Field) -> Result<(), Error> {
        if self.at_end() {
            Ok(())
        } else {
            Err(Error::TrailingData {
                field,
                at: self.offset(),
            })
        }
    }

    /// Reads a primitive BIT STRING and returns its content octets (unused-bits octet first).
    ///
    /// Enforces X.690 §10.2 (primitive form) and §11.2 (unused bits ≤ 7, zero when there are no
    /// bits, padding bits zero).
    pub(crate) fn bit_string(&mut self, field: Field) -> Result<Tlv<'a>, Error> {
        let at = self.offset();
        if self.peek() == Some(TAG_BIT_STRING | CONSTRUCTED) {
            return Err(Error::ConstructedBitString { field, at });
        }
        let tlv = self.expect(TAG_BIT_STRING, field)?;
        let (&unused, bits) = tlv
            .value
            .split_first()
            .ok_or(Error::EmptyBitString { field, at })?;
        if unused > 7 || (bits.is_empty() && unused != 0) {
            return Err(Error::InvalidUnusedBits { field, at, unused });
        }
        if let Some(&last) = bits.last() {
            let mask = (1u8 << unused).wrapping_sub(1);
            if last & mask != 0 {
                return Err(Error::NonZeroPaddingBits { field, at });
            }
        }
        Ok(tlv)
    }

    /// Reads an OBJECT IDENTIFIER, checking every arc is minimally encoded (X.690 §8.19.2).
    pub(crate) fn oid(&mut self, field: Field) -> Result<Tlv<'a>, Error> {
        let tlv = self.expect(TAG_OID, field)?;
        let at = tlv.at;
        let mut arc_start = true;
        for &b in tlv.value {
            if arc_start && b == 0x80 {
                return Err(Error::InvalidOid { at });
            }
            arc_start = b & 0x80 == 0;
        }
        // Empty, or the last arc is unfinished.
        if !arc_start || tlv.value.is_empty() {
            return Err(Error::InvalidOid { at });
        }
        Ok(tlv)
    }

    /// Reads an INTEGER in its shortest two's-complement form (X.690 §8.3.2).
    pub(crate) fn integer(&mut self, field: Field) -> Result<Tlv<'a>, Error> {
        let tlv = self.expect(TAG_INTEGER, field)?;
        let at = tlv.at;
        match tlv.value {
            [] => Err(Error::EmptyInteger { field, at }),
            [0x00, next, ..] if next & 0x80 == 0 => Err(Error::NonMinimalInteger { field, at }),
            [0xff, next, ..] if next & 0x80 != 0 => Err(Error::NonMinimalInteger { field, at }),
            _ => Ok(tlv),
        }
    }
}

/// Reads `input` as exactly one element of tag `tag`, with nothing after it.
pub(crate) fn single(input: &[u8], tag: u8, field: Field) -> Result<Tlv<'_>, Error> {
    let mut reader = Reader::new(input);
    let tlv = reader.expect(tag, field)?;
    reader.finish(field)?;
    Ok(tlv)
}

#[cfg(test)]
#[path = "der_tests.rs"]
mod tests;
