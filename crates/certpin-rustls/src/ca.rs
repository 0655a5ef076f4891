//! What pin-only mode's chain walk requires of a certificate before its signature counts:
//! that it is a CA allowed to sign certificates for TLS servers (RFC 5280 §6.1.4 (k)–(n), and
//! what webpki requires of an intermediate).
//!
//! A valid signature alone is not enough. A pinned CA also signs ordinary end-entity
//! certificates; without these checks, anyone holding one of them (and its key) could sign a
//! certificate for any name with it and be accepted "through" the pinned CA.

use certpin::{Certificate, Version};
use der::Decode;
use der::asn1::ObjectIdentifier;
use der::oid::AssociatedOid;
use x509_cert::ext::Extensions;
use x509_cert::ext::pkix::{
    BasicConstraints, ExtendedKeyUsage, KeyUsage, NameConstraints, SubjectAltName,
};

/// id-kp-serverAuth (RFC 5280 §4.2.1.12).
const SERVER_AUTH: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.3.1");
/// anyExtendedKeyUsage (RFC 5280 §4.2.1.12).
const ANY_EXTENDED_KEY_USAGE: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.37.0");

/// The extensions of `cert` that this module understands, decoded.
#[derive(Default)]
struct Understood {
    basic_constraints: Option<BasicConstraints>,
    key_usage: Option<KeyUsage>,
    extended_key_usage: Option<ExtendedKeyUsage>,
}

/// Decodes the extensions of `cert`. `None` if they do not decode, if one appears twice
/// (RFC 5280 §4.2), if there are name constraints (not enforced here, so a chain that relies
/// on them is refused rather than half-checked), or if one it does not understand is critical
/// (the subjectAltName counts as understood: the host name check reads it).
fn understood(cert: &Certificate<'_>) -> Option<Understood> {
    let mut found = Understood::default();
    let Some(der) = cert.extensions() else {
        return Some(found);
    };
    let extensions = Extensions::from_der(der).ok()?;
    // Sorted, so a served certificate with thousands of extensions costs n log n, not n².
    let mut ids: Vec<&ObjectIdentifier> = extensions.iter().map(|e| &e.extn_id).collect();
    ids.sort_unstable();
    if ids.windows(2).any(|pair| pair[0] == pair[1]) {
        return None;
    }
    for ext in &extensions {
        let value = ext.extn_value.as_bytes();
        match ext.extn_id {
            BasicConstraints::OID => {
                found.basic_constraints = Some(BasicConstraints::from_der(value).ok()?);
            }
            KeyUsage::OID => found.key_usage = Some(KeyUsage::from_der(value).ok()?),
            ExtendedKeyUsage::OID => {
                found.extended_key_usage = Some(ExtendedKeyUsage::from_der(value).ok()?);
            }
            NameConstraints::OID => return None,
            // Read by the host name check (rustls-webpki, which also accepts it critical), and
            // RFC 5280 §4.2.1.6 requires it critical when the subject is empty.
            SubjectAltName::OID => {}
            _ if ext.critical => return None,
            _ => {}
        }
    }
    Some(found)
}

/// Whether an extended key usage, if there is one, allows TLS server certificates.
fn allows_server_auth(eku: Option<&ExtendedKeyUsage>) -> bool {
    eku.is_none_or(|eku| {
        eku.0
            .iter()
            .any(|oid| *oid == SERVER_AUTH || *oid == ANY_EXTENDED_KEY_USAGE)
    })
}

/// Whether `cert` may have signed a certificate of a TLS server chain with `below`
/// intermediates between it and the leaf: a v3 certificate whose basicConstraints say it is a
/// CA, whose path length constraint (if any) allows `below`, whose key usage (if any)
/// includes keyCertSign and whose extended key usage (if any) allows serverAuth.
pub(crate) fn may_sign_server_chain(cert: &Certificate<'_>, below: usize) -> bool {
    if cert.version() != Version::V3 {
        // RFC 5280 §6.1.4 (k) lets v1/v2 intermediates through; webpki and current CAs do
        // not, and neither do we: nothing in such a certificate says it is a CA.
        return false;
    }
    let Some(ext) = understood(cert) else {
        return false;
    };
    let Some(bc) = ext.basic_constraints.filter(|bc| bc.ca) else {
        return false;
    };
    bc.path_len_constraint
        .is_none_or(|max| below <= usize::from(max))
        && ext.key_usage.is_none_or(|ku| ku.key_cert_sign())
        && allows_server_auth(ext.extended_key_usage.as_ref())
}

/// Whether `leaf` may be a TLS server's certificate when it is accepted through a pinned CA:
/// its extensions decode, none it does not understand is critical, and its extended key usage
/// (if any) allows serverAuth.
pub(crate) fn may_be_server_leaf(leaf: &Certificate<'_>) -> bool {
    understood(leaf).is_some_and(|ext| allows_server_auth(ext.extended_key_usage.as_ref()))
}
