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
///
/// Where several served certificates could be the issuer (a cross-signed intermediate: one
/// key, one subject, two issuers), each is tried in served order, and the walk backs up out of
/// a path that ends without a pin, so the pinned root of the other path is still found. The
/// signature checks of the whole walk are capped ([`MAX_SIGNATURE_CHECKS`]): a served list
/// full of look-alike issuers cannot buy unbounded work. When nothing matches, `verified` is
/// the longest verified path.
pub(crate) fn walk<'a>(
    leaf: &'a CertificateDer<'a>,
    intermediates: &'a [CertificateDer<'a>],
    pins: &PinSet<'_>,
    algs: &[&dyn SignatureVerificationAlgorithm],
    within_validity: Option<UnixTime>,
) -> Walk<'a> {
    let no_match = |verified| Walk {
        verified,
        found: None,
    };
    let Ok(leaf_cert) = Certificate::from_der(leaf) else {
        return no_match(vec![leaf]);
    };
    if let Some(pin) = pins.match_certificate(&leaf_cert, &mut SoftSha256) {
        return Walk {
            verified: vec![leaf],
            found: Some(VerifiedMatch { depth: 0, pin }),
        };
    }
    if !crate::ca::may_be_server_leaf(&leaf_cert) {
        // Only a pin on the leaf's own key could accept it, and that did not match.
        return no_match(vec![leaf]);
    }
    let candidates: Vec<_> = intermediates
        .iter()
        .filter_map(|der| Some((der, Certificate::from_der(der).ok()?)))
        .collect();
    let mut search = Search {
        used: vec![false; candidates.len()],
        candidates,
        path: vec![leaf],
        longest: vec![leaf],
        checks_left: MAX_SIGNATURE_CHECKS,
        pins,
        algs,
        within_validity,
    };
    match search.above(&leaf_cert, 1) {
        Some(found) => Walk {
            verified: search.path,
            found: Some(found),
        },
        None => no_match(search.longest),
    }
}

/// Signature checks one walk may make, over every path it tries (webpki has a similar budget).
const MAX_SIGNATURE_CHECKS: usize = 64;

/// The state of one [`walk`]'s depth-first search.
struct Search<'a, 'p> {
    /// The served certificates above the leaf that parse.
    candidates: Vec<(&'a CertificateDer<'a>, Certificate<'a>)>,
    /// Which candidates are on the current path (a path never uses a certificate twice).
    used: Vec<bool>,
    /// The current path, leaf first; on a match, the path to the pinned certificate.
    path: Vec<&'a CertificateDer<'a>>,
    longest: Vec<&'a CertificateDer<'a>>,
    checks_left: usize,
    pins: &'p PinSet<'p>,
    algs: &'p [&'p dyn SignatureVerificationAlgorithm],
    within_validity: Option<UnixTime>,
}

impl<'a> Search<'a, '_> {
    /// Looks for a pinned certificate at `depth` (1: the leaf's issuer) or above, along
    /// issuers of `child` whose signatures verify.
    fn above(&mut self, child: &Certificate<'_>, depth: usize) -> Option<VerifiedMatch> {
        if depth > MAX_DEPTH {
            return None;
        }
        for i in 0..self.candidates.len() {
            let Some(&(der, cert)) = self.candidates.get(i) else {
                break;
            };
            let fits = self.used.get(i) == Some(&false)
                && cert.subject() == child.issuer()
                && self
                    .within_validity
                    .is_none_or(|now| crate::validity::is_valid_at(&cert, now))
                && crate::ca::may_sign_server_chain(&cert, depth - 1);
            if !fits {
                continue;
            }
            if self.checks_left == 0 {
                // Out of signature checks: nothing more can be verified on any path.
                return None;
            }
            self.checks_left -= 1;
            if !signed_by(child, &cert, self.algs) {
                continue;
            }
            self.set_used(i, true);
            self.path.push(der);
            if self.path.len() > self.longest.len() {
                self.longest.clone_from(&self.path);
            }
            if let Some(pin) = self.pins.match_certificate(&cert, &mut SoftSha256) {
                return Some(VerifiedMatch { depth, pin });
            }
            if let Some(found) = self.above(&cert, depth + 1) {
                return Some(found);
            }
            self.path.pop();
            self.set_used(i, false);
        }
        None
    }

    fn set_used(&mut self, i: usize, used: bool) {
        if let Some(slot) = self.used.get_mut(i) {
            *slot = used;
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use certpin::{Pin, PinKind, PinSet};
    use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair};
    use rustls::pki_types::{
        AlgorithmIdentifier, CertificateDer, InvalidSignature, SignatureVerificationAlgorithm,
    };

    static CHECKS: AtomicUsize = AtomicUsize::new(0);

    /// The provider's algorithm, counting its signature checks.
    #[derive(Debug)]
    struct Counting(&'static dyn SignatureVerificationAlgorithm);

    impl SignatureVerificationAlgorithm for Counting {
        fn verify_signature(
            &self,
            key: &[u8],
            message: &[u8],
            signature: &[u8],
        ) -> Result<(), InvalidSignature> {
            CHECKS.fetch_add(1, Ordering::SeqCst);
            self.0.verify_signature(key, message, signature)
        }
        fn public_key_alg_id(&self) -> AlgorithmIdentifier {
            self.0.public_key_alg_id()
        }
        fn signature_alg_id(&self) -> AlgorithmIdentifier {
            self.0.signature_alg_id()
        }
    }

    #[test]
    fn look_alike_issuers_cannot_buy_unbounded_work() {
        // Ten self-issued CA certificates with one name and one key: each verifies as the
        // issuer of the leaf and of every other, so the paths through them number in the
        // millions up to MAX_DEPTH. None is pinned.
        let key = KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).unwrap();
        let ca_params = |serial: u64| {
            let mut p = CertificateParams::new(Vec::<String>::new()).unwrap();
            p.distinguished_name.push(DnType::CommonName, "look-alike");
            p.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
            p.serial_number = Some(serial.into());
            p
        };
        let look_alikes: Vec<CertificateDer<'static>> = (1..=10)
            .map(|i| ca_params(i).self_signed(&key).unwrap().der().clone())
            .collect();
        let leaf_key = KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).unwrap();
        let leaf = CertificateParams::new(vec!["localhost".to_string()])
            .unwrap()
            .signed_by(&leaf_key, &Issuer::from_params(&ca_params(0), &key))
            .unwrap()
            .der()
            .clone();

        let provider = rustls::crypto::ring::default_provider();
        let counting: Vec<Counting> = provider
            .signature_verification_algorithms
            .all
            .iter()
            .map(|&a| Counting(a))
            .collect();
        let algs: Vec<&dyn SignatureVerificationAlgorithm> = counting
            .iter()
            .map(|a| a as &dyn SignatureVerificationAlgorithm)
            .collect();
        let pins = [Pin::new(PinKind::Spki, [0x11; 32])];
        let walk = super::walk(&leaf, &look_alikes, &PinSet::new(&pins), &algs, None);

        assert!(walk.found.is_none());
        // The leaf and eight look-alikes: the longest path the depth limit allows.
        assert_eq!(walk.verified.len(), 1 + super::MAX_DEPTH);
        let checks = CHECKS.load(Ordering::SeqCst);
        assert!(
            checks <= super::MAX_SIGNATURE_CHECKS,
            "{checks} signature checks"
        );
        assert!(
            checks >= super::MAX_DEPTH,
            "the walk went up to the depth limit"
        );
    }
}
