//! End-to-end tests of `certpin hash`: the real binary, real files, OpenSSL as the reference.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn testdata(rel: &str) -> String {
    repo()
        .join("testdata")
        .join(rel)
        .to_string_lossy()
        .into_owned()
}

fn certpin(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_certpin"))
        .args(args)
        .output()
        .expect("run certpin")
}

fn certpin_stdin(args: &[&str], input: &[u8]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_certpin"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run certpin");
    child.stdin.take().unwrap().write_all(input).unwrap();
    child.wait_with_output().unwrap()
}

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8(o.stderr.clone()).unwrap()
}

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

/// Runs openssl, failing the test with its stderr if it fails.
fn openssl(args: &[&str], dir: &Path) -> Vec<u8> {
    let out = Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .output()
        .expect("openssl is installed");
    assert!(
        out.status.success(),
        "openssl {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

/// `openssl dgst -sha256` of a file, as lowercase hex.
fn openssl_sha256(file: &str, dir: &Path) -> String {
    let out = String::from_utf8(openssl(&["dgst", "-sha256", "-r", file], dir)).unwrap();
    out.split_whitespace().next().unwrap().to_string()
}

/// Keys made fresh by OpenSSL in this run: certpin's pins of the certificate, the private key
/// and the public key must equal OpenSSL's digests of the public key it exports, and the
/// ucertpin pin OpenSSL's digest of the BIT STRING contents cut at asn1parse's offsets.
#[test]
fn fresh_openssl_keys_agree_with_openssl() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    for (name, genpkey) in [
        (
            "rsa",
            vec!["-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048"],
        ),
        (
            "p384",
            vec!["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-384"],
        ),
        (
            "p521",
            vec!["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-521"],
        ),
        ("ed25519", vec!["-algorithm", "ED25519"]),
    ] {
        let key = format!("{name}.key");
        let mut args = vec!["genpkey", "-out", &key];
        args.extend(genpkey);
        openssl(&args, d);
        let cert = format!("{name}.crt");
        openssl(
            &[
                "req",
                "-x509",
                "-new",
                "-key",
                &key,
                "-subj",
                "/CN=fresh",
                "-days",
                "1",
                "-out",
                &cert,
            ],
            d,
        );
        let spki = format!("{name}.spki.der");
        openssl(
            &[
                "pkey", "-in", &key, "-pubout", "-outform", "DER", "-out", &spki,
            ],
            d,
        );
        openssl(
            &[
                "pkey",
                "-in",
                &key,
                "-pubout",
                "-out",
                &format!("{name}.pub"),
            ],
            d,
        );
        let want_hex = openssl_sha256(&spki, d);

        // The subjectPublicKey BIT STRING: asn1parse line "… d=1 hl=H l=L prim: BIT STRING".
        let listing =
            String::from_utf8(openssl(&["asn1parse", "-inform", "DER", "-in", &spki], d)).unwrap();
        let line = listing.lines().find(|l| l.contains("BIT STRING")).unwrap();
        let field = |key: &str| -> usize {
            let after = line.split(key).nth(1).unwrap().trim_start();
            after
                .split(|c: char| !c.is_ascii_digit())
                .next()
                .unwrap()
                .parse()
                .unwrap()
        };
        let offset: usize = line
            .trim_start()
            .split(':')
            .next()
            .unwrap()
            .parse()
            .unwrap();
        let (hl, l) = (field("hl="), field(" l="));
        let spki_bytes = std::fs::read(d.join(&spki)).unwrap();
        let contents = &spki_bytes[offset + hl..offset + hl + l];
        std::fs::write(d.join("bits"), contents).unwrap();
        let want_ucert = openssl_sha256("bits", d);
        let want_cert = {
            openssl(
                &["x509", "-in", &cert, "-outform", "DER", "-out", "cert.der"],
                d,
            );
            openssl_sha256("cert.der", d)
        };

        for file in [&cert, &key, &format!("{name}.pub"), &spki] {
            let path = d.join(file);
            let path = path.to_str().unwrap();
            let hex = certpin(&["hash", "-f", "hex", path]);
            assert!(hex.status.success(), "{file}: {}", stderr(&hex));
            assert_eq!(stdout(&hex).trim(), want_hex, "{file}");
            assert_eq!(
                stdout(&certpin(&["hash", "-f", "ucertpin", path])).trim(),
                want_ucert,
                "{file}"
            );
        }
        assert_eq!(
            stdout(&certpin(&[
                "hash",
                "-f",
                "cert-sha256",
                d.join(&cert).to_str().unwrap()
            ]))
            .trim(),
            want_cert
        );
    }
}
