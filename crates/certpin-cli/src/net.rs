//! Targets (`https://host:port/`, `host:port`, IPv6 literals), TCP under a deadline, and a
//! blocking TLS handshake.

use std::io::{Read, Write};
use std::net::{IpAddr, SocketAddr, TcpStream, ToSocketAddrs};
use std::sync::{Arc, mpsc};
use std::time::{Duration, Instant};

use rustls::pki_types::ServerName;

/// Exit codes shared by `get` and `check` (documented in `--help` and README).
pub const EXIT_PIN_FAILURE: u8 = 1;
/// Bad arguments.
pub const EXIT_USAGE: u8 = 2;
/// DNS, connect, timeout, or the connection dropped.
pub const EXIT_NETWORK: u8 = 3;
/// Any other TLS failure (name mismatch, expired, bad signature, no common protocol …).
pub const EXIT_TLS: u8 = 4;

/// A server to talk to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Target {
    /// The host as given (DNS name or IP literal, without brackets).
    pub host: String,
    /// The port (443 unless given).
    pub port: u16,
}

impl Target {
    /// Parses `https://host[:port][/path]`, `host[:port]`, `[v6]:port` or a bare IPv6 literal.
    pub fn parse(text: &str) -> Result<Target, String> {
        let rest = match text.split_once("://") {
            Some(("https", rest)) => rest,
            Some((scheme, _)) => {
                return Err(format!(
                    "{text}: only https:// URLs can be pinned, not {scheme}://"
                ));
            }
            None => text,
        };
        let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
        let authority = authority.rsplit_once('@').map_or(authority, |(_, a)| a);
        if authority.parse::<IpAddr>().is_ok() {
            return Ok(Target {
                host: authority.to_string(),
                port: 443,
            });
        }
        let (host, port) = if let Some(v6) = authority.strip_prefix('[') {
            let (host, after) = v6
                .split_once(']')
                .ok_or_else(|| format!("{text}: unclosed '['"))?;
            // Only `:port` may follow the brackets: anything else is a typo, and dialling
            // port 443 instead would check a server the user did not name.
            let port = match after.strip_prefix(':') {
                Some(port) => Some(port),
                None if after.is_empty() => None,
                None => return Err(format!("{text}: expected ':port' after ']', not {after:?}")),
            };
            if host.parse::<std::net::Ipv6Addr>().is_err() {
                return Err(format!("{text}: [{host}] is not an IPv6 address"));
            }
            (host, port)
        } else {
            match authority.rsplit_once(':') {
                Some((host, port)) => (host, Some(port)),
                None => (authority, None),
            }
        };
        let port = match port {
            Some(p) => p
                .parse::<u16>()
                .map_err(|_| format!("{text}: invalid port {p:?}"))?,
            None => 443,
        };
        if host.is_empty() {
            return Err(format!("{text}: no host"));
        }
        Ok(Target {
            host: host.to_string(),
            port,
        })
    }

    /// The name presented in SNI and checked against the certificate.
    pub fn server_name(&self, sni: Option<&str>) -> Result<ServerName<'static>, String> {
        let name = sni.unwrap_or(&self.host);
        ServerName::try_from(name.to_string())
            .map_err(|_| format!("{name:?} is not a valid server name"))
    }
}

impl std::fmt::Display for Target {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.host.contains(':') {
            write!(f, "[{}]:{}", self.host, self.port)
        } else {
            write!(f, "{}:{}", self.host, self.port)
        }
    }
}

/// A failure to reach a server or to finish the handshake.
#[derive(Debug)]
pub enum ConnectError {
    /// DNS, TCP or I/O.
    Network(String),
    /// The TLS handshake failed; the rustls error says why.
    Tls(rustls::Error),
}

impl std::fmt::Display for ConnectError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ConnectError::Network(e) => f.write_str(e),
            ConnectError::Tls(e) => match certpin_rustls::PinFailure::from_rustls_error(e) {
                Some(failure) => failure.fmt(f),
                None => write!(f, "TLS handshake failed: {e}"),
            },
        }
    }
}

/// When one target's time is up. `--timeout` bounds the whole operation (name lookup, every
/// address tried, the handshake), not each step: a server that answers one byte at a time, or
/// a host with many unreachable addresses, cannot hold a fleet check for long.
#[derive(Clone, Copy, Debug)]
pub struct Deadline(Instant);

impl Deadline {
    /// `timeout` from now.
    pub fn after(timeout: Duration) -> Deadline {
        let now = Instant::now();
        Deadline(now.checked_add(timeout).unwrap_or(now))
    }

    /// The time left for `doing`, or the timeout error once none is (sockets refuse a zero
    /// timeout, so less than a millisecond counts as none).
    fn left(&self, doing: &str) -> Result<Duration, ConnectError> {
        let left = self.0.saturating_duration_since(Instant::now());
        if left < Duration::from_millis(1) {
            return Err(ConnectError::Network(format!("timed out {doing}")));
        }
        Ok(left)
    }
}

/// Resolves `dial` before the deadline. The system resolver has no timeout of its own, so it
/// runs on a thread of its own; one that outlives the deadline is abandoned (the command ends
/// soon after, and a fleet check moves on).
fn resolve(dial: &str, deadline: Deadline) -> Result<Vec<SocketAddr>, ConnectError> {
    if let Ok(addr) = dial.parse::<SocketAddr>() {
        return Ok(vec![addr]);
    }
    let (tx, rx) = mpsc::channel();
    let name = dial.to_string();
    std::thread::spawn(move || {
        let _ = tx.send(name.to_socket_addrs().map(Iterator::collect::<Vec<_>>));
    });
    let wait = deadline.left(&format!("resolving {dial}"))?;
    match rx.recv_timeout(wait) {
        Ok(Ok(addrs)) => Ok(addrs),
        Ok(Err(e)) => Err(ConnectError::Network(format!("cannot resolve {dial}: {e}"))),
        Err(_) => Err(ConnectError::Network(format!("timed out resolving {dial}"))),
    }
}

/// Connects to `connect_to` (or the target itself), trying each resolved address in turn, all
/// before `deadline`.
pub fn tcp(
    target: &Target,
    connect_to: Option<&str>,
    deadline: Deadline,
) -> Result<(TcpStream, SocketAddr), ConnectError> {
    let dial = connect_to.map_or_else(|| target.to_string(), str::to_string);
    let addrs = resolve(&dial, deadline)?;
    let mut last: Option<String> = None;
    for addr in addrs {
        // Say why the addresses tried so far failed, if the time runs out after them.
        let doing = match &last {
            Some(why) => format!("connecting to {dial} (after: {why})"),
            None => format!("connecting to {dial}"),
        };
        let left = deadline.left(&doing)?;
        match TcpStream::connect_timeout(&addr, left) {
            Ok(tcp) => return Ok((tcp, addr)),
            Err(e) => last = Some(format!("cannot connect to {addr}: {e}")),
        }
    }
    Err(ConnectError::Network(
        last.unwrap_or_else(|| format!("{dial}: no address")),
    ))
}

/// The socket with every read and write limited to the time left before the deadline.
struct UntilDeadline<'a> {
    tcp: &'a mut TcpStream,
    deadline: Deadline,
}

impl UntilDeadline<'_> {
    fn left(&self) -> std::io::Result<Duration> {
        self.deadline
            .left("during the TLS handshake")
            .map_err(|_| std::io::ErrorKind::TimedOut.into())
    }
}

impl Read for UntilDeadline<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let left = self.left()?;
        self.tcp.set_read_timeout(Some(left))?;
        self.tcp.read(buf)
    }
}

impl Write for UntilDeadline<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let left = self.left()?;
        self.tcp.set_write_timeout(Some(left))?;
        self.tcp.write(buf)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.tcp.flush()
    }
}

/// Runs a TLS handshake to completion before `deadline`; sends no application data.
pub fn handshake(
    config: Arc<rustls::ClientConfig>,
    name: ServerName<'static>,
    tcp: &mut TcpStream,
    deadline: Deadline,
) -> Result<rustls::ClientConnection, ConnectError> {
    let mut conn = rustls::ClientConnection::new(config, name).map_err(ConnectError::Tls)?;
    let mut io = UntilDeadline { tcp, deadline };
    while conn.is_handshaking() {
        if let Err(e) = conn.complete_io(&mut io) {
            let tls = e
                .get_ref()
                .and_then(|inner| inner.downcast_ref::<rustls::Error>())
                .cloned();
            return Err(match tls {
                Some(tls) => ConnectError::Tls(tls),
                None if e.kind() == std::io::ErrorKind::WouldBlock
                    || e.kind() == std::io::ErrorKind::TimedOut =>
                {
                    ConnectError::Network("timed out during the TLS handshake".into())
                }
                None => ConnectError::Network(format!(
                    "connection failed during the TLS handshake: {e}"
                )),
            });
        }
    }
    Ok(conn)
}

/// Closes the TLS session politely, ignoring errors (the server may already be gone), waiting
/// at most until `deadline`.
pub fn close(mut conn: rustls::ClientConnection, tcp: &mut TcpStream, deadline: Deadline) {
    conn.send_close_notify();
    let _ = conn.complete_io(&mut UntilDeadline { tcp, deadline });
}

/// The rustls crypto provider the command uses everywhere.
pub fn provider() -> Arc<rustls::crypto::CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets() {
        let t = |s: &str| Target::parse(s).map(|t| (t.host, t.port));
        assert_eq!(
            t("https://example.com/a?b"),
            Ok(("example.com".into(), 443))
        );
        assert_eq!(
            t("https://user@example.com:8443/"),
            Ok(("example.com".into(), 8443))
        );
        assert_eq!(t("example.com:444"), Ok(("example.com".into(), 444)));
        assert_eq!(t("[::1]:8443"), Ok(("::1".into(), 8443)));
        assert_eq!(t("::1"), Ok(("::1".into(), 443)));
        assert_eq!(t("127.0.0.1"), Ok(("127.0.0.1".into(), 443)));
        assert!(t("http://example.com").is_err());
        assert!(t("example.com:99999").is_err());
        assert!(t(":443").is_err());
        assert_eq!(t("[::1]"), Ok(("::1".into(), 443)));
        assert_eq!(t("https://[::1]/path"), Ok(("::1".into(), 443)));
        for bad in [
            "[::1]junk",
            "[::1]8443",
            "[::1]:",
            "[::1]:x",
            "[::1",
            "[example.com]:443",
        ] {
            assert!(t(bad).is_err(), "{bad}");
        }
    }
}
