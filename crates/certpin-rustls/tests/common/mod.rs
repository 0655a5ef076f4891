//! Test PKI, real TLS servers on loopback (in-process rustls and `openssl s_server`), and a
//! client that reports what happened. Pins are computed with the `openssl` command line, never
//! with certpin.
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use rustls::server::{ClientHello, ResolvesServerCert};
use rustls::sign::CertifiedKey;
use rustls::{ServerConfig, SupportedProtocolVersion};

pub const VERSIONS: [(&str, &SupportedProtocolVersion); 2] = [
    ("TLS1.3", &rustls::version::TLS13),
    ("TLS1.2", &rustls::version::TLS12),
];

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Alg {
    Rsa,
    P256,
    Ed25519,
}

pub const ALGS: [Alg; 3] = [Alg::Rsa, Alg::P256, Alg::Ed25519];

pub fn provider() -> Arc<rustls::crypto::CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

/// A fresh key. RSA and Ed25519 keys come from `openssl genpkey`: ring cannot generate RSA
/// keys, and OpenSSL 3.0 cannot read ring's PKCS#8 v2 Ed25519 encoding.
pub fn key(alg: Alg) -> KeyPair {
    let openssl_key = |args: &[&str]| {
        let out = Command::new("openssl")
            .arg("genpkey")
            .args(args)
            .stderr(Stdio::null())
            .output()
            .expect("openssl");
        KeyPair::from_pem(std::str::from_utf8(&out.stdout).unwrap()).unwrap()
    };
    match alg {
        Alg::Rsa => openssl_key(&["-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048"]),
        Alg::P256 => KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).unwrap(),
        Alg::Ed25519 => openssl_key(&["-algorithm", "ED25519"]),
    }
}

/// A certificate with its key.
pub struct Issued {
    pub der: CertificateDer<'static>,
    pub key: KeyPair,
    pub params: CertificateParams,
}

impl Issued {
    pub fn issuer(&self) -> Issuer<'_, &KeyPair> {
        Issuer::from_params(&self.params, &self.key)
    }

    pub fn key_der(&self) -> PrivateKeyDer<'static> {
        PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(self.key.serialize_der()))
    }

    /// The curl-style SPKI pin, computed by OpenSSL from the certificate.
    pub fn pin(&self) -> String {
        openssl_spki_pin(&self.der)
    }
}

fn params(cn: &str, names: &[&str], ca: bool) -> CertificateParams {
    let mut p =
        CertificateParams::new(names.iter().map(|s| s.to_string()).collect::<Vec<_>>()).unwrap();
    p.distinguished_name.push(DnType::CommonName, cn);
    if ca {
        p.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    }
    p
}

pub fn root(cn: &str, alg: Alg) -> Issued {
    let key = key(alg);
    let params = params(cn, &[], true);
    let der = params.self_signed(&key).unwrap().der().clone();
    Issued { der, key, params }
}

pub fn issue(cn: &str, names: &[&str], alg: Alg, ca: bool, by: &Issued) -> Issued {
    issue_with(params(cn, names, ca), alg, by)
}

pub fn issue_with(params: CertificateParams, alg: Alg, by: &Issued) -> Issued {
    let key = key(alg);
    let der = params.signed_by(&key, &by.issuer()).unwrap().der().clone();
    Issued { der, key, params }
}

/// A leaf for `localhost`, expired a year ago.
pub fn expired_leaf(alg: Alg, by: &Issued) -> Issued {
    let mut p = params("expired", &["localhost"], false);
    p.not_before = rcgen::date_time_ymd(2020, 1, 1);
    p.not_after = rcgen::date_time_ymd(2021, 1, 1);
    issue_with(p, alg, by)
}

/// `openssl x509 -pubkey | openssl pkey -pubin -outform DER | openssl dgst -sha256 -binary | base64`.
pub fn openssl_spki_pin(cert: &[u8]) -> String {
    let run = |args: &[&str], input: &[u8]| -> Vec<u8> {
        let mut child = Command::new("openssl")
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("openssl");
        child.stdin.take().unwrap().write_all(input).unwrap();
        let out = child.wait_with_output().unwrap();
        assert!(out.status.success(), "openssl {args:?}");
        out.stdout
    };
    let pubkey = run(&["x509", "-inform", "DER", "-pubkey", "-noout"], cert);
    let spki = run(&["pkey", "-pubin", "-outform", "DER"], &pubkey);
    let digest = run(&["dgst", "-sha256", "-binary"], &spki);
    let b64 = run(&["base64", "-A"], &digest);
    format!("sha256//{}", String::from_utf8(b64).unwrap().trim())
}

/// A real TLS server in this process. It records every byte of application data it
/// receives and echoes it back.
pub struct RustlsServer {
    pub addr: SocketAddr,
    pub received: Arc<Mutex<Vec<u8>>>,
    pub handshakes: Arc<Mutex<Vec<bool>>>,
    /// Connections accepted so far (`handshakes` has one entry per connection finished).
    accepted: Arc<AtomicUsize>,
}

/// Serves `chain` with a signing key that may not match it (no consistency check), to play a
/// server that has the pinned certificate but not its private key.
#[derive(Debug)]
struct FixedCert(Arc<CertifiedKey>);

impl ResolvesServerCert for FixedCert {
    fn resolve(&self, _hello: ClientHello<'_>) -> Option<Arc<CertifiedKey>> {
        Some(self.0.clone())
    }
}

impl RustlsServer {
    pub fn start(
        chain: Vec<CertificateDer<'static>>,
        key: PrivateKeyDer<'static>,
        version: &'static SupportedProtocolVersion,
    ) -> Self {
        let provider = provider();
        let signer = provider.key_provider.load_private_key(key).unwrap();
        let certified = Arc::new(CertifiedKey::new(chain, signer));
        let config = ServerConfig::builder_with_provider(provider)
            .with_protocol_versions(&[version])
            .unwrap()
            .with_no_client_auth()
            .with_cert_resolver(Arc::new(FixedCert(certified)));
        let config = Arc::new(config);
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let received = Arc::new(Mutex::new(Vec::new()));
        let handshakes = Arc::new(Mutex::new(Vec::new()));
        let accepted = Arc::new(AtomicUsize::new(0));
        let (rx, hs, count) = (received.clone(), handshakes.clone(), accepted.clone());
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut tcp) = stream else { continue };
                count.fetch_add(1, Ordering::SeqCst);
                let mut conn = rustls::ServerConnection::new(config.clone()).unwrap();
                let _ = tcp.set_read_timeout(Some(Duration::from_secs(10)));
                let mut tls = rustls::Stream::new(&mut conn, &mut tcp);
                let mut buf = [0u8; 4096];
                loop {
                    match tls.read(&mut buf) {
                        Ok(0) | Err(_) => break,
                        Ok(n) => {
                            rx.lock().unwrap().extend_from_slice(&buf[..n]);
                            let _ = tls.write_all(&buf[..n]);
                        }
                    }
                }
                let resumed = conn.handshake_kind() == Some(rustls::HandshakeKind::Resumed);
                hs.lock().unwrap().push(resumed);
            }
        });
        RustlsServer {
            addr,
            received,
            handshakes,
            accepted,
        }
    }

    /// Every byte of application data received, once every connection accepted so far has
    /// ended (so a byte still in flight when the client gave up is counted too).
    pub fn received(&self) -> Vec<u8> {
        let deadline = Instant::now() + Duration::from_secs(10);
        while self.handshakes.lock().unwrap().len() < self.accepted.load(Ordering::SeqCst) {
            assert!(Instant::now() < deadline, "a server connection did not end");
            std::thread::sleep(Duration::from_millis(5));
        }
        self.received.lock().unwrap().clone()
    }
}

/// `openssl s_server` on loopback; what it prints is the application data it received.
pub struct OpensslServer {
    pub addr: SocketAddr,
    child: Child,
    output: Arc<Mutex<Vec<u8>>>,
}

impl OpensslServer {
    pub fn start(
        dir: &Path,
        chain: &[&CertificateDer<'_>],
        key: &KeyPair,
        version_flag: &str,
    ) -> Self {
        let pem =
            |der: &CertificateDer<'_>| pem::encode(&pem::Pem::new("CERTIFICATE", der.to_vec()));
        std::fs::write(dir.join("leaf.pem"), pem(chain[0])).unwrap();
        let rest: String = chain[1..].iter().map(|c| pem(c)).collect();
        std::fs::write(
            dir.join("chain.pem"),
            if rest.is_empty() { pem(chain[0]) } else { rest },
        )
        .unwrap();
        std::fs::write(dir.join("key.pem"), key.serialize_pem()).unwrap();
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let mut child = Command::new("openssl")
            .args([
                "s_server",
                "-accept",
                &format!("127.0.0.1:{port}"),
                "-cert",
                "leaf.pem",
                "-key",
                "key.pem",
            ])
            .args(["-cert_chain", "chain.pem", version_flag, "-ign_eof"])
            .current_dir(dir)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("openssl s_server");
        let mut stderr = child.stderr.take().unwrap();
        let mut stdout = BufReader::new(child.stdout.take().unwrap());
        let mut line = String::new();
        while !line.contains("ACCEPT") {
            line.clear();
            if stdout.read_line(&mut line).unwrap() == 0 {
                let mut err = String::new();
                let _ = stderr.read_to_string(&mut err);
                panic!("s_server exited: {err}");
            }
        }
        let output = Arc::new(Mutex::new(Vec::new()));
        let out = output.clone();
        std::thread::spawn(move || {
            let mut buf = [0u8; 4096];
            while let Ok(n) = stdout.read(&mut buf) {
                if n == 0 {
                    break;
                }
                out.lock().unwrap().extend_from_slice(&buf[..n]);
            }
        });
        OpensslServer {
            addr: SocketAddr::from(([127, 0, 0, 1], port)),
            child,
            output,
        }
    }

    /// Everything s_server printed after it started listening.
    pub fn output(&self) -> String {
        std::thread::sleep(Duration::from_millis(200));
        String::from_utf8_lossy(&self.output.lock().unwrap()).into_owned()
    }
}

impl Drop for OpensslServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// What a client saw.
#[derive(Debug)]
pub enum Outcome {
    /// Handshake done, request written, this much echoed back.
    Accepted(Vec<u8>),
    /// The handshake failed with this error; nothing was written.
    Refused(rustls::Error),
}

impl Outcome {
    pub fn accepted(&self) -> bool {
        matches!(self, Outcome::Accepted(_))
    }

    pub fn error(&self) -> &rustls::Error {
        match self {
            Outcome::Refused(e) => e,
            Outcome::Accepted(_) => panic!("expected a refusal, the handshake was accepted"),
        }
    }
}

pub const REQUEST: &[u8] = b"GET /secret HTTP/1.1\r\nAuthorization: Bearer token\r\n\r\n";

/// Connects and sends [`REQUEST`], reading the echo when `expect_echo`.
///
/// The request is written *before* the handshake, as an application that writes at once does:
/// rustls keeps it until the handshake is complete and then sends it. So a verifier that let an
/// impostor through would hand it the request, and "the server received nothing" checks what
/// the library does, not what this client chose (`tests/leak_control.rs` shows it detects a
/// leak).
pub fn connect_with(
    config: Arc<rustls::ClientConfig>,
    addr: SocketAddr,
    name: &str,
    expect_echo: bool,
) -> Outcome {
    let mut conn =
        rustls::ClientConnection::new(config, name.to_string().try_into().unwrap()).unwrap();
    conn.writer().write_all(REQUEST).unwrap();
    let mut tcp = TcpStream::connect(addr).unwrap();
    tcp.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    while conn.is_handshaking() {
        if let Err(e) = conn.complete_io(&mut tcp) {
            let tls = e
                .get_ref()
                .and_then(|inner| inner.downcast_ref::<rustls::Error>())
                .cloned();
            return Outcome::Refused(tls.unwrap_or_else(|| rustls::Error::General(e.to_string())));
        }
    }
    let mut tls = rustls::Stream::new(&mut conn, &mut tcp);
    tls.flush().unwrap();
    let mut echo = vec![0u8; REQUEST.len()];
    if expect_echo {
        tls.read_exact(&mut echo).unwrap();
    } else {
        echo.clear();
    }
    tls.conn.send_close_notify();
    let _ = tls.flush();
    Outcome::Accepted(echo)
}

pub fn client_config(
    verifier: Arc<certpin_rustls::PinnedVerifier>,
    version: &'static SupportedProtocolVersion,
) -> Arc<rustls::ClientConfig> {
    let config = rustls::ClientConfig::builder_with_provider(provider())
        .with_protocol_versions(&[version])
        .unwrap()
        .dangerous()
        .with_custom_certificate_verifier(verifier)
        .with_no_client_auth();
    Arc::new(config)
}

pub fn connect(
    verifier: Arc<certpin_rustls::PinnedVerifier>,
    version: &'static SupportedProtocolVersion,
    server: &RustlsServer,
    name: &str,
) -> Outcome {
    connect_with(client_config(verifier, version), server.addr, name, true)
}

/// A pin no test key has (the backup key of a test that is never deployed).
pub const UNRELATED: &str = "sha256//ERERERERERERERERERERERERERERERERERERERERERE=";

pub fn pin_only(pins: &[String]) -> Arc<certpin_rustls::PinnedVerifier> {
    certpin_rustls::PinnedVerifier::pin_only(provider())
        .pin("localhost", pins)
        .unwrap()
        .build()
        .unwrap()
}

pub fn webpki(roots: &[&Issued], pins: &[String]) -> Arc<certpin_rustls::PinnedVerifier> {
    let mut store = rustls::RootCertStore::empty();
    for root in roots {
        store.add(root.der.clone()).unwrap();
    }
    certpin_rustls::PinnedVerifier::webpki(store.into(), provider())
        .pin("localhost", pins)
        .unwrap()
        .build()
        .unwrap()
}

pub fn assert_refused_silently(
    outcome: &Outcome,
    server: &RustlsServer,
) -> certpin_rustls::PinFailure {
    let err = outcome.error();
    assert!(
        server.received().is_empty(),
        "server received application data"
    );
    certpin_rustls::PinFailure::from_rustls_error(err)
        .unwrap_or_else(|| panic!("not a pin failure: {err:?}"))
        .clone()
}
