//! What the `certpin` CLI tests share: the repository, the binary, its output as text.
// Each test file uses its own subset.
#![allow(dead_code)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

pub fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

pub fn testdata(rel: &str) -> String {
    repo()
        .join("testdata")
        .join(rel)
        .to_string_lossy()
        .into_owned()
}

pub fn certpin(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_certpin"))
        .args(args)
        .output()
        .expect("run certpin")
}

pub fn certpin_stdin(args: &[&str], input: &[u8]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_certpin"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run certpin");
    child.stdin.take().unwrap().write_all(input).unwrap();
    child.wait_with_output().unwrap()
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).unwrap()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8(o.stderr.clone()).unwrap()
}
