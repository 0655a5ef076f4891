//! A local HTTPS server for the examples, so they run anywhere without the internet: a fresh
//! P-256 key and certificate for `localhost`, served by rustls on 127.0.0.1.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener};
use std::sync::Arc;

use certpin::{Certificate, PinDigests, PinFormat, PinKind, SoftSha256};

/// A running server: its address and the curl-style pin of its key.
pub struct LocalServer {
    pub addr: SocketAddr,
    pub pin: String,
}

/// Starts a server answering every request with a small HTTP response, in a thread.
pub fn start() -> LocalServer {
    let key = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).expect("key");
    let cert = rcgen::CertificateParams::new(vec!["localhost".to_string()])
        .expect("params")
        .self_signed(&key)
        .expect("certificate");
    // In real use the pin comes from `certpin get` or `certpin hash`, and ships with the client.
    let parsed = Certificate::from_der(cert.der()).expect("certificate parses");
    let pin = PinDigests::of_spki(&parsed.spki(), &mut SoftSha256)
        .pin(PinKind::Spki)
        .expect("spki pin");
    let pin = pin.format(PinFormat::Curl).expect("curl form").to_string();

    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .expect("versions")
        .with_no_client_auth()
        .with_single_cert(
            vec![cert.der().clone()],
            rustls::pki_types::PrivateKeyDer::Pkcs8(key.serialize_der().into()),
        )
        .expect("server config");
    let config = Arc::new(config);
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("addr");
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let config = config.clone();
            std::thread::spawn(move || {
                let mut tcp = stream;
                let Ok(mut conn) = rustls::ServerConnection::new(config) else {
                    return;
                };
                let mut tls = rustls::Stream::new(&mut conn, &mut tcp);
                let mut buf = [0u8; 2048];
                let mut request = Vec::new();
                while !request.windows(4).any(|w| w == b"\r\n\r\n") {
                    match tls.read(&mut buf) {
                        Ok(0) | Err(_) => return,
                        Ok(n) => request.extend_from_slice(&buf[..n]),
                    }
                }
                let body = "hello from a pinned server\n";
                let response = format!(
                    "HTTP/1.1 200 OK\r\ncontent-length: {}\r\ncontent-type: text/plain\r\nconnection: close\r\n\r\n{body}",
                    body.len()
                );
                let _ = tls.write_all(response.as_bytes());
                tls.conn.send_close_notify();
                let _ = tls.flush();
            });
        }
    });
    LocalServer { addr, pin }
}

/// A pin-only verifier for `localhost` with the server's pin and a backup pin.
pub fn verifier(pin: &str) -> Arc<certpin_rustls::PinnedVerifier> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    certpin_rustls::PinnedVerifier::pin_only(provider)
        // The backup pin stands for a key kept offline for the day the current one must go.
        .pin(
            "localhost",
            [pin, "sha256//ERERERERERERERERERERERERERERERERERERERERERE="],
        )
        .expect("valid pins")
        .build()
        .expect("valid configuration")
}

/// A rustls client configuration using `verifier`.
pub fn client_config(verifier: Arc<certpin_rustls::PinnedVerifier>) -> Arc<rustls::ClientConfig> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .expect("versions")
        .dangerous() // a custom verifier; it still verifies every handshake signature
        .with_custom_certificate_verifier(verifier)
        .with_no_client_auth();
    Arc::new(config)
}
