//! `--timeout` bounds a whole target (lookup, connect, handshake), not each read: a server that
//! keeps the connection alive by sending one byte at a time is given up on once the time is up.

use std::io::Write;
use std::net::TcpListener;
use std::process::Command;
use std::time::Duration;

#[test]
fn a_server_sending_one_byte_at_a_time_times_out_as_a_whole() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let target = format!("127.0.0.1:{}", listener.local_addr().unwrap().port());
    std::thread::spawn(move || {
        for conn in listener.incoming() {
            let Ok(mut conn) = conn else { return };
            std::thread::spawn(move || {
                // A handshake record announcing 16 KiB, then its bytes one every 200 ms, for
                // 20 s: each read gets a byte well within any per-read timeout, and the record
                // is never complete.
                let _ = conn.write_all(&[0x16, 0x03, 0x03, 0x40, 0x00]);
                for _ in 0..100 {
                    std::thread::sleep(Duration::from_millis(200));
                    if conn.write_all(&[0]).is_err() {
                        return;
                    }
                }
            });
        }
    });
    let pins = [
        "sha256//ERERERERERERERERERERERERERERERERERERERERERE=",
        "sha256//IiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiI=",
    ];
    for args in [
        vec!["get", &target, "--timeout", "1"],
        vec![
            "check",
            &target,
            "--pin",
            pins[0],
            "--pin",
            pins[1],
            "--timeout",
            "1",
        ],
    ] {
        let out = Command::new(env!("CARGO_BIN_EXE_certpin"))
            .args(&args)
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        let all = format!("{err}{}", String::from_utf8_lossy(&out.stdout));
        assert_eq!(out.status.code(), Some(3), "{args:?}: {all}");
        assert!(
            all.contains("timed out during the TLS handshake"),
            "{args:?}: {all}"
        );
    }
}
