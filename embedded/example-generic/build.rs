//! Links for the target's memory layout (shared with the other firmware).

include!("../memory/select.rs");

fn main() {
    link_for_target();
}
