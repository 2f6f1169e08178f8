//! The per-modem usage service: one [`Engine`] behind a lock, persisted in
//! the [`UsageStore`] after every step, fed by a sampling task (counters,
//! registration and connection state, billing-cycle time) and by the
//! messaging engine's operator notifications. Events and "cost/status
//! changed" notices go to one [`Notice`] channel, which the D-Bus layer
//! turns into signals, acknowledging each event after it went out (see
//! `store` for the no-loss/no-repeat argument).
//!
//! Time is Unix seconds from a [`Clock`] that follows tokio's clock, so
//! paused-time tests move it. This module exports no D-Bus objects.

use super::counters::CounterSource;
use super::engine::{
    Cost, Engine, NetworkStatus, OperatorFigure, OperatorUpdate, PlanStatus, UsageEvent,
};
use super::plan::{Plan, PlanType, parse_datetime};
use super::store::{Commit, StoreError, UsageStore};
use crate::messaging::ingest::{Clock, MessagingEvent};
use crate::messaging::rules::{self, OperatorValues, RuleTimestamp};
use crate::modem::{ModemHandle, ModemState};
use mbim_proto::services::basic_connect::{ActivationState, RegisterState};
use std::time::Duration;
use tokio::sync::{Mutex, broadcast, mpsc};

/// Default sampling interval.
pub const DEFAULT_INTERVAL: Duration = Duration::from_secs(60);

/// What the service tells the D-Bus layer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Notice {
    /// An event to announce, then [`UsageService::ack`].
    Event(UsageEvent),
    /// Cost or plan status may have changed.
    Changed,
}

/// One modem's usage.
#[derive(Debug)]
pub struct UsageService {
    /// The identity the store keys this modem on (IMSI, else device id).
    pub modem: String,
    store: UsageStore,
    engine: Mutex<Engine>,
    /// Cost and status after the last step (for synchronous getters).
    views: std::sync::Mutex<(Cost, PlanStatus)>,
    notices: mpsc::UnboundedSender<Notice>,
    clock: Clock,
}

impl UsageService {
    /// Resume `modem` from `store` (or start fresh). Events left in the
    /// outbox by the previous run are queued first.
    pub async fn open(
        store: UsageStore,
        modem: String,
        clock: Clock,
    ) -> Result<(Self, mpsc::UnboundedReceiver<Notice>), StoreError> {
        let (tx, rx) = mpsc::unbounded_channel();
        let engine = match store.load(&modem).await? {
            Some(l) => {
                for e in l.pending {
                    let _ = tx.send(Notice::Event(e));
                }
                if !l.state.network.connected {
                    store.close_open_intervals(&modem, l.state.now).await?;
                }
                Engine::restore(l.state, l.recent)
            }
            None => Engine::new(),
        };
        let views = std::sync::Mutex::new((engine.cost(), engine.status()));
        Ok((
            UsageService {
                modem,
                store,
                views,
                engine: Mutex::new(engine),
                notices: tx,
                clock,
            },
            rx,
        ))
    }

    /// Unix seconds now.
    pub fn now(&self) -> i64 {
        self.clock.now_ms().div_euclid(1000)
    }

    /// Run `f` on the engine, persist the outcome in one transaction, then
    /// queue its events. Returns the events.
    pub async fn apply<R>(&self, f: impl FnOnce(&mut Engine, i64) -> R) -> Result<R, StoreError> {
        let now = self.now();
        let mut e = self.engine.lock().await;
        let r = f(&mut e, now);
        let samples: Vec<_> = std::iter::from_fn(|| e.poll_sample()).collect();
        let intervals: Vec<_> = std::iter::from_fn(|| e.poll_interval()).collect();
        let events: Vec<_> = std::iter::from_fn(|| e.poll_event()).collect();
        self.store
            .commit(
                &self.modem,
                Commit {
                    state: e.state(),
                    samples: &samples,
                    intervals: &intervals,
                    events: &events,
                },
            )
            .await?;
        *self.views.lock().unwrap_or_else(|p| p.into_inner()) = (e.cost(), e.status());
        drop(e);
        for ev in events {
            let _ = self.notices.send(Notice::Event(ev));
        }
        let _ = self.notices.send(Notice::Changed);
        Ok(r)
    }

    /// Events up to `sequence` were announced.
    pub async fn ack(&self, sequence: u64) {
        if let Err(e) = self.store.ack(&self.modem, sequence).await {
            tracing::warn!(error = %e, "cannot acknowledge usage events");
        }
    }

    /// The cost and plan status after the last step.
    pub fn snapshot(&self) -> (Cost, PlanStatus) {
        self.views.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// The last counters read for `session` (None before the first reading).
    pub async fn counter_base(&self, session: u32) -> Option<super::engine::RawCounters> {
        self.engine
            .lock()
            .await
            .state()
            .counters
            .get(&session)
            .copied()
    }

    /// The step size in force (bytes per progress event).
    pub async fn step(&self) -> u64 {
        self.engine.lock().await.step()
    }

    /// The store (queries).
    pub fn store(&self) -> &UsageStore {
        &self.store
    }

    /// Set the plan.
    pub async fn set_plan(&self, plan: Option<Plan>) -> Result<(), StoreError> {
        self.apply(|e, now| e.handle_plan(now, plan)).await
    }

    /// Merge an operator update.
    pub async fn set_usage(&self, u: OperatorUpdate) -> Result<(), StoreError> {
        self.apply(|e, now| e.handle_operator(now, u)).await
    }
}

/// The engine's view of a modem snapshot.
pub fn network_status(s: &ModemState) -> NetworkStatus {
    let connected = s
        .connections
        .values()
        .any(|c| c.activation_state == ActivationState::ACTIVATED);
    let roaming = s.registration.as_ref().is_some_and(|r| {
        r.register_state == RegisterState::ROAMING || r.register_state == RegisterState::PARTNER
    });
    NetworkStatus {
        connected,
        // No connectivity check yet: a connected session is taken to reach
        // the internet.
        internet: connected,
        roaming,
    }
}

/// Unix seconds of a rule timestamp; without a year, the most recent
/// occurrence of that date at or before `now` (§1.6). Read as UTC.
pub fn rule_time(t: &RuleTimestamp, now: i64) -> Option<i64> {
    let at = |y: i64| {
        parse_datetime(&format!(
            "{y:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
            t.month, t.day, t.hour, t.minute, t.second
        ))
    };
    match t.year {
        Some(y) => at(i64::from(y)),
        None => {
            let year = crate::usage::plan::format_datetime(now)
                .get(..4)
                .and_then(|y| y.parse::<i64>().ok())?;
            (0..8).filter_map(|k| at(year - k)).find(|&x| x <= now)
        }
    }
}

/// The engine update an operator message carries.
pub fn operator_update(v: &OperatorValues, now: i64) -> OperatorUpdate {
    let timestamp = v
        .usage_timestamp
        .as_ref()
        .and_then(|t| rule_time(t, now))
        .unwrap_or(now);
    OperatorUpdate {
        figure: v
            .usage_bytes
            .map(|bytes| OperatorFigure { bytes, timestamp }),
        over_data_limit: v.over_data_limit,
        congested: v.congested,
        data_limit_bytes: v.data_limit_bytes,
        plan_type: v.plan_type.map(|t| match t {
            rules::PlanType::Unrestricted => PlanType::Unrestricted,
            rules::PlanType::Fixed => PlanType::Fixed,
            rules::PlanType::Variable => PlanType::Variable,
        }),
    }
}

/// Sampling settings.
#[derive(Debug, Clone, Copy)]
pub struct SamplerConfig {
    /// Time between counter readings.
    pub interval: Duration,
}

impl Default for SamplerConfig {
    fn default() -> Self {
        SamplerConfig {
            interval: DEFAULT_INTERVAL,
        }
    }
}

/// Follow one modem until it goes away: read counters every interval,
/// follow registration/connection changes at once, merge operator
/// messages. Store errors are logged and the step is retried next time
/// (the engine's counter base then still holds the unstored delta).
pub async fn run(
    svc: std::sync::Arc<UsageService>,
    handle: ModemHandle,
    source: CounterSource,
    cfg: SamplerConfig,
    mut messages: Option<broadcast::Receiver<MessagingEvent>>,
) {
    let mut watch = handle.watch();
    let mut tick = tokio::time::interval(cfg.interval);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let log = |r: Result<(), StoreError>| {
        if let Err(e) = r {
            tracing::warn!(error = %e, "usage store write failed");
        }
    };
    loop {
        tokio::select! {
            _ = tick.tick() => {
                let status = network_status(&handle.state());
                let raw = match source.read().await {
                    Ok(r) => Some(r),
                    Err(e) => {
                        tracing::debug!(error = %e, source = source.kind(), "no usage counters this time");
                        None
                    }
                };
                log(svc.apply(|e, now| {
                    e.handle_network(now, status);
                    if let Some(raw) = raw {
                        e.handle_counters(now, 0, raw);
                    }
                    e.handle_tick(now);
                }).await);
            }
            r = watch.changed() => {
                if r.is_err() {
                    return;
                }
                let status = network_status(&watch.borrow_and_update());
                let same = svc.engine.lock().await.state().network == status;
                if !same {
                    // Count what flowed up to the change first.
                    let raw = source.read().await.ok();
                    log(svc.apply(|e, now| {
                        if let Some(raw) = raw {
                            e.handle_counters(now, 0, raw);
                        }
                        e.handle_network(now, status);
                    }).await);
                }
            }
            m = async {
                match messages.as_mut() {
                    Some(rx) => rx.recv().await,
                    None => std::future::pending().await,
                }
            } => match m {
                Ok(MessagingEvent::OperatorNotification(n)) => {
                    let now = svc.now();
                    let u = operator_update(&n.values, now);
                    log(svc.set_usage(u).await);
                }
                Ok(_) => {}
                Err(broadcast::error::RecvError::Lagged(n)) => {
                    tracing::warn!("usage missed {n} messaging events");
                }
                Err(broadcast::error::RecvError::Closed) => messages = None,
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rule_time_without_a_year_is_the_latest_past_occurrence() {
        let now = parse_datetime("2025-03-10T12:00:00Z").unwrap();
        let t = RuleTimestamp {
            year: None,
            month: 12,
            day: 24,
            hour: 8,
            minute: 0,
            second: 0,
        };
        assert_eq!(rule_time(&t, now), parse_datetime("2024-12-24T08:00:00Z"));
        let t = RuleTimestamp {
            month: 3,
            day: 1,
            ..t
        };
        assert_eq!(rule_time(&t, now), parse_datetime("2025-03-01T08:00:00Z"));
        let t = RuleTimestamp {
            year: Some(2023),
            ..t
        };
        assert_eq!(rule_time(&t, now), parse_datetime("2023-03-01T08:00:00Z"));
    }

    #[test]
    fn operator_values_become_an_engine_update() {
        let now = 1_000_000;
        let v = OperatorValues {
            usage_bytes: Some(5_000),
            data_limit_bytes: Some(9_000_000),
            congested: Some(true),
            plan_type: Some(rules::PlanType::Variable),
            ..OperatorValues::default()
        };
        let u = operator_update(&v, now);
        assert_eq!(
            u.figure,
            Some(OperatorFigure {
                bytes: 5_000,
                timestamp: now
            })
        );
        assert_eq!(u.congested, Some(true));
        assert_eq!(u.plan_type, Some(PlanType::Variable));
        assert_eq!(u.data_limit_bytes, Some(9_000_000));
    }
}
