// Shared by the firmware build scripts (`include!`d): puts the right `memory.x` for the target
// on the linker's search path and links with the runtime's script.

fn link_for_target() {
    use std::path::PathBuf;
    let out = PathBuf::from(std::env::var("OUT_DIR").unwrap());
    let target = std::env::var("TARGET").unwrap();
    let manifest = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap());
    // Cortex-M3 (lm3s6965evb) for v6-M/v7-M code; Cortex-M4F (mps2-an386) for v7E-M code,
    // whose DSP and FPU instructions an M3 does not have.
    let memory = if target.starts_with("riscv32") {
        "riscv-virt.x"
    } else if target.starts_with("thumbv7em") {
        "mps2-an386.x"
    } else {
        "lm3s6965.x"
    };
    let src = manifest.join("../memory").join(memory);
    std::fs::copy(&src, out.join("memory.x")).unwrap();
    println!("cargo:rerun-if-changed={}", src.display());
    println!("cargo:rustc-link-search={}", out.display());
    println!("cargo:rustc-link-arg=-Tlink.x");
    if target.starts_with("thumb") {
        // cortex-m-rt's link.x needs these to size-check the vector table.
        println!("cargo:rustc-link-arg=--nmagic");
    }
}
