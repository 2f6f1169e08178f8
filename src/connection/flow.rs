//! The active-device flow (windows-operator-formats.md §3.3, "APN attempt
//! order" and "after the initial connection"):
//!
//! 1. Try the candidates in the resolver's order. The first that connects
//!    **with internet** wins ([`FlowOutcome::Connected`]).
//! 2. A candidate that connects without internet is remembered; if more
//!    candidates follow it is disconnected and the next is tried (a wrong
//!    APN such as a WAP-only one also gives a session without internet). If
//!    none gives internet, the first such candidate is (re)connected and the
//!    connection is [`FlowOutcome::Limited`]: the warm SIM, whose purchase
//!    page the caller publishes.
//! 3. A failure is classified ([`super::policy::classify`]): settings errors
//!    and "service not activated" go on to the next candidate; errors that
//!    are not about the settings (no network, modem gone, ...) stop at once.
//! 4. Nothing connected: if some attempt said "service not activated", the
//!    SIM has no plan (cold SIM) → [`FlowOutcome::OperatorAppNeeded`]; else
//!    the first failure is the answer ([`FlowOutcome::Failed`]).
//!
//! The flow is generic over a [`Connector`] (the daemon's bearer glue, or a
//! script in tests); it records every attempt through a callback.

use super::policy::{FailureClass, classify};
use super::probe::Connectivity;
use super::state::source_name;
use apn_db::resolver::Resolved;
use dbus_interfaces::MmError;
use std::future::Future;
use std::pin::Pin;
use zbus::DBusError as _;

/// A boxed future (the connector is used as `dyn`).
pub type BoxFut<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// What the flow needs from a modem.
pub trait Connector: Send {
    /// Connect with `c`; the data session id on success.
    fn connect<'a>(&'a mut self, c: &'a Resolved) -> BoxFut<'a, Result<u32, MmError>>;
    /// Tear down the connection made by the last successful `connect`.
    fn disconnect(&mut self) -> BoxFut<'_, ()>;
    /// Whether the internet is reachable through `session`.
    fn probe(&mut self, session: u32) -> BoxFut<'_, Connectivity>;
}

/// How one attempt ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AttemptOutcome {
    /// Connected with internet.
    Connected,
    /// Connected without internet.
    Limited,
    /// Refused: "service not activated" (cold SIM).
    NotActivated,
    /// Refused for another reason.
    Failed,
}

impl AttemptOutcome {
    /// Published name.
    pub fn as_str(self) -> &'static str {
        match self {
            AttemptOutcome::Connected => "connected",
            AttemptOutcome::Limited => "limited",
            AttemptOutcome::NotActivated => "not-activated",
            AttemptOutcome::Failed => "failed",
        }
    }
}

/// One connection attempt, for the log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attempt {
    /// Unix seconds.
    pub timestamp: u64,
    /// APN tried.
    pub apn: String,
    /// Source of the settings (`apn-database`, `user`, ...).
    pub source: String,
    /// How it ended.
    pub outcome: AttemptOutcome,
    /// ModemManager error name (empty on success).
    pub error: String,
    /// Error message (empty on success).
    pub message: String,
}

impl Attempt {
    /// An attempt that happened now.
    pub fn now(apn: &str, source: &str, outcome: AttemptOutcome, err: Option<&MmError>) -> Self {
        Attempt {
            timestamp: std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_secs())
                .unwrap_or(0),
            apn: apn.to_string(),
            source: source.to_string(),
            outcome,
            error: err.map(|e| e.name().to_string()).unwrap_or_default(),
            message: err
                .and_then(|e| e.description())
                .map(str::to_string)
                .unwrap_or_default(),
        }
    }
}

/// The flow's result.
#[derive(Debug)]
pub enum FlowOutcome {
    /// Candidate `index` connected with internet.
    Connected { index: usize },
    /// Candidate `index` is connected without internet (warm SIM).
    Limited { index: usize },
    /// Nothing connected and the network said "service not activated"
    /// (cold SIM): the operator's app / purchase flow is needed.
    OperatorAppNeeded { error: MmError },
    /// Nothing connected.
    Failed { error: MmError },
}

fn record(
    log: &mut (impl FnMut(Attempt) + Send),
    c: &Resolved,
    o: AttemptOutcome,
    e: Option<&MmError>,
) {
    log(Attempt::now(&c.settings.apn, source_name(c.source), o, e));
}

/// Run the flow over `candidates` (see the module docs).
pub async fn run(
    candidates: &[Resolved],
    conn: &mut dyn Connector,
    mut log: impl FnMut(Attempt) + Send,
) -> FlowOutcome {
    let mut limited: Option<usize> = None;
    let mut first_error: Option<MmError> = None;
    let mut not_activated: Option<MmError> = None;
    for (i, cand) in candidates.iter().enumerate() {
        match conn.connect(cand).await {
            Ok(session) => match conn.probe(session).await {
                Connectivity::Full => {
                    record(&mut log, cand, AttemptOutcome::Connected, None);
                    return FlowOutcome::Connected { index: i };
                }
                Connectivity::Limited => {
                    record(&mut log, cand, AttemptOutcome::Limited, None);
                    if i + 1 == candidates.len() && limited.is_none() {
                        return FlowOutcome::Limited { index: i };
                    }
                    limited.get_or_insert(i);
                    conn.disconnect().await;
                }
            },
            Err(e) => {
                let class = classify(&e);
                let outcome = if class == FailureClass::NotActivated {
                    AttemptOutcome::NotActivated
                } else {
                    AttemptOutcome::Failed
                };
                record(&mut log, cand, outcome, Some(&e));
                match class {
                    FailureClass::Fatal => return FlowOutcome::Failed { error: e },
                    FailureClass::NotActivated => {
                        not_activated.get_or_insert(e);
                    }
                    FailureClass::Settings => {
                        first_error.get_or_insert(e);
                    }
                }
            }
        }
    }
    if let Some(i) = limited {
        let cand = &candidates[i];
        match conn.connect(cand).await {
            Ok(_) => {
                record(&mut log, cand, AttemptOutcome::Limited, None);
                return FlowOutcome::Limited { index: i };
            }
            Err(e) => {
                record(&mut log, cand, AttemptOutcome::Failed, Some(&e));
                return FlowOutcome::Failed { error: e };
            }
        }
    }
    if let Some(error) = not_activated {
        return FlowOutcome::OperatorAppNeeded { error };
    }
    FlowOutcome::Failed {
        error: first_error.unwrap_or_else(|| {
            MmError::MissingOrUnknownApn("no APN given and none could be resolved".into())
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use apn_db::Purpose;
    use apn_db::resolver::{Settings, SettingsSource};
    use std::collections::HashMap;

    /// Per APN: Err(error maker) or Ok(internet?).
    type Script = HashMap<&'static str, Result<bool, fn() -> MmError>>;

    #[derive(Default)]
    struct Fake {
        script: Script,
        connected: Option<String>,
        calls: Vec<String>,
    }

    impl Connector for Fake {
        fn connect<'a>(&'a mut self, c: &'a Resolved) -> BoxFut<'a, Result<u32, MmError>> {
            Box::pin(async move {
                self.calls.push(format!("connect {}", c.settings.apn));
                match self.script.get(c.settings.apn.as_str()) {
                    Some(Ok(_)) => {
                        self.connected = Some(c.settings.apn.clone());
                        Ok(0)
                    }
                    Some(Err(f)) => Err(f()),
                    None => Err(MmError::MissingOrUnknownApn("unknown".into())),
                }
            })
        }
        fn disconnect(&mut self) -> BoxFut<'_, ()> {
            Box::pin(async move {
                self.calls.push("disconnect".into());
                self.connected = None;
            })
        }
        fn probe(&mut self, _: u32) -> BoxFut<'_, Connectivity> {
            Box::pin(async move {
                let apn = self.connected.clone().unwrap_or_default();
                match self.script.get(apn.as_str()) {
                    Some(Ok(true)) => Connectivity::Full,
                    _ => Connectivity::Limited,
                }
            })
        }
    }

    fn cands(apns: &[&str]) -> Vec<Resolved> {
        apns.iter()
            .enumerate()
            .map(|(order, a)| Resolved {
                source: SettingsSource::ApnDatabase,
                order,
                settings: Settings {
                    apn: a.to_string(),
                    username: None,
                    password: None,
                    auth: None,
                    ip_type: None,
                    purpose: Purpose::Internet,
                    purchase_url: None,
                    auto_connect_order: None,
                    origin: "test".into(),
                },
            })
            .collect()
    }

    async fn go(apns: &[&str], script: Script) -> (FlowOutcome, Vec<Attempt>, Vec<String>) {
        let mut f = Fake {
            script,
            ..Fake::default()
        };
        let mut log = Vec::new();
        let o = run(&cands(apns), &mut f, |a| log.push(a)).await;
        (o, log, f.calls)
    }

    fn unknown() -> MmError {
        MmError::MissingOrUnknownApn("x".into())
    }
    fn not_subscribed() -> MmError {
        MmError::ServiceOptionNotSubscribed("x".into())
    }
    fn no_network() -> MmError {
        MmError::NoNetwork("x".into())
    }

    #[tokio::test]
    async fn the_first_candidate_with_internet_wins_after_a_failed_one() {
        let script: Script = [
            ("wrong", Err(unknown as fn() -> MmError)),
            ("internet", Ok(true)),
        ]
        .into();
        let (o, log, _) = go(&["wrong", "internet", "third"], script).await;
        assert!(matches!(o, FlowOutcome::Connected { index: 1 }));
        let outcomes: Vec<_> = log.iter().map(|a| (a.apn.as_str(), a.outcome)).collect();
        assert_eq!(
            outcomes,
            [
                ("wrong", AttemptOutcome::Failed),
                ("internet", AttemptOutcome::Connected)
            ]
        );
        assert_eq!(
            log[0].error,
            "org.freedesktop.ModemManager1.Error.MobileEquipment.MissingOrUnknownApn"
        );
        assert_eq!(log[1].source, "apn-database");
    }

    #[tokio::test]
    async fn a_session_without_internet_is_kept_only_when_nothing_better_connects() {
        let script: Script = [("walled", Ok(false)), ("full", Ok(true))].into();
        let (o, _, calls) = go(&["walled", "full"], script).await;
        assert!(matches!(o, FlowOutcome::Connected { index: 1 }));
        assert_eq!(calls, ["connect walled", "disconnect", "connect full"]);

        let script: Script = [
            ("walled", Ok(false)),
            ("bad", Err(unknown as fn() -> MmError)),
        ]
        .into();
        let (o, log, calls) = go(&["walled", "bad"], script).await;
        assert!(matches!(o, FlowOutcome::Limited { index: 0 }));
        assert_eq!(
            calls,
            [
                "connect walled",
                "disconnect",
                "connect bad",
                "connect walled"
            ]
        );
        assert_eq!(log.last().map(|a| a.outcome), Some(AttemptOutcome::Limited));

        // The last candidate limited: kept as is, no reconnect.
        let script: Script = [("walled", Ok(false))].into();
        let (o, _, calls) = go(&["walled"], script).await;
        assert!(matches!(o, FlowOutcome::Limited { index: 0 }));
        assert_eq!(calls, ["connect walled"]);
    }

    #[tokio::test]
    async fn service_not_activated_everywhere_means_the_operator_app() {
        let script: Script = [
            ("a", Err(not_subscribed as fn() -> MmError)),
            ("b", Err(unknown as fn() -> MmError)),
        ]
        .into();
        let (o, log, _) = go(&["a", "b"], script).await;
        match o {
            FlowOutcome::OperatorAppNeeded { error } => {
                assert!(matches!(error, MmError::ServiceOptionNotSubscribed(_)))
            }
            o => panic!("{o:?}"),
        }
        assert_eq!(log[0].outcome, AttemptOutcome::NotActivated);
    }

    #[tokio::test]
    async fn errors_not_about_the_settings_stop_the_try_order() {
        let script: Script = [("a", Err(no_network as fn() -> MmError)), ("b", Ok(true))].into();
        let (o, log, calls) = go(&["a", "b"], script).await;
        assert!(matches!(
            o,
            FlowOutcome::Failed {
                error: MmError::NoNetwork(_)
            }
        ));
        assert_eq!(log.len(), 1);
        assert_eq!(calls, ["connect a"]);
    }

    #[tokio::test]
    async fn all_settings_failures_report_the_first_error() {
        let auth = || MmError::UserAuthenticationFailed("x".into());
        let script: Script = [
            ("a", Err(auth as fn() -> MmError)),
            ("b", Err(unknown as fn() -> MmError)),
        ]
        .into();
        let (o, _, _) = go(&["a", "b"], script).await;
        assert!(matches!(
            o,
            FlowOutcome::Failed {
                error: MmError::UserAuthenticationFailed(_)
            }
        ));
        let (o, _, _) = go(&[], Script::new()).await;
        assert!(matches!(
            o,
            FlowOutcome::Failed {
                error: MmError::MissingOrUnknownApn(_)
            }
        ));
    }
}
