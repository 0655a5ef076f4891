//! End-to-end tests of `certpin hash`: the real binary, real files, OpenSSL as the reference.
//! Keys generated fresh by OpenSSL in each run are in `hash_fresh_keys.rs`.

mod common;

use std::io::Write;
use std::process::{Command, Stdio};

use common::{certpin, certpin_stdin, repo, stderr, stdout, testdata};

/// The row of `testdata/pins.tsv` (computed with OpenSSL) for `file`, index 0.
fn expected(file: &str) -> Vec<String> {
    let tsv = std::fs::read_to_string(repo().join("testdata/pins.tsv")).unwrap();
    let line = tsv
        .lines()
        .find(|l| l.starts_with(&format!("{file}\t0\t")))
        .expect("row");
    line.split('\t').map(str::to_string).collect()
}

#[test]
fn every_single_value_format() {
    let row = expected("certs/rsa2048.pem");
    let (b64, hex, ucert, cert) = (&row[4], &row[5], &row[6], &row[7]);
    for (format, want) in [
        ("curl", format!("sha256//{b64}")),
        ("okhttp", format!("sha256/{b64}")),
        ("hpkp", format!("pin-sha256=\"{b64}\"")),
        ("base64", b64.clone()),
        ("hex", hex.clone()),
        ("ucertpin", ucert.clone()),
        ("cert-sha256", cert.clone()),
    ] {
        let out = certpin(&["hash", "--format", format, &testdata("certs/rsa2048.pem")]);
        assert!(out.status.success(), "{format}: {}", stderr(&out));
        assert_eq!(stdout(&out), format!("{want}\n"), "{format}");
    }
}

#[test]
fn human_and_json_reports() {
    let row = expected("certs/ec-p256.der");
    let out = certpin(&["hash", &testdata("certs/ec-p256.der")]);
    assert!(out.status.success());
    let text = stdout(&out);
    for needle in [
        "[0]: certificate",
        "subject:      CN=certpin test ec-p256",
        "key:          EC-P256",
        &row[4],
        &row[5],
        &row[6],
        &row[7],
    ] {
        assert!(text.contains(needle), "missing {needle:?} in\n{text}");
    }

    let out = certpin(&[
        "hash",
        "-f",
        "json",
        &testdata("chain/chain.pem"),
        &testdata("keys/ed25519.key.pem"),
    ]);
    assert!(out.status.success());
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let items = json.as_array().unwrap();
    assert_eq!(items.len(), 4);
    assert_eq!(items[2]["index"], 2);
    // `openssl x509 -outform DER | openssl dgst -sha256` of the leaf, from pins.tsv.
    let leaf = expected("chain/chain.pem");
    assert_eq!(items[0]["cert_sha256_hex"], leaf[7].as_str());
    assert_eq!(items[0]["spki_sha256_hex"], leaf[5].as_str());
    assert_eq!(items[3]["object"], "private-key-pkcs8");
    assert_eq!(items[3]["cert_sha256_hex"], serde_json::Value::Null);
    let key_row = expected("keys/ed25519.key.pem");
    assert_eq!(items[3]["spki_sha256_base64"], key_row[4].as_str());
    assert_eq!(items[3]["key_type"], "Ed25519");
}

#[test]
fn stdin_and_many_files_in_order() {
    let chain = std::fs::read(testdata("chain/chain.pem")).unwrap();
    let out = certpin_stdin(&["hash", "--format", "hex", "-"], &chain);
    assert!(out.status.success());
    let tsv = std::fs::read_to_string(repo().join("testdata/pins.tsv")).unwrap();
    let want: Vec<&str> = (0..3)
        .map(|i| {
            let line = tsv
                .lines()
                .find(|l| l.starts_with(&format!("chain/chain.pem\t{i}\t")))
                .unwrap();
            line.split('\t').nth(5).unwrap()
        })
        .collect();
    assert_eq!(stdout(&out).lines().collect::<Vec<_>>(), want);

    let out = certpin(&[
        "hash",
        "-f",
        "base64",
        &testdata("csr/rsa2048.csr.pem"),
        &testdata("keys/rsa2048.pkcs1.key.der"),
        &testdata("certs/rsa2048.der"),
    ]);
    assert!(out.status.success());
    let b64 = expected("certs/rsa2048.der")[4].clone();
    assert_eq!(stdout(&out), format!("{b64}\n{b64}\n{b64}\n"));
}

#[test]
fn errors_name_the_file_and_processing_goes_on() {
    let dir = tempfile::tempdir().unwrap();
    let garbage = dir.path().join("notes.txt");
    std::fs::write(&garbage, "hello\n").unwrap();
    let broken = dir.path().join("broken.der");
    let mut der = std::fs::read(testdata("certs/ec-p256.der")).unwrap();
    der.push(0);
    std::fs::write(&broken, &der).unwrap();
    let missing = dir.path().join("missing.pem");

    let out = certpin(&[
        "hash",
        "-f",
        "curl",
        missing.to_str().unwrap(),
        garbage.to_str().unwrap(),
        &testdata("encrypted/rsa2048.pkcs8-encrypted.key.pem"),
        broken.to_str().unwrap(),
        dir.path().to_str().unwrap(),
        &testdata("certs/ed25519.pem"),
    ]);
    assert_eq!(out.status.code(), Some(1));
    // The good file is still printed.
    assert_eq!(
        stdout(&out),
        format!("sha256//{}\n", expected("certs/ed25519.pem")[4])
    );
    let err = stderr(&out);
    let lines: Vec<&str> = err.lines().collect();
    assert_eq!(lines.len(), 5, "{err}");
    assert!(
        lines[0].contains("missing.pem") && lines[0].contains("no such file"),
        "{err}"
    );
    assert!(
        lines[1].contains("notes.txt") && lines[1].contains("not a certificate"),
        "{err}"
    );
    assert!(
        lines[2].contains("rsa2048.pkcs8-encrypted.key.pem")
            && lines[2].contains("encrypted private key"),
        "{err}"
    );
    assert!(
        lines[3].contains("broken.der") && lines[3].contains(&format!("at byte {}", der.len() - 1)),
        "{err}"
    );
    assert!(
        lines[4].contains(&format!("{}: is a directory", dir.path().display())),
        "{err}"
    );
}

#[test]
fn stdin_between_files() {
    let stdin = std::fs::read(testdata("certs/ed25519.pem")).unwrap();
    let files = ["certs/ec-p256.pem", "-", "certs/rsa2048.der"];
    let args = |format| {
        let mut args = vec!["hash".to_string(), "-f".into(), format];
        args.extend(files.map(|f| if f == "-" { f.into() } else { testdata(f) }));
        args
    };
    let run = |format: &str| {
        let args = args(format.to_string());
        certpin_stdin(&args.iter().map(String::as_str).collect::<Vec<_>>(), &stdin)
    };
    let want: Vec<String> = [
        "certs/ec-p256.pem",
        "certs/ed25519.pem",
        "certs/rsa2048.der",
    ]
    .map(|f| expected(f)[5].clone())
    .into();
    let out = run("hex");
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stdout(&out).lines().collect::<Vec<_>>(), want);
    let json: serde_json::Value = serde_json::from_slice(&run("json").stdout).unwrap();
    let sources: Vec<&str> = (0..3)
        .map(|i| json[i]["source"].as_str().unwrap())
        .collect();
    assert_eq!(sources[1], "<stdin>");
    assert!(sources[0].ends_with("ec-p256.pem") && sources[2].ends_with("rsa2048.der"));
}

#[test]
fn a_bad_pem_block_or_der_key_is_reported_and_the_rest_printed() {
    let dir = tempfile::tempdir().unwrap();
    let mixed = dir.path().join("mixed.pem");
    let read = |f: &str| std::fs::read_to_string(testdata(f)).unwrap();
    let bad = "-----BEGIN CERTIFICATE-----\n!!!!\n-----END CERTIFICATE-----\n";
    let text = [
        read("certs/ec-p256.pem"),
        bad.into(),
        read("keys/ed25519.key.pem"),
    ]
    .concat();
    std::fs::write(&mixed, text).unwrap();
    let key = dir.path().join("cut.key.der");
    let der = std::fs::read(testdata("keys/ec-p384.key.der")).unwrap();
    std::fs::write(&key, &der[..der.len() - 8]).unwrap();

    let out = certpin(&[
        "hash",
        "-f",
        "curl",
        mixed.to_str().unwrap(),
        key.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(1));
    let pin = |f: &str| format!("sha256//{}\n", expected(f)[4]);
    assert_eq!(
        stdout(&out),
        pin("certs/ec-p256.pem") + &pin("keys/ed25519.key.pem")
    );
    let err = stderr(&out);
    let lines: Vec<&str> = err.lines().collect();
    assert_eq!(lines.len(), 2, "{err}");
    assert!(lines[0].contains("mixed.pem [1]: invalid PEM"), "{err}");
    assert!(
        lines[1].contains("cut.key.der [0]: invalid private key: PKCS#8 (DER)"),
        "{err}"
    );
}

#[test]
fn micropython_is_one_snippet_with_every_pin() {
    let files = ["chain/leaf.pem", "keys/ec-p256.key.pem"];
    let out = certpin(&[
        "hash",
        "-f",
        "micropython",
        &testdata(files[0]),
        &testdata(files[1]),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let snippet = stdout(&out);
    assert_eq!(snippet.matches("PINS = [").count(), 1, "{snippet}");
    assert_eq!(snippet.matches("def connect").count(), 1, "{snippet}");
    for (i, file) in files.iter().enumerate() {
        let comment = format!("    # {} [0]: ", testdata(file));
        let pin = format!("    \"sha256//{}\",", expected(file)[4]);
        let at = snippet
            .find(&comment)
            .unwrap_or_else(|| panic!("{comment}\n{snippet}"));
        assert!(
            snippet[at..].lines().nth(1) == Some(pin.as_str()),
            "[{i}]\n{snippet}"
        );
    }
    // CPython's compiler agrees it is Python (MicroPython runs it in scripts/test-micropython).
    let compile = Command::new("python3")
        .args([
            "-c",
            "import sys; compile(sys.stdin.read(), 'snippet', 'exec')",
        ])
        .stdin(Stdio::piped())
        .spawn()
        .and_then(|mut child| {
            child.stdin.take().unwrap().write_all(snippet.as_bytes())?;
            child.wait()
        })
        .expect("python3 runs");
    assert!(compile.success(), "{snippet}");
}

#[test]
fn cert_sha256_of_a_key_is_an_error() {
    let out = certpin(&[
        "hash",
        "-f",
        "cert-sha256",
        &testdata("keys/ec-p384.pub.pem"),
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stdout(&out).is_empty());
    assert!(stderr(&out).contains("cert-sha256 needs a certificate"));
}

#[test]
fn usage_help_and_version() {
    assert_eq!(certpin(&["hash"]).status.code(), Some(2));
    assert_eq!(certpin(&["hash", "-f", "sha1", "x"]).status.code(), Some(2));
    let help = certpin(&["hash", "--help"]);
    assert!(help.status.success());
    assert!(stdout(&help).contains("Examples:") && stdout(&help).contains("Exit status:"));
    let version = certpin(&["--version"]);
    assert_eq!(
        stdout(&version).trim(),
        format!("certpin {}", env!("CARGO_PKG_VERSION"))
    );
}

/// File names are bytes on Unix: a name that is not UTF-8 is read, and reported with U+FFFD.
#[cfg(unix)]
#[test]
fn paths_that_are_not_utf8() {
    use std::ffi::OsStr;
    use std::os::unix::ffi::OsStrExt;

    let dir = tempfile::tempdir().unwrap();
    let named = dir.path().join(OsStr::from_bytes(b"cert-\xff.pem"));
    std::fs::copy(testdata("certs/rsa2048.pem"), &named).unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_certpin"))
        .args(["hash", "-f", "hex"])
        .arg(&named)
        .arg(dir.path().join(OsStr::from_bytes(b"missing-\xfe.pem")))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert_eq!(stdout(&out).trim(), expected("certs/rsa2048.pem")[5]);
    assert!(
        stderr(&out).contains("missing-\u{fffd}.pem: no such file"),
        "{}",
        stderr(&out)
    );
}
