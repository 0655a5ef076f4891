//! Certificate validity dates, for pin-only mode when the caller has a clock.

use certpin::Certificate;
use der::Decode;
use rustls::pki_types::UnixTime;

/// Whether `now` lies within the certificate's notBefore..=notAfter. A validity that does not
/// decode counts as not valid.
pub(crate) fn is_valid_at(cert: &Certificate<'_>, now: UnixTime) -> bool {
    let Ok(validity) =
        x509_cert::time::Validity::<x509_cert::certificate::Rfc5280>::from_der(cert.validity())
    else {
        return false;
    };
    let now = now.as_secs();
    validity.not_before.to_unix_duration().as_secs() <= now
        && now <= validity.not_after.to_unix_duration().as_secs()
}
