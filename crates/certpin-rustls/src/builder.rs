//! Building a [`PinnedVerifier`]: every weakening is an explicit, named call.

use std::fmt;
use std::sync::Arc;

use rustls::RootCertStore;
use rustls::crypto::CryptoProvider;

use crate::policy::HostPolicy;
use crate::report::PinFailure;
use crate::verifier::{ModeConfig, PinnedVerifier};

/// A callback that receives every pinning failure (also in report-only mode).
pub type FailureHook = Arc<dyn Fn(&PinFailure) + Send + Sync>;

/// What happens to a host no policy names.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum UnpinnedHosts {
    /// Refuse the connection (the default: a typo in a pattern must not disable pinning).
    #[default]
    Deny,
    /// Accept after ordinary WebPKI validation, without pins (WebPKI mode only).
    WebPkiOnly,
}

/// A configuration mistake, reported when the verifier is built.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ConfigError {
    /// A host pattern that is not a DNS name, `*.`/`**.` wildcard or IP address.
    InvalidHostPattern(String),
    /// A pin that does not parse (the text and the reason).
    InvalidPin(String, certpin::Error),
    /// A policy with no pins.
    NoPins(String),
    /// No policy at all: such a verifier would refuse every server.
    NoPolicies,
    /// `UnpinnedHosts::WebPkiOnly` in pin-only mode, where there is no WebPKI to fall back on.
    WebPkiFallbackWithoutRoots,
    /// Report-only in pin-only mode: the pins are all that authenticates a server there, so
    /// not enforcing them would accept anyone who answers with the right name.
    ReportOnlyWithoutRoots,
    /// WebPKI mode with the host name check disabled, and a setting (named here) that accepts
    /// some servers without a pin match: `UnpinnedHosts::WebPkiOnly`, `report_only`, or a
    /// policy with an expiry. Without the name check, such a server could present any
    /// certificate a trusted CA issued, for any name.
    UncheckedNamesWithoutPins(String),
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ConfigError::InvalidHostPattern(p) => write!(
                f,
                "invalid host pattern {p:?}: expected a DNS name, *.name, **.name or an IP address"
            ),
            ConfigError::InvalidPin(text, e) => write!(f, "pin {text:?}: {e}"),
            ConfigError::NoPins(p) => write!(f, "policy {p:?} has no pins"),
            ConfigError::NoPolicies => {
                f.write_str("no pin policies: every server would be refused")
            }
            ConfigError::WebPkiFallbackWithoutRoots => f.write_str(
                "unpinned hosts cannot fall back to WebPKI in pin-only mode (there are no roots)",
            ),
            ConfigError::ReportOnlyWithoutRoots => f.write_str(
                "report-only needs WebPKI mode: in pin-only mode the pins are the only check, \
                 and not enforcing them would accept any server",
            ),
            ConfigError::UncheckedNamesWithoutPins(setting) => write!(
                f,
                "the host name check is disabled, so {setting} would accept any certificate \
                 a trusted CA issued, for any name"
            ),
        }
    }
}

impl std::error::Error for ConfigError {}

/// A configuration that works but is risky; see [`PinnedVerifierBuilder::warnings`].
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ConfigWarning {
    /// The lint `single-pin`: a policy with one pin has no backup. When that key must be
    /// replaced (compromise, loss, a new CA), every client still carrying the old pin is locked
    /// out until it is updated (RFC 7469 §4.3). Pin a backup key kept offline, made with
    /// `certpin hash backup.key.pem`.
    SinglePin(String),
}

impl fmt::Display for ConfigWarning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ConfigWarning::SinglePin(p) => write!(
                f,
                "policy {p:?} has a single pin and no backup: losing that key locks every client out (lint: single-pin)"
            ),
        }
    }
}

/// Builds a [`PinnedVerifier`]; start from [`PinnedVerifier::pin_only`] or
/// [`PinnedVerifier::webpki`].
#[must_use]
pub struct PinnedVerifierBuilder {
    pub(crate) mode: ModeConfig,
    pub(crate) provider: Arc<CryptoProvider>,
    pub(crate) policies: Vec<HostPolicy>,
    pub(crate) unpinned: UnpinnedHosts,
    pub(crate) hostname_check: bool,
    pub(crate) report_only: bool,
    pub(crate) hook: Option<FailureHook>,
    pub(crate) port: Option<u16>,
}

impl PinnedVerifierBuilder {
    pub(crate) fn new(mode: ModeConfig, provider: Arc<CryptoProvider>) -> Self {
        PinnedVerifierBuilder {
            mode,
            provider,
            policies: Vec::new(),
            unpinned: UnpinnedHosts::Deny,
            hostname_check: true,
            report_only: false,
            hook: None,
            port: None,
        }
    }

    /// Adds a policy. Several policies may match a host; any pin of any of them suffices.
    pub fn policy(mut self, policy: HostPolicy) -> Self {
        self.policies.push(policy);
        self
    }

    /// Adds a policy from a pattern and pin texts (see [`HostPolicy::new`]).
    pub fn pin<S: AsRef<str>>(
        self,
        pattern: &str,
        pins: impl IntoIterator<Item = S>,
    ) -> Result<Self, ConfigError> {
        Ok(self.policy(HostPolicy::new(pattern, pins)?))
    }

    /// What to do with hosts no policy names (default [`UnpinnedHosts::Deny`]).
    pub fn unpinned_hosts(mut self, unpinned: UnpinnedHosts) -> Self {
        self.unpinned = unpinned;
        self
    }

    /// Pin-only mode: reject certificates outside their validity dates, using the time rustls
    /// passes to the verifier. Only for clients with a clock an attacker cannot set; without
    /// it (the default) dates are ignored, as a device without a real-time clock must.
    pub fn check_validity_dates(mut self) -> Self {
        if let ModeConfig::PinOnly { check_dates } = &mut self.mode {
            *check_dates = true;
        }
        self
    }

    /// Accepts a leaf whose names do not include the server name. Only for setups where the
    /// pinned key alone identifies the server (a device reached by IP, a self-signed key with
    /// no names); a wrong-name certificate is otherwise a reason to refuse.
    ///
    /// Then a pin is all that ties a certificate to the server, whatever names it carries:
    /// - pin-only mode: a pinned leaf key, or any certificate a pinned CA key signed (for
    ///   any name, another customer's included);
    /// - WebPKI mode: any certificate a trusted CA issued, for any name, whose validated path
    ///   carries a pinned key: pinning a public CA or intermediate then accepts everyone that
    ///   CA serves. Pin leaf keys only.
    ///
    /// In WebPKI mode, [`build`](Self::build) refuses it together with anything that accepts
    /// a server without a pin match ([`UnpinnedHosts::WebPkiOnly`], [`report_only`](Self::report_only),
    /// a policy with an expiry): with neither a name nor a pin, any certificate from any
    /// trusted CA would do ([`ConfigError::UncheckedNamesWithoutPins`]).
    ///
    /// ```
    /// use certpin_rustls::{ConfigError, PinnedVerifier, UnpinnedHosts};
    /// let provider = std::sync::Arc::new(rustls::crypto::ring::default_provider());
    /// let mut roots = rustls::RootCertStore::empty();
    /// roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
    /// let refused = PinnedVerifier::webpki(roots.into(), provider)
    ///     .pin("192.0.2.7", ["sha256//ERERERERERERERERERERERERERERERERERERERERERE=", "sha256//IiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiI="])?
    ///     .dangerous_disable_hostname_check()
    ///     .unpinned_hosts(UnpinnedHosts::WebPkiOnly)
    ///     .build();
    /// assert!(matches!(refused, Err(ConfigError::UncheckedNamesWithoutPins(_))));
    /// # Ok::<(), ConfigError>(())
    /// ```
    pub fn dangerous_disable_hostname_check(mut self) -> Self {
        self.hostname_check = false;
        self
    }

    /// Report-only mode: pin mismatches go to the failure hook and the connection proceeds.
    /// Chain, name and signature failures still refuse the server, and are not pinning
    /// failures: the hook does not see them. The hook runs when the certificate is checked,
    /// before the server's handshake signature, so a server reported there may still be
    /// refused for its signature. For rolling out pins.
    ///
    /// WebPKI mode only ([`build`](Self::build) refuses it in pin-only mode with
    /// [`ConfigError::ReportOnlyWithoutRoots`]): there, the pins are all that authenticates a
    /// server.
    pub fn report_only(mut self) -> Self {
        self.report_only = true;
        self
    }

    /// Calls `hook` with every pinning failure.
    pub fn on_failure(mut self, hook: impl Fn(&PinFailure) + Send + Sync + 'static) -> Self {
        self.hook = Some(Arc::new(hook));
        self
    }

    /// The server port, for failure reports (rustls does not tell verifiers the port).
    pub fn report_port(mut self, port: u16) -> Self {
        self.port = Some(port);
        self
    }

    /// Lints of the configuration so far (e.g. [`ConfigWarning::SinglePin`]). They do not stop
    /// [`build`](Self::build); print them, or log them.
    pub fn warnings(&self) -> Vec<ConfigWarning> {
        self.policies
            .iter()
            .filter(|p| p.pins().len() == 1)
            .map(|p| ConfigWarning::SinglePin(p.pattern().to_string()))
            .collect()
    }

    /// Checks the configuration and builds the verifier. Warnings are also logged
    /// (`log::warn!`).
    pub fn build(self) -> Result<Arc<PinnedVerifier>, ConfigError> {
        if self.policies.is_empty() && self.unpinned == UnpinnedHosts::Deny {
            return Err(ConfigError::NoPolicies);
        }
        let pin_only = matches!(self.mode, ModeConfig::PinOnly { .. });
        if pin_only && self.unpinned == UnpinnedHosts::WebPkiOnly {
            return Err(ConfigError::WebPkiFallbackWithoutRoots);
        }
        if pin_only && self.report_only {
            return Err(ConfigError::ReportOnlyWithoutRoots);
        }
        // Refused rather than warned about: there is no safe use, since the server then
        // needs neither the name nor a pin, only any certificate from any trusted CA. (Pin-only
        // mode has no such path: unpinned and expired hosts are refused there.)
        if !pin_only && !self.hostname_check {
            let unpinned = (self.unpinned == UnpinnedHosts::WebPkiOnly)
                .then(|| "UnpinnedHosts::WebPkiOnly".to_string());
            let report = self.report_only.then(|| "report_only".to_string());
            let expiring = self
                .policies
                .iter()
                .find(|p| p.expires().is_some())
                .map(|p| format!("the expiry of policy {:?}", p.pattern().to_string()));
            if let Some(setting) = unpinned.or(report).or(expiring) {
                return Err(ConfigError::UncheckedNamesWithoutPins(setting));
            }
        }
        for warning in self.warnings() {
            log::warn!("certpin: {warning}");
        }
        Ok(Arc::new(PinnedVerifier::from_builder(self)))
    }
}

impl PinnedVerifier {
    /// Pin-only mode, for clients without a CA store or a trustworthy clock: a leaf whose key
    /// is pinned is accepted; a pinned intermediate or root (which the server must send)
    /// counts only if the chain from the leaf up to it verifies, signature by signature, and
    /// each certificate above the leaf is a CA allowed to sign for TLS servers
    /// (basicConstraints, path length, key usage, extended key usage; chains with name
    /// constraints are refused). Hostnames are checked against the leaf.
    ///
    /// ```
    /// use certpin_rustls::PinnedVerifier;
    /// let provider = std::sync::Arc::new(rustls::crypto::ring::default_provider());
    /// let verifier = PinnedVerifier::pin_only(provider)
    ///     .pin("device.example", [
    ///         "sha256//ERERERERERERERERERERERERERERERERERERERERERE=",
    ///         "sha256//IiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiI=",
    ///     ])?
    ///     .build()?;
    /// let config = rustls::ClientConfig::builder()
    ///     .dangerous() // rustls's name for "a custom verifier": this one is not weaker
    ///     .with_custom_certificate_verifier(verifier)
    ///     .with_no_client_auth();
    /// # let _ = config;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn pin_only(provider: Arc<CryptoProvider>) -> PinnedVerifierBuilder {
        PinnedVerifierBuilder::new(ModeConfig::PinOnly { check_dates: false }, provider)
    }

    /// WebPKI mode: full validation against `roots`, then the pins are matched against the
    /// *validated* path only (leaf, intermediates, trust anchor), never against the list the
    /// server sent.
    ///
    /// `roots` is any `RootCertStore`: Mozilla's set from the `webpki-roots` crate (below),
    /// the operating system's store from `rustls-native-certs`
    /// (`roots.add_parsable_certificates(rustls_native_certs::load_native_certs().certs)`,
    /// what `certpin check --roots platform` does), or your own private CA.
    ///
    /// ```
    /// use certpin_rustls::{PinnedVerifier, UnpinnedHosts};
    /// let provider = std::sync::Arc::new(rustls::crypto::ring::default_provider());
    /// let mut roots = rustls::RootCertStore::empty();
    /// roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
    /// let verifier = PinnedVerifier::webpki(roots.into(), provider)
    ///     .pin("**.example.com", ["sha256//ERERERERERERERERERERERERERERERERERERERERERE=", "sha256//IiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiI="])?
    ///     .unpinned_hosts(UnpinnedHosts::WebPkiOnly)
    ///     .build()?;
    /// # let _ = verifier;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn webpki(
        roots: Arc<RootCertStore>,
        provider: Arc<CryptoProvider>,
    ) -> PinnedVerifierBuilder {
        PinnedVerifierBuilder::new(ModeConfig::WebPki { roots }, provider)
    }
}
