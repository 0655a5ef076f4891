//! The shared vectors of `testdata/malformed/` (written by `testdata/make-malformed.py`), which
//! the MicroPython module's tests read too: one table of expected errors for both
//! implementations.
//!
//! - `malformed.tsv`: each certificate is a real one with one element broken; the expected error
//!   name and offset follow from how the script built it.
//! - `pins.tsv`: pin texts with the kind and digest they parse to, or the error they get.

use std::path::{Path, PathBuf};

use certpin::{Certificate, Error, Pin, PinKind, SubjectPublicKeyInfo};

mod common;
use common::{Lean, compare_lean};

fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../testdata/malformed")
}

/// Rows of a TSV file without its header; fields are not trimmed (pin texts keep their spaces).
fn rows(name: &str, columns: usize) -> Vec<Vec<String>> {
    let path = dir().join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let rows: Vec<Vec<String>> = text
        .lines()
        .skip(1)
        .map(|line| line.split('\t').map(str::to_owned).collect::<Vec<_>>())
        .collect();
    for row in &rows {
        assert_eq!(row.len(), columns, "{name}: {row:?}");
    }
    rows
}

#[test]
fn every_malformed_certificate_gets_its_error_and_offset() {
    let rows = rows("malformed.tsv", 3);
    assert!(rows.len() >= 20, "only {} rows", rows.len());
    let mut failures = Vec::new();
    for row in &rows {
        let (file, name, offset) = (&row[0], &row[1], row[2].parse::<usize>().unwrap());
        let der = std::fs::read(dir().join(file)).unwrap();
        match Certificate::from_der(&der) {
            Ok(_) => failures.push(format!("{file}: accepted, expected {name} at {offset}")),
            Err(e) if e.name() != name || e.offset() != Some(offset) => failures.push(format!(
                "{file}: got {} at {:?} ({e}), expected {name} at {offset}",
                e.name(),
                e.offset()
            )),
            Err(_) => {}
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// The lean walk gives the table's error for every defect on its path (up to the end of the
/// key), and finds the key when the defect lies after it.
#[test]
fn the_lean_walk_agrees_on_every_malformed_certificate() {
    let (mut on_path, mut after_key) = (0, 0);
    let mut failures = Vec::new();
    for row in rows("malformed.tsv", 3) {
        let (file, name, offset) = (&row[0], &row[1], row[2].parse::<usize>().unwrap());
        let der = std::fs::read(dir().join(file)).unwrap();
        match compare_lean(&der) {
            Lean::SameError => {
                let e = SubjectPublicKeyInfo::from_certificate(&der).unwrap_err();
                assert_eq!(
                    (e.name(), e.offset()),
                    (name.as_str(), Some(offset)),
                    "{file}"
                );
                on_path += 1;
            }
            Lean::DefectAfterKey => after_key += 1,
            other => failures.push(format!("{file}: {other:?}")),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    // Most of the table breaks something on the way to the key; if this drops, the lean walk
    // stopped checking something.
    assert!(on_path >= 20, "only {on_path} vectors on the lean path");
    // The rest (extensions, unique IDs) lies after the key, where the lean walk does not read.
    assert!(after_key >= 3, "only {after_key} vectors after the key");
}

fn kind_name(kind: PinKind) -> &'static str {
    match kind {
        PinKind::Spki => "spki",
        PinKind::UCertPin => "ucertpin",
        PinKind::Certificate => "cert-sha256",
        PinKind::SpkiOrUCertPin => "spki-or-ucertpin",
    }
}

fn hex(digest: &[u8]) -> String {
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

#[test]
fn every_pin_text_parses_as_the_table_says() {
    let rows = rows("pins.tsv", 3);
    assert!(rows.len() >= 30, "only {} rows", rows.len());
    let mut failures = Vec::new();
    for row in &rows {
        let (text, result, detail) = (&row[0], row[1].as_str(), row[2].as_str());
        let got = match Pin::parse(text) {
            Ok(pin) => format!("{} {}", kind_name(pin.kind()), hex(pin.digest())),
            Err(Error::InvalidHex { at }) => format!("invalid-hex {at}"),
            Err(e) => format!("{} -", e.name()),
        };
        let expected = format!("{result} {detail}");
        if got != expected {
            failures.push(format!("{text:?}: got {got}, expected {expected}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
