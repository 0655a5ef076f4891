//! An async client with tokio-rustls: the pinned handshake completes in `connect` before any
//! request is written.
//!
//! `cargo run -p certpin-rustls --example tokio_client`

#[path = "support/mod.rs"]
mod support;

use tokio::io::{AsyncReadExt, AsyncWriteExt};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let server = support::start();
    let connector =
        tokio_rustls::TlsConnector::from(support::client_config(support::verifier(&server.pin)));

    let tcp = tokio::net::TcpStream::connect(server.addr).await?;
    let mut tls = connector.connect("localhost".try_into()?, tcp).await?;
    tls.write_all(b"GET / HTTP/1.1\r\nHost: localhost\r\n\r\n")
        .await?;
    let mut response = Vec::new();
    let _ = tls.read_to_end(&mut response).await;
    let response = String::from_utf8_lossy(&response);
    print!("{response}");
    assert!(response.starts_with("HTTP/1.1 200 OK"));

    let other = support::start();
    let tcp = tokio::net::TcpStream::connect(other.addr).await?;
    let err = connector
        .connect("localhost".try_into()?, tcp)
        .await
        .expect_err("not pinned");
    println!("\nanother key is refused: {err}");
    Ok(())
}
