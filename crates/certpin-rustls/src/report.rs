//! What a pinning failure looks like: for people (OkHttp-style message) and for report
//! collectors (RFC 7469 §3 JSON).

use std::fmt;

use certpin::{Certificate, Pin, PinDigests, PinKind, SoftSha256};
use der::{DateTime, Decode};
use rustls::pki_types::{CertificateDer, UnixTime};

/// Which kind of verifier produced a report.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// Pins alone, no CA store ([`crate::PinnedVerifier::pin_only`]).
    PinOnly,
    /// WebPKI validation, then pins on the verified path ([`crate::PinnedVerifier::webpki`]).
    WebPki,
}

impl fmt::Display for Mode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Mode::PinOnly => "pin-only",
            Mode::WebPki => "webpki",
        })
    }
}

/// Why a server was refused (or, in report-only mode, would have been).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum FailureReason {
    /// No pin of any policy for the host matched a certificate whose place in the chain was
    /// verified (in pin-only mode: the leaf, or a certificate that verifiably signed the chain
    /// below it; in WebPKI mode: the validated path).
    NoPinMatched,
    /// No policy names this host, and unpinned hosts are denied.
    NoPolicyForHost,
    /// Every policy for this host has expired; pin-only mode has nothing else to go on.
    PolicyExpired,
}

impl fmt::Display for FailureReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            FailureReason::NoPinMatched => "no pin matched the verified chain",
            FailureReason::NoPolicyForHost => "no pins are configured for this host",
            FailureReason::PolicyExpired => "the pins for this host have expired",
        })
    }
}

/// One certificate of a chain, as a report shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChainEntry {
    /// 0 for the leaf, counting up towards the root.
    pub depth: usize,
    /// The subject in RFC 4514 form (empty if it does not decode).
    pub subject: String,
    /// The certificate's SPKI pin.
    pub spki_pin: Pin,
    /// The certificate's ucertpin pin.
    pub ucertpin: Pin,
    /// The certificate.
    pub der: CertificateDer<'static>,
}

impl ChainEntry {
    /// Describes `der` at `depth`; `None` if it is not a certificate certpin can read.
    pub fn new(depth: usize, der: &CertificateDer<'_>) -> Option<Self> {
        let cert = Certificate::from_der(der).ok()?;
        let digests = PinDigests::of_spki(&cert.spki(), &mut SoftSha256);
        Some(ChainEntry {
            depth,
            subject: subject_text(cert.subject()),
            spki_pin: digests.pin(PinKind::Spki)?,
            ucertpin: digests.pin(PinKind::UCertPin)?,
            der: der.clone().into_owned(),
        })
    }

    /// Entries for a chain given leaf first; certificates that do not parse are left out.
    pub fn chain<'a>(certs: impl IntoIterator<Item = &'a CertificateDer<'a>>) -> Vec<Self> {
        certs
            .into_iter()
            .enumerate()
            .filter_map(|(depth, der)| ChainEntry::new(depth, der))
            .collect()
    }
}

/// A subject or issuer Name in RFC 4514 form, for messages only.
pub fn subject_text(name_der: &[u8]) -> String {
    x509_cert::name::Name::from_der(name_der)
        .map(|n| n.to_string())
        .unwrap_or_default()
}

/// Everything known about a pinning failure: enough to fix a configuration from the message
/// alone, and to send an RFC 7469 report.
///
/// ```no_run
/// # fn get(err: &rustls::Error) {
/// // A failed handshake carries the failure; get it back from the rustls error.
/// if let Some(failure) = certpin_rustls::PinFailure::from_rustls_error(err) {
///     eprintln!("{failure}");
///     let json = failure.to_rfc7469_json();
/// }
/// # }
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PinFailure {
    /// The server name the client asked for.
    pub host: String,
    /// The port, when the verifier was told it ([`crate::PinnedVerifierBuilder::report_port`]).
    pub port: Option<u16>,
    /// The verifier's mode.
    pub mode: Mode,
    /// What went wrong.
    pub reason: FailureReason,
    /// The chain as the server sent it, leaf first.
    pub served_chain: Vec<ChainEntry>,
    /// The chain certpin verified (pin-only: leaf up to the highest certificate whose signature
    /// chain was verified; WebPKI: the validated path with its trust anchor when known).
    pub verified_chain: Option<Vec<ChainEntry>>,
    /// The pins of every policy that applied to the host.
    pub expected_pins: Vec<Pin>,
    /// The host patterns of those policies.
    pub policies: Vec<String>,
    /// When those pins stop being enforced: the latest expiry of those policies, `None` if
    /// one of them never expires (RFC 7469's effective expiration date).
    pub expires: Option<UnixTime>,
    /// When the check ran.
    pub time: UnixTime,
}

impl PinFailure {
    /// The failure inside a rustls handshake error, if the error came from a certpin verifier.
    pub fn from_rustls_error(err: &rustls::Error) -> Option<&PinFailure> {
        match err {
            rustls::Error::InvalidCertificate(rustls::CertificateError::Other(other)) => {
                other.0.downcast_ref::<PinFailure>()
            }
            _ => None,
        }
    }

    /// The report as RFC 7469 §3 JSON (`served-certificate-chain` in PEM, `known-pins` as
    /// `pin-sha256="…"` directives; ucertpin and certificate pins, which RFC 7469 cannot
    /// express, are listed as certpin's prefixed hex under `certpin-known-pins`).
    pub fn to_rfc7469_json(&self) -> serde_json::Value {
        let pem = |chain: &[ChainEntry]| -> Vec<String> {
            chain
                .iter()
                .map(|e| pem::encode(&pem::Pem::new("CERTIFICATE", e.der.to_vec())))
                .collect()
        };
        let known: Vec<String> = self
            .expected_pins
            .iter()
            .filter_map(|p| p.format(certpin::PinFormat::Hpkp).map(|f| f.to_string()))
            .collect();
        serde_json::json!({
            "date-time": rfc3339(self.time),
            "hostname": self.host,
            "port": self.port,
            // RFC 7469 §3: the date after which the noted pins are no longer enforced; null
            // for policies without an expiry (RFC 7469 has no spelling for "never").
            "effective-expiration-date": self.expires.map(rfc3339),
            "include-subdomains": self.policies.iter().any(|p| p.starts_with('*')),
            "noted-hostname": noted_hostname(self.policies.first().unwrap_or(&self.host)),
            "served-certificate-chain": pem(&self.served_chain),
            "validated-certificate-chain": self.verified_chain.as_deref().map(pem).unwrap_or_default(),
            "known-pins": known,
            "certpin-known-pins": self.expected_pins.iter().map(|p| p.to_string()).collect::<Vec<_>>(),
            "certpin-mode": self.mode.to_string(),
            "certpin-reason": self.reason.to_string(),
        })
    }
}

/// RFC 7469 §3's noted-hostname is a host, with `include-subdomains` saying whether names
/// below it count: a pattern's wildcard labels (`*.`, `**.`) are not part of it.
fn noted_hostname(pattern: &str) -> String {
    let host = pattern
        .strip_prefix("**.")
        .or_else(|| pattern.strip_prefix("*."))
        .unwrap_or(pattern);
    host.to_string()
}

fn rfc3339(time: UnixTime) -> String {
    DateTime::from_unix_duration(std::time::Duration::from_secs(time.as_secs()))
        .map(|t| t.to_string())
        .unwrap_or_default()
}

/// Modelled on OkHttp's `Certificate pinning failure!` message: the served chain's pins with
/// subjects, and the pins expected for the host, so the configuration can be fixed from it.
impl fmt::Display for PinFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let port = self.port.map(|p| format!(":{p}")).unwrap_or_default();
        writeln!(
            f,
            "certificate pinning failure for {}{port} ({} mode): {}",
            self.host, self.mode, self.reason
        )?;
        writeln!(f, "  Peer certificate chain:")?;
        for entry in &self.served_chain {
            let verified = self
                .verified_chain
                .as_ref()
                .is_some_and(|v| v.iter().any(|e| e.der == entry.der));
            let mark = if verified { "" } else { " (not verified)" };
            writeln!(f, "    {}: {}{mark}", entry.spki_pin, entry.subject)?;
            writeln!(f, "      {}", entry.ucertpin)?;
        }
        if self.expected_pins.is_empty() {
            write!(f, "  No pins are configured for {}", self.host)
        } else {
            write!(
                f,
                "  Pinned certificates for {} ({}):",
                self.host,
                self.policies.join(", ")
            )?;
            for pin in &self.expected_pins {
                write!(f, "\n    {pin}")?;
            }
            Ok(())
        }
    }
}

impl std::error::Error for PinFailure {}
