//! A handshake that completes without the server ever presenting a certificate: an external
//! PSK, which embedded-tls 0.19 accepts without calling the verifier (it does not require a
//! Certificate/CertificateVerify pair). certpin's `open` must refuse it.

mod common;

use std::net::TcpStream;
use std::time::Duration;

use certpin_embedded_tls::Rejection;
use common::*;
use embedded_io::Write as _;
use embedded_io_adapters::std::FromStd;
use embedded_tls::UnsecureProvider;
use embedded_tls::blocking::{Aes128GcmSha256, TlsConfig, TlsConnection, TlsContext};

const PSK: [u8; 32] = [0x5a; 32];
const PSK_HEX: &str = "5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a";
const IDENTITY: &[u8] = b"certpin-psk";

fn psk_server() -> OpensslServer {
    OpensslServer::with_args(&[
        "-nocert",
        "-psk",
        PSK_HEX,
        "-psk_identity",
        "certpin-psk",
        "-naccept",
        "2",
    ])
}

#[test]
fn external_psk_handshake_without_certificate_is_refused() {
    let server = psk_server();
    let config = TlsConfig::new()
        .with_server_name("localhost")
        .with_psk(&PSK, &[IDENTITY]);

    // The server presents no certificate at all, so no pin can match; the pin is the real one
    // for the test chain to show the refusal is not a pin mismatch.
    let pins = [fixture_pin("chain/leaf.der")];
    let outcome = connect_config(server.port, &pins, &config, b"certpin-probe\n", false);
    assert_eq!(outcome.open, Err("InvalidSignature".to_owned()));
    // The verifier never ran: it neither rejected nor accepted anything.
    assert_eq!(outcome.rejection, Some(Rejection::NotVerified));

    // Control, on the server's second accept: the same PSK handshake with embedded-tls's own
    // provider (no verifier) completes, and its data shows up in the server's log. So the
    // handshake above did complete inside embedded-tls, and data sent to this server is seen.
    let tcp = TcpStream::connect(("127.0.0.1", server.port)).unwrap();
    tcp.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    let (mut read_buf, mut write_buf) = (vec![0u8; 16640], vec![0u8; 16640]);
    let mut tls: TlsConnection<_, Aes128GcmSha256> =
        TlsConnection::new(FromStd::new(tcp), &mut read_buf, &mut write_buf);
    let provider = UnsecureProvider::new::<Aes128GcmSha256>(rand_core::OsRng);
    tls.open(TlsContext::new(&config, provider)).unwrap();
    tls.write_all(b"certpin-control\n").unwrap();
    tls.flush().unwrap();
    assert!(server.wait_for("certpin-control"), "log: {}", server.log());

    // The refused client could not write (open_blocking consumed its connection), and the
    // handshake itself sent no application data: the probe never reached the server.
    assert!(
        !server.log().contains("certpin-probe"),
        "log: {}",
        server.log()
    );
}
