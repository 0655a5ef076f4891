//! `certpin`: get and check public-key pins of certificates, keys and live TLS servers.
//!
//! Thin glue over the `certpin` and `certpin-rustls` libraries: argument parsing here,
//! everything else there.
#![forbid(unsafe_code)]
// Doc comments here are clap's --help text, where `[::1]:443` is an address, not a link.
#![allow(rustdoc::broken_intra_doc_links)]

mod check;
mod get;
mod hash;
mod net;
mod output;

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::{Parser, Subcommand};

use crate::check::{CheckFormat, CheckMode, Roots};
use crate::output::OutputFormat;

const AFTER_HELP: &str = "\
Examples:
  certpin hash server.pem                     pins of every certificate/key in a file
  certpin hash --format curl cert.pem         just the curl pin: sha256//BASE64
  certpin hash backup.key.pem                 pin of a key that has no certificate yet
  cat chain.pem | certpin hash -              read standard input
  certpin get example.com                     the chain a server presents, with pins
  certpin get https://[::1]:8443/ --sni api.example.com
  certpin check example.com --pin sha256//AAAA…= --pin sha256//BBBB…=
  certpin check --targets fleet.txt --format json

Exit status:
  0  success (hash: every object pinned; check: every server matched its pins)
  1  hash: some input failed (others were still processed);
     check: the pin policy refused a server (no pin matched, or a pinned
     intermediate/root did not verifiably sign the served chain)
  2  usage error (bad arguments, bad pin, bad target)
  3  network error (DNS, connect, timeout)
  4  other TLS error (name mismatch, expired, bad signature, handshake failure)";

/// Public-key pinning for TLS clients: get and check pins.
#[derive(Parser, Debug)]
#[command(name = "certpin", version, about, after_help = AFTER_HELP)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Print the pins of certificates, public keys, CSRs and private keys (PEM or DER).
    #[command(after_help = AFTER_HELP)]
    Hash(HashArgs),
    /// Connect to a server and print the chain it presents, with every certificate's pins.
    #[command(after_help = AFTER_HELP)]
    Get(GetArgs),
    /// Make a real pinned handshake with a server (or many) and report whether it is accepted.
    #[command(after_help = AFTER_HELP)]
    Check(CheckArgs),
}

#[derive(clap::Args, Debug)]
struct HashArgs {
    /// Files to read; `-` reads standard input. A file may hold many PEM blocks.
    #[arg(required = true, value_name = "PATH")]
    paths: Vec<PathBuf>,

    /// Output format. Single-value formats print one line per object, holding only the pin;
    /// `micropython` prints one snippet whose PINS holds the key pin of every object found.
    #[arg(short, long, value_enum, default_value_t = OutputFormat::Human)]
    format: OutputFormat,
}

/// Where and how to connect (shared by `get` and `check`).
#[derive(clap::Args, Debug)]
struct ConnectArgs {
    /// Server name to send in SNI and to check the certificate against (default: the host).
    #[arg(long, value_name = "NAME")]
    sni: Option<String>,

    /// Dial this address instead of resolving the host (e.g. 127.0.0.1:8443, [::1]:443).
    #[arg(long, value_name = "ADDR:PORT")]
    connect_to: Option<String>,

    /// Seconds one target may take in all: name lookup, connecting, the TLS handshake (more
    /// than 0, at most 3600).
    #[arg(long, default_value_t = 10.0, value_name = "SECONDS", value_parser = parse_timeout)]
    timeout: f64,
}

/// A timeout in seconds. Checked here, as a usage error: `Duration::from_secs_f64` panics on
/// NaN, infinity and negative values, and the socket calls refuse a zero timeout.
fn parse_timeout(text: &str) -> Result<f64, String> {
    let secs: f64 = text
        .parse()
        .map_err(|_| format!("{text:?} is not a number of seconds"))?;
    if secs.is_finite() && secs > 0.0 && secs <= 3600.0 {
        Ok(secs)
    } else {
        Err(format!(
            "{text:?}: the timeout must be more than 0 and at most 3600 seconds"
        ))
    }
}

impl ConnectArgs {
    fn timeout(&self) -> Duration {
        // At least 1 ms: a tiny value would round to a zero Duration, which sockets refuse.
        Duration::from_secs_f64(self.timeout.max(0.001))
    }
}

#[derive(clap::Args, Debug)]
struct GetArgs {
    /// `https://host[:port]/…`, `host[:port]` or an IPv6 literal (`[::1]:8443`); port 443 by default.
    #[arg(value_name = "URL | HOST[:PORT]")]
    target: String,

    #[command(flatten)]
    connect: ConnectArgs,

    /// Output format; single-value formats print one line per certificate, leaf first.
    #[arg(short, long, value_enum, default_value_t = OutputFormat::Human)]
    format: OutputFormat,
}

#[derive(clap::Args, Debug)]
struct CheckArgs {
    /// The server, as for `get`. Omit it with `--targets`.
    #[arg(value_name = "URL | HOST[:PORT]", required_unless_present = "targets")]
    target: Option<String>,

    /// A pin in any format (repeatable; a `;`-separated curl list also works).
    #[arg(long = "pin", value_name = "PIN")]
    pins: Vec<String>,

    /// A file of pins, one per line (or lists); `#` starts a comment.
    #[arg(long, value_name = "FILE")]
    pins_file: Option<PathBuf>,

    /// Check many servers: a file of `host[:port] pin [pin …]` lines.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["target", "pins", "pins_file"])]
    targets: Option<PathBuf>,

    /// pin-only: pins alone (no CA, no clock); webpki: full validation, then pins.
    #[arg(long, value_enum, default_value_t = CheckMode::PinOnly)]
    mode: CheckMode,

    /// The CAs `--mode webpki` trusts: Mozilla's set built into certpin, or the system's.
    #[arg(long, value_enum, default_value_t = Roots::Webpki)]
    roots: Roots,

    /// Extra trusted roots (PEM) for `--mode webpki`, besides `--roots`.
    #[arg(long, value_name = "PEM")]
    ca_file: Option<PathBuf>,

    #[command(flatten)]
    connect: ConnectArgs,

    /// Output format.
    #[arg(short, long, value_enum, default_value_t = CheckFormat::Human)]
    format: CheckFormat,
}

fn check_targets(args: &CheckArgs) -> Result<Vec<(String, Vec<String>)>, String> {
    if let Some(path) = &args.targets {
        return check::read_targets(path);
    }
    let mut pins = args.pins.clone();
    if let Some(path) = &args.pins_file {
        let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
        pins.extend(
            text.lines()
                .map(|l| l.split('#').next().unwrap_or_default().trim().to_string())
                .filter(|l| !l.is_empty()),
        );
    }
    if pins.is_empty() {
        return Err("no pins: give --pin or --pins-file".into());
    }
    Ok(vec![(args.target.clone().unwrap_or_default(), pins)])
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let code = match cli.command {
        Command::Hash(args) => {
            if hash::run(&args.paths, args.format) {
                0
            } else {
                1
            }
        }
        Command::Get(args) => get::run(&get::GetOptions {
            target: &args.target,
            sni: args.connect.sni.as_deref(),
            connect_to: args.connect.connect_to.as_deref(),
            timeout: args.connect.timeout(),
            format: args.format,
        }),
        Command::Check(args) => match check_targets(&args) {
            Ok(targets) => check::run(&check::CheckOptions {
                targets,
                mode: args.mode,
                roots: args.roots,
                ca_file: args.ca_file.clone(),
                sni: args.connect.sni.clone(),
                connect_to: args.connect.connect_to.clone(),
                timeout: args.connect.timeout(),
                format: args.format,
            }),
            Err(e) => {
                eprintln!("certpin: {e}");
                net::EXIT_USAGE
            }
        },
    };
    ExitCode::from(code)
}
