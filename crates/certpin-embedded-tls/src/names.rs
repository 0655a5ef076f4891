//! The leaf certificate's subjectAltName, read strictly, and RFC 6125 name matching.
//!
//! Kept here rather than pulled from an X.509 crate: the pinning path has to stay no_std, no
//! alloc and small, and it needs exactly one extension. Only DNS names and IP addresses are
//! matched; the subject CN is never consulted (RFC 6125 §6.4.4, and CAs stopped relying on it).

use core::net::IpAddr;

/// Why the leaf's names did not accept the host name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NameError {
    /// The certificate has no subjectAltName extension (no names to match).
    NoSubjectAltName,
    /// The extensions or the subjectAltName are not valid DER.
    Malformed,
    /// No DNS name or IP address of the certificate matches the host name.
    Mismatch,
    /// The host name given to the verifier is longer than a DNS name can be (253 octets).
    HostNameTooLong,
}

/// 2.5.29.17, id-ce-subjectAltName.
const OID_SUBJECT_ALT_NAME: &[u8] = &[0x55, 0x1d, 0x11];
const TAG_SEQUENCE: u8 = 0x30;
const TAG_OID: u8 = 0x06;
const TAG_BOOLEAN: u8 = 0x01;
const TAG_OCTET_STRING: u8 = 0x04;
/// GeneralName `[2] IMPLICIT IA5String`.
const TAG_DNS_NAME: u8 = 0x82;
/// GeneralName `[7] IMPLICIT OCTET STRING`.
const TAG_IP_ADDRESS: u8 = 0x87;

/// Checks `host` against the subjectAltName of a certificate whose `Extensions` SEQUENCE
/// (tag and length included, as [`certpin::Certificate::extensions`] returns it) is `extensions`.
pub(crate) fn check_host(extensions: Option<&[u8]>, host: &str) -> Result<(), NameError> {
    let san = subject_alt_name(extensions.ok_or(NameError::NoSubjectAltName)?)?;
    let host = host.strip_suffix('.').unwrap_or(host);
    let ip: Option<IpAddr> = host.parse().ok();
    let (names, rest) = element(san, TAG_SEQUENCE)?;
    if !rest.is_empty() {
        return Err(NameError::Malformed);
    }
    let mut names = names;
    while !names.is_empty() {
        let (tag, value, rest) = any(names)?;
        names = rest;
        let matched = match (tag, ip) {
            (TAG_DNS_NAME, None) => dns_name_matches(value, host),
            (TAG_IP_ADDRESS, Some(IpAddr::V4(v4))) => value == v4.octets(),
            (TAG_IP_ADDRESS, Some(IpAddr::V6(v6))) => value == v6.octets(),
            _ => false,
        };
        if matched {
            return Ok(());
        }
    }
    Err(NameError::Mismatch)
}

/// The extnValue contents of the subjectAltName extension.
fn subject_alt_name(extensions: &[u8]) -> Result<&[u8], NameError> {
    let (mut list, rest) = element(extensions, TAG_SEQUENCE)?;
    if !rest.is_empty() {
        return Err(NameError::Malformed);
    }
    while !list.is_empty() {
        let (extension, rest) = element(list, TAG_SEQUENCE)?;
        list = rest;
        let (oid, after_oid) = element(extension, TAG_OID)?;
        let after_critical = match after_oid.first() {
            Some(&TAG_BOOLEAN) => element(after_oid, TAG_BOOLEAN)?.1,
            _ => after_oid,
        };
        let (value, end) = element(after_critical, TAG_OCTET_STRING)?;
        if !end.is_empty() {
            return Err(NameError::Malformed);
        }
        if oid == OID_SUBJECT_ALT_NAME {
            return Ok(value);
        }
    }
    Err(NameError::NoSubjectAltName)
}

/// RFC 6125 §6.4: case-insensitive; a `*` only as the whole left-most label, standing for
/// exactly one non-empty label, and never directly above a public-suffix-like single label.
fn dns_name_matches(pattern: &[u8], host: &str) -> bool {
    let host = host.as_bytes();
    let pattern = pattern.strip_suffix(b".").unwrap_or(pattern);
    if let Some(suffix) = pattern.strip_prefix(b"*.") {
        // `*.com` would match every .com host: require at least two labels after the wildcard.
        if !suffix.contains(&b'.') || suffix.contains(&b'*') {
            return false;
        }
        return match host.iter().position(|&b| b == b'.') {
            Some(dot) if dot > 0 => host
                .get(dot + 1..)
                .is_some_and(|rest| rest.eq_ignore_ascii_case(suffix)),
            _ => false,
        };
    }
    !pattern.contains(&b'*') && pattern.eq_ignore_ascii_case(host)
}

fn element(input: &[u8], tag: u8) -> Result<(&[u8], &[u8]), NameError> {
    match any(input)? {
        (found, value, rest) if found == tag => Ok((value, rest)),
        _ => Err(NameError::Malformed),
    }
}

/// One DER element: (tag, value, rest). Minimal definite lengths only, up to 64 KiB, which is
/// more than any certificate embedded-tls can receive.
fn any(input: &[u8]) -> Result<(u8, &[u8], &[u8]), NameError> {
    let (&tag, rest) = input.split_first().ok_or(NameError::Malformed)?;
    if tag & 0x1f == 0x1f {
        return Err(NameError::Malformed);
    }
    let (&first, rest) = rest.split_first().ok_or(NameError::Malformed)?;
    let (len, rest) = match first {
        0..=0x7f => (usize::from(first), rest),
        0x81 => match rest {
            [l, tail @ ..] if *l >= 0x80 => (usize::from(*l), tail),
            _ => return Err(NameError::Malformed),
        },
        0x82 => match rest {
            [hi, lo, tail @ ..] if *hi != 0 => ((usize::from(*hi) << 8) | usize::from(*lo), tail),
            _ => return Err(NameError::Malformed),
        },
        _ => return Err(NameError::Malformed),
    };
    if len > rest.len() {
        return Err(NameError::Malformed);
    }
    let (value, rest) = rest.split_at(len);
    Ok((tag, value, rest))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcards_follow_rfc_6125() {
        assert!(dns_name_matches(b"*.example.com", "api.EXAMPLE.com"));
        assert!(!dns_name_matches(b"*.example.com", "example.com"));
        assert!(!dns_name_matches(b"*.example.com", "a.b.example.com"));
        assert!(!dns_name_matches(b"*.com", "example.com"));
        assert!(!dns_name_matches(b"a*.example.com", "ab.example.com"));
        assert!(dns_name_matches(b"localhost", "LocalHost"));
        assert!(!dns_name_matches(b"localhost", "localhost2"));
    }

    #[test]
    fn malformed_lengths_are_errors() {
        assert_eq!(any(&[0x30, 0x81, 0x05]), Err(NameError::Malformed)); // non-minimal
        assert_eq!(any(&[0x30, 0x05, 0x00]), Err(NameError::Malformed)); // past the end
        assert_eq!(any(&[0x30, 0x80]), Err(NameError::Malformed)); // indefinite
        assert_eq!(check_host(None, "x"), Err(NameError::NoSubjectAltName));
    }
}
