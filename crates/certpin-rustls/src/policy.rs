//! Host policies: which pins apply to which server names (OkHttp `CertificatePinner` rules).

use std::fmt;
use std::net::IpAddr;

use certpin::Pin;
use rustls::pki_types::{ServerName, UnixTime};

/// Which host names a [`HostPolicy`] applies to.
///
/// | pattern | matches |
/// |---|---|
/// | `example.com` | exactly `example.com` |
/// | `*.example.com` | one label below: `www.example.com`, not `example.com` nor `a.b.example.com` |
/// | `**.example.com` | any depth, the apex included: `example.com`, `a.b.example.com` |
/// | `192.0.2.1`, `::1` | that IP address, however it is written (`0:0:0:0:0:0:0:1` is `::1`) |
///
/// DNS names match ignoring ASCII case and a trailing dot. IP patterns are compared as
/// addresses, not text; an IPv4-mapped IPv6 address (`::ffff:192.0.2.1`) is a different
/// address from `192.0.2.1`, as it is to rustls.
///
/// ```
/// use certpin_rustls::HostPattern;
/// let p: HostPattern = "*.example.com".parse()?;
/// assert!(p.matches("www.EXAMPLE.com."));
/// assert!(!p.matches("a.b.example.com"));
/// # Ok::<(), certpin_rustls::ConfigError>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct HostPattern {
    kind: PatternKind,
    /// Lowercase, without a trailing dot; for wildcards, the part after `*.` / `**.`; for an
    /// IP address, its canonical text.
    name: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum PatternKind {
    Exact,
    OneLabel,
    AnyDepth,
    /// Compared as an address: one address has many spellings (`::1`, `0::1`, `0:0:…:1`).
    Ip(IpAddr),
}

impl std::str::FromStr for HostPattern {
    type Err = crate::ConfigError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let (kind, rest) = if let Some(rest) = text.strip_prefix("**.") {
            (PatternKind::AnyDepth, rest)
        } else if let Some(rest) = text.strip_prefix("*.") {
            (PatternKind::OneLabel, rest)
        } else {
            (PatternKind::Exact, text)
        };
        let name = normalize(rest);
        if let (PatternKind::Exact, Ok(ip)) = (kind, name.parse::<IpAddr>()) {
            return Ok(HostPattern {
                kind: PatternKind::Ip(ip),
                name: ip.to_string(),
            });
        }
        let valid_label = |l: &str| {
            !l.is_empty()
                && l.len() <= 63
                && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        };
        if name.is_empty() || !name.split('.').all(valid_label) {
            return Err(crate::ConfigError::InvalidHostPattern(text.to_string()));
        }
        Ok(HostPattern { kind, name })
    }
}

impl HostPattern {
    /// Whether `host` (a DNS name or an IP address in text form) falls under this pattern.
    pub fn matches(&self, host: &str) -> bool {
        let host = normalize(host);
        match self.kind {
            PatternKind::Ip(ip) => host.parse::<IpAddr>().is_ok_and(|h| h == ip),
            PatternKind::Exact => host == self.name,
            PatternKind::AnyDepth => {
                host == self.name
                    || host
                        .strip_suffix(&self.name)
                        .is_some_and(|head| head.ends_with('.'))
            }
            PatternKind::OneLabel => host
                .strip_suffix(&self.name)
                .and_then(|head| head.strip_suffix('.'))
                .is_some_and(|label| !label.is_empty() && !label.contains('.')),
        }
    }
}

impl fmt::Display for HostPattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let prefix = match self.kind {
            PatternKind::Exact | PatternKind::Ip(_) => "",
            PatternKind::OneLabel => "*.",
            PatternKind::AnyDepth => "**.",
        };
        write!(f, "{prefix}{}", self.name)
    }
}

fn normalize(host: &str) -> String {
    let host = host.strip_suffix('.').unwrap_or(host);
    let host = host
        .strip_prefix('[')
        .and_then(|h| h.strip_suffix(']'))
        .unwrap_or(host);
    host.to_ascii_lowercase()
}

/// The text form of a rustls server name, as policies match it.
pub(crate) fn server_name_text(name: &ServerName<'_>) -> String {
    match name {
        ServerName::DnsName(dns) => dns.as_ref().to_string(),
        ServerName::IpAddress(ip) => std::net::IpAddr::from(*ip).to_string(),
        other => format!("{other:?}"),
    }
}

/// Pins for the hosts matching a pattern, with an optional expiry.
///
/// ```
/// use certpin_rustls::HostPolicy;
/// let policy = HostPolicy::new("**.example.com", [
///     "sha256//ERERERERERERERERERERERERERERERERERERERERERE=",
///     "sha256//IiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiI=", // backup key
/// ])?;
/// assert_eq!(policy.pins().len(), 2);
/// # Ok::<(), certpin_rustls::ConfigError>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HostPolicy {
    pattern: HostPattern,
    pins: Vec<Pin>,
    expires: Option<UnixTime>,
}

impl HostPolicy {
    /// A policy for `pattern` with pins in any format [`certpin::Pin::parse`] reads.
    pub fn new<S: AsRef<str>>(
        pattern: &str,
        pins: impl IntoIterator<Item = S>,
    ) -> Result<Self, crate::ConfigError> {
        let pins = pins
            .into_iter()
            .map(|p| {
                Pin::parse(p.as_ref())
                    .map_err(|e| crate::ConfigError::InvalidPin(p.as_ref().to_string(), e))
            })
            .collect::<Result<Vec<_>, _>>()?;
        Self::from_pins(pattern, pins)
    }

    /// A policy for `pattern` with already parsed pins.
    pub fn from_pins(pattern: &str, pins: Vec<Pin>) -> Result<Self, crate::ConfigError> {
        if pins.is_empty() {
            return Err(crate::ConfigError::NoPins(pattern.to_string()));
        }
        Ok(HostPolicy {
            pattern: pattern.parse()?,
            pins,
            expires: None,
        })
    }

    /// Stops enforcing the pins after `time` (chain validation stays in WebPKI mode).
    ///
    /// An expiry protects against bricking clients that are never updated (RFC 7469 §4.1
    /// `max-age`), but it trusts the client's clock: an attacker who controls the clock
    /// (NTP, a device without a battery-backed RTC) can move it past the expiry and switch
    /// pinning off. Do not use it on such clients. In pin-only mode an expired policy
    /// accepts nothing (there is no CA validation to fall back on).
    pub fn expires_at(mut self, time: UnixTime) -> Self {
        self.expires = Some(time);
        self
    }

    /// The host pattern.
    pub fn pattern(&self) -> &HostPattern {
        &self.pattern
    }

    /// The pins, in order.
    pub fn pins(&self) -> &[Pin] {
        &self.pins
    }

    /// When the policy stops being enforced, if ever.
    pub fn expires(&self) -> Option<UnixTime> {
        self.expires
    }

    pub(crate) fn is_expired(&self, now: UnixTime) -> bool {
        self.expires.is_some_and(|t| now.as_secs() >= t.as_secs())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn okhttp_pattern_rules() {
        let p = |s: &str| s.parse::<HostPattern>().unwrap();
        let exact = p("example.com");
        assert!(exact.matches("example.com") && exact.matches("EXAMPLE.COM."));
        assert!(!exact.matches("www.example.com") && !exact.matches("example.com.evil"));
        let one = p("*.example.com");
        assert!(one.matches("www.example.com"));
        assert!(
            !one.matches("example.com")
                && !one.matches("a.b.example.com")
                && !one.matches("wwwexample.com")
        );
        let any = p("**.example.com");
        assert!(any.matches("example.com") && any.matches("a.b.example.com"));
        assert!(!any.matches("badexample.com") && !any.matches("example.com.evil"));
        let ip = p("::1");
        assert!(ip.matches("::1") && ip.matches("[::1]"));
        for bad in [
            "",
            "*.",
            "a..b",
            "exa mple.com",
            "*.*.example.com",
            "ex*ample.com",
        ] {
            assert!(bad.parse::<HostPattern>().is_err(), "{bad}");
        }
    }

    #[test]
    fn ip_patterns_match_addresses_not_spellings() {
        let p = |s: &str| s.parse::<HostPattern>().unwrap();
        for pattern in ["2001:0db8::1", "2001:DB8:0:0:0:0:0:1", "[2001:db8::1]"] {
            let ip = p(pattern);
            assert_eq!(ip.to_string(), "2001:db8::1", "{pattern}");
            for host in ["2001:db8::1", "2001:0db8:0000::0001", "[2001:DB8::1]"] {
                assert!(ip.matches(host), "{pattern} {host}");
            }
            assert!(!ip.matches("2001:db8::2") && !ip.matches("2001:db8::1.example"));
        }
        let loopback = p("0:0:0:0:0:0:0:1");
        assert!(loopback.matches("::1") && !loopback.matches("127.0.0.1"));
        let v4 = p("192.0.2.1");
        assert!(v4.matches("192.0.2.1") && !v4.matches("192.0.2.10"));
        // Another address to rustls, so another host here.
        assert!(!v4.matches("::ffff:192.0.2.1") && !p("::ffff:192.0.2.1").matches("192.0.2.1"));
        // Server names reach policies as rustls's canonical text.
        let name = ServerName::try_from("0:0:0:0:0:0:0:1").unwrap();
        assert!(p("::1").matches(&server_name_text(&name)));
        // Wildcards are for DNS names only.
        for bad in ["*.::1", "**.::1", "::1::2"] {
            assert!(bad.parse::<HostPattern>().is_err(), "{bad}");
        }
    }

    #[test]
    fn policies_need_pins_and_valid_pins() {
        assert!(matches!(
            HostPolicy::new("example.com", Vec::<String>::new()),
            Err(crate::ConfigError::NoPins(_))
        ));
        assert!(matches!(
            HostPolicy::new("example.com", ["sha1/AAAA"]),
            Err(crate::ConfigError::InvalidPin(
                _,
                certpin::Error::UnsupportedHash(_)
            ))
        ));
    }
}
