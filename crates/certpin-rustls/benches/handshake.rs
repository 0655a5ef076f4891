//! Full TLS 1.3 handshakes with a rustls server, side by side, for three client verifiers:
//! - `pin_only`: certpin's pin-only verifier;
//! - `webpki_pins`: certpin's WebPKI + pins verifier;
//! - `webpki_plain`: rustls's own `WebPkiServerVerifier`, no pins.
//!
//! Each over loopback TCP (`loopback_*`: a server thread on 127.0.0.1, a new connection per
//! handshake, what a client sees) and in memory (no sockets: the CPU cost alone, with less
//! noise). `pin_check` is the pin check alone (parse the leaf, hash its SPKI, match a 2-pin
//! set), to compare with a handshake. `scripts/bench-report-tls` prints the ratios.

// `criterion_group!` defines an undocumented `pub fn`.
#![allow(missing_docs)]

use std::hint::black_box;
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::Arc;
use std::time::Duration;

use certpin::{Certificate, Pin, PinSet, SoftSha256};
use certpin_rustls::PinnedVerifier;
use criterion::{Criterion, criterion_group, criterion_main};
use rustls::client::Resumption;
use rustls::pki_types::{PrivateKeyDer, ServerName};
use rustls::{ClientConfig, ClientConnection, RootCertStore, ServerConfig, ServerConnection};

fn provider() -> Arc<rustls::crypto::CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

struct Pki {
    root: rustls::pki_types::CertificateDer<'static>,
    leaf: rustls::pki_types::CertificateDer<'static>,
    key: PrivateKeyDer<'static>,
}

fn pki() -> Pki {
    let root_key = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).unwrap();
    let mut root_params = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
    root_params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    let root = root_params.self_signed(&root_key).unwrap();
    let issuer = rcgen::Issuer::from_params(&root_params, &root_key);
    let leaf_key = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).unwrap();
    let leaf = rcgen::CertificateParams::new(vec!["localhost".into()])
        .unwrap()
        .signed_by(&leaf_key, &issuer)
        .unwrap();
    Pki {
        root: root.der().clone(),
        leaf: leaf.der().clone(),
        key: PrivateKeyDer::Pkcs8(leaf_key.serialize_der().into()),
    }
}

fn client(verifier: Arc<dyn rustls::client::danger::ServerCertVerifier>) -> Arc<ClientConfig> {
    let mut config = ClientConfig::builder_with_provider(provider())
        .with_protocol_versions(&[&rustls::version::TLS13])
        .unwrap()
        .dangerous()
        .with_custom_certificate_verifier(verifier)
        .with_no_client_auth();
    // Every iteration is a full handshake.
    config.resumption = Resumption::disabled();
    Arc::new(config)
}

fn handshake(client_config: &Arc<ClientConfig>, server_config: &Arc<ServerConfig>) {
    let name = ServerName::try_from("localhost").unwrap();
    let mut client = ClientConnection::new(client_config.clone(), name).unwrap();
    let mut server = ServerConnection::new(server_config.clone()).unwrap();
    let mut buf = Vec::new();
    while client.is_handshaking() || server.is_handshaking() {
        buf.clear();
        client.write_tls(&mut buf).unwrap();
        server.read_tls(&mut buf.as_slice()).unwrap();
        server.process_new_packets().unwrap();
        buf.clear();
        server.write_tls(&mut buf).unwrap();
        client.read_tls(&mut buf.as_slice()).unwrap();
        client.process_new_packets().unwrap();
    }
}

/// A server thread on loopback that completes a handshake on every connection, one after
/// the other, until the benchmark process exits.
fn loopback_server(config: Arc<ServerConfig>) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut tcp) = stream else { continue };
            let _ = tcp.set_nodelay(true);
            let mut conn = ServerConnection::new(config.clone()).unwrap();
            while conn.is_handshaking() {
                if conn.complete_io(&mut tcp).is_err() {
                    break;
                }
            }
        }
    });
    addr
}

fn loopback_handshake(client_config: &Arc<ClientConfig>, addr: SocketAddr) {
    let name = ServerName::try_from("localhost").unwrap();
    let mut client = ClientConnection::new(client_config.clone(), name).unwrap();
    let mut tcp = TcpStream::connect(addr).unwrap();
    tcp.set_nodelay(true).unwrap();
    while client.is_handshaking() {
        client.complete_io(&mut tcp).unwrap();
    }
}

fn bench(c: &mut Criterion) {
    let pki = pki();
    let leaf_pin = {
        let cert = Certificate::from_der(&pki.leaf).unwrap();
        certpin::PinDigests::of_spki(&cert.spki(), &mut SoftSha256)
            .pin(certpin::PinKind::Spki)
            .unwrap()
    };
    let backup = Pin::parse("sha256//ERERERERERERERERERERERERERERERERERERERERERE=").unwrap();
    let pins = vec![backup.to_string(), leaf_pin.to_string()];
    let server = Arc::new(
        ServerConfig::builder_with_provider(provider())
            .with_protocol_versions(&[&rustls::version::TLS13])
            .unwrap()
            .with_no_client_auth()
            .with_single_cert(
                vec![pki.leaf.clone(), pki.root.clone()],
                pki.key.clone_key(),
            )
            .unwrap(),
    );
    let mut roots = RootCertStore::empty();
    roots.add(pki.root.clone()).unwrap();
    let roots = Arc::new(roots);

    let pin_only = client(
        PinnedVerifier::pin_only(provider())
            .pin("localhost", &pins)
            .unwrap()
            .build()
            .unwrap(),
    );
    let webpki_pins = client(
        PinnedVerifier::webpki(roots.clone(), provider())
            .pin("localhost", &pins)
            .unwrap()
            .build()
            .unwrap(),
    );
    let webpki_plain = client(
        rustls::client::WebPkiServerVerifier::builder_with_provider(roots, provider())
            .build()
            .unwrap(),
    );

    let mut group = c.benchmark_group("handshake");
    group
        .measurement_time(Duration::from_secs(4))
        .warm_up_time(Duration::from_secs(1))
        .sample_size(40);
    let addr = loopback_server(server.clone());
    for (name, config) in [
        ("loopback_pin_only", &pin_only),
        ("loopback_webpki_pins", &webpki_pins),
        ("loopback_webpki_plain", &webpki_plain),
    ] {
        group.bench_function(name, |b| {
            b.iter(|| loopback_handshake(black_box(config), addr))
        });
    }
    group.bench_function("pin_only", |b| {
        b.iter(|| handshake(black_box(&pin_only), &server))
    });
    group.bench_function("webpki_pins", |b| {
        b.iter(|| handshake(black_box(&webpki_pins), &server))
    });
    group.bench_function("webpki_plain", |b| {
        b.iter(|| handshake(black_box(&webpki_plain), &server))
    });
    let set_pins = [backup, leaf_pin];
    group.bench_function("pin_check", |b| {
        b.iter(|| {
            let cert = Certificate::from_der(black_box(&pki.leaf)).unwrap();
            PinSet::new(&set_pins)
                .match_certificate(&cert, &mut SoftSha256)
                .unwrap()
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
