//! The lean certificate walk (`SubjectPublicKeyInfo::from_certificate`, behind
//! `PinSet::match_certificate_der`) against the full strict parser (`Certificate::from_der`).

use certpin::{Certificate, SubjectPublicKeyInfo};

/// How the two readers related on one input.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lean {
    /// Both accept it, with the same SPKI.
    BothAccept,
    /// Both reject it with the same error (variant, field, offset).
    SameError,
    /// The full parser rejects a defect at or after the end of the SPKI, which the lean walk
    /// does not read; it finds the same SPKI the full parser would have reached.
    DefectAfterKey,
    /// Both reject it, with different errors: only possible with several defects, one past the
    /// key that the full parser meets first (it checks the outer signature fields before the
    /// TBSCertificate's contents).
    BothRejectDifferently,
}

/// Compares both readers on `der` and panics on any relation other than those of [`Lean`]:
/// the lean walk never accepts what the full parser rejects before the end of the key, never
/// rejects what the full parser accepts, and never finds a different key.
pub fn compare_lean(der: &[u8]) -> Lean {
    let full = Certificate::from_der(der);
    let lean = SubjectPublicKeyInfo::from_certificate(der);
    match (full, lean) {
        (Ok(cert), Ok(spki)) => {
            assert_eq!(spki, cert.spki(), "different SPKIs");
            Lean::BothAccept
        }
        (Ok(_), Err(e)) => panic!("the lean walk rejects what the full parser accepts: {e:?}"),
        (Err(full), Ok(spki)) => {
            let key_end = spki.der().as_ptr() as usize - der.as_ptr() as usize + spki.der().len();
            let at = full.offset().expect("certificate errors have offsets");
            assert!(
                at >= key_end,
                "the lean walk accepts {full:?}, a defect before the end of the key ({key_end})"
            );
            Lean::DefectAfterKey
        }
        (Err(full), Err(lean)) if full == lean => Lean::SameError,
        (Err(_), Err(_)) => Lean::BothRejectDifferently,
    }
}
