//! `certpin hash`: read files, find objects, print their pins.

use std::io::{self, Read};
use std::path::{Path, PathBuf};

use certpin::SoftSha256;
use certpin::files::read_objects;

use crate::output::{OutputFormat, PinnedObject, PrintError, Printer};

/// Runs `certpin hash`; returns false if any input or object failed.
pub fn run(paths: &[PathBuf], format: OutputFormat) -> bool {
    let stdout = io::stdout();
    let mut printer = Printer::new(stdout.lock(), format);
    let mut all_ok = true;
    for path in paths {
        let (source, bytes) = match read_input(path) {
            Ok(bytes) => (display_name(path), bytes),
            Err(message) => {
                eprintln!("certpin: {}: {message}", display_name(path));
                all_ok = false;
                continue;
            }
        };
        for (index, object) in read_objects(&bytes).into_iter().enumerate() {
            let result = object
                .map_err(|e| PrintError::NoValue(e.to_string()))
                .and_then(|object| {
                    let digests = object.digests(&mut SoftSha256);
                    let pinned = PinnedObject {
                        source: &source,
                        index,
                        object: &object,
                        digests,
                    };
                    printer.print(&pinned)
                });
            match result {
                Ok(()) => {}
                Err(PrintError::NoValue(message)) => {
                    eprintln!("certpin: {source} [{index}]: {message}");
                    all_ok = false;
                }
                Err(PrintError::Output(e)) => return output_failed(&e),
            }
        }
    }
    match printer.finish() {
        Ok(()) => all_ok,
        Err(PrintError::Output(e)) => output_failed(&e),
        Err(PrintError::NoValue(_)) => false,
    }
}

/// A closed pipe (`certpin hash … | head -1`) is a normal way to stop: no message.
fn output_failed(e: &io::Error) -> bool {
    if e.kind() != io::ErrorKind::BrokenPipe {
        eprintln!("certpin: writing output: {e}");
    }
    false
}

/// The name a path is reported under: not-UTF-8 bytes are shown as U+FFFD, as everywhere in
/// Rust's `Path::display`.
fn display_name(path: &Path) -> String {
    if is_stdin(path) {
        "<stdin>".to_string()
    } else {
        path.display().to_string()
    }
}

fn is_stdin(path: &Path) -> bool {
    path.as_os_str() == "-"
}

/// Reads a file or standard input, with an error message a user can act on.
fn read_input(path: &Path) -> Result<Vec<u8>, String> {
    let mut bytes = Vec::new();
    if is_stdin(path) {
        io::stdin()
            .lock()
            .read_to_end(&mut bytes)
            .map_err(|e| format!("cannot read standard input: {e}"))?;
        return Ok(bytes);
    }
    let meta = std::fs::metadata(path).map_err(|e| describe_io_error(&e))?;
    if meta.is_dir() {
        return Err("is a directory".to_string());
    }
    std::fs::File::open(path)
        .and_then(|mut f| f.read_to_end(&mut bytes))
        .map_err(|e| describe_io_error(&e))?;
    Ok(bytes)
}

fn describe_io_error(e: &io::Error) -> String {
    match e.kind() {
        io::ErrorKind::NotFound => "no such file".to_string(),
        io::ErrorKind::PermissionDenied => "permission denied".to_string(),
        _ => format!("cannot read: {e}"),
    }
}
