//! Stack measurement by painting, run under QEMU.
//!
//! `paint` fills the stack below the caller with a pattern; `pin_check` then runs from the same
//! depth. The firmware prints where the pattern lies and waits: the report script dumps RAM
//! through QEMU's monitor and finds the lowest byte the pin path changed. This is the stack the
//! path really used for these inputs; the path has no recursion and no input-dependent frame
//! sizes, so other certificates use the same frames.

use core::hint::black_box;

use semihosting::println;

/// Bytes painted below the caller; far more than the budget, so a deep path cannot escape it.
const PAINT: usize = 4096;
const PATTERN: u8 = 0xa5;

#[inline(never)]
fn paint() -> usize {
    let area = [PATTERN; PAINT];
    black_box(&area);
    area.as_ptr() as usize
}

pub(crate) fn run() -> ! {
    // An address in this frame: everything below it that changes belongs to the callees.
    let anchor = 0u32;
    let anchor = black_box(&anchor) as *const u32 as usize;
    let painted_from = paint();
    let accepted = super::pin_check(black_box(super::SERVER_CERT), black_box(&super::PINS[..]));
    println!(
        "certpin-measure anchor={anchor:#x} painted_from={painted_from:#x} paint={PAINT} accepted={accepted}"
    );
    #[allow(clippy::empty_loop)]
    loop {}
}

#[panic_handler]
fn panic(_: &core::panic::PanicInfo<'_>) -> ! {
    semihosting::process::exit(101)
}
