//! `certpin`: the pins of certificates, public keys, CSRs and private keys.
//!
//! Thin glue over the `certpin` library: argument parsing here, everything else there.
#![forbid(unsafe_code)]

mod hash;
mod output;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::output::OutputFormat;

const AFTER_HELP: &str = "\
Examples:
  certpin hash server.pem                    pins of every certificate/key in a file
  certpin hash --format curl cert.pem        just the curl pin: sha256//BASE64
  certpin hash backup.key.pem                pin of a key that has no certificate yet
  cat chain.pem | certpin hash -             read standard input

Exit status:
  0  every input was read and every object in it pinned
  1  some input failed (not found, unreadable, malformed, encrypted key, …);
     the others were still processed and printed
  2  usage error";

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
}

/// Arguments of `certpin hash`.
#[derive(clap::Args, Debug)]
struct HashArgs {
    /// Files to read; `-` reads standard input. A file may hold many PEM blocks.
    #[arg(required = true, value_name = "PATH")]
    paths: Vec<String>,

    /// Output format. Single-value formats print one line per object, holding only the pin.
    #[arg(short, long, value_enum, default_value_t = OutputFormat::Human)]
    format: OutputFormat,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let ok = match cli.command {
        Command::Hash(args) => hash::run(&args.paths, args.format),
    };
    if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}
