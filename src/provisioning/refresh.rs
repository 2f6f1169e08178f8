//! Provisioning refresh (`Provisioning/RefreshParameters`,
//! windows-operator-formats.md §1.9): fetch `RefreshURL` over HTTPS (with
//! HTTP basic auth when `UserName`/`Password` are given) `DelayInDays` after
//! the last refresh, or at once when an operator message says
//! `RefreshProvisioning` ([`RefreshHandle::trigger`]). A failed fetch is
//! retried with exponential backoff; nothing is delivered until a fetch
//! succeeds, so the current provisioning stays in force.
//!
//! [`Scheduler`] is the sans-I/O core (time passed in); [`Fetcher`] does one
//! HTTPS GET (ureq over rustls, on tokio's blocking pool); [`spawn`] runs both
//! as a task and sends [`RefreshEvent`]s (the fetched document included) to a
//! channel. This module does not parse or apply documents and stores nothing:
//! the caller applies a fetched document and persists the time of the last
//! refresh.

use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

/// `DelayInDays` is a positiveInteger below 731.
pub const DELAY_IN_DAYS_MAX: u32 = 730;

/// One day, the unit of `DelayInDays`.
const DAY: Duration = Duration::from_secs(24 * 3600);

/// `Provisioning/RefreshParameters` of the applied document.
#[derive(Clone, PartialEq, Eq)]
pub struct RefreshParameters {
    /// `DelayInDays`: days after a refresh before the next one; `None` =
    /// refresh only when triggered.
    pub delay_in_days: Option<u32>,
    /// `RefreshURL`: `https://…`.
    pub refresh_url: String,
    /// `UserName` for HTTP authentication.
    pub user_name: Option<String>,
    /// `Password` for HTTP authentication; never shown in `Debug`.
    pub password: Option<String>,
}

impl fmt::Debug for RefreshParameters {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RefreshParameters")
            .field("delay_in_days", &self.delay_in_days)
            .field("refresh_url", &self.refresh_url)
            .field("user_name", &self.user_name)
            .field("password", &self.password.as_ref().map(|_| "…"))
            .finish()
    }
}

impl RefreshParameters {
    /// Refresh from `url` only when triggered, without authentication.
    pub fn new(url: impl Into<String>) -> RefreshParameters {
        RefreshParameters {
            delay_in_days: None,
            refresh_url: url.into(),
            user_name: None,
            password: None,
        }
    }

    /// Check the schema's constraints: `RefreshURL` matches `https://.+`,
    /// `DelayInDays` is 1..=730.
    pub fn validate(&self) -> Result<(), RefreshError> {
        let rest = self.refresh_url.strip_prefix("https://").unwrap_or("");
        if rest.is_empty() {
            return Err(RefreshError::Url(self.refresh_url.clone()));
        }
        if let Some(d) = self.delay_in_days
            && !(1..=DELAY_IN_DAYS_MAX).contains(&d)
        {
            return Err(RefreshError::DelayInDays(d));
        }
        Ok(())
    }

    /// `DelayInDays` as a duration.
    pub fn period(&self) -> Option<Duration> {
        self.delay_in_days.map(|d| DAY * d)
    }
}

/// Refresh parameters outside the schema's constraints.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RefreshError {
    #[error("RefreshURL `{0}` is not an https:// URL")]
    Url(String),
    #[error("DelayInDays {0} is not within 1..={DELAY_IN_DAYS_MAX}")]
    DelayInDays(u32),
}

/// Retry policy after a failed fetch: `initial`, doubling up to `max`, for at
/// most `max_retries` retries; then the regular schedule (`DelayInDays`) or
/// the next trigger takes over. Our policy: Windows' is not documented.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Backoff {
    pub initial: Duration,
    pub max: Duration,
    pub max_retries: u32,
}

impl Default for Backoff {
    fn default() -> Self {
        Backoff {
            initial: Duration::from_secs(60),
            max: Duration::from_secs(6 * 3600),
            max_retries: 8,
        }
    }
}

impl Backoff {
    /// The wait after the `failures`-th consecutive failure (1-based).
    pub fn delay(&self, failures: u32) -> Duration {
        let doublings = failures.saturating_sub(1).min(31);
        self.initial
            .checked_mul(1u32 << doublings)
            .unwrap_or(self.max)
            .min(self.max)
    }
}

/// What the scheduler wants at some instant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Due {
    /// No refresh planned (no parameters, or no `DelayInDays` and no trigger).
    Idle,
    /// Nothing before this instant.
    Wait(Instant),
    /// Fetch now with these parameters, then report with
    /// [`Scheduler::fetch_succeeded`] or [`Scheduler::fetch_failed`].
    Fetch(RefreshParameters),
    /// A fetch is in flight.
    InFlight,
}

/// The sans-I/O refresh schedule.
#[derive(Debug)]
pub struct Scheduler {
    params: Option<RefreshParameters>,
    backoff: Backoff,
    due: Option<Instant>,
    failures: u32,
    in_flight: bool,
    /// A trigger arrived while a fetch was in flight: fetch again after it.
    again: bool,
}

impl Scheduler {
    /// A scheduler with no parameters yet.
    pub fn new(backoff: Backoff) -> Scheduler {
        Scheduler {
            params: None,
            backoff,
            due: None,
            failures: 0,
            in_flight: false,
            again: false,
        }
    }

    /// The parameters in force.
    pub fn parameters(&self) -> Option<&RefreshParameters> {
        self.params.as_ref()
    }

    /// When the next fetch is due (`None`: only a trigger starts one).
    pub fn next_due(&self) -> Option<Instant> {
        self.due
    }

    /// Consecutive failed fetches so far.
    pub fn failures(&self) -> u32 {
        self.failures
    }

    /// New parameters (from an applied document; `None` removes them).
    /// `since_last_refresh` is the time since the last successful refresh
    /// (or since the document was applied), which the caller keeps across
    /// restarts; the next fetch is due `DelayInDays` after it.
    pub fn set_parameters(
        &mut self,
        now: Instant,
        params: Option<RefreshParameters>,
        since_last_refresh: Duration,
    ) -> Result<(), RefreshError> {
        if let Some(p) = &params {
            p.validate()?;
        }
        self.due = params
            .as_ref()
            .and_then(RefreshParameters::period)
            .map(|p| now + p.saturating_sub(since_last_refresh));
        self.params = params;
        self.failures = 0;
        Ok(())
    }

    /// An operator message asked for a refresh: fetch as soon as possible.
    /// Without parameters there is nothing to fetch and this does nothing.
    pub fn trigger(&mut self, now: Instant) {
        if self.params.is_none() {
            return;
        }
        if self.in_flight {
            self.again = true;
        } else {
            self.due = Some(now);
            self.failures = 0;
        }
    }

    /// What to do at `now`.
    pub fn poll(&mut self, now: Instant) -> Due {
        if self.in_flight {
            return Due::InFlight;
        }
        match (&self.params, self.due) {
            (None, _) | (_, None) => Due::Idle,
            (Some(_), Some(at)) if now < at => Due::Wait(at),
            (Some(p), Some(_)) => {
                self.in_flight = true;
                Due::Fetch(p.clone())
            }
        }
    }

    /// The fetch succeeded at `now`: the next one is `DelayInDays` later.
    pub fn fetch_succeeded(&mut self, now: Instant) {
        self.in_flight = false;
        self.failures = 0;
        self.due = self.regular(now);
        self.fetch_again_if_asked(now);
    }

    /// The fetch failed at `now`; returns when it will be retried (`None`:
    /// retries exhausted and no regular schedule). The parameters stay.
    pub fn fetch_failed(&mut self, now: Instant) -> Option<Instant> {
        self.in_flight = false;
        self.failures += 1;
        if self.failures <= self.backoff.max_retries {
            self.due = Some(now + self.backoff.delay(self.failures));
        } else {
            self.failures = 0;
            self.due = self.regular(now);
        }
        self.fetch_again_if_asked(now);
        self.due
    }

    fn regular(&self, now: Instant) -> Option<Instant> {
        self.params
            .as_ref()
            .and_then(RefreshParameters::period)
            .map(|p| now + p)
    }

    fn fetch_again_if_asked(&mut self, now: Instant) {
        if std::mem::take(&mut self.again) {
            self.due = Some(now);
            self.failures = 0;
        }
    }
}

/// Where the HTTPS client's trust anchors come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TrustAnchors {
    /// A PEM bundle on disk (the system's is [`SYSTEM_CA_BUNDLE`]).
    PemFile(PathBuf),
    /// PEM certificates given directly (e.g. an operator's or a test CA).
    Pem(Vec<u8>),
}

/// Debian's (and most distributions') CA bundle.
pub const SYSTEM_CA_BUNDLE: &str = "/etc/ssl/certs/ca-certificates.crt";

impl Default for TrustAnchors {
    fn default() -> Self {
        TrustAnchors::PemFile(PathBuf::from(SYSTEM_CA_BUNDLE))
    }
}

/// How to fetch.
#[derive(Debug, Clone)]
pub struct FetchConfig {
    pub trust: TrustAnchors,
    /// Whole-request timeout (connect, TLS, headers and body).
    pub timeout: Duration,
    /// Larger documents are refused.
    pub max_document_size: u64,
    /// Honour `https_proxy`/`all_proxy` from the environment.
    pub proxy_from_env: bool,
}

impl Default for FetchConfig {
    fn default() -> Self {
        FetchConfig {
            trust: TrustAnchors::default(),
            timeout: Duration::from_secs(60),
            max_document_size: 4 * 1024 * 1024,
            proxy_from_env: true,
        }
    }
}

/// Why a fetch failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FetchError {
    /// The trust anchors could not be loaded.
    #[error("trust anchors: {0}")]
    Trust(String),
    /// The server answered with a non-success HTTP status.
    #[error("the server answered HTTP {0}")]
    Status(u16),
    /// No answer in time.
    #[error("no answer in time: {0}")]
    Timeout(String),
    /// The document is larger than allowed.
    #[error("the document is larger than {0} bytes")]
    TooLarge(u64),
    /// Connection, TLS or HTTP failure.
    #[error("{0}")]
    Transport(String),
}

/// An HTTPS client for refresh documents. Cheap to clone.
#[derive(Clone)]
pub struct Fetcher {
    agent: ureq::Agent,
    max_document_size: u64,
}

impl fmt::Debug for Fetcher {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Fetcher")
            .field("max_document_size", &self.max_document_size)
            .finish_non_exhaustive()
    }
}

impl Fetcher {
    /// A client trusting `config.trust` only; https only.
    pub fn new(config: &FetchConfig) -> Result<Fetcher, FetchError> {
        let pem = match &config.trust {
            TrustAnchors::PemFile(path) => std::fs::read(path)
                .map_err(|e| FetchError::Trust(format!("{}: {e}", path.display())))?,
            TrustAnchors::Pem(pem) => pem.clone(),
        };
        let mut roots = Vec::new();
        for item in ureq::tls::parse_pem(&pem) {
            match item {
                Ok(ureq::tls::PemItem::Certificate(c)) => roots.push(c),
                Ok(_) => {}
                Err(e) => return Err(FetchError::Trust(e.to_string())),
            }
        }
        if roots.is_empty() {
            return Err(FetchError::Trust("no certificate found".into()));
        }
        let tls = ureq::tls::TlsConfig::builder()
            .provider(ureq::tls::TlsProvider::Rustls)
            .root_certs(ureq::tls::RootCerts::new_with_certs(&roots))
            .unversioned_rustls_crypto_provider(Arc::new(rustls::crypto::ring::default_provider()))
            .build();
        let mut builder = ureq::Agent::config_builder()
            .tls_config(tls)
            .https_only(true)
            .http_status_as_error(false)
            .timeout_global(Some(config.timeout))
            .user_agent(concat!("mbimd/", env!("CARGO_PKG_VERSION")));
        if !config.proxy_from_env {
            builder = builder.proxy(None);
        }
        Ok(Fetcher {
            agent: builder.build().new_agent(),
            max_document_size: config.max_document_size,
        })
    }

    /// GET `RefreshURL` (blocking).
    pub fn fetch_blocking(&self, params: &RefreshParameters) -> Result<Vec<u8>, FetchError> {
        let mut req = self.agent.get(&params.refresh_url);
        if let Some(user) = &params.user_name {
            req = req.header(
                "Authorization",
                basic_authorization(user, params.password.as_deref()),
            );
        }
        let mut resp = req.call().map_err(|e| self.error(e))?;
        let status = resp.status().as_u16();
        if !(200..300).contains(&status) {
            return Err(FetchError::Status(status));
        }
        resp.body_mut()
            .with_config()
            .limit(self.max_document_size)
            .read_to_vec()
            .map_err(|e| self.error(e))
    }

    /// GET `RefreshURL` on tokio's blocking pool.
    pub async fn fetch(&self, params: &RefreshParameters) -> Result<Vec<u8>, FetchError> {
        let this = self.clone();
        let params = params.clone();
        tokio::task::spawn_blocking(move || this.fetch_blocking(&params))
            .await
            .map_err(|e| FetchError::Transport(format!("fetch task failed: {e}")))?
    }

    fn error(&self, e: ureq::Error) -> FetchError {
        match e {
            ureq::Error::StatusCode(s) => FetchError::Status(s),
            ureq::Error::Timeout(t) => FetchError::Timeout(t.to_string()),
            ureq::Error::BodyExceedsLimit(_) => FetchError::TooLarge(self.max_document_size),
            other => FetchError::Transport(other.to_string()),
        }
    }
}

/// `Authorization` value for HTTP basic authentication (RFC 7617).
fn basic_authorization(user: &str, password: Option<&str>) -> String {
    use base64::Engine;
    let creds = format!("{user}:{}", password.unwrap_or(""));
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(creds)
    )
}

/// What the refresh task reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RefreshEvent {
    /// A document was fetched: apply it (a failed apply keeps the current
    /// state, like a failed fetch). The time of this refresh is the one to
    /// persist as the last refresh.
    Fetched { document: Vec<u8> },
    /// A fetch failed; the current provisioning stays. `retry_at` is when
    /// the next attempt is due (`None`: only a trigger starts one).
    Failed {
        error: FetchError,
        failures: u32,
        retry_at: Option<tokio::time::Instant>,
    },
}

enum Command {
    Trigger,
    Parameters(Option<RefreshParameters>, Duration),
}

/// Control of a running refresh task; the task ends when every handle is
/// dropped.
#[derive(Debug, Clone)]
pub struct RefreshHandle {
    commands: mpsc::UnboundedSender<Command>,
}

impl fmt::Debug for Command {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Command::Trigger => f.write_str("Trigger"),
            Command::Parameters(p, d) => f.debug_tuple("Parameters").field(p).field(d).finish(),
        }
    }
}

impl RefreshHandle {
    /// Refresh now (an operator message with `RefreshProvisioning`).
    pub fn trigger(&self) {
        let _ = self.commands.send(Command::Trigger);
    }

    /// New parameters from an applied document (see
    /// [`Scheduler::set_parameters`]); invalid ones are refused here.
    pub fn set_parameters(
        &self,
        params: Option<RefreshParameters>,
        since_last_refresh: Duration,
    ) -> Result<(), RefreshError> {
        if let Some(p) = &params {
            p.validate()?;
        }
        let _ = self
            .commands
            .send(Command::Parameters(params, since_last_refresh));
        Ok(())
    }
}

/// Start the refresh task: it fetches when the [`Scheduler`] says so and
/// sends each outcome to `events` (waiting for room: a slow consumer delays
/// the next fetch, it does not lose documents).
pub fn spawn(
    fetcher: Fetcher,
    backoff: Backoff,
    events: mpsc::Sender<RefreshEvent>,
) -> (RefreshHandle, JoinHandle<()>) {
    let (tx, mut rx) = mpsc::unbounded_channel();
    let task = tokio::spawn(async move {
        let mut sched = Scheduler::new(backoff);
        let now = || tokio::time::Instant::now().into_std();
        loop {
            let due = sched.poll(now());
            if let Due::Fetch(params) = due {
                let result = fetcher.fetch(&params).await;
                let event = match result {
                    Ok(document) => {
                        sched.fetch_succeeded(now());
                        RefreshEvent::Fetched { document }
                    }
                    Err(error) => {
                        let retry_at = sched.fetch_failed(now());
                        tracing::info!(
                            target: "mbimd::provisioning",
                            "provisioning refresh from {} failed: {error}",
                            params.refresh_url
                        );
                        RefreshEvent::Failed {
                            error,
                            failures: sched.failures(),
                            retry_at: retry_at.map(tokio::time::Instant::from_std),
                        }
                    }
                };
                if events.send(event).await.is_err() {
                    return;
                }
                continue;
            }
            let sleep = async {
                match due {
                    Due::Wait(at) => {
                        tokio::time::sleep_until(tokio::time::Instant::from_std(at)).await
                    }
                    _ => std::future::pending().await,
                }
            };
            tokio::select! {
                c = rx.recv() => match c {
                    Some(Command::Trigger) => sched.trigger(now()),
                    Some(Command::Parameters(p, since)) => {
                        // Validated by the handle already.
                        let _ = sched.set_parameters(now(), p, since);
                    }
                    None => return,
                },
                () = sleep => {}
            }
        }
    });
    (RefreshHandle { commands: tx }, task)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(days: Option<u32>) -> RefreshParameters {
        RefreshParameters {
            delay_in_days: days,
            ..RefreshParameters::new("https://operator.example/provisioning.xml")
        }
    }

    fn backoff() -> Backoff {
        Backoff {
            initial: Duration::from_secs(60),
            max: Duration::from_secs(600),
            max_retries: 5,
        }
    }

    #[test]
    fn parameters_follow_the_schema_constraints() {
        assert_eq!(params(Some(1)).validate(), Ok(()));
        assert_eq!(params(Some(730)).validate(), Ok(()));
        assert_eq!(params(None).validate(), Ok(()));
        assert_eq!(
            params(Some(0)).validate(),
            Err(RefreshError::DelayInDays(0))
        );
        assert_eq!(
            params(Some(731)).validate(),
            Err(RefreshError::DelayInDays(731))
        );
        for url in ["http://operator.example/x", "https://", "ftp://x"] {
            assert_eq!(
                RefreshParameters::new(url).validate(),
                Err(RefreshError::Url(url.into()))
            );
        }
    }

    #[test]
    fn the_password_is_not_shown_in_debug_output() {
        let p = RefreshParameters {
            user_name: Some("alice".into()),
            password: Some("hunter2".into()),
            ..params(None)
        };
        let s = format!("{p:?}");
        assert!(s.contains("alice") && !s.contains("hunter2"), "{s}");
    }

    #[test]
    fn backoff_doubles_up_to_the_cap() {
        let b = backoff();
        let secs: Vec<u64> = (1..=6).map(|n| b.delay(n).as_secs()).collect();
        assert_eq!(secs, vec![60, 120, 240, 480, 600, 600]);
        assert_eq!(b.delay(200), b.max);
    }

    #[test]
    fn basic_authorization_encodes_user_and_password() {
        // RFC 7617 §2's example.
        assert_eq!(
            basic_authorization("Aladdin", Some("open sesame")),
            "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ=="
        );
        assert_eq!(basic_authorization("u", None), "Basic dTo=");
    }

    #[test]
    fn fetch_is_due_delay_in_days_after_the_last_refresh() {
        let t0 = Instant::now();
        let mut s = Scheduler::new(backoff());
        assert_eq!(s.poll(t0), Due::Idle);
        s.set_parameters(t0, Some(params(Some(3))), DAY).unwrap();
        // One of three days has passed already.
        let due = t0 + DAY * 2;
        assert_eq!(s.poll(t0), Due::Wait(due));
        assert_eq!(s.poll(due - Duration::from_secs(1)), Due::Wait(due));
        assert_eq!(s.poll(due), Due::Fetch(params(Some(3))));
        assert_eq!(s.poll(due), Due::InFlight);
        s.fetch_succeeded(due + Duration::from_secs(5));
        assert_eq!(
            s.poll(due + Duration::from_secs(5)),
            Due::Wait(due + Duration::from_secs(5) + DAY * 3)
        );
    }

    #[test]
    fn without_delay_in_days_only_a_trigger_fetches() {
        let t0 = Instant::now();
        let mut s = Scheduler::new(backoff());
        s.set_parameters(t0, Some(params(None)), Duration::ZERO)
            .unwrap();
        assert_eq!(s.poll(t0 + DAY * 1000), Due::Idle);
        let t1 = t0 + DAY * 1000;
        s.trigger(t1);
        assert_eq!(s.poll(t1), Due::Fetch(params(None)));
        s.fetch_succeeded(t1);
        assert_eq!(s.poll(t1), Due::Idle);
    }

    #[test]
    fn a_trigger_without_parameters_does_nothing() {
        let t0 = Instant::now();
        let mut s = Scheduler::new(backoff());
        s.trigger(t0);
        assert_eq!(s.poll(t0), Due::Idle);
    }

    #[test]
    fn failures_back_off_keep_the_parameters_and_fall_back_to_the_schedule() {
        let t0 = Instant::now();
        let mut s = Scheduler::new(backoff());
        s.set_parameters(t0, Some(params(Some(7))), Duration::ZERO)
            .unwrap();
        s.trigger(t0);
        let mut now = t0;
        let mut waits = Vec::new();
        for _ in 0..6 {
            assert_eq!(s.poll(now), Due::Fetch(params(Some(7))));
            let retry = s.fetch_failed(now).unwrap();
            waits.push(retry.duration_since(now).as_secs());
            now = retry;
            assert_eq!(s.parameters(), Some(&params(Some(7))));
        }
        // Five retries with backoff, then the regular 7-day schedule.
        assert_eq!(waits, vec![60, 120, 240, 480, 600, 7 * 86400]);
        assert_eq!(s.failures(), 0);
    }

    #[test]
    fn after_the_last_retry_without_a_schedule_it_waits_for_a_trigger() {
        let t0 = Instant::now();
        let mut s = Scheduler::new(Backoff {
            max_retries: 1,
            ..backoff()
        });
        s.set_parameters(t0, Some(params(None)), Duration::ZERO)
            .unwrap();
        s.trigger(t0);
        assert!(matches!(s.poll(t0), Due::Fetch(_)));
        let retry = s.fetch_failed(t0).unwrap();
        assert!(matches!(s.poll(retry), Due::Fetch(_)));
        assert_eq!(s.fetch_failed(retry), None);
        assert_eq!(s.poll(retry + DAY), Due::Idle);
        assert_eq!(s.parameters(), Some(&params(None)));
    }

    #[test]
    fn a_trigger_during_a_fetch_fetches_again_afterwards() {
        let t0 = Instant::now();
        let mut s = Scheduler::new(backoff());
        s.set_parameters(t0, Some(params(Some(30))), Duration::ZERO)
            .unwrap();
        s.trigger(t0);
        assert!(matches!(s.poll(t0), Due::Fetch(_)));
        s.trigger(t0);
        assert_eq!(s.poll(t0), Due::InFlight);
        s.fetch_succeeded(t0);
        assert!(matches!(s.poll(t0), Due::Fetch(_)));
    }

    #[test]
    fn new_parameters_reset_the_schedule_and_removal_stops_it() {
        let t0 = Instant::now();
        let mut s = Scheduler::new(backoff());
        s.set_parameters(t0, Some(params(Some(1))), Duration::ZERO)
            .unwrap();
        assert_eq!(s.poll(t0), Due::Wait(t0 + DAY));
        s.set_parameters(t0, Some(params(Some(2))), Duration::ZERO)
            .unwrap();
        assert_eq!(s.poll(t0), Due::Wait(t0 + DAY * 2));
        assert_eq!(
            s.set_parameters(t0, Some(params(Some(0))), Duration::ZERO),
            Err(RefreshError::DelayInDays(0))
        );
        // A refused update keeps what was there.
        assert_eq!(s.parameters(), Some(&params(Some(2))));
        s.set_parameters(t0, None, Duration::ZERO).unwrap();
        assert_eq!(s.poll(t0 + DAY * 5), Due::Idle);
    }

    #[test]
    fn trust_anchors_without_certificates_are_refused() {
        let cfg = FetchConfig {
            trust: TrustAnchors::Pem(b"not a certificate".to_vec()),
            ..FetchConfig::default()
        };
        assert!(matches!(Fetcher::new(&cfg), Err(FetchError::Trust(_))));
        let cfg = FetchConfig {
            trust: TrustAnchors::PemFile("/nonexistent/ca.pem".into()),
            ..FetchConfig::default()
        };
        assert!(matches!(Fetcher::new(&cfg), Err(FetchError::Trust(_))));
    }
}
