//! `certpin get` and `certpin check` end to end against `openssl s_server` on loopback.
//! Expected pins come from `testdata/pins.tsv` (computed by OpenSSL).

use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};

fn testdata(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../testdata")
        .join(rel)
}

fn pin_b64(file: &str) -> String {
    let tsv = std::fs::read_to_string(testdata("pins.tsv")).unwrap();
    let line = tsv
        .lines()
        .find(|l| l.starts_with(&format!("{file}\t0\t")))
        .expect("row");
    line.split('\t').nth(4).unwrap().to_string()
}

fn curl(file: &str) -> String {
    format!("sha256//{}", pin_b64(file))
}

struct Server {
    child: Child,
    port: u16,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// s_server with the test chain (leaf + intermediate), on `host` (127.0.0.1 or [::1]).
fn serve(host: &str) -> Option<Server> {
    let bind = if host.starts_with('[') {
        "[::1]:0"
    } else {
        "127.0.0.1:0"
    };
    let port = TcpListener::bind(bind).ok()?.local_addr().ok()?.port();
    let mut child = Command::new("openssl")
        .args(["s_server", "-accept", &format!("{host}:{port}")])
        .arg("-cert")
        .arg(testdata("chain/leaf.pem"))
        .arg("-key")
        .arg(testdata("chain/leaf.key.pem"))
        .arg("-cert_chain")
        .arg(testdata("chain/intermediate.pem"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("openssl");
    let mut out = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    while !line.contains("ACCEPT") {
        line.clear();
        if out.read_line(&mut line).unwrap() == 0 {
            // It could not listen (e.g. no IPv6 here): reap it.
            let _ = child.kill();
            let _ = child.wait();
            return None;
        }
    }
    std::thread::spawn(move || std::io::copy(&mut out, &mut std::io::sink()));
    Some(Server { child, port })
}

fn certpin(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_certpin"))
        .args(args)
        .output()
        .unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn get_prints_the_served_chain() {
    let server = serve("127.0.0.1").expect("s_server");
    let target = format!("localhost:{}", server.port);
    let (leaf, inter) = (pin_b64("chain/leaf.pem"), pin_b64("chain/intermediate.pem"));

    let out = certpin(&["get", &target]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let human = text(&out.stdout);
    for needle in [
        &leaf,
        &inter,
        "CN=localhost",
        "issuer:       CN=certpin test intermediate CA",
        "NOT valid for localhost against webpki-roots",
    ] {
        assert!(human.contains(needle), "missing {needle} in\n{human}");
    }

    let out = certpin(&["get", "-f", "curl", &format!("https://{target}/some/path")]);
    assert_eq!(
        text(&out.stdout),
        format!("sha256//{leaf}\nsha256//{inter}\n")
    );

    let out = certpin(&["get", "-f", "json", &target]);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["chain"].as_array().unwrap().len(), 2);
    assert_eq!(json["chain"][1]["spki_sha256_base64"], inter.as_str());
    assert_eq!(json["webpki_roots_valid"], false);

    // Dial one address, present another name.
    let dial = format!("127.0.0.1:{}", server.port);
    let out = certpin(&[
        "get",
        "-f",
        "ucertpin",
        "device.example",
        "--connect-to",
        &dial,
        "--sni",
        "localhost",
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout).lines().count(), 2);

    let out = certpin(&["get", "-f", "micropython", &target]);
    let snippet = text(&out.stdout);
    assert!(
        snippet.contains(&format!("\"sha256//{leaf}\",")),
        "{snippet}"
    );
    assert!(
        snippet.contains(&format!(
            "certpin.Pinner(PINS).connect(\"localhost\", {})",
            server.port
        )),
        "{snippet}"
    );
}

#[test]
fn get_over_ipv6() {
    let Some(server) = serve("[::1]") else {
        eprintln!("skipping: no IPv6 loopback on this machine");
        return;
    };
    let out = certpin(&[
        "get",
        "-f",
        "curl",
        &format!("[::1]:{}", server.port),
        "--sni",
        "localhost",
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(
        text(&out.stdout).lines().next(),
        Some(curl("chain/leaf.pem").as_str())
    );
}

#[test]
fn check_exit_codes() {
    let server = serve("127.0.0.1").expect("s_server");
    let target = format!("localhost:{}", server.port);
    let backup = "sha256//ERERERERERERERERERERERERERERERERERERERERERE=";
    let code = |args: &[&str]| {
        let mut all = vec!["check", target.as_str()];
        all.extend(args);
        let out = certpin(&all);
        (out.status.code(), text(&out.stdout), text(&out.stderr))
    };

    let (c, out, _) = code(&["--pin", &curl("chain/leaf.pem"), "--pin", backup]);
    assert_eq!(c, Some(0));
    assert!(out.contains("pins match"));
    // A pinned intermediate that really signed the leaf.
    assert_eq!(
        code(&[
            "--pin",
            &format!("{backup};{}", curl("chain/intermediate.pem"))
        ])
        .0,
        Some(0)
    );
    // The root's key is pinned, but the server does not send the root: nothing verifies it.
    let (c, _, err) = code(&["--pin", &curl("chain/root.pem"), "--pin", backup]);
    assert_eq!(c, Some(1));
    assert!(
        err.contains(&pin_b64("chain/leaf.pem")) && err.contains(&pin_b64("chain/root.pem")),
        "{err}"
    );
    // WebPKI with the private root: the validated path ends at the root, so its pin counts.
    let root = testdata("chain/root.pem");
    let root = root.to_str().unwrap();
    assert_eq!(
        code(&[
            "--mode",
            "webpki",
            "--ca-file",
            root,
            "--pin",
            &curl("chain/root.pem"),
            "--pin",
            backup
        ])
        .0,
        Some(0)
    );
    assert_eq!(
        code(&[
            "--mode",
            "webpki",
            "--ca-file",
            root,
            "--pin",
            backup,
            "--pin",
            backup
        ])
        .0,
        Some(1)
    );
    assert_eq!(
        code(&["--mode", "webpki", "--pin", &curl("chain/leaf.pem")]).0,
        Some(4),
        "unknown issuer"
    );
    // The platform's store, pointed at the test root the way OpenSSL-style clients are
    // (SSL_CERT_FILE), and at a store without it.
    let root_pin = curl("chain/root.pem");
    let platform = |store: &str| {
        let mut all = vec![
            "check",
            target.as_str(),
            "--mode",
            "webpki",
            "--roots",
            "platform",
        ];
        all.extend(["--pin", &root_pin, "--pin", backup]);
        let out = Command::new(env!("CARGO_BIN_EXE_certpin"))
            .args(&all)
            .env("SSL_CERT_FILE", testdata(store))
            .env_remove("SSL_CERT_DIR")
            .output()
            .unwrap();
        (out.status.code(), text(&out.stderr))
    };
    let (c, err) = platform("chain/root.pem");
    assert_eq!(c, Some(0), "{err}");
    let (c, err) = platform("certs/ca-ec-p256.pem");
    assert_eq!(
        c,
        Some(4),
        "a store without the test root: unknown issuer; {err}"
    );
    // A CA file means nothing in pin-only mode: a usage error, not a silent no-op.
    let (c, _, err) = code(&["--ca-file", root, "--pin", &curl("chain/leaf.pem")]);
    assert_eq!(c, Some(2), "{err}");
    assert!(err.contains("--mode webpki"), "{err}");
    assert_eq!(
        code(&["--sni", "other.example", "--pin", &curl("chain/leaf.pem")]).0,
        Some(4),
        "name mismatch"
    );
    assert_eq!(code(&["--pin", "sha1/AAAA"]).0, Some(2));
    let (c, _, err) = code(&["--pin", &curl("chain/leaf.pem")]);
    assert_eq!(c, Some(0));
    assert!(err.contains("single-pin"), "{err}");

    let closed = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let out = certpin(&[
        "check",
        &format!("127.0.0.1:{closed}"),
        "--pin",
        backup,
        "--timeout",
        "2",
    ]);
    assert_eq!(out.status.code(), Some(3));
}

#[test]
fn check_many_targets_from_a_file() {
    let server = serve("127.0.0.1").expect("s_server");
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("fleet.txt");
    let backup = "sha256//ERERERERERERERERERERERERERERERERERERERERERE=";
    std::fs::write(
        &file,
        format!(
            "# fleet\nlocalhost:{p} {} {backup}\nlocalhost:{p} {backup} sha256//IiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiI=\n",
            curl("chain/leaf.pem"),
            p = server.port
        ),
    )
    .unwrap();
    let out = certpin(&["check", "--targets", file.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let table = text(&out.stdout);
    assert!(
        table.contains("TARGET")
            && table.contains("PINS")
            && table.contains("1 of 2 targets match"),
        "{table}"
    );

    let out = certpin(&[
        "check",
        "--targets",
        file.to_str().unwrap(),
        "--format",
        "json",
    ]);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json[0]["ok"], true);
    assert_eq!(json[1]["ok"], false);
    assert_eq!(json[1]["report"]["hostname"], "localhost");
    assert_eq!(json[1]["report"]["port"], server.port);
}

#[test]
fn bad_timeouts_and_targets_are_usage_errors() {
    // A closed port: a run that got past argument parsing ends in a network error (3).
    let closed = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let target = format!("127.0.0.1:{closed}");
    let pin = "sha256//ERERERERERERERERERERERERERERERERERERERERERE=";
    let run = |args: &[&str]| {
        let out = certpin(args);
        (out.status.code(), text(&out.stderr))
    };
    for command in [vec!["get"], vec!["check", "--pin", pin]] {
        // Control: a valid timeout is accepted.
        let (c, err) = run(&[command.as_slice(), &[&target, "--timeout", "0.5"]].concat());
        assert_eq!(c, Some(3), "{command:?}: {err}");
        for bad in ["nan", "NaN", "inf", "-inf", "-1", "0", "1e9", "ten"] {
            // `=`: "-1" and "-inf" would otherwise be read as options.
            let arg = format!("--timeout={bad}");
            let (c, err) = run(&[command.as_slice(), &[&target, &arg]].concat());
            assert_eq!(c, Some(2), "{command:?} --timeout {bad}: {err}");
            assert!(
                err.contains("--timeout") && !err.contains("panicked"),
                "{command:?} --timeout {bad}: {err}"
            );
        }
        // Junk after an IPv6 literal is not a port.
        let junk = format!("[::1]junk{closed}");
        let (c, err) = run(&[command.as_slice(), &[&junk]].concat());
        assert_eq!(c, Some(2), "{command:?}: {err}");
        assert!(err.contains("[::1]junk"), "{command:?}: {err}");
    }
}
