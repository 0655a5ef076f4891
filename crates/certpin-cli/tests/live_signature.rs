//! `certpin get` and `certpin check` against a server that presents the test chain but signs
//! the handshake with another key: it does not hold the certificate's key, so `get` must not
//! print that key's pins as the server's, and `check` must refuse it even though the pins
//! match. `openssl s_server` refuses a mismatched certificate and key, so the server here is
//! rustls, with the key chosen by hand; the same server with the right key is the control.

use std::io::Read;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::Arc;

use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls::server::{ClientHello, ResolvesServerCert};
use rustls::sign::CertifiedKey;

fn testdata(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../testdata")
        .join(rel)
}

fn pem_blocks(rel: &str) -> Vec<Vec<u8>> {
    let text = std::fs::read(testdata(rel)).unwrap();
    pem::parse_many(text)
        .unwrap()
        .into_iter()
        .map(|p| p.into_contents())
        .collect()
}

/// Serves its chain and signs with its key, whether or not they belong together.
#[derive(Debug)]
struct Fixed(Arc<CertifiedKey>);

impl ResolvesServerCert for Fixed {
    fn resolve(&self, _hello: ClientHello<'_>) -> Option<Arc<CertifiedKey>> {
        Some(self.0.clone())
    }
}

/// A server on 127.0.0.1 with the test chain (leaf, intermediate) and the key in `key_file`;
/// returns its port. It runs until the test process ends.
fn serve(key_file: &str, version: &'static rustls::SupportedProtocolVersion) -> u16 {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let chain: Vec<CertificateDer<'static>> = ["chain/leaf.pem", "chain/intermediate.pem"]
        .iter()
        .flat_map(|f| pem_blocks(f))
        .map(CertificateDer::from)
        .collect();
    let key = PrivateKeyDer::try_from(pem_blocks(key_file).remove(0)).unwrap();
    let signer = provider.key_provider.load_private_key(key).unwrap();
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_protocol_versions(&[version])
        .unwrap()
        .with_no_client_auth()
        .with_cert_resolver(Arc::new(Fixed(Arc::new(CertifiedKey::new(chain, signer)))));
    let config = Arc::new(config);
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for tcp in listener.incoming() {
            let Ok(mut tcp) = tcp else { continue };
            let mut conn = rustls::ServerConnection::new(config.clone()).unwrap();
            let mut tls = rustls::Stream::new(&mut conn, &mut tcp);
            let _ = tls.read(&mut [0u8; 64]);
        }
    });
    port
}

fn certpin(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_certpin"))
        .args(args)
        .output()
        .unwrap()
}

/// The leaf's curl pin, as OpenSSL computed it (`testdata/pins.tsv`).
fn leaf_pin() -> String {
    let tsv = std::fs::read_to_string(testdata("pins.tsv")).unwrap();
    let row = tsv
        .lines()
        .find(|l| l.starts_with("chain/leaf.pem\t0\t"))
        .unwrap();
    format!("sha256//{}", row.split('\t').nth(4).unwrap())
}

#[test]
fn a_server_without_the_certificates_key_is_refused() {
    let pin = leaf_pin();
    let backup = "sha256//ERERERERERERERERERERERERERERERERERERERERERE=";
    for (vname, version) in [
        ("TLS1.3", &rustls::version::TLS13),
        ("TLS1.2", &rustls::version::TLS12),
    ] {
        // Control: the right key; `get` prints the leaf's pin and `check` accepts it.
        let good = format!("localhost:{}", serve("chain/leaf.key.pem", version));
        let out = certpin(&["get", "-f", "curl", &good]);
        assert_eq!(out.status.code(), Some(0), "{vname}: {out:?}");
        assert!(
            String::from_utf8_lossy(&out.stdout).starts_with(&pin),
            "{vname}"
        );
        let out = certpin(&["check", &good, "--pin", &pin, "--pin", backup]);
        assert_eq!(out.status.code(), Some(0), "{vname}: {out:?}");

        // Same chain, another P-256 key (the leaf's is P-256 too, so only the key differs).
        let bad = format!("localhost:{}", serve("keys/ec-p256.key.pem", version));
        let out = certpin(&["get", "-f", "curl", &bad]);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(4), "{vname}: {err}");
        assert!(
            out.stdout.is_empty(),
            "{vname}: printed pins of an unproven key"
        );
        assert!(err.contains("BadSignature"), "{vname}: {err}");
        // The pins match the certificate; the server still proved nothing: a TLS error (4),
        // not a pin failure (1) nor a success.
        let out = certpin(&["check", &bad, "--pin", &pin, "--pin", backup]);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(4), "{vname}: {err}");
        assert!(err.contains("BadSignature"), "{vname}: {err}");
    }
}
