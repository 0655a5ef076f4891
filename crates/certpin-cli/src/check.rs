//! `certpin check`: a real pinned handshake, as a device would make it, against one server or
//! a fleet listed in a file.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use certpin_rustls::{HostPolicy, PinFailure, PinnedVerifier};

use crate::net::{
    self, ConnectError, EXIT_NETWORK, EXIT_PIN_FAILURE, EXIT_TLS, EXIT_USAGE, Target,
};

/// `--mode`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum CheckMode {
    /// Pins alone, no CA store, dates ignored (what a device without a clock does).
    PinOnly,
    /// WebPKI validation (`--roots` plus `--ca-file`), then pins on the validated path.
    Webpki,
}

/// `--roots`: the CA set WebPKI mode validates against.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Roots {
    /// Mozilla's CA set, built into certpin (webpki-roots): the same everywhere.
    Webpki,
    /// The operating system's store (on Linux `/etc/ssl/certs`, or `SSL_CERT_FILE` /
    /// `SSL_CERT_DIR`): what the machine's other TLS clients trust.
    Platform,
}

/// `--format` of `check`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum CheckFormat {
    /// One line per target, then a summary.
    Human,
    /// A JSON array, one element per target.
    Json,
}

/// Options of `certpin check`.
pub struct CheckOptions {
    pub targets: Vec<(String, Vec<String>)>,
    pub mode: CheckMode,
    pub roots: Roots,
    pub ca_file: Option<PathBuf>,
    pub sni: Option<String>,
    pub connect_to: Option<String>,
    pub timeout: Duration,
    pub format: CheckFormat,
}

struct Outcome {
    target: String,
    code: u8,
    message: String,
    failure: Option<PinFailure>,
}

/// Runs `certpin check`; returns the exit code.
pub fn run(opts: &CheckOptions) -> u8 {
    let roots = match roots(opts) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("certpin: {e}");
            return EXIT_USAGE;
        }
    };
    let mut outcomes = Vec::new();
    // A fleet check can take a while (a timeout per unreachable host): show progress on a
    // terminal, keep pipes and logs clean.
    let progress = opts.targets.len() > 1 && std::io::stderr().is_terminal();
    for (i, (text, pins)) in opts.targets.iter().enumerate() {
        if progress {
            eprint!("\rchecking {}/{}: {text}\x1b[K", i + 1, opts.targets.len());
        }
        outcomes.push(check_one(opts, roots.clone(), text, pins));
        if opts.format == CheckFormat::Human && opts.targets.len() == 1 {
            let o = outcomes
                .last()
                .map(|o| (o.code, o.message.clone()))
                .unwrap_or_default();
            if o.0 == 0 {
                println!("{}", o.1)
            } else {
                eprintln!("certpin: {}", o.1)
            }
        }
    }
    if progress {
        eprint!("\r\x1b[K");
    }
    if opts.format == CheckFormat::Json {
        let items: Vec<_> = outcomes
            .iter()
            .map(|o| {
                serde_json::json!({
                    "target": o.target,
                    "ok": o.code == 0,
                    "exit_code": o.code,
                    "message": o.message,
                    "report": o.failure.as_ref().map(PinFailure::to_rfc7469_json),
                })
            })
            .collect();
        println!(
            "{}",
            serde_json::to_string_pretty(&items).unwrap_or_default()
        );
    } else if opts.targets.len() > 1 {
        print_table(&outcomes);
    }
    // Pin failures are what this command exists to find: they rank first.
    let codes: Vec<u8> = outcomes
        .iter()
        .map(|o| o.code)
        .filter(|&c| c != 0)
        .collect();
    [EXIT_PIN_FAILURE, EXIT_TLS, EXIT_NETWORK, EXIT_USAGE]
        .into_iter()
        .find(|c| codes.contains(c))
        .unwrap_or(0)
}

fn print_table(outcomes: &[Outcome]) {
    let width = outcomes
        .iter()
        .map(|o| o.target.len())
        .max()
        .unwrap_or(6)
        .max(6);
    println!("{:<width$}  {:<8}  DETAIL", "TARGET", "RESULT");
    for o in outcomes {
        let result = match o.code {
            0 => "ok",
            EXIT_PIN_FAILURE => "PINS",
            EXIT_NETWORK => "NETWORK",
            EXIT_TLS => "TLS",
            _ => "USAGE",
        };
        let detail = o.message.lines().next().unwrap_or_default();
        println!("{:<width$}  {result:<8}  {detail}", o.target);
    }
    let ok = outcomes.iter().filter(|o| o.code == 0).count();
    println!("\n{ok} of {} targets match their pins", outcomes.len());
}

fn roots(opts: &CheckOptions) -> Result<Arc<rustls::RootCertStore>, String> {
    if opts.mode == CheckMode::PinOnly && (opts.ca_file.is_some() || opts.roots != Roots::Webpki) {
        // Silently ignoring them would let a user believe the chain was validated.
        return Err("--ca-file and --roots need --mode webpki: pin-only mode uses no CA".into());
    }
    let mut roots = rustls::RootCertStore::empty();
    match opts.roots {
        Roots::Webpki => roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned()),
        Roots::Platform => {
            let found = rustls_native_certs::load_native_certs();
            // Unreadable entries are skipped, as other clients of the store do; an empty
            // store is an error rather than a check that refuses every server.
            let (added, _ignored) = roots.add_parsable_certificates(found.certs);
            if added == 0 {
                let why: Vec<String> = found.errors.iter().map(|e| e.to_string()).collect();
                return Err(format!(
                    "no certificate in the platform's CA store{}",
                    if why.is_empty() {
                        String::new()
                    } else {
                        format!(": {}", why.join("; "))
                    }
                ));
            }
        }
    }
    if let Some(path) = &opts.ca_file {
        let shown = path.display();
        let bytes = std::fs::read(path).map_err(|e| format!("{shown}: {e}"))?;
        let blocks = pem::parse_many(&bytes).map_err(|e| format!("{shown}: invalid PEM: {e}"))?;
        let mut added = 0;
        for block in blocks.iter().filter(|b| b.tag() == "CERTIFICATE") {
            roots
                .add(block.contents().to_vec().into())
                .map_err(|e| format!("{shown}: {e}"))?;
            added += 1;
        }
        if added == 0 {
            return Err(format!("{shown}: no CERTIFICATE in it"));
        }
    }
    Ok(Arc::new(roots))
}

fn check_one(
    opts: &CheckOptions,
    roots: Arc<rustls::RootCertStore>,
    text: &str,
    pins: &[String],
) -> Outcome {
    let fail = |code, message: String| Outcome {
        target: text.to_string(),
        code,
        message,
        failure: None,
    };
    let target = match Target::parse(text) {
        Ok(t) => t,
        Err(e) => return fail(EXIT_USAGE, e),
    };
    let name = match target.server_name(opts.sni.as_deref()) {
        Ok(n) => n,
        Err(e) => return fail(EXIT_USAGE, e),
    };
    let host = crate::output::server_name_text(&name);
    // Each argument may itself be a list (curl's `sha256//A;sha256//B`).
    let parsed: Result<Vec<certpin::Pin>, String> = pins
        .iter()
        .flat_map(|p| {
            certpin::parse_pin_list(p).map(move |r| r.map_err(|e| format!("pin {p:?}: {e}")))
        })
        .collect();
    let policy = match parsed
        .map_err(|e| e.to_string())
        .and_then(|pins| HostPolicy::from_pins(&host, pins).map_err(|e| e.to_string()))
    {
        Ok(p) => p,
        Err(e) => return fail(EXIT_USAGE, format!("{text}: {e}")),
    };
    let provider = net::provider();
    let builder = match opts.mode {
        CheckMode::PinOnly => PinnedVerifier::pin_only(provider.clone()),
        CheckMode::Webpki => PinnedVerifier::webpki(roots, provider.clone()),
    };
    let builder = builder.policy(policy).report_port(target.port);
    for warning in builder.warnings() {
        eprintln!("certpin: warning: {text}: {warning}");
    }
    let verifier = match builder.build() {
        Ok(v) => v,
        Err(e) => return fail(EXIT_USAGE, format!("{text}: {e}")),
    };
    let config = match rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
    {
        Ok(b) => b
            .dangerous()
            .with_custom_certificate_verifier(verifier)
            .with_no_client_auth(),
        Err(e) => return fail(EXIT_TLS, e.to_string()),
    };
    let deadline = net::Deadline::after(opts.timeout);
    let result =
        net::tcp(&target, opts.connect_to.as_deref(), deadline).and_then(|(mut tcp, _)| {
            net::handshake(Arc::new(config), name, &mut tcp, deadline).map(|c| (c, tcp))
        });
    match result {
        Ok((conn, mut tcp)) => {
            let protocol = conn
                .protocol_version()
                .map(|v| format!("{v:?}"))
                .unwrap_or_default();
            net::close(conn, &mut tcp, deadline);
            fail(0, format!("{target}: pins match ({protocol})"))
        }
        Err(ConnectError::Tls(e)) => match PinFailure::from_rustls_error(&e) {
            Some(failure) => Outcome {
                target: text.to_string(),
                code: EXIT_PIN_FAILURE,
                message: failure.to_string(),
                failure: Some(failure.clone()),
            },
            None => fail(EXIT_TLS, format!("{target}: {}", ConnectError::Tls(e))),
        },
        Err(e @ ConnectError::Network(_)) => fail(EXIT_NETWORK, format!("{target}: {e}")),
    }
}

/// Reads a targets file: one `host[:port] pin [pin …]` per line; `#` starts a comment.
pub fn read_targets(path: &Path) -> Result<Vec<(String, Vec<String>)>, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let path = path.display();
    let mut targets = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.split('#').next().unwrap_or_default().trim();
        if line.is_empty() {
            continue;
        }
        let mut words = line.split_whitespace();
        let target = words.next().unwrap_or_default().to_string();
        let pins: Vec<String> = words.map(str::to_string).collect();
        if pins.is_empty() {
            return Err(format!("{path}:{}: {target} has no pins", n + 1));
        }
        targets.push((target, pins));
    }
    if targets.is_empty() {
        return Err(format!("{path}: no targets"));
    }
    Ok(targets)
}
