//! The table-driven walk against the straight-line reference (`cert::spki_of_certificate`, the
//! checks `Certificate::from_der` makes up to the key): the same result, `Ok` SPKI or `Error`
//! (variant, field, offset and numbers), on every certificate fixture and on every truncation
//! and many single-byte mutations of each, so every check on the path and their order are hit.

use super::{drive_loop, drive_unrolled, into_error, run, spki_of_certificate};
use crate::cert::spki_of_certificate as reference;
use std::path::Path;
use std::string::ToString;
use std::vec::Vec;

fn fixtures() -> Vec<(std::string::String, Vec<u8>)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../testdata/certs");
    let mut all: Vec<_> = std::fs::read_dir(&root)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "der"))
        .map(|p| (p.display().to_string(), std::fs::read(&p).unwrap()))
        .collect();
    all.sort();
    assert!(all.len() >= 15, "only {} fixtures", all.len());
    all
}

/// Both drivers of the walk (the loop microcontrollers run, the unrolled steps of 64-bit
/// targets) against the reference.
fn same(der: &[u8], what: &str) -> bool {
    let (lean, full) = (spki_of_certificate(der), reference(der));
    assert_eq!(lean, full, "{what}");
    assert_eq!(
        run(der, drive_loop).map_err(into_error),
        full,
        "{what} (loop)"
    );
    assert_eq!(
        run(der, drive_unrolled).map_err(into_error),
        full,
        "{what} (unrolled)"
    );
    lean.is_ok()
}

#[test]
fn fixtures_give_the_same_key() {
    for (name, der) in fixtures() {
        assert!(same(&der, &name), "{name} rejected");
    }
}

#[test]
fn truncations_and_extensions_give_the_same_error() {
    for (name, der) in fixtures() {
        for len in 0..der.len() {
            same(&der[..len], &std::format!("{name} cut to {len}"));
        }
        let mut longer = der.clone();
        longer.extend([0x00, 0x30, 0x00]);
        same(&longer, &name);
    }
}

#[test]
fn byte_mutations_give_the_same_result() {
    // Values that hit the DER rules: tags (wrong, constructed, high-number), every length form,
    // minimal-encoding edges of integers and OID arcs, unused-bits counts.
    const VALUES: [u8; 16] = [
        0x00, 0x01, 0x02, 0x03, 0x05, 0x07, 0x08, 0x1f, 0x23, 0x30, 0x7f, 0x80, 0x81, 0x82, 0x85,
        0xff,
    ];
    let (mut accepted, mut rejected) = (0usize, 0usize);
    for (name, der) in fixtures() {
        let mut m = der.clone();
        for i in 0..der.len() {
            for v in VALUES.into_iter().chain([der[i] ^ 0x01, der[i] ^ 0x80]) {
                m[i] = v;
                if same(&m, &std::format!("{name}: byte {i} = {v:#04x}")) {
                    accepted += 1;
                } else {
                    rejected += 1;
                }
            }
            m[i] = der[i];
        }
    }
    // Both outcomes occur in bulk, so the comparison covers the rejections and the key found.
    assert!(
        accepted > 10_000 && rejected > 10_000,
        "{accepted} {rejected}"
    );
}
