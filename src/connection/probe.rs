//! "Is there internet behind this data session?" (windows-operator-formats.md
//! §3.3: after the first connection, internet → done; connected without
//! internet → purchase flow).
//!
//! * [`SimulatorProbe`] asks the simulator (a warm SIM's session has no
//!   internet; `[[apn]] internet = false` does the same per APN).
//! * [`HttpProbe`] is the check for real hardware, off by default
//!   (`--connectivity-check http://host[:port]/path`): one plain HTTP/1.0
//!   GET; the answer `204 No Content` means internet, anything else (a
//!   walled garden's redirect or page, no answer, a refused connection)
//!   means limited. The request follows the host's routing table: it tests
//!   the modem's link only when that is the default route (mbimd does not
//!   configure the netdev; NetworkManager does).
//! * [`AssumeInternet`] is the default: every connected session has internet.
//!
//! A probe never changes the session and never fails: it answers
//! [`Connectivity`].

use crate::sim::runner::SimInspector;
use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

/// The answer of a probe.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Connectivity {
    /// The internet is reachable.
    Full,
    /// Connected, but the internet is not reachable (walled garden / no plan).
    Limited,
}

/// A boxed future returned by the probe (the trait is used as `dyn`).
pub type ProbeFuture<'a> = Pin<Box<dyn Future<Output = Connectivity> + Send + 'a>>;

/// An internet check for one modem's data session.
pub trait InternetProbe: Send + Sync + std::fmt::Debug {
    /// Check data session `session_id` (just connected).
    fn check(&self, session_id: u32) -> ProbeFuture<'_>;
}

/// No check: every connected session has internet.
#[derive(Debug, Clone, Copy, Default)]
pub struct AssumeInternet;

impl InternetProbe for AssumeInternet {
    fn check(&self, _: u32) -> ProbeFuture<'_> {
        Box::pin(async { Connectivity::Full })
    }
}

/// Asks the simulator behind a simulated modem.
#[derive(Debug, Clone)]
pub struct SimulatorProbe(pub SimInspector);

impl InternetProbe for SimulatorProbe {
    fn check(&self, session_id: u32) -> ProbeFuture<'_> {
        Box::pin(async move {
            match self
                .0
                .inspect(move |d| d.modem().internet(session_id))
                .await
            {
                Some(Some(true)) => Connectivity::Full,
                // No such session or a gone simulator: nothing is reachable.
                _ => Connectivity::Limited,
            }
        })
    }
}

/// A plain HTTP GET expecting `204 No Content`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpProbe {
    /// Host name or address.
    pub host: String,
    /// TCP port.
    pub port: u16,
    /// Request path (with query).
    pub path: String,
    /// Limit for connect + answer.
    pub timeout: Duration,
}

impl HttpProbe {
    /// Parse `http://host[:port][/path]` (https is not supported: a walled
    /// garden answers the plain request, which is what the check needs).
    pub fn from_url(url: &str) -> Result<HttpProbe, String> {
        let rest = url
            .strip_prefix("http://")
            .ok_or_else(|| format!("connectivity check URL must start with http://: {url}"))?;
        let (authority, path) = match rest.find('/') {
            Some(i) => (&rest[..i], &rest[i..]),
            None => (rest, "/"),
        };
        let bad_port = || format!("bad port in connectivity check URL: {url}");
        let (host, port) = if let Some(r) = authority.strip_prefix('[') {
            let (h, after) = r.split_once(']').ok_or_else(bad_port)?;
            match after.strip_prefix(':') {
                Some(p) => (h, p.parse::<u16>().map_err(|_| bad_port())?),
                None if after.is_empty() => (h, 80),
                None => return Err(bad_port()),
            }
        } else {
            match authority.rsplit_once(':') {
                Some((h, p)) => (h, p.parse::<u16>().map_err(|_| bad_port())?),
                None => (authority, 80),
            }
        };
        if host.is_empty() {
            return Err(format!("no host in connectivity check URL: {url}"));
        }
        Ok(HttpProbe {
            host: host.to_string(),
            port,
            path: path.to_string(),
            timeout: Duration::from_secs(10),
        })
    }

    async fn get(&self) -> std::io::Result<u16> {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let mut s = tokio::net::TcpStream::connect((self.host.as_str(), self.port)).await?;
        let req = format!(
            "GET {} HTTP/1.0\r\nHost: {}\r\nUser-Agent: mbimd\r\nConnection: close\r\n\r\n",
            self.path, self.host
        );
        s.write_all(req.as_bytes()).await?;
        let mut buf = vec![0u8; 512];
        let mut n = 0;
        // The status line is all we need.
        while n < buf.len() && !buf[..n].contains(&b'\n') {
            let got = s.read(&mut buf[n..]).await?;
            if got == 0 {
                break;
            }
            n += got;
        }
        status_code(&buf[..n]).ok_or_else(|| std::io::Error::other("no HTTP status line"))
    }
}

/// The status code of an HTTP/1.x status line.
fn status_code(b: &[u8]) -> Option<u16> {
    let line = b.split(|&c| c == b'\n').next()?;
    let line = std::str::from_utf8(line).ok()?;
    let mut parts = line.split_whitespace();
    if !parts.next()?.starts_with("HTTP/1.") {
        return None;
    }
    parts.next()?.parse().ok()
}

impl InternetProbe for HttpProbe {
    fn check(&self, _: u32) -> ProbeFuture<'_> {
        Box::pin(async move {
            match tokio::time::timeout(self.timeout, self.get()).await {
                Ok(Ok(204)) => Connectivity::Full,
                Ok(Ok(code)) => {
                    tracing::info!(code, host = %self.host, "connectivity check answered, but not with 204: limited");
                    Connectivity::Limited
                }
                Ok(Err(e)) => {
                    tracing::info!(error = %e, host = %self.host, "connectivity check failed: limited");
                    Connectivity::Limited
                }
                Err(_) => Connectivity::Limited,
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_parse_into_host_port_and_path() {
        let p = HttpProbe::from_url("http://check.example:8080/generate_204?x=1").unwrap();
        assert_eq!(
            (p.host.as_str(), p.port, p.path.as_str()),
            ("check.example", 8080, "/generate_204?x=1")
        );
        let p = HttpProbe::from_url("http://check.example").unwrap();
        assert_eq!((p.port, p.path.as_str()), (80, "/"));
        assert!(HttpProbe::from_url("https://x/").is_err());
        assert!(HttpProbe::from_url("http://:80/").is_err());
    }

    #[test]
    fn status_lines_give_their_code() {
        assert_eq!(status_code(b"HTTP/1.1 204 No Content\r\n"), Some(204));
        assert_eq!(status_code(b"HTTP/1.0 302 Found\r\nLocation: x"), Some(302));
        assert_eq!(status_code(b"SSH-2.0-OpenSSH\r\n"), None);
        assert_eq!(status_code(b""), None);
    }

    async fn serve_once(answer: &'static str) -> u16 {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = l.local_addr().unwrap().port();
        tokio::spawn(async move {
            let (mut s, _) = l.accept().await.unwrap();
            let mut b = [0u8; 256];
            let _ = s.read(&mut b).await;
            let _ = s.write_all(answer.as_bytes()).await;
        });
        port
    }

    #[tokio::test]
    async fn a_204_is_internet_and_a_redirect_is_limited() {
        let port = serve_once("HTTP/1.1 204 No Content\r\n\r\n").await;
        let p = HttpProbe::from_url(&format!("http://127.0.0.1:{port}/generate_204")).unwrap();
        assert_eq!(p.check(0).await, Connectivity::Full);
        let port = serve_once("HTTP/1.1 302 Found\r\nLocation: http://buy/\r\n\r\n").await;
        let p = HttpProbe::from_url(&format!("http://127.0.0.1:{port}/generate_204")).unwrap();
        assert_eq!(p.check(0).await, Connectivity::Limited);
    }

    #[tokio::test]
    async fn a_refused_connection_is_limited() {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = l.local_addr().unwrap().port();
        drop(l);
        let p = HttpProbe::from_url(&format!("http://127.0.0.1:{port}/")).unwrap();
        assert_eq!(p.check(0).await, Connectivity::Limited);
    }
}
