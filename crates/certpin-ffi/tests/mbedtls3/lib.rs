//! Nothing here: this package only pins the mbedTLS 3.6.5 sources (see Cargo.toml).
