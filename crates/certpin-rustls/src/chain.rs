//! Pin-only mode's chain walk: a pin on a certificate above the leaf counts only if every
//! signature from the leaf up to that certificate verifies, and every certificate above the
//! leaf on the way is a CA allowed to sign it (`ca.rs`).
//!
//! Without the signatures, a server could send any intermediate carrying a pinned key next to
//! a leaf that key never signed, and a client matching pins against the raw served list would
//! accept it (the same mistake as OkHttp's CVE-2016-2402, without even needing a CA). Without
//! the CA checks, anyone holding an ordinary certificate from a pinned CA could sign a leaf for
//! any name with its key.

use certpin::{Certificate, PinMatch, PinSet, SoftSha256};
use rustls::pki_types::{CertificateDer, SignatureVerificationAlgorithm, UnixTime};

/// Served chains longer than this are not walked further (webpki's own limit is similar).
const MAX_DEPTH: usize = 8;

/// A pin found on a certificate whose place in the chain was verified.
pub(crate) struct VerifiedMatch {
    pub(crate) depth: usize,
    pub(crate) pin: PinMatch,
}

/// What the walk found: the verified prefix of the chain (leaf first) and the match, if any.
pub(crate) struct Walk<'a> {
    pub(crate) verified: Vec<&'a CertificateDer<'a>>,
    pub(crate) found: Option<VerifiedMatch>,
}

/// Whether `issuer`'s key made `child`'s signature, with one of the provider's algorithms.
pub(crate) fn signed_by(
    child: &Certificate<'_>,
    issuer: &Certificate<'_>,
    algs: &[&dyn SignatureVerificationAlgorithm],
) -> bool {
    let sig_alg = child.signature_algorithm().der_contents();
    let key_alg = issuer.spki().algorithm().der_contents();
    algs.iter()
        .filter(|a| {
            a.signature_alg_id().as_ref() == sig_alg && a.public_key_alg_id().as_ref() == key_alg
        })
        .any(|a| {
            a.verify_signature(
                issuer.spki().public_key(),
                child.tbs_certificate(),
                child.signature(),
            )
            .is_ok()
        })
}

/// Walks from the leaf upwards through certificates that verifiably signed the one below,
/// stopping at the first whose key is pinned. `within_validity` is `Some(now)` when the
/// caller has a trustworthy clock.
pub(crate) fn walk<'a>(
    leaf: &'a CertificateDer<'a>,
    intermediates: &'a [CertificateDer<'a>],
    pins: &PinSet<'_>,
    algs: &[&dyn SignatureVerificationAlgorithm],
    within_validity: Option<UnixTime>,
) -> Walk<'a> {
    let mut verified = vec![leaf];
    let Ok(mut current) = Certificate::from_der(leaf) else {
        return Walk {
            verified,
            found: None,
        };
    };
    if let Some(pin) = pins.match_certificate(&current, &mut SoftSha256) {
        return Walk {
            verified,
            found: Some(VerifiedMatch { depth: 0, pin }),
        };
    }
    if !crate::ca::may_be_server_leaf(&current) {
        // Only a pin on the leaf's own key could accept it, and that did not match.
        return Walk {
            verified,
            found: None,
        };
    }
    let mut used = vec![false; intermediates.len()];
    for depth in 1..=MAX_DEPTH {
        let next = intermediates.iter().enumerate().find_map(|(i, der)| {
            let cert = Certificate::from_der(der).ok()?;
            let fits = !used[i]
                && cert.subject() == current.issuer()
                && within_validity.is_none_or(|now| crate::validity::is_valid_at(&cert, now))
                && crate::ca::may_sign_server_chain(&cert, depth - 1)
                && signed_by(&current, &cert, algs);
            fits.then_some((i, der, cert))
        });
        let Some((i, der, cert)) = next else { break };
        used[i] = true;
        verified.push(der);
        if let Some(pin) = pins.match_certificate(&cert, &mut SoftSha256) {
            return Walk {
                verified,
                found: Some(VerifiedMatch { depth, pin }),
            };
        }
        current = cert;
    }
    Walk {
        verified,
        found: None,
    }
}
