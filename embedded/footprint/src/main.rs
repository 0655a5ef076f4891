//! The smallest firmware that runs certpin's pin path: parse the server's certificate, hash
//! what the pins need, and match a `PinSet` kept as a `const` array in flash.
//!
//! `scripts/footprint-report` builds it with and without the `pin` feature and attributes the
//! difference in `.text` + `.rodata` to certpin (SHA-256 included). Inputs go through
//! `black_box` so the compiler cannot evaluate the check at build time.
#![no_std]
#![no_main]

#[cfg(any(feature = "deliberate-panic", not(feature = "measure")))]
use core::hint::black_box;

#[cfg(feature = "pin")]
use certpin::{CompactSha256, PinSet};
use certpin::{Pin, PinKind};

/// The pins a device ships with: the server key's SPKI pin and a backup key's pin.
const PINS: [Pin; 2] = [
    // SPKI SHA-256 of testdata/certs/ec-p256.der (the value itself does not affect the size).
    Pin::new(
        PinKind::Spki,
        [
            0xcc, 0x88, 0xa4, 0xc0, 0x10, 0xa6, 0xea, 0xa3, 0x65, 0xa2, 0x13, 0xae, 0xa2, 0xad,
            0xd7, 0xfd, 0x9c, 0xea, 0x29, 0x2b, 0xeb, 0x2e, 0x69, 0xaf, 0x55, 0x93, 0x54, 0xd8,
            0xee, 0xf2, 0xe3, 0x75,
        ],
    ),
    Pin::new(PinKind::Spki, [0x11; 32]),
];

/// Stands in for the certificate a TLS stack hands over; in both builds, so its bytes cancel
/// out of the comparison.
static SERVER_CERT: &[u8] = include_bytes!("../../../testdata/certs/ec-p256.der");

/// The pin path: what a firmware calls once per handshake.
#[cfg(feature = "pin")]
#[inline(never)]
fn pin_check(der: &[u8], pins: &[Pin]) -> bool {
    #[cfg(feature = "deliberate-panic")]
    let _ = der[black_box(usize::MAX)];
    matches!(
        PinSet::new(pins).match_certificate_der(der, &mut CompactSha256),
        Ok(Some(_))
    )
}

#[cfg(not(feature = "pin"))]
#[inline(never)]
fn pin_check(der: &[u8], pins: &[Pin]) -> bool {
    der.len() == pins.len()
}

#[cfg(not(feature = "measure"))]
fn run() -> ! {
    let accepted = pin_check(black_box(SERVER_CERT), black_box(&PINS[..]));
    black_box(accepted);
    #[allow(clippy::empty_loop)]
    loop {}
}

#[cfg(feature = "measure")]
mod measure;
#[cfg(feature = "measure")]
use measure::run;

#[cfg(target_arch = "arm")]
#[cortex_m_rt::entry]
fn entry() -> ! {
    run()
}

#[cfg(target_arch = "riscv32")]
#[riscv_rt::entry]
fn entry() -> ! {
    run()
}

/// A panic would be a pin check an attacker can turn into a reboot loop; the report checks that
/// this handler is not linked at all (no panic path is reachable).
#[cfg(not(feature = "measure"))]
#[panic_handler]
fn panic(_: &core::panic::PanicInfo<'_>) -> ! {
    #[allow(clippy::empty_loop)]
    loop {}
}
