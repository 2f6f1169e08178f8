//! Provisioning refresh against a local HTTPS server started in the test
//! (rustls, with a test CA and a server certificate generated here by
//! rcgen): a fetched document is delivered; server errors and timeouts are
//! retried with backoff and deliver nothing in between; basic auth is sent
//! when configured; a server outside the trust anchors is refused.
//! Loopback only; every server thread serves a fixed number of connections.

use mbimd::provisioning::refresh::{
    self, Backoff, FetchConfig, FetchError, Fetcher, RefreshEvent, RefreshHandle,
    RefreshParameters, TrustAnchors,
};
use rcgen::{
    BasicConstraints, CertificateParams, CertifiedIssuer, DnType, ExtendedKeyUsagePurpose, IsCa,
    KeyPair, KeyUsagePurpose,
};
use rustls::pki_types::{PrivateKeyDer, PrivatePkcs8KeyDer};
use std::io::{Read, Write};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::mpsc;

const DOCUMENT: &str = r#"<?xml version="1.0" encoding="utf-8"?>
<CarrierProvisioning xmlns="http://www.microsoft.com/networking/CarrierControl/v1">
  <Global><CarrierId>{11111111-2222-3333-4444-555555555555}</CarrierId><SubscriberId>001010000000042</SubscriberId></Global>
</CarrierProvisioning>
"#;

/// A test CA and a server certificate for 127.0.0.1 / localhost.
struct Pki {
    ca_pem: String,
    server: Arc<rustls::ServerConfig>,
}

fn pki() -> Pki {
    let mut ca = CertificateParams::new(Vec::<String>::new()).expect("CA params");
    ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca.distinguished_name
        .push(DnType::CommonName, "mbimd refresh test CA");
    ca.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::CrlSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    let ca = CertifiedIssuer::self_signed(ca, KeyPair::generate().expect("CA key")).expect("CA");
    let key = KeyPair::generate().expect("server key");
    let mut leaf = CertificateParams::new(vec!["127.0.0.1".to_string(), "localhost".to_string()])
        .expect("server params");
    leaf.distinguished_name
        .push(DnType::CommonName, "localhost");
    leaf.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    let cert = leaf.signed_by(&key, &ca).expect("server certificate");
    let server = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .expect("protocol versions")
    .with_no_client_auth()
    .with_single_cert(
        vec![cert.der().clone()],
        PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der())),
    )
    .expect("server config");
    Pki {
        ca_pem: ca.pem(),
        server: Arc::new(server),
    }
}

/// What the server does with one connection.
enum Reply {
    Document,
    Status(u16),
    /// Read the request, answer nothing for a while, then close.
    Hang,
}

struct Server {
    url: String,
    /// The head (request line and headers) of each request, lower-cased.
    requests: Arc<Mutex<Vec<String>>>,
}

/// Serve one connection per reply, in order, then stop listening.
fn serve(config: Arc<rustls::ServerConfig>, replies: Vec<Reply>) -> Server {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind loopback");
    let url = format!(
        "https://127.0.0.1:{}/provisioning.xml",
        listener.local_addr().expect("addr").port()
    );
    let requests = Arc::new(Mutex::new(Vec::new()));
    let log = requests.clone();
    std::thread::spawn(move || {
        for reply in replies {
            let Ok((tcp, _)) = listener.accept() else {
                return;
            };
            let config = config.clone();
            let log = log.clone();
            std::thread::spawn(move || {
                let _ = tcp.set_read_timeout(Some(Duration::from_secs(10)));
                let Ok(conn) = rustls::ServerConnection::new(config) else {
                    return;
                };
                let mut tls = rustls::StreamOwned::new(conn, tcp);
                let mut head = Vec::new();
                let mut byte = [0u8; 1];
                while !head.ends_with(b"\r\n\r\n") && head.len() < 16 * 1024 {
                    match tls.read(&mut byte) {
                        Ok(1) => head.push(byte[0]),
                        _ => return,
                    }
                }
                log.lock()
                    .expect("log")
                    .push(String::from_utf8_lossy(&head).to_lowercase());
                let (code, body) = match reply {
                    Reply::Document => (200, DOCUMENT),
                    Reply::Status(code) => (code, "error"),
                    Reply::Hang => {
                        std::thread::sleep(Duration::from_secs(8));
                        return;
                    }
                };
                let response = format!(
                    "HTTP/1.1 {code} X\r\nContent-Type: application/xml\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                    body.len()
                );
                let _ = tls.write_all(response.as_bytes());
                let _ = tls.flush();
                tls.conn.send_close_notify();
                let _ = tls.flush();
            });
        }
    });
    Server { url, requests }
}

fn fetcher(ca_pem: &str, timeout: Duration) -> Fetcher {
    Fetcher::new(&FetchConfig {
        trust: TrustAnchors::Pem(ca_pem.as_bytes().to_vec()),
        timeout,
        proxy_from_env: false,
        ..FetchConfig::default()
    })
    .expect("fetcher")
}

fn fast_backoff() -> Backoff {
    Backoff {
        initial: Duration::from_millis(20),
        max: Duration::from_millis(200),
        max_retries: 5,
    }
}

fn start(
    fetcher: Fetcher,
    params: RefreshParameters,
) -> (RefreshHandle, mpsc::Receiver<RefreshEvent>) {
    let (tx, rx) = mpsc::channel(8);
    let (handle, _task) = refresh::spawn(fetcher, fast_backoff(), tx);
    handle
        .set_parameters(Some(params), Duration::ZERO)
        .expect("valid parameters");
    (handle, rx)
}

async fn next(rx: &mut mpsc::Receiver<RefreshEvent>) -> RefreshEvent {
    tokio::time::timeout(Duration::from_secs(60), rx.recv())
        .await
        .expect("an event in time")
        .expect("the task is running")
}

#[tokio::test]
async fn a_triggered_refresh_delivers_the_document() {
    let pki = pki();
    let server = serve(pki.server.clone(), vec![Reply::Document]);
    let (handle, mut rx) = start(
        fetcher(&pki.ca_pem, Duration::from_secs(20)),
        RefreshParameters::new(server.url.clone()),
    );
    handle.trigger();
    assert_eq!(
        next(&mut rx).await,
        RefreshEvent::Fetched {
            document: DOCUMENT.as_bytes().to_vec()
        }
    );
    let requests = server.requests.lock().expect("log").clone();
    assert_eq!(requests.len(), 1);
    assert!(requests[0].starts_with("get /provisioning.xml http/1.1\r\n"));
    assert!(!requests[0].contains("authorization:"), "{}", requests[0]);
}

#[tokio::test]
async fn a_refresh_is_due_delay_in_days_after_the_last_one() {
    let pki = pki();
    let server = serve(pki.server.clone(), vec![Reply::Document]);
    let (tx, mut rx) = mpsc::channel(8);
    let (handle, _task) = refresh::spawn(
        fetcher(&pki.ca_pem, Duration::from_secs(20)),
        fast_backoff(),
        tx,
    );
    // The last refresh was a day ago and DelayInDays is 1: due now, no trigger.
    handle
        .set_parameters(
            Some(RefreshParameters {
                delay_in_days: Some(1),
                ..RefreshParameters::new(server.url.clone())
            }),
            Duration::from_secs(24 * 3600),
        )
        .expect("valid parameters");
    assert!(matches!(next(&mut rx).await, RefreshEvent::Fetched { .. }));
    assert_eq!(server.requests.lock().expect("log").len(), 1);
}

#[tokio::test]
async fn errors_and_timeouts_are_retried_with_backoff_and_deliver_nothing_until_success() {
    let pki = pki();
    let server = serve(
        pki.server.clone(),
        vec![Reply::Status(500), Reply::Hang, Reply::Document],
    );
    let (handle, mut rx) = start(
        fetcher(&pki.ca_pem, Duration::from_secs(3)),
        RefreshParameters::new(server.url.clone()),
    );
    handle.trigger();
    match next(&mut rx).await {
        RefreshEvent::Failed {
            error, failures, ..
        } => {
            assert_eq!(error, FetchError::Status(500));
            assert_eq!(failures, 1);
        }
        other => panic!("expected the 500 to fail: {other:?}"),
    }
    match next(&mut rx).await {
        RefreshEvent::Failed {
            error, failures, ..
        } => {
            assert!(matches!(error, FetchError::Timeout(_)), "{error:?}");
            assert_eq!(failures, 2);
        }
        other => panic!("expected a timeout: {other:?}"),
    }
    assert_eq!(
        next(&mut rx).await,
        RefreshEvent::Fetched {
            document: DOCUMENT.as_bytes().to_vec()
        }
    );
    assert_eq!(server.requests.lock().expect("log").len(), 3);
}

#[tokio::test]
async fn basic_auth_is_sent_when_configured() {
    let pki = pki();
    let server = serve(pki.server.clone(), vec![Reply::Document]);
    let (handle, mut rx) = start(
        fetcher(&pki.ca_pem, Duration::from_secs(20)),
        RefreshParameters {
            user_name: Some("subscriber42".into()),
            password: Some("s3cret:pw".into()),
            ..RefreshParameters::new(server.url.clone())
        },
    );
    handle.trigger();
    assert!(matches!(next(&mut rx).await, RefreshEvent::Fetched { .. }));
    let requests = server.requests.lock().expect("log").clone();
    // base64("subscriber42:s3cret:pw"), lower-cased with the rest of the head.
    let want = format!(
        "authorization: basic {}\r\n",
        "c3Vic2NyaWJlcjQyOnMzY3JldDpwdw==".to_lowercase()
    );
    assert!(requests[0].contains(&want), "{}", requests[0]);
}

#[tokio::test]
async fn a_server_outside_the_trust_anchors_is_refused() {
    let pki = pki();
    let other_ca = self::pki().ca_pem;
    let server = serve(pki.server.clone(), vec![Reply::Document]);
    let (handle, mut rx) = start(
        fetcher(&other_ca, Duration::from_secs(20)),
        RefreshParameters::new(server.url.clone()),
    );
    handle.trigger();
    match next(&mut rx).await {
        RefreshEvent::Failed { error, .. } => {
            assert!(matches!(error, FetchError::Transport(_)), "{error:?}");
        }
        other => panic!("an untrusted server must fail: {other:?}"),
    }
    // The TLS handshake failed before any request was sent.
    assert!(server.requests.lock().expect("log").is_empty());
}
