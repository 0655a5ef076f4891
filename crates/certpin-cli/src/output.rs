//! Output formats of `certpin`: the human report, JSON, and one-pin-per-line formats.

use std::fmt::Write as _;
use std::io::Write;

use certpin::files::KeyObject;
use certpin::{PinDigests, PinFormat, PinKind};
use der::Decode;
use serde_json::json;

/// Why an object was not printed.
pub enum PrintError {
    /// This format has no value for the object (e.g. cert-sha256 of a key).
    NoValue(String),
    /// Standard output failed (a closed pipe, a full disk): stop everything.
    Output(std::io::Error),
}

fn write_all(out: &mut impl Write, text: &str) -> Result<(), PrintError> {
    out.write_all(text.as_bytes()).map_err(PrintError::Output)
}

/// `--format`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum OutputFormat {
    /// A block per object: what it is, subject, key type, every pin.
    Human,
    /// A JSON array, one element per object.
    Json,
    /// curl `--pinnedpubkey`: sha256//BASE64.
    Curl,
    /// OkHttp CertificatePinner: sha256/BASE64.
    Okhttp,
    /// RFC 7469 directive: pin-sha256="BASE64".
    Hpkp,
    /// Bare base64 of the SPKI digest (Android network security config).
    Base64,
    /// Hex of the SPKI digest (`openssl pkey -pubout -outform der | openssl dgst -sha256`).
    Hex,
    /// The MicroPython ucertpin hex hash.
    Ucertpin,
    /// Hex SHA-256 of the whole certificate (fingerprint; certificates only).
    #[value(name = "cert-sha256")]
    CertSha256,
    /// A ready-to-paste MicroPython snippet for certpin.py (hash: one whose PINS holds every
    /// key found; get: the leaf's key).
    Micropython,
}

/// One object and its digests, ready to print.
pub struct PinnedObject<'a> {
    pub source: &'a str,
    pub index: usize,
    pub object: &'a KeyObject,
    pub digests: PinDigests,
}

/// Writes objects in one format; JSON is collected and written by `finish`.
pub struct Printer<W: Write> {
    out: W,
    format: OutputFormat,
    json: Vec<serde_json::Value>,
    /// `--format micropython`: (comment, curl pin) of each object, for one snippet.
    snippet_pins: Vec<(String, String)>,
    printed: usize,
}

impl<W: Write> Printer<W> {
    pub fn new(out: W, format: OutputFormat) -> Self {
        Printer {
            out,
            format,
            json: Vec::new(),
            snippet_pins: Vec::new(),
            printed: 0,
        }
    }

    /// Prints one object, or says why this format has no value for it.
    pub fn print(&mut self, pinned: &PinnedObject<'_>) -> Result<(), PrintError> {
        let d = &pinned.digests;
        let spki = |format| format_pin(d, PinKind::Spki, format);
        let line = match self.format {
            OutputFormat::Human => {
                let block = human(pinned);
                let separator = if self.printed > 0 { "\n" } else { "" };
                self.printed += 1;
                return write_all(&mut self.out, &format!("{separator}{block}"));
            }
            OutputFormat::Json => {
                self.json.push(to_json(pinned));
                return Ok(());
            }
            OutputFormat::Curl => spki(PinFormat::Curl),
            OutputFormat::Okhttp => spki(PinFormat::OkHttp),
            OutputFormat::Hpkp => spki(PinFormat::Hpkp),
            OutputFormat::Base64 => spki(PinFormat::Base64),
            OutputFormat::Hex => spki(PinFormat::Hex),
            OutputFormat::Ucertpin => format_pin(d, PinKind::UCertPin, PinFormat::Hex),
            OutputFormat::Micropython => {
                // One snippet for all objects (written by `finish`): several snippets would
                // each redefine PINS, and a key with its backup is the point of pinning.
                let mut about = format!(
                    "{} [{}]: {}",
                    pinned.source,
                    pinned.index,
                    pinned.object.kind()
                );
                if let Some(subject) = subject(pinned.object) {
                    let _ = write!(about, ", {subject}");
                }
                self.snippet_pins.push((about, spki(PinFormat::Curl)));
                return Ok(());
            }
            OutputFormat::CertSha256 => {
                if d.cert_sha256.is_none() {
                    return Err(PrintError::NoValue(format!(
                        "cert-sha256 needs a certificate, this is a {} (use a key pin format such as curl or hex)",
                        pinned.object.kind()
                    )));
                }
                format_pin(d, PinKind::Certificate, PinFormat::Hex)
            }
        };
        write_all(&mut self.out, &format!("{line}\n"))
    }

    /// Writes what is buffered (the JSON array) and flushes.
    pub fn finish(mut self) -> Result<(), PrintError> {
        if self.format == OutputFormat::Json {
            let text = serde_json::to_string_pretty(&self.json)
                .map_err(|e| PrintError::Output(e.into()))?;
            write_all(&mut self.out, &format!("{text}\n"))?;
        }
        if self.format == OutputFormat::Micropython && !self.snippet_pins.is_empty() {
            let header = "# Pins from `certpin hash`: one per key found. Replace HOST (and the port).\n\
                          # PINS are pins of the server's own (leaf) key: keep its current key and a\n\
                          # backup key you keep offline; delete any CA's (pinning a CA needs chain_pins\n\
                          # and cadata, see micropython/README.md).\n";
            let snippet = snippet_text(header, &self.snippet_pins, "HOST", 443);
            write_all(&mut self.out, &snippet)?;
        }
        self.out.flush().map_err(PrintError::Output)
    }
}

fn format_pin(digests: &PinDigests, kind: PinKind, format: PinFormat) -> String {
    digests
        .pin(kind)
        .and_then(|pin| pin.format(format))
        .map(|p| p.to_string())
        .unwrap_or_default()
}

/// The subject of a certificate or CSR in RFC 4514 form, if it decodes.
fn subject(object: &KeyObject) -> Option<String> {
    let raw = match (object.certificate(), object.certification_request()) {
        (Some(cert), _) => cert.subject(),
        (None, Some(csr)) => csr.subject(),
        (None, None) => return None,
    };
    let name = x509_cert::name::Name::from_der(raw).ok()?;
    Some(name.to_string())
}

/// Issuer and validity lines of a certificate, for the human report.
fn certificate_details(object: &KeyObject) -> Option<(String, String, String)> {
    let cert = object.certificate()?;
    let validity =
        x509_cert::time::Validity::<x509_cert::certificate::Rfc5280>::from_der(cert.validity())
            .ok();
    let (from, until) = validity.map_or_else(Default::default, |v| {
        (v.not_before.to_string(), v.not_after.to_string())
    });
    let issuer = x509_cert::name::Name::from_der(cert.issuer())
        .map(|n| n.to_string())
        .unwrap_or_default();
    Some((issuer, from, until))
}

/// A rustls server name as text.
pub fn server_name_text(name: &rustls::pki_types::ServerName<'_>) -> String {
    match name {
        rustls::pki_types::ServerName::DnsName(d) => d.as_ref().to_string(),
        rustls::pki_types::ServerName::IpAddress(ip) => std::net::IpAddr::from(*ip).to_string(),
        other => format!("{other:?}"),
    }
}

/// A MicroPython snippet for `micropython/certpin.py` that pins `digests`' key inside the
/// handshake (the text `micropython/tests/test_callback.py` checks).
pub fn micropython_snippet(host: &str, port: u16, digests: &PinDigests) -> String {
    let curl = format_pin(digests, PinKind::Spki, PinFormat::Curl);
    let header = format!(
        "# Pins of {host}:{port} (leaf key), from `certpin get`.\n\
         # Add a backup pin (a key you keep offline) before you rely on them.\n"
    );
    snippet_text(&header, &[(String::new(), curl)], host, port)
}

/// The snippet's code: `header` (comment lines), then PINS, each pin after its comment.
fn snippet_text(header: &str, pins: &[(String, String)], host: &str, port: u16) -> String {
    let mut s = format!("{header}import certpin\n\nPINS = [\n");
    for (about, curl) in pins {
        if !about.is_empty() {
            // A subject or a file name may hold anything; a comment must stay one line.
            let about: String = about
                .chars()
                .map(|c| if c.is_control() { '?' } else { c })
                .collect();
            let _ = writeln!(s, "    # {about}");
        }
        let _ = writeln!(s, "    \"{curl}\",");
    }
    let _ = write!(
        s,
        "]\n\n\ndef connect():\n    return certpin.Pinner(PINS).connect(\"{host}\", {port})\n"
    );
    s
}

fn human(pinned: &PinnedObject<'_>) -> String {
    let d = &pinned.digests;
    let object = pinned.object;
    let mut s = String::new();
    let _ = writeln!(s, "{} [{}]: {}", pinned.source, pinned.index, object.kind());
    if let Some(subject) = subject(object) {
        let _ = writeln!(
            s,
            "  subject:      {}",
            if subject.is_empty() {
                "(empty)"
            } else {
                &subject
            }
        );
    }
    if let Some((issuer, from, until)) = certificate_details(object) {
        let _ = writeln!(s, "  issuer:       {issuer}");
        let _ = writeln!(s, "  valid:        {from} to {until}");
    }
    let _ = writeln!(s, "  key:          {}", object.spki().key_type());
    let _ = writeln!(
        s,
        "  spki-sha256:  {}",
        format_pin(d, PinKind::Spki, PinFormat::Curl)
    );
    let _ = writeln!(
        s,
        "                {}",
        format_pin(d, PinKind::Spki, PinFormat::Hex)
    );
    let _ = writeln!(
        s,
        "  ucertpin:     {}",
        format_pin(d, PinKind::UCertPin, PinFormat::Hex)
    );
    if d.cert_sha256.is_some() {
        let _ = writeln!(
            s,
            "  cert-sha256:  {}",
            format_pin(d, PinKind::Certificate, PinFormat::Hex)
        );
    }
    s
}

pub fn to_json(pinned: &PinnedObject<'_>) -> serde_json::Value {
    let d = &pinned.digests;
    let object = pinned.object;
    json!({
        "source": pinned.source,
        "index": pinned.index,
        "object": object.kind().name(),
        "subject": subject(object),
        "key_type": object.spki().key_type().to_string(),
        "spki_sha256_base64": format_pin(d, PinKind::Spki, PinFormat::Base64),
        "spki_sha256_hex": format_pin(d, PinKind::Spki, PinFormat::Hex),
        "ucertpin_hex": format_pin(d, PinKind::UCertPin, PinFormat::Hex),
        "cert_sha256_hex": d.cert_sha256.map(|_| format_pin(d, PinKind::Certificate, PinFormat::Hex)),
    })
}
