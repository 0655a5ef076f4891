//! The whole connect-and-pin flow of a firmware, on any `embedded-io-async` socket.
//!
//! On an Embassy board the socket is an `embassy_net::tcp::TcpSocket` (it implements
//! `embedded_io_async::{Read, Write}`) and the RNG is the chip's TRNG driver; both are board
//! code, so here they are the two stand-ins at the bottom. Everything certpin-specific is
//! `fetch`: pins as a `const` array in flash, the pinning provider, and `certpin_embedded_tls::open`,
//! which refuses a server that did not prove it holds a pinned key before any data is sent.
#![no_std]
#![no_main]

use core::future::Future;
use core::pin::pin;
use core::task::{Context, Poll, Waker};

use certpin::{Pin, PinKind, PinSet};
use certpin_embedded_tls::PinningProvider;
use embedded_io_async::{Read, Write};
use embedded_tls::{Aes128GcmSha256, TlsConfig, TlsConnection, TlsError};

/// The server key's SPKI pin (`certpin hash --format curl leaf.pem`) and a backup key's pin:
/// 66 bytes of flash, no parsing at run time.
const PINS: [Pin; 2] = [
    Pin::new(
        PinKind::Spki,
        [
            0x44, 0x76, 0x94, 0x06, 0x2f, 0x2a, 0xe2, 0xbd, 0xa3, 0x58, 0xa1, 0x9f, 0x4d, 0x09,
            0x8e, 0x03, 0xb1, 0x23, 0x6a, 0x2e, 0x55, 0xcc, 0xf5, 0xc0, 0xc1, 0x5d, 0x13, 0xb2,
            0xc4, 0x55, 0x39, 0x1c,
        ],
    ),
    Pin::new(PinKind::Spki, [0x11; 32]),
];

/// Connects TLS 1.3 over `socket`, accepting only a pinned server key, and sends one request.
async fn fetch<S: Read + Write>(
    socket: S,
    rng: impl embedded_tls::CryptoRngCore,
    response: &mut [u8],
) -> Result<usize, TlsError> {
    // 16 KiB + overhead receives any record; servers honouring max_fragment_length need less.
    let mut read_buf = [0u8; 16_640];
    let mut write_buf = [0u8; 4096];
    let tls: TlsConnection<'_, S, Aes128GcmSha256> =
        TlsConnection::new(socket, &mut read_buf, &mut write_buf);
    let config = TlsConfig::new().with_server_name("device-api.example");
    let mut provider =
        PinningProvider::new(rng, PinSet::new(&PINS)).map_err(|_| TlsError::InvalidCertificate)?;
    // `open` takes the connection and gives it back only if the server proved it holds a
    // pinned key; on a refusal there is no connection left to write the request to.
    let mut tls = certpin_embedded_tls::open(tls, &config, &mut provider).await?;
    tls.write_all(b"GET /config HTTP/1.0\r\nHost: device-api.example\r\n\r\n")
        .await?;
    tls.flush().await?;
    tls.read(response).await
}

#[cortex_m_rt::entry]
fn main() -> ! {
    let mut response = [0u8; 512];
    let mut task = pin!(fetch(board::Socket, board::Trng, &mut response));
    // Embassy's executor would run this; a no-op waker and a poll loop do for a sketch.
    let mut cx = Context::from_waker(Waker::noop());
    loop {
        if let Poll::Ready(result) = task.as_mut().poll(&mut cx) {
            core::hint::black_box(result.is_ok());
            #[allow(clippy::empty_loop)]
            loop {}
        }
    }
}

/// Stand-ins for board code. Replace with the network stack's socket and the chip's TRNG.
mod board {
    use embedded_io_async::{ErrorKind, ErrorType, Read, Write};

    /// A socket with no network behind it: every operation fails.
    pub struct Socket;

    impl ErrorType for Socket {
        type Error = ErrorKind;
    }

    impl Read for Socket {
        async fn read(&mut self, _: &mut [u8]) -> Result<usize, ErrorKind> {
            Err(ErrorKind::NotConnected)
        }
    }

    impl Write for Socket {
        async fn write(&mut self, _: &[u8]) -> Result<usize, ErrorKind> {
            Err(ErrorKind::NotConnected)
        }
        async fn flush(&mut self) -> Result<(), ErrorKind> {
            Err(ErrorKind::NotConnected)
        }
    }

    /// Where the chip's true random number generator goes. There is none here, so it refuses
    /// to produce anything rather than produce predictable key material.
    pub struct Trng;

    impl rand_core::RngCore for Trng {
        fn next_u32(&mut self) -> u32 {
            rand_core::impls::next_u32_via_fill(self)
        }
        fn next_u64(&mut self) -> u64 {
            rand_core::impls::next_u64_via_fill(self)
        }
        fn fill_bytes(&mut self, _: &mut [u8]) {
            panic!("no TRNG on this stand-in board")
        }
        fn try_fill_bytes(&mut self, _: &mut [u8]) -> Result<(), rand_core::Error> {
            panic!("no TRNG on this stand-in board")
        }
    }

    impl rand_core::CryptoRng for Trng {}
}

#[panic_handler]
fn panic(_: &core::panic::PanicInfo<'_>) -> ! {
    #[allow(clippy::empty_loop)]
    loop {}
}
