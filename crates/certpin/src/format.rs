//! Pin text formats: parsing every form in use, printing each of them.

use core::fmt;
use core::str::FromStr;

use base64ct::{Base64, Encoding};

use crate::error::{Error, UnsupportedHash};
use crate::pin::{DIGEST_LEN, Pin, PinKind};

/// A text form of a pin.
///
/// | format | example | kinds it can express |
/// |---|---|---|
/// | `Curl` | `sha256//BASE64` | SPKI |
/// | `OkHttp` | `sha256/BASE64` | SPKI |
/// | `Hpkp` | `pin-sha256="BASE64"` | SPKI |
/// | `Base64` | `BASE64` (Android `<pin digest="SHA-256">`) | SPKI |
/// | `Hex` | 64 lowercase hex digits | any (ucertpin prints this) |
/// | `Prefixed` | `spki-sha256:HEX`, `ucertpin:HEX`, `cert-sha256:HEX` | SPKI, ucertpin, certificate |
///
/// ```
/// use certpin::{Pin, PinFormat, PinKind};
/// let pin = Pin::new(PinKind::Spki, [0; 32]);
/// let curl = pin.format(PinFormat::Curl).unwrap().to_string();
/// assert_eq!(curl, "sha256//AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=");
/// assert_eq!(Pin::parse(&curl)?, pin);
/// # Ok::<(), certpin::Error>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PinFormat {
    /// curl's `--pinnedpubkey sha256//BASE64`.
    Curl,
    /// OkHttp's `CertificatePinner` `sha256/BASE64`.
    OkHttp,
    /// The RFC 7469 directive `pin-sha256="BASE64"`.
    Hpkp,
    /// Bare standard base64 with padding.
    Base64,
    /// Bare lowercase hex.
    Hex,
    /// The kind's prefix, a colon, lowercase hex.
    Prefixed,
}

/// A pin rendered in one [`PinFormat`], without allocating; see [`Pin::format`].
#[derive(Clone, Copy, Debug)]
pub struct FormattedPin {
    pin: Pin,
    format: PinFormat,
}

impl Pin {
    /// Parses one pin in any supported format (leading and trailing whitespace ignored).
    ///
    /// Unprefixed 64-digit hex becomes [`PinKind::SpkiOrUCertPin`] (see there why this is
    /// safe); hex may be in any case and may be written as colon-separated pairs.
    ///
    /// # Reading order
    ///
    /// Text beginning with `sha256/` (any case) is read as a prefixed pin first:
    /// `sha256//REST` as curl's form, `sha256/REST` as OkHttp's, and a failure is that
    /// form's error. Reading bare base64 first would let a mistyped prefixed pin become an
    /// unrelated valid one: `sha256//` with the base64 of 26 bytes is 44 valid base64
    /// characters, and must be [`Error::WrongDigestLength`], not some other key's pin.
    /// Bare base64 may itself begin with `sha256/` (about 1 digest in 2^39), so it is still
    /// read when the text cannot be a prefixed pin: 44 characters whose prefixed reading is
    /// not base64 at all ([`Error::InvalidBase64`]). That never hides a mistyped prefixed
    /// pin: `sha256//` is 8 characters, two whole base64 blocks, so when the whole text is
    /// valid base64 so is curl's part of it, and it is read (and refused for its size);
    /// OkHttp's part of a 44-character text is 37 characters, which no OkHttp pin (51) is
    /// after a slip of a character or two. Otherwise bare base64 (exactly 44 characters,
    /// 32 bytes) is tried after every prefix (`pin-sha256=`, the hex prefixes), before the
    /// checks for unsupported hashes, so `sha/…` or `md5/…` that is valid base64 stays a
    /// bare pin. Every [`PinFormat`] output thus reads back.
    ///
    /// One ambiguity remains and is accepted: when curl's reading of `sha256//REST` fails,
    /// OkHttp's reading (`REST` begins with `/`) is tried, and its digest is taken if it is
    /// 32 bytes. That is how OkHttp itself writes 1 digest in 64 (those whose base64 begins
    /// with `/`), and how `Display` writes them, so refusing it would make certpin unable to
    /// read OkHttp's pins and its own. The price: a curl pin with one base64 character
    /// deleted is exactly such a text, and reads as another key's pin rather than failing
    /// (it can then never match, so this fails closed). Write curl pins in full, or use
    /// `pin-sha256="…"` or hex to avoid the question.
    ///
    /// ```
    /// use certpin::{Error, Pin, PinKind};
    /// let b64 = "4fyH5swxyP+1d+lzksoFkOdOtfXOi16orTe9eWBlmP0=";
    /// let spki = Pin::parse(&format!("pin-sha256=\"{b64}\""))?;
    /// assert_eq!(spki, Pin::parse(&format!("sha256//{b64}"))?);
    /// assert_eq!(spki.kind(), PinKind::Spki);
    /// let hex = Pin::parse("E1:FC:87:E6:CC:31:C8:FF:B5:77:E9:73:92:CA:05:90:E7:4E:B5:F5:CE:8B:5E:A8:AD:37:BD:79:60:65:98:FD")?;
    /// assert_eq!((hex.kind(), hex.digest()), (PinKind::SpkiOrUCertPin, spki.digest()));
    /// assert_eq!(Pin::parse("sha256//AAAA"), Err(Error::WrongDigestLength { found: 3 }));
    /// # Ok::<(), certpin::Error>(())
    /// ```
    pub fn parse(text: &str) -> Result<Pin, Error> {
        let text = text.trim();
        if text.is_empty() {
            return Err(Error::EmptyPin);
        }
        let spki = |digest| Pin::new(PinKind::Spki, digest);
        // See "Reading order" above: prefixed text is always read as prefixed.
        if let Some(rest) = strip_prefix_ignore_case(text, "sha256/") {
            let prefixed = match rest.strip_prefix('/') {
                // OkHttp's own form of a digest whose base64 starts with `/` (see above).
                Some(curl) => decode_base64(curl)
                    .or_else(|curl_err| decode_base64(rest).map_err(|_| curl_err)),
                None => decode_base64(rest),
            };
            return match prefixed {
                // No prefixed reading can be base64 at all: the bare reading (see above).
                Err(Error::InvalidBase64) if text.len() == 44 => {
                    decode_base64(text).map_err(|_| Error::InvalidBase64)
                }
                other => other,
            }
            .map(spki);
        }
        if let Some(value) = strip_prefix_ignore_case(text, "pin-sha256=") {
            let quoted = value.strip_prefix('"').and_then(|v| v.strip_suffix('"'));
            return decode_base64(quoted.ok_or(Error::UnquotedHpkpPin)?).map(spki);
        }
        for kind in [PinKind::Spki, PinKind::UCertPin, PinKind::Certificate] {
            let prefix = kind.prefix().unwrap_or_default();
            if let Some(rest) = strip_prefix_ignore_case(text, prefix) {
                if let Some(hex) = rest.strip_prefix(':') {
                    return decode_hex(hex).map(|d| Pin::new(kind, d));
                }
            }
        }
        // Only now bare base64: its 44 characters may begin like a name (`sha/…`, `md5/…`).
        if text.len() == 44 {
            if let Ok(digest) = decode_base64(text) {
                return Ok(spki(digest));
            }
        }
        if let Some(hash) = unsupported_hash_prefix(text) {
            return Err(Error::UnsupportedHash(hash));
        }
        if let Some((prefix, _)) = text.split_once(':') {
            // Hex pairs have two characters before the first colon; anything longer is a name.
            if prefix.len() != 2 {
                return Err(Error::UnknownPinPrefix);
            }
            return decode_hex(text).map(|d| Pin::new(PinKind::SpkiOrUCertPin, d));
        }
        if text.bytes().all(|b| b.is_ascii_hexdigit()) {
            return decode_hex(text).map(|d| Pin::new(PinKind::SpkiOrUCertPin, d));
        }
        if text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'='))
        {
            return decode_base64(text).map(spki);
        }
        Err(Error::UnrecognizedPin)
    }

    /// This pin in `format`, or `None` if the format cannot express the pin's kind (only SPKI
    /// pins have base64 forms; the ambiguous hex kind has no prefix).
    ///
    /// ```
    /// use certpin::{Pin, PinFormat, PinKind};
    /// let ucert = Pin::new(PinKind::UCertPin, [0xab; 32]);
    /// assert!(ucert.format(PinFormat::Curl).is_none());
    /// assert_eq!(ucert.format(PinFormat::Prefixed).unwrap().to_string(), format!("ucertpin:{}", "ab".repeat(32)));
    /// ```
    pub fn format(&self, format: PinFormat) -> Option<FormattedPin> {
        let ok = match format {
            PinFormat::Curl | PinFormat::OkHttp | PinFormat::Hpkp | PinFormat::Base64 => {
                self.kind() == PinKind::Spki
            }
            PinFormat::Hex => true,
            PinFormat::Prefixed => self.kind().prefix().is_some(),
        };
        ok.then_some(FormattedPin { pin: *self, format })
    }
}

impl FromStr for Pin {
    type Err = Error;

    fn from_str(text: &str) -> Result<Pin, Error> {
        Pin::parse(text)
    }
}

/// The canonical, unambiguous form: `sha256/BASE64` for SPKI pins, the prefixed hex form for
/// ucertpin and certificate pins, bare hex for the ambiguous kind. [`Pin::parse`] reads it back.
///
/// ```
/// use certpin::{Pin, PinKind};
/// let pin = Pin::new(PinKind::Certificate, [0; 32]);
/// assert_eq!(Pin::parse(&pin.to_string())?, pin);
/// # Ok::<(), certpin::Error>(())
/// ```
impl fmt::Display for Pin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let format = match self.kind() {
            PinKind::Spki => PinFormat::OkHttp,
            PinKind::UCertPin | PinKind::Certificate => PinFormat::Prefixed,
            PinKind::SpkiOrUCertPin => PinFormat::Hex,
        };
        FormattedPin { pin: *self, format }.fmt(f)
    }
}

impl fmt::Display for FormattedPin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut buf = [0u8; 44];
        let b64 = Base64::encode(self.pin.digest(), &mut buf).map_err(|_| fmt::Error)?;
        match self.format {
            PinFormat::Curl => write!(f, "sha256//{b64}"),
            PinFormat::OkHttp => write!(f, "sha256/{b64}"),
            PinFormat::Hpkp => write!(f, "pin-sha256=\"{b64}\""),
            PinFormat::Base64 => f.write_str(b64),
            PinFormat::Hex => write_hex(f, self.pin.digest()),
            PinFormat::Prefixed => {
                write!(f, "{}:", self.pin.kind().prefix().unwrap_or_default())?;
                write_hex(f, self.pin.digest())
            }
        }
    }
}

fn write_hex(f: &mut fmt::Formatter<'_>, digest: &[u8]) -> fmt::Result {
    digest.iter().try_for_each(|b| write!(f, "{b:02x}"))
}

/// Splits a list of pins, separated by `;` (curl), `,` or whitespace, into pins; empty items
/// are skipped. Nothing is allocated: collect into a `Vec`, or use
/// [`PinSet::parse_into`](crate::PinSet::parse_into) with a fixed buffer.
///
/// ```
/// let list = "sha256//ERERERERERERERERERERERERERERERERERERERERERE=;sha256//IiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiI=";
/// let pins: Result<Vec<_>, _> = certpin::parse_pin_list(list).collect();
/// assert_eq!(pins?.len(), 2);
/// # Ok::<(), certpin::Error>(())
/// ```
pub fn parse_pin_list(text: &str) -> impl Iterator<Item = Result<Pin, Error>> + '_ {
    text.split(|c: char| c == ';' || c == ',' || c.is_ascii_whitespace())
        .filter(|item| !item.is_empty())
        .map(Pin::parse)
}

fn strip_prefix_ignore_case<'a>(text: &'a str, prefix: &str) -> Option<&'a str> {
    let head = text.get(..prefix.len())?;
    if head.eq_ignore_ascii_case(prefix) {
        text.get(prefix.len()..)
    } else {
        None
    }
}

/// Recognises `sha1/…`, `sha1//…`, `pin-sha1=…`, `sha512:…` and the like, so the user is told
/// the hash is unsupported rather than that the text is unreadable.
fn unsupported_hash_prefix(text: &str) -> Option<UnsupportedHash> {
    let name = text.strip_prefix("pin-").unwrap_or(text);
    let end = name.find(['/', '=', ':'])?;
    let name = name.get(..end)?;
    let is = |candidate: &str| name.eq_ignore_ascii_case(candidate);
    let starts = |head: &str| {
        name.get(..head.len())
            .is_some_and(|h| h.eq_ignore_ascii_case(head))
    };
    if is("sha256") || is("sha-256") {
        // The right hash with a separator certpin does not read: not an unsupported hash.
        return None;
    }
    let hash = if is("sha1") || is("sha-1") {
        UnsupportedHash::Sha1
    } else if is("sha224") || is("sha-224") {
        UnsupportedHash::Sha224
    } else if is("sha384") || is("sha-384") {
        UnsupportedHash::Sha384
    } else if is("sha512") || is("sha-512") {
        UnsupportedHash::Sha512
    } else if is("md5") {
        UnsupportedHash::Md5
    } else if starts("sha") || starts("md") {
        UnsupportedHash::Other
    } else {
        return None;
    };
    Some(hash)
}

fn decode_base64(text: &str) -> Result<[u8; DIGEST_LEN], Error> {
    // Up to 88 characters is decoded in full, so any well-formed base64 of the wrong size
    // reports its exact size; longer text cannot be a SHA-256 digest whatever its alphabet,
    // and its size is estimated (the MicroPython module does the same).
    const MAX_TEXT: usize = 88;
    if text.len() > MAX_TEXT {
        return Err(Error::WrongDigestLength {
            found: (text.len() / 4).saturating_mul(3),
        });
    }
    let mut buf = [0u8; MAX_TEXT / 4 * 3];
    let decoded = Base64::decode(text, &mut buf).map_err(|_| Error::InvalidBase64)?;
    decoded.try_into().map_err(|_| Error::WrongDigestLength {
        found: decoded.len(),
    })
}

fn decode_hex(text: &str) -> Result<[u8; DIGEST_LEN], Error> {
    let mut digest = [0u8; DIGEST_LEN];
    let separated = text.contains(':');
    let mut nibbles = 0usize;
    for (at, c) in text.bytes().enumerate() {
        if separated && at % 3 == 2 {
            if c != b':' {
                return Err(Error::InvalidHex { at });
            }
            continue;
        }
        let value = match char::from(c)
            .to_digit(16)
            .and_then(|v| u8::try_from(v).ok())
        {
            Some(value) => value,
            None => return Err(Error::InvalidHex { at }),
        };
        if let Some(byte) = digest.get_mut(nibbles / 2) {
            *byte |= if nibbles % 2 == 0 { value << 4 } else { value };
        }
        nibbles = nibbles.saturating_add(1);
    }
    if separated && text.len() % 3 != 2 {
        // A trailing colon, or a lone digit at the end of a separated form.
        return Err(Error::InvalidHex {
            at: text.len().saturating_sub(1),
        });
    }
    if nibbles != 2 * DIGEST_LEN {
        return Err(Error::WrongDigestLength { found: nibbles / 2 });
    }
    Ok(digest)
}

#[cfg(test)]
#[path = "format_tests.rs"]
mod tests;
