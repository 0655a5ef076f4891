//! The verifier rustls calls during the handshake.

use std::cell::RefCell;
use std::sync::Arc;

use certpin::{Certificate, Pin, PinSet, SoftSha256};
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::{CryptoProvider, verify_tls12_signature, verify_tls13_signature};
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{
    CertificateError, DigitallySignedStruct, Error, OtherError, RootCertStore, SignatureScheme,
};

use crate::builder::{FailureHook, PinnedVerifierBuilder, UnpinnedHosts};
use crate::chain;
use crate::policy::{HostPolicy, server_name_text};
use crate::report::{ChainEntry, FailureReason, Mode, PinFailure};

#[derive(Clone, Debug)]
pub(crate) enum ModeConfig {
    PinOnly { check_dates: bool },
    WebPki { roots: Arc<RootCertStore> },
}

/// A rustls [`ServerCertVerifier`] that enforces pins inside the handshake, so an impostor
/// never receives a byte of application data. Build one with [`PinnedVerifier::pin_only`] or
/// [`PinnedVerifier::webpki`].
///
/// In both modes the TLS 1.2 and 1.3 handshake signatures are verified with the crypto
/// provider's algorithms: a server that has the pinned certificate but not its private key
/// cannot complete the handshake.
///
/// Session resumption: rustls does not call the verifier when a session resumes. Since rustls
/// 0.23.24 (the version this crate requires) a client resumes only sessions established under
/// the same verifier object (`Arc` pointer equality), so a session from a configuration with
/// other pins, or with no pins, is not resumed, even from a shared session store: the server
/// gets a full handshake, checked against this verifier's pins. A resumed session proves the
/// server holds secrets of the earlier, fully checked handshake. A server that shares the
/// pinned server's session ticket key can also resume it, so ticket keys are part of what the
/// pins protect: keep them as secret as the pinned private keys. Pins are fixed when the
/// verifier is built; to change them, build a new verifier and `ClientConfig`.
pub struct PinnedVerifier {
    mode: ModeConfig,
    provider: Arc<CryptoProvider>,
    policies: Vec<HostPolicy>,
    unpinned: UnpinnedHosts,
    hostname_check: bool,
    report_only: bool,
    hook: Option<FailureHook>,
    port: Option<u16>,
}

impl std::fmt::Debug for PinnedVerifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PinnedVerifier")
            .field("mode", &self.mode())
            .field("policies", &self.policies)
            .field("unpinned", &self.unpinned)
            .field("hostname_check", &self.hostname_check)
            .field("report_only", &self.report_only)
            .finish_non_exhaustive()
    }
}

impl PinnedVerifier {
    pub(crate) fn from_builder(b: PinnedVerifierBuilder) -> Self {
        PinnedVerifier {
            mode: b.mode,
            provider: b.provider,
            policies: b.policies,
            unpinned: b.unpinned,
            hostname_check: b.hostname_check,
            report_only: b.report_only,
            hook: b.hook,
            port: b.port,
        }
    }

    /// The verifier's mode.
    pub fn mode(&self) -> Mode {
        match self.mode {
            ModeConfig::PinOnly { .. } => Mode::PinOnly,
            ModeConfig::WebPki { .. } => Mode::WebPki,
        }
    }

    fn failure(
        &self,
        host: &str,
        reason: FailureReason,
        served: Vec<ChainEntry>,
        verified: Option<Vec<ChainEntry>>,
        applied: &[&HostPolicy],
        now: UnixTime,
    ) -> PinFailure {
        PinFailure {
            host: host.to_string(),
            port: self.port,
            mode: self.mode(),
            reason,
            served_chain: served,
            verified_chain: verified,
            expected_pins: applied
                .iter()
                .flat_map(|p| p.pins().iter().copied())
                .collect(),
            policies: applied.iter().map(|p| p.pattern().to_string()).collect(),
            expires: effective_expiry(applied),
            time: now,
        }
    }

    /// Reports a failure, and refuses unless it is a pin mismatch in report-only mode.
    fn fail(&self, failure: PinFailure) -> Result<ServerCertVerified, Error> {
        if let Some(hook) = &self.hook {
            hook(&failure);
        }
        if self.report_only && failure.reason == FailureReason::NoPinMatched {
            log::warn!("certpin (report-only): {failure}");
            return Ok(ServerCertVerified::assertion());
        }
        Err(Error::InvalidCertificate(CertificateError::Other(
            OtherError(Arc::new(failure)),
        )))
    }

    fn check_name(
        &self,
        end_entity: &CertificateDer<'_>,
        server_name: &ServerName<'_>,
    ) -> Result<(), Error> {
        if !self.hostname_check {
            return Ok(());
        }
        let parsed = rustls::server::ParsedCertificate::try_from(end_entity)?;
        rustls::client::verify_server_name(&parsed, server_name)
    }
}

/// When the pins of `policies` stop being enforced: the latest expiry, or `None` if one of them
/// never expires.
fn effective_expiry(policies: &[&HostPolicy]) -> Option<UnixTime> {
    let mut latest: Option<UnixTime> = None;
    for policy in policies {
        let expires = policy.expires()?;
        if latest.is_none_or(|l| expires.as_secs() > l.as_secs()) {
            latest = Some(expires);
        }
    }
    latest
}

/// One certificate check: the served chain, and the policies that apply to its host.
struct Request<'a> {
    end_entity: &'a CertificateDer<'a>,
    intermediates: &'a [CertificateDer<'a>],
    server_name: &'a ServerName<'a>,
    now: UnixTime,
    host: String,
    /// Every policy whose pattern matches the host.
    applicable: Vec<&'a HostPolicy>,
    /// Those not expired at `now`: their pins are enforced.
    active: Vec<&'a HostPolicy>,
}

impl Request<'_> {
    fn active_pins(&self) -> Vec<Pin> {
        self.active
            .iter()
            .flat_map(|p| p.pins().iter().copied())
            .collect()
    }

    fn served(&self) -> Vec<ChainEntry> {
        ChainEntry::chain(std::iter::once(self.end_entity).chain(self.intermediates))
    }
}

impl PinnedVerifier {
    /// A failure report for `request` (`verified`: the part of the chain that was verified).
    fn report(
        &self,
        request: &Request<'_>,
        reason: FailureReason,
        verified: Option<Vec<ChainEntry>>,
    ) -> PinFailure {
        let applied = if request.active.is_empty() {
            &request.applicable
        } else {
            &request.active
        };
        self.failure(
            &request.host,
            reason,
            request.served(),
            verified,
            applied,
            request.now,
        )
    }

    fn verify_pin_only(
        &self,
        request: &Request<'_>,
        check_dates: bool,
    ) -> Result<ServerCertVerified, Error> {
        if request.active.is_empty() {
            // Nothing else to go on without a CA store: no (live) pins means no server.
            let reason = if request.applicable.is_empty() {
                FailureReason::NoPolicyForHost
            } else {
                FailureReason::PolicyExpired
            };
            return self.fail(self.report(request, reason, None));
        }
        let leaf = Certificate::from_der(request.end_entity)
            .map_err(|_| Error::InvalidCertificate(CertificateError::BadEncoding))?;
        if check_dates && !crate::validity::is_valid_at(&leaf, request.now) {
            return Err(Error::InvalidCertificate(CertificateError::Expired));
        }
        let pins = request.active_pins();
        let algs = self.provider.signature_verification_algorithms.all;
        let walk = chain::walk(
            request.end_entity,
            request.intermediates,
            &PinSet::new(&pins),
            algs,
            check_dates.then_some(request.now),
        );
        if let Some(found) = walk.found {
            // The name after the pins: an impostor gets the pin diagnostic, whatever its name.
            self.check_name(request.end_entity, request.server_name)?;
            log::debug!(
                "certpin: {}: pin {} matched at depth {}",
                request.host,
                found.pin.pin,
                found.depth
            );
            return Ok(ServerCertVerified::assertion());
        }
        let verified = ChainEntry::chain(walk.verified.iter().copied());
        self.fail(self.report(request, FailureReason::NoPinMatched, Some(verified)))
    }

    fn verify_webpki(
        &self,
        request: &Request<'_>,
        roots: &RootCertStore,
    ) -> Result<ServerCertVerified, Error> {
        if request.applicable.is_empty() && self.unpinned == UnpinnedHosts::Deny {
            return self.fail(self.report(request, FailureReason::NoPolicyForHost, None));
        }
        let ee = webpki::EndEntityCert::try_from(request.end_entity).map_err(webpki_error)?;
        // Expired policies stop pin enforcement; the chain is still validated.
        let enforce = !request.active.is_empty();
        let pins = request.active_pins();
        let pins = PinSet::new(&pins);
        let unmatched_path: RefCell<Option<Vec<ChainEntry>>> = RefCell::new(None);
        // webpki calls this for each path it validates and tries the next path when it
        // returns an error, so a pinned certificate on any valid path is found; the served
        // list itself is never searched (CVE-2016-2402).
        let check_path = |path: &webpki::VerifiedPath<'_>| -> Result<(), webpki::Error> {
            if !enforce || path_is_pinned(path, &pins) {
                return Ok(());
            }
            let mut certs: Vec<CertificateDer<'_>> = vec![path.end_entity().der()];
            certs.extend(path.intermediate_certificates().map(|c| c.der()));
            unmatched_path
                .borrow_mut()
                .get_or_insert_with(|| ChainEntry::chain(certs.iter()));
            Err(webpki::Error::UnknownIssuer)
        };
        let result = ee.verify_for_usage(
            self.provider.signature_verification_algorithms.all,
            &roots.roots,
            request.intermediates,
            request.now,
            webpki::KeyUsage::server_auth(),
            None,
            Some(&check_path),
        );
        if let (Err(_), Some(verified)) = (&result, unmatched_path.into_inner()) {
            // At least one path validated, and none carried a pinned key.
            self.check_name(request.end_entity, request.server_name)?;
            return self.fail(self.report(request, FailureReason::NoPinMatched, Some(verified)));
        }
        result.map_err(webpki_error)?;
        self.check_name(request.end_entity, request.server_name)?;
        Ok(ServerCertVerified::assertion())
    }
}

impl ServerCertVerifier for PinnedVerifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, Error> {
        let host = server_name_text(server_name);
        let applicable: Vec<&HostPolicy> = self
            .policies
            .iter()
            .filter(|p| p.pattern().matches(&host))
            .collect();
        let active = applicable
            .iter()
            .copied()
            .filter(|p| !p.is_expired(now))
            .collect();
        let request = Request {
            end_entity,
            intermediates,
            server_name,
            now,
            host,
            applicable,
            active,
        };
        match &self.mode {
            ModeConfig::PinOnly { check_dates } => self.verify_pin_only(&request, *check_dates),
            ModeConfig::WebPki { roots } => self.verify_webpki(&request, roots),
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, Error> {
        verify_tls12_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, Error> {
        verify_tls13_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.provider
            .signature_verification_algorithms
            .supported_schemes()
    }
}

/// Whether a validated path (leaf, intermediates, trust anchor) carries a pinned key.
fn path_is_pinned(path: &webpki::VerifiedPath<'_>, pins: &PinSet<'_>) -> bool {
    let cert_pinned = |der: &[u8]| {
        Certificate::from_der(der)
            .is_ok_and(|c| pins.match_certificate(&c, &mut SoftSha256).is_some())
    };
    let anchor = anchor_spki(path.anchor());
    cert_pinned(path.end_entity().der().as_ref())
        || path
            .intermediate_certificates()
            .any(|c| cert_pinned(c.der().as_ref()))
        || certpin::SubjectPublicKeyInfo::from_der(&anchor)
            .is_ok_and(|spki| pins.match_spki(&spki, &mut SoftSha256).is_some())
}

/// A trust anchor's SPKI as DER: webpki keeps it without the outer SEQUENCE header, and the
/// DER header of a given length is unique, so this restores the original bytes exactly.
fn anchor_spki(anchor: &rustls::pki_types::TrustAnchor<'_>) -> Vec<u8> {
    let body = anchor.subject_public_key_info.as_ref();
    let mut out = vec![0x30];
    let len = body.len();
    if len < 0x80 {
        out.push(len as u8);
    } else {
        let bytes: Vec<u8> = len
            .to_be_bytes()
            .into_iter()
            .skip_while(|&b| b == 0)
            .collect();
        out.push(0x80 | bytes.len() as u8);
        out.extend(bytes);
    }
    out.extend_from_slice(body);
    out
}

/// The rustls error for a webpki validation error, as rustls's own verifier maps them.
fn webpki_error(e: webpki::Error) -> Error {
    use webpki::Error as E;
    let cert = match e {
        E::BadDer | E::BadDerTime => CertificateError::BadEncoding,
        E::CertNotValidYet { .. } => CertificateError::NotValidYet,
        E::CertExpired { .. } | E::InvalidCertValidity => CertificateError::Expired,
        E::UnknownIssuer => CertificateError::UnknownIssuer,
        E::CertNotValidForName(_) => CertificateError::NotValidForName,
        E::CertRevoked => CertificateError::Revoked,
        E::InvalidSignatureForPublicKey => CertificateError::BadSignature,
        E::UnsupportedSignatureAlgorithmContext(_)
        | E::UnsupportedSignatureAlgorithmForPublicKeyContext(_) => CertificateError::BadSignature,
        other => CertificateError::Other(OtherError(Arc::new(other))),
    };
    Error::InvalidCertificate(cert)
}
