//! A blocking `std::net` + rustls client that pins the server's key inside the handshake.
//!
//! `cargo run -p certpin-rustls --example blocking`

#[path = "support/mod.rs"]
mod support;

use std::io::{Read, Write};
use std::net::TcpStream;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let server = support::start();
    let config = support::client_config(support::verifier(&server.pin));

    let mut conn = rustls::ClientConnection::new(config, "localhost".try_into()?)?;
    let mut tcp = TcpStream::connect(server.addr)?;
    // Finish the handshake before writing: the pin is checked in it, so a server that fails
    // the pin never sees the request below.
    while conn.is_handshaking() {
        conn.complete_io(&mut tcp)?;
    }
    let mut tls = rustls::Stream::new(&mut conn, &mut tcp);
    tls.write_all(b"GET / HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer secret\r\n\r\n")?;
    let mut response = String::new();
    match tls.read_to_string(&mut response) {
        Ok(_) => {}
        // The example server closes without waiting; what was read is complete.
        Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => {}
        Err(e) => return Err(e.into()),
    }
    print!("{response}");
    assert!(response.starts_with("HTTP/1.1 200 OK"));

    // The same client refuses a server whose key is not pinned.
    let other = support::start();
    let mut conn = rustls::ClientConnection::new(
        support::client_config(support::verifier(&server.pin)),
        "localhost".try_into()?,
    )?;
    let mut tcp = TcpStream::connect(other.addr)?;
    let mut refused = None;
    while conn.is_handshaking() {
        if let Err(e) = conn.complete_io(&mut tcp) {
            refused = Some(e);
            break;
        }
    }
    let err = refused.ok_or("the server with another key was accepted")?;
    let failure = err
        .get_ref()
        .and_then(|e| e.downcast_ref::<rustls::Error>())
        .and_then(certpin_rustls::PinFailure::from_rustls_error)
        .ok_or_else(|| format!("refused, but not by the pins: {err}"))?;
    println!("\nanother key is refused during the handshake:\n{failure}");
    Ok(())
}
