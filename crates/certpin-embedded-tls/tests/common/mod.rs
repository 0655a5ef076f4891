//! Servers and a client for the handshake tests: `openssl s_server` and a rustls server, both
//! on 127.0.0.1 with an ephemeral port, and an embedded-tls client pinned with certpin.
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};

use embedded_io::Write as _;
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use certpin::{Pin, PinSet};
use certpin_embedded_tls::{PinningProvider, PinningVerifier, Rejection, open_blocking};
use embedded_io_adapters::std::FromStd;
use embedded_tls::blocking::{Aes128GcmSha256, TlsConfig, TlsConnection};

pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The `spki_sha256_b64` column of `testdata/pins.tsv` for `file` (OpenSSL's value).
pub fn fixture_pin(file: &str) -> Pin {
    let tsv = std::fs::read_to_string(repo().join("testdata/pins.tsv")).unwrap();
    let row = tsv
        .lines()
        .map(|l| l.split('\t').collect::<Vec<_>>())
        .find(|c| c[0] == file)
        .unwrap_or_else(|| panic!("{file} not in pins.tsv"));
    Pin::parse(&format!("sha256//{}", row[4])).unwrap()
}

/// The SPKI pin of a PEM certificate, computed by the openssl command line.
pub fn openssl_pin(cert: &Path) -> Pin {
    let out = Command::new("sh")
        .arg("-c")
        .arg(format!(
            "openssl x509 -in '{}' -pubkey -noout | openssl pkey -pubin -outform DER | openssl dgst -sha256 -binary | openssl base64 -A",
            cert.display()
        ))
        .output()
        .unwrap();
    assert!(out.status.success());
    Pin::parse(&format!(
        "sha256//{}",
        String::from_utf8(out.stdout).unwrap().trim()
    ))
    .unwrap()
}

pub fn openssl(args: &[&str]) {
    let status = Command::new("openssl")
        .args(args)
        .stderr(Stdio::null())
        .status()
        .unwrap();
    assert!(status.success(), "openssl {args:?} failed");
}

/// `openssl s_server -tls1_3`; everything it prints (including the data it receives) is kept.
pub struct OpensslServer {
    child: Child,
    pub port: u16,
    log: Arc<Mutex<String>>,
}

impl OpensslServer {
    pub fn start(cert: &Path, key: &Path, extra: &[&str]) -> Self {
        let (cert, key) = (cert.to_str().unwrap(), key.to_str().unwrap());
        let mut args = vec!["-cert", cert, "-key", key];
        args.extend_from_slice(extra);
        Self::with_args(&args)
    }

    /// `s_server -tls1_3 -accept 127.0.0.1:0` with these arguments (e.g. `-nocert -psk ...`).
    pub fn with_args(args: &[&str]) -> Self {
        let mut child = Command::new("openssl")
            .args(["s_server", "-tls1_3", "-accept", "127.0.0.1:0"])
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("openssl s_server");
        let mut stdout = BufReader::new(child.stdout.take().unwrap());
        let mut port = None;
        let mut line = String::new();
        while port.is_none() {
            line.clear();
            assert!(stdout.read_line(&mut line).unwrap() > 0, "s_server exited");
            port = line
                .trim()
                .strip_prefix("ACCEPT 127.0.0.1:")
                .map(|p| p.parse().unwrap());
        }
        let log = Arc::new(Mutex::new(String::new()));
        let sink = log.clone();
        std::thread::spawn(move || {
            let mut buf = [0u8; 1024];
            while let Ok(n) = stdout.get_mut().read(&mut buf) {
                if n == 0 {
                    break;
                }
                sink.lock()
                    .unwrap()
                    .push_str(&String::from_utf8_lossy(&buf[..n]));
            }
        });
        OpensslServer {
            child,
            port: port.unwrap(),
            log,
        }
    }

    /// Waits (up to 10 s) until the server has printed `needle`.
    pub fn wait_for(&self, needle: &str) -> bool {
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if self.log().contains(needle) {
                return true;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        false
    }

    pub fn log(&self) -> String {
        self.log.lock().unwrap().clone()
    }
}

impl Drop for OpensslServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// What a client run saw.
#[derive(Debug)]
pub struct Outcome {
    /// The handshake's result, the error as embedded-tls's `Debug` spells it (`TlsError` has no
    /// `PartialEq`).
    pub open: Result<(), String>,
    pub rejection: Option<Rejection>,
    pub reply: Vec<u8>,
}

/// Connects with embedded-tls, pinning `pins`; if the handshake succeeds, sends `payload` and
/// reads one line back. A refused handshake leaves nothing to write with: `open_blocking`
/// consumes the connection and returns it only on success, so a refused server receiving no
/// data is guaranteed by the API's types, and the tests' "server received nothing" checks only
/// that the handshake itself sent no application data.
pub fn connect(port: u16, pins: &[Pin], server_name: Option<&str>, payload: &[u8]) -> Outcome {
    connect_with(port, pins, server_name, payload, true)
}

/// [`connect`], optionally without waiting for a reply (for servers that do not answer).
pub fn connect_with(
    port: u16,
    pins: &[Pin],
    server_name: Option<&str>,
    payload: &[u8],
    read_reply: bool,
) -> Outcome {
    let mut config = TlsConfig::new();
    if let Some(name) = server_name {
        config = config.with_server_name(name);
    }
    connect_config(port, pins, &config, payload, read_reply)
}

/// [`connect_with`] with a caller-built embedded-tls configuration.
pub fn connect_config(
    port: u16,
    pins: &[Pin],
    config: &TlsConfig<'_>,
    payload: &[u8],
    read_reply: bool,
) -> Outcome {
    let tcp = TcpStream::connect(("127.0.0.1", port)).unwrap();
    tcp.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    let mut read_buf = vec![0u8; 16640];
    let mut write_buf = vec![0u8; 16640];
    let tls: TlsConnection<_, Aes128GcmSha256> =
        TlsConnection::new(FromStd::new(tcp), &mut read_buf, &mut write_buf);
    let verifier = PinningVerifier::new(PinSet::new(pins));
    let mut provider = PinningProvider::with_verifier(rand_core::OsRng, verifier).unwrap();
    let opened = open_blocking(tls, config, &mut provider);
    let rejection = provider.pinning_verifier().last_rejection();
    let mut reply = Vec::new();
    let open = opened.map(|mut tls| {
        tls.write_all(payload).unwrap();
        tls.flush().unwrap();
        let mut buf = [0u8; 256];
        while read_reply && !reply.ends_with(b"\n") {
            let n = tls.read(&mut buf).unwrap();
            if n == 0 {
                break;
            }
            reply.extend_from_slice(&buf[..n]);
        }
    });
    Outcome {
        open: open.map_err(|e| format!("{e:?}")),
        rejection,
        reply,
    }
}

/// A one-connection TLS 1.3 rustls server presenting `cert_pem` but signing its
/// CertificateVerify with `key_pem` (rustls's `CertifiedKey::new` does not check that they
/// belong together, which lets a test play a server that has a pinned certificate but not its
/// private key). Returns the port and the application data the server received.
pub fn rustls_server(cert_pem: &Path, key_pem: &Path) -> (u16, Arc<Mutex<Vec<u8>>>) {
    use rustls::pki_types::pem::PemObject;
    use rustls::pki_types::{CertificateDer, PrivateKeyDer};
    use rustls::server::{ClientHello, ResolvesServerCert};
    use rustls::sign::CertifiedKey;

    #[derive(Debug)]
    struct Fixed(Arc<CertifiedKey>);
    impl ResolvesServerCert for Fixed {
        fn resolve(&self, _: ClientHello<'_>) -> Option<Arc<CertifiedKey>> {
            Some(self.0.clone())
        }
    }

    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let chain: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(cert_pem)
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let key = PrivateKeyDer::from_pem_file(key_pem).unwrap();
    let signing = provider.key_provider.load_private_key(key).unwrap();
    let certified = Arc::new(CertifiedKey::new(chain, signing));
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_protocol_versions(&[&rustls::version::TLS13])
        .unwrap()
        .with_no_client_auth()
        .with_cert_resolver(Arc::new(Fixed(certified)));
    let config = Arc::new(config);

    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let received = Arc::new(Mutex::new(Vec::new()));
    let sink = received.clone();
    std::thread::spawn(move || {
        let (mut tcp, _) = listener.accept().unwrap();
        let mut conn = rustls::ServerConnection::new(config).unwrap();
        let mut tls = rustls::Stream::new(&mut conn, &mut tcp);
        let mut buf = [0u8; 256];
        while let Ok(n) = tls.read(&mut buf) {
            if n == 0 {
                break;
            }
            sink.lock().unwrap().extend_from_slice(&buf[..n]);
            if buf[..n].ends_with(b"\n") {
                let _ = tls.write_all(b"rustls-echo\n");
                let _ = tls.flush();
            }
        }
    });
    (port, received)
}
