//! An HTTP client (hyper 1 over tokio-rustls) fetching a page from a pinned server.
//!
//! `cargo run -p certpin-rustls --example hyper_client`

#[path = "support/mod.rs"]
mod support;

use http_body_util::{BodyExt, Empty};
use hyper::body::Bytes;
use hyper_util::rt::TokioIo;

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let server = support::start();
    let connector =
        tokio_rustls::TlsConnector::from(support::client_config(support::verifier(&server.pin)));

    // The pinned TLS handshake happens here, before hyper writes a byte of HTTP.
    let tcp = tokio::net::TcpStream::connect(server.addr).await?;
    let tls = connector.connect("localhost".try_into()?, tcp).await?;
    let (mut sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(tls)).await?;
    tokio::spawn(connection);

    let request = hyper::Request::get("/")
        .header("host", "localhost")
        .header("authorization", "Bearer secret")
        .body(Empty::<Bytes>::new())?;
    let response = sender.send_request(request).await?;
    let status = response.status();
    let body = response.into_body().collect().await?.to_bytes();
    println!("{status} {}", String::from_utf8_lossy(&body));
    assert_eq!(status, hyper::StatusCode::OK);
    Ok(())
}
