//! The control for every "the server received zero bytes" assertion: with a verifier that
//! accepts any certificate, the same client and server deliver the request to the impostor.
//! If this test failed, the refusal tests' zero-byte checks would prove nothing.

mod common;

use std::sync::Arc;

use common::*;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{DigitallySignedStruct, SignatureScheme};

/// Accepts every certificate (and still checks the handshake signature): the mistake the
/// pinned verifier exists to prevent.
#[derive(Debug)]
struct AcceptsAnything;

impl ServerCertVerifier for AcceptsAnything {
    fn verify_server_cert(
        &self,
        _: &CertificateDer<'_>,
        _: &[CertificateDer<'_>],
        _: &ServerName<'_>,
        _: &[u8],
        _: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        let algs = provider().signature_verification_algorithms;
        rustls::crypto::verify_tls12_signature(message, cert, dss, &algs)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        let algs = provider().signature_verification_algorithms;
        rustls::crypto::verify_tls13_signature(message, cert, dss, &algs)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        provider()
            .signature_verification_algorithms
            .supported_schemes()
    }
}

#[test]
fn an_accept_anything_verifier_hands_the_request_to_an_impostor() {
    let ca = root("impostor root", Alg::P256);
    let impostor = issue("localhost", &["localhost"], Alg::P256, false, &ca);
    for (vname, version) in VERSIONS {
        let server = RustlsServer::start(
            vec![impostor.der.clone(), ca.der.clone()],
            impostor.key_der(),
            version,
        );
        let config = rustls::ClientConfig::builder_with_provider(provider())
            .with_protocol_versions(&[version])
            .unwrap()
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(AcceptsAnything))
            .with_no_client_auth();
        let out = connect_with(Arc::new(config), server.addr, "localhost", true);
        assert!(out.accepted(), "{vname}");
        assert_eq!(server.received(), REQUEST, "{vname}: the leak was not seen");
    }
}
