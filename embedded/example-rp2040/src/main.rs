//! An Embassy firmware that fetches its configuration over TLS 1.3, trusting only pinned keys.
//!
//! Board: an RP2040 with a WIZnet W5500 Ethernet chip on SPI0, wired as on the WIZnet
//! W5500-EVB-Pico (SCK GP18, MOSI GP19, MISO GP16, CS GP17, INT GP21, RESET GP20). Ethernet needs
//! no radio firmware blob, unlike the Pico W's CYW43.
//!
//! The flow (the `Step` comments follow it): DHCP for an address, DNS for the server, a TCP
//! connection, a TLS 1.3 handshake in which `certpin_embedded_tls` accepts the server only if its
//! leaf key is one of [`PINS`] and it proved it holds that key's private half, and only then one
//! HTTP request and its response. Logs go out over defmt (RTT, read with a debug probe):
//! failures at `error`, defmt's default level, progress at `info` (build with `DEFMT_LOG=info`).
//!
//! Build: `cargo build --release -p certpin-example-rp2040 --target thumbv6m-none-eabi` in
//! `embedded/`; flash the ELF with a probe (`probe-rs run --chip RP2040 …`) or convert it to UF2.
#![no_std]
#![no_main]

use certpin::{Pin, PinKind, PinSet};
use certpin_embedded_tls::{PinningProvider, Rejection};
use embassy_executor::Spawner;
use embassy_net::dns::DnsQueryType;
use embassy_net::tcp::{ConnectError, TcpSocket};
use embassy_net::{IpAddress, Stack, StackResources};
use embassy_net_wiznet::chip::W5500;
use embassy_rp::clocks::RoscRng;
use embassy_rp::gpio::{Input, Level, Output, Pull};
use embassy_rp::peripherals::{DMA_CH0, DMA_CH1, SPI0};
use embassy_rp::spi::{self, Async, Spi};
use embassy_rp::{bind_interrupts, dma};
use embassy_time::{Delay, Duration, Timer};
use embedded_hal_bus::spi::ExclusiveDevice;
use embedded_io_async::Write;
use embedded_tls::{Aes128GcmSha256, TlsConfig, TlsConnection, TlsError};
use rand_chacha::ChaCha20Rng;
use rand_core::{RngCore, SeedableRng};
use sha2::{Digest, Sha256};
use static_cell::StaticCell;
use {defmt_rtt as _, panic_probe as _};

/// The server this device talks to. Also the name the TLS handshake sends (SNI) and checks
/// against the leaf certificate's subjectAltNames.
const SERVER_NAME: &str = "device-api.example";
const SERVER_PORT: u16 = 443;
const REQUEST: &[u8] = b"GET /config HTTP/1.0\r\nHost: device-api.example\r\n\r\n";

/// The server key's SPKI pin (what `certpin hash` prints for its certificate) and the pin of a
/// backup key kept offline, so the server can move to it without a firmware update. A `const`
/// array: 66 bytes in flash, nothing parsed at run time.
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

/// A locally administered MAC address. A product derives one per device (e.g. from the flash
/// chip's unique ID) or uses the one it was assigned.
const MAC_ADDRESS: [u8; 6] = [0x02, 0x00, 0x00, 0x00, 0x00, 0x01];

bind_interrupts!(struct Irqs {
    DMA_IRQ_0 => dma::InterruptHandler<DMA_CH0>, dma::InterruptHandler<DMA_CH1>;
});

type EthernetSpi = ExclusiveDevice<Spi<'static, SPI0, Async>, Output<'static>, Delay>;
type EthernetRunner =
    embassy_net_wiznet::Runner<'static, W5500, EthernetSpi, Input<'static>, Output<'static>>;

/// Moves frames between the W5500 and the IP stack.
#[embassy_executor::task]
async fn ethernet_task(runner: EthernetRunner) -> ! {
    runner.run().await
}

/// Runs the IP stack: DHCP, DNS, TCP timers.
#[embassy_executor::task]
async fn net_task(
    mut runner: embassy_net::Runner<'static, embassy_net_wiznet::Device<'static>>,
) -> ! {
    runner.run().await
}

#[embassy_executor::main]
async fn main(spawner: Spawner) {
    let p = embassy_rp::init(Default::default());
    let mut rng = seeded_rng();

    // Step 1: the Ethernet chip. Async SPI with DMA; the chip resets and its driver starts.
    let mut spi_config = spi::Config::default();
    spi_config.frequency = 50_000_000;
    let spi = Spi::new(
        p.SPI0, p.PIN_18, p.PIN_19, p.PIN_16, p.DMA_CH0, p.DMA_CH1, Irqs, spi_config,
    );
    let chip_select = Output::new(p.PIN_17, Level::High);
    let spi_device = defmt::unwrap!(ExclusiveDevice::new(spi, chip_select, Delay));
    let interrupt = Input::new(p.PIN_21, Pull::Up);
    let reset = Output::new(p.PIN_20, Level::High);
    static ETHERNET: StaticCell<embassy_net_wiznet::State<8, 8>> = StaticCell::new();
    let (device, ethernet_runner) = match embassy_net_wiznet::new(
        MAC_ADDRESS,
        ETHERNET.init(embassy_net_wiznet::State::new()),
        spi_device,
        interrupt,
        reset,
    )
    .await
    {
        Ok(driver) => driver,
        Err(_) => defmt::panic!("no W5500 answering on SPI0"),
    };
    spawner.spawn(defmt::unwrap!(ethernet_task(ethernet_runner)));

    // Step 2: the IP stack, with an address from DHCP (DHCP also gives the DNS servers). For a
    // fixed address use `embassy_net::Config::ipv4_static` with the DNS servers filled in.
    // Sockets: the TCP connection and the DNS query, plus one spare.
    static RESOURCES: StaticCell<StackResources<3>> = StaticCell::new();
    let (stack, net_runner) = embassy_net::new(
        device,
        embassy_net::Config::dhcpv4(Default::default()),
        RESOURCES.init(StackResources::new()),
        rng.next_u64(),
    );
    spawner.spawn(defmt::unwrap!(net_task(net_runner)));
    stack.wait_config_up().await;
    defmt::info!("network up");

    let mut response = [0u8; 1024];
    loop {
        match fetch_config(stack, &mut rng, &mut response).await {
            Ok(len) => defmt::info!("response: {} bytes", len),
            // A pin failure is not retried sooner, and never retried without the pins: the
            // device keeps its last configuration until a pinned server answers.
            Err(error) => defmt::error!("fetch failed: {}", error),
        }
        Timer::after(Duration::from_secs(300)).await;
    }
}

/// Why a fetch failed.
#[derive(defmt::Format)]
enum FetchError {
    /// The server's name did not resolve.
    Dns,
    /// No TCP connection (refused, unreachable, timed out).
    Connect(ConnectError),
    /// The server is not pinned, or did not prove it holds the pinned key: `Rejection` says
    /// which check failed. No request was sent to it; the connection was reset.
    NotTrusted(
        #[defmt(Debug2Format)] TlsError,
        #[defmt(Debug2Format)] Option<Rejection>,
    ),
    /// The handshake or the exchange after it failed for a reason other than trust.
    Tls(#[defmt(Debug2Format)] TlsError),
}

/// Resolves the server, connects, runs the pinned handshake, sends [`REQUEST`] and reads the
/// response into `response`. Returns how many bytes were read.
async fn fetch_config(
    stack: Stack<'_>,
    rng: &mut ChaCha20Rng,
    response: &mut [u8],
) -> Result<usize, FetchError> {
    // Step 3: DNS. The answer is not trusted: whoever answers, only a pinned key gets through.
    let addresses = stack
        .dns_query(SERVER_NAME, DnsQueryType::A)
        .await
        .map_err(|_| FetchError::Dns)?;
    let address: IpAddress = *addresses.first().ok_or(FetchError::Dns)?;

    // Step 4: TCP. The timeout bounds every read and write, handshake included.
    let (mut tcp_rx, mut tcp_tx) = ([0u8; 2048], [0u8; 2048]);
    let mut socket = TcpSocket::new(stack, &mut tcp_rx, &mut tcp_tx);
    socket.set_timeout(Some(Duration::from_secs(10)));
    socket
        .connect((address, SERVER_PORT))
        .await
        .map_err(FetchError::Connect)?;

    let result = pinned_exchange(&mut socket, rng, response).await;
    // On success the TLS layer has sent close_notify; on any failure the connection is reset,
    // so a server that failed the pin check receives nothing more from this device.
    match result {
        Ok(_) => socket.close(),
        Err(_) => socket.abort(),
    }
    let _ = socket.flush().await;
    result
}

/// Step 5 and on: the TLS 1.3 handshake with the pinning provider, then the request.
async fn pinned_exchange(
    socket: &mut TcpSocket<'_>,
    rng: &mut ChaCha20Rng,
    response: &mut [u8],
) -> Result<usize, FetchError> {
    // A TLS record is up to 16 KiB plus overhead, and the server decides how large its records
    // are; the write side only has to hold our own records.
    let mut read_record = [0u8; 16_640];
    let mut write_record = [0u8; 2048];
    let tls: TlsConnection<'_, _, Aes128GcmSha256> =
        TlsConnection::new(socket, &mut read_record, &mut write_record);
    let config = TlsConfig::new().with_server_name(SERVER_NAME);
    // The provider's verifier checks the leaf's key against PINS, the leaf's names against
    // SERVER_NAME, and the server's CertificateVerify signature with the pinned key itself. It
    // cannot be built without pins, and only `certpin_embedded_tls::open` can use it.
    let mut provider = PinningProvider::new(&mut *rng, PinSet::new(&PINS))
        .map_err(|_| FetchError::NotTrusted(TlsError::InvalidCertificate, None))?;

    // The handshake. On a pin failure (a key that is in no pin, a certificate for another
    // name, or a signature the pinned key did not make: an impostor holding only a copy of
    // the real certificate) it stops at the server's Certificate or CertificateVerify message
    // with an error, and `open` also refuses a handshake in which no signature was checked
    // (which embedded-tls alone would accept). `open` takes the connection and returns it only
    // on success, so after a refusal there is nothing to send the request with.
    let mut tls = match certpin_embedded_tls::open(tls, &config, &mut provider).await {
        Ok(tls) => tls,
        Err(error) => {
            let rejection = provider.pinning_verifier().last_rejection();
            return Err(match rejection {
                Some(_) => FetchError::NotTrusted(error, rejection),
                None => FetchError::Tls(error),
            });
        }
    };

    // Step 6: only now, with the server proven to hold a pinned key, is anything sent.
    tls.write_all(REQUEST).await.map_err(FetchError::Tls)?;
    tls.flush().await.map_err(FetchError::Tls)?;

    // Step 7: the response, until the server closes or the buffer is full (HTTP/1.0: the
    // server closes after the body).
    let mut filled = 0;
    while filled < response.len() {
        match tls.read(&mut response[filled..]).await {
            Ok(0) | Err(TlsError::ConnectionClosed) => break,
            Ok(n) => filled += n,
            Err(error) => return Err(FetchError::Tls(error)),
        }
    }
    // Sends close_notify; the TCP socket stays ours (it was lent) and is closed by the caller.
    // The response is complete by now, so a server that already closed changes nothing.
    let _ = tls.close().await;
    Ok(filled)
}

/// The TLS key exchange needs unpredictable randomness. The RP2040 has no TRNG; its ring
/// oscillator's random bit is the only entropy on chip, and its bits are biased and
/// correlated, so they are not used directly: 2048 of them are hashed into the seed of a
/// ChaCha20 generator. On an RP2350 use its TRNG (`embassy_rp::trng`) instead; a product on an
/// RP2040 may add an external entropy source.
fn seeded_rng() -> ChaCha20Rng {
    let mut samples = [0u8; 256];
    RoscRng.fill_bytes(&mut samples);
    ChaCha20Rng::from_seed(Sha256::digest(samples).into())
}
