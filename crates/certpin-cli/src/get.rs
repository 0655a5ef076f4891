//! `certpin get`: the chain a live server presents, with every certificate's pins.
//!
//! ucertpin's `get_pubkey_hash_from_url`, done so that the printed key is known to be the
//! server's: the handshake runs to completion, which verifies the server's signature with the
//! leaf's key. No application data is sent.

use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use certpin::SoftSha256;
use certpin::files::KeyObject;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::{CryptoProvider, verify_tls12_signature, verify_tls13_signature};
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{DigitallySignedStruct, SignatureScheme};

use crate::net::{self, ConnectError, EXIT_NETWORK, EXIT_TLS, EXIT_USAGE, Target};
use crate::output::{self, OutputFormat, PinnedObject, PrintError, Printer};

/// Records the served chain and accepts it, so it can be printed whatever it is. Safe only
/// because `get` never sends application data: it just completes the handshake, whose
/// signature checks (below, with the real provider) prove the server holds the leaf's key.
#[derive(Debug)]
struct ChainRecorder {
    provider: Arc<CryptoProvider>,
    chain: Mutex<Vec<CertificateDer<'static>>>,
}

impl ServerCertVerifier for ChainRecorder {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        let mut chain = self
            .chain
            .lock()
            .map_err(|_| rustls::Error::General("lock".into()))?;
        chain.clear();
        chain.push(end_entity.clone().into_owned());
        chain.extend(intermediates.iter().map(|c| c.clone().into_owned()));
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        m: &[u8],
        c: &CertificateDer<'_>,
        d: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls12_signature(m, c, d, &self.provider.signature_verification_algorithms)
    }

    fn verify_tls13_signature(
        &self,
        m: &[u8],
        c: &CertificateDer<'_>,
        d: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls13_signature(m, c, d, &self.provider.signature_verification_algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.provider
            .signature_verification_algorithms
            .supported_schemes()
    }
}

/// Options of `certpin get`.
pub struct GetOptions<'a> {
    pub target: &'a str,
    pub sni: Option<&'a str>,
    pub connect_to: Option<&'a str>,
    pub timeout: Duration,
    pub format: OutputFormat,
}

/// Runs `certpin get`; returns the exit code.
pub fn run(opts: &GetOptions<'_>) -> u8 {
    let target = match Target::parse(opts.target) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("certpin: {e}");
            return EXIT_USAGE;
        }
    };
    let name = match target.server_name(opts.sni) {
        Ok(n) => n,
        Err(e) => {
            eprintln!("certpin: {e}");
            return EXIT_USAGE;
        }
    };
    let provider = net::provider();
    let recorder = Arc::new(ChainRecorder {
        provider: provider.clone(),
        chain: Mutex::default(),
    });
    let config = match rustls::ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
    {
        Ok(b) => b
            .dangerous()
            .with_custom_certificate_verifier(recorder.clone())
            .with_no_client_auth(),
        Err(e) => {
            eprintln!("certpin: {e}");
            return EXIT_TLS;
        }
    };
    let deadline = net::Deadline::after(opts.timeout);
    let result = net::tcp(&target, opts.connect_to, deadline).and_then(|(mut tcp, addr)| {
        net::handshake(Arc::new(config), name.clone(), &mut tcp, deadline).map(|c| (c, tcp, addr))
    });
    let (conn, mut tcp, addr) = match result {
        Ok(ok) => ok,
        Err(e) => {
            eprintln!("certpin: {target}: {e}");
            return if matches!(e, ConnectError::Network(_)) {
                EXIT_NETWORK
            } else {
                EXIT_TLS
            };
        }
    };
    let protocol = conn
        .protocol_version()
        .map(|v| format!("{v:?}"))
        .unwrap_or_default();
    net::close(conn, &mut tcp, deadline);
    let chain = recorder.chain.lock().map(|c| c.clone()).unwrap_or_default();
    let webpki = webpki_verdict(&provider, &chain, &name);
    let source = target.to_string();
    match print(
        opts.format,
        target.port,
        &source,
        &addr.to_string(),
        &protocol,
        &chain,
        &webpki,
        &name,
    ) {
        Ok(()) => 0,
        Err(message) => {
            eprintln!("certpin: {message}");
            EXIT_TLS
        }
    }
}

/// Whether the chain validates for the name against the webpki-roots CA set (checked
/// separately from the handshake, which accepted anything so the chain could be printed).
fn webpki_verdict(
    provider: &Arc<CryptoProvider>,
    chain: &[CertificateDer<'static>],
    name: &ServerName<'static>,
) -> Result<(), String> {
    let (leaf, rest) = chain
        .split_first()
        .ok_or("the server sent no certificate")?;
    let mut roots = rustls::RootCertStore::empty();
    roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
    let verifier =
        rustls::client::WebPkiServerVerifier::builder_with_provider(roots.into(), provider.clone())
            .build()
            .map_err(|e| e.to_string())?;
    verifier
        .verify_server_cert(leaf, rest, name, &[], UnixTime::now())
        .map(|_| ())
        .map_err(|e| e.to_string())
}

#[allow(clippy::too_many_arguments)]
fn print(
    format: OutputFormat,
    port: u16,
    source: &str,
    addr: &str,
    protocol: &str,
    chain: &[CertificateDer<'static>],
    webpki: &Result<(), String>,
    name: &ServerName<'static>,
) -> Result<(), String> {
    let objects: Vec<KeyObject> = chain
        .iter()
        .map(|c| KeyObject::from_certificate_der(c.to_vec()))
        .collect::<Result<_, _>>()
        .map_err(|e| format!("{source}: the server sent a certificate certpin cannot read: {e}"))?;
    let name = crate::output::server_name_text(name);
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let io = |e: std::io::Error| e.to_string();
    match format {
        OutputFormat::Json => {
            let items: Vec<_> = objects
                .iter()
                .enumerate()
                .map(|(depth, o)| {
                    output::to_json(&PinnedObject {
                        source,
                        index: depth,
                        object: o,
                        digests: o.digests(&mut SoftSha256),
                    })
                })
                .collect();
            let doc = serde_json::json!({
                "target": source,
                "address": addr,
                "server_name": name,
                "protocol": protocol,
                "webpki_roots_valid": webpki.is_ok(),
                "webpki_roots_error": webpki.as_ref().err(),
                "chain": items,
            });
            writeln!(
                out,
                "{}",
                serde_json::to_string_pretty(&doc).map_err(|e| e.to_string())?
            )
            .map_err(io)
        }
        OutputFormat::Micropython => {
            let leaf = objects.first().ok_or("the server sent no certificate")?;
            out.write_all(
                output::micropython_snippet(&name, port, &leaf.digests(&mut SoftSha256)).as_bytes(),
            )
            .map_err(io)
        }
        _ => {
            if format == OutputFormat::Human {
                writeln!(out, "{source} ({addr}, {protocol}, server name {name})\n").map_err(io)?;
            }
            let mut printer = Printer::new(&mut out, format);
            for (depth, object) in objects.iter().enumerate() {
                let pinned = PinnedObject {
                    source,
                    index: depth,
                    object,
                    digests: object.digests(&mut SoftSha256),
                };
                match printer.print(&pinned) {
                    Ok(()) => {}
                    Err(PrintError::NoValue(m)) => return Err(m),
                    Err(PrintError::Output(e)) => return Err(e.to_string()),
                }
            }
            printer
                .finish()
                .map_err(|_| "writing output failed".to_string())?;
            if format == OutputFormat::Human {
                let verdict = match webpki {
                    Ok(()) => format!("valid for {name} against webpki-roots"),
                    Err(e) => format!("NOT valid for {name} against webpki-roots: {e}"),
                };
                writeln!(out, "\nchain: {verdict}").map_err(io)?;
            }
            Ok(())
        }
    }
}
