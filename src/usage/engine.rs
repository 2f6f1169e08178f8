//! The usage engine for one modem: sans-I/O (no clock, no files, no
//! sockets; every input carries its time, Unix seconds). Inputs are
//! `handle_*`, outputs `poll_*` and the derived views ([`Engine::cost`],
//! [`Engine::status`]); [`Engine::state`] is everything that must survive a
//! restart.
//!
//! Rules (windows-operator-formats.md §4):
//! * **Usage** in the current billing cycle is the operator's figure
//!   (provisioning `Usage`, an operator SMS/USSD, `SetUsage`) plus the local
//!   counters since that figure's timestamp; without a figure, the local
//!   counters since the cycle start. The operator is authoritative (§4.2's
//!   caveat): a new figure replaces the estimate. Local samples are kept
//!   exactly for [`EXACT_WINDOW`] and in one-minute buckets up to
//!   [`RECENT_WINDOW`], so a figure stamped in the past is merged with what
//!   was counted after it: exactly for the last hour (samples ending after
//!   the figure's time), to the minute before that, and a figure older than
//!   the window is merged with the whole window.
//! * **Progress events** (§4.2), only when the plan enables them: one event
//!   per threshold crossed, thresholds at multiples of a step of 5 % of the
//!   limit, 100 MB without a limit, 5 MB while roaming (the limit is then
//!   ignored). Thresholds are crossed by local traffic; an operator figure, a
//!   new plan or a change of step (roaming on/off) re-bases the last passed
//!   threshold silently — the operator already knows its own figure, and a
//!   burst of events at a roaming change would be noise.
//! * **Cost** flags: metered (Fixed/Variable plan, or roaming), roaming (from
//!   registration), over limit (operator flag, or usage ≥ limit),
//!   approaching limit (our choice, not documented by Windows:
//!   usage ≥ [`APPROACHING_PERCENT`] % of the limit and not over), congested
//!   (operator flag), background data restricted (our choice: over the
//!   limit, roaming, or approaching the limit on a metered plan).
//! * **Billing cycle**: at `start + k·duration` a resetting plan returns to
//!   zero and emits `PlanReset` (one event even if several cycles passed
//!   while the daemon was stopped); a non-resetting (pre-paid) cycle expires
//!   at `start + duration` and emits `PlanExpired`.
//! * **Account status** (no plan / active / over limit / expired) and
//!   **network status** (connected, internet, roaming) emit an event when
//!   they change; connect/disconnect open and close connectivity intervals.

use super::plan::{MEGABYTE, Plan, PlanType};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, VecDeque};

/// How long local traffic stays in minute buckets for merging operator figures.
pub const RECENT_WINDOW: i64 = 72 * 3600;
/// How long local samples are kept exactly (then folded into minutes).
pub const EXACT_WINDOW: i64 = 3600;
/// Approaching the limit from this share of it (our threshold; Windows does
/// not document one).
pub const APPROACHING_PERCENT: u64 = 80;
/// Progress step without a limit on the home network (§4.2).
pub const STEP_NO_LIMIT: u64 = 100 * MEGABYTE;
/// Progress step while roaming (§4.2).
pub const STEP_ROAMING: u64 = 5 * MEGABYTE;

/// WCM/NLM cost bits (§4.1).
pub mod cost_flags {
    /// Unrestricted plan.
    pub const UNRESTRICTED: u32 = 0x1;
    /// Fixed plan.
    pub const FIXED: u32 = 0x2;
    /// Variable plan.
    pub const VARIABLE: u32 = 0x4;
    /// Usage exceeded the limit.
    pub const OVER_DATA_LIMIT: u32 = 0x1_0000;
    /// Network congested.
    pub const CONGESTED: u32 = 0x2_0000;
    /// Roaming.
    pub const ROAMING: u32 = 0x4_0000;
    /// Usage near the limit.
    pub const APPROACHING_DATA_LIMIT: u32 = 0x8_0000;
}

/// A usage figure from the operator (or provisioning, or `SetUsage`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct OperatorFigure {
    /// Bytes used in the cycle, as of `timestamp`.
    pub bytes: u64,
    /// When the figure was valid (Unix seconds).
    pub timestamp: i64,
}

/// Flags an operator message or `SetUsage` may carry with (or without) a figure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct OperatorUpdate {
    /// The figure, if any.
    pub figure: Option<OperatorFigure>,
    /// `OverDataLimit`.
    pub over_data_limit: Option<bool>,
    /// `Congested`.
    pub congested: Option<bool>,
    /// A new limit (bytes) from the message (`DataLimit`).
    pub data_limit_bytes: Option<u64>,
    /// A new cost class (`PlanType`).
    pub plan_type: Option<PlanType>,
}

/// Connection state of the modem as the usage engine sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct NetworkStatus {
    /// A data session is up.
    pub connected: bool,
    /// The internet is reachable through it.
    pub internet: bool,
    /// Registered on a roaming (or partner) network.
    pub roaming: bool,
}

/// Account status derived from plan and usage.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
pub enum AccountStatus {
    /// No plan is known.
    #[default]
    NoPlan,
    /// Plan in force, within its limit.
    Active,
    /// Over the data limit.
    OverLimit,
    /// Pre-paid plan expired.
    Expired,
}

impl AccountStatus {
    /// The D-Bus name (kebab-case).
    pub fn name(self) -> &'static str {
        match self {
            AccountStatus::NoPlan => "no-plan",
            AccountStatus::Active => "active",
            AccountStatus::OverLimit => "over-limit",
            AccountStatus::Expired => "expired",
        }
    }
}

/// Raw counters last read from a source.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct RawCounters {
    /// Received bytes (cumulative, as the source reports).
    pub rx: u64,
    /// Sent bytes.
    pub tx: u64,
}

/// Local traffic over one sampling interval.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sample {
    /// MBIM session id (0 for whole-device counters).
    pub session: u32,
    /// Interval start (the previous reading).
    pub start: i64,
    /// Interval end (this reading).
    pub end: i64,
    /// Bytes received in the interval.
    pub rx: u64,
    /// Bytes sent.
    pub tx: u64,
}

/// A connectivity interval opened or closed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Interval {
    /// Connect time.
    pub start: i64,
    /// Disconnect time (`None` while connected).
    pub end: Option<i64>,
}

/// What the engine announces.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum EventKind {
    /// A progress threshold was crossed (§4.2, `DataPlanThresholdReached`).
    ThresholdReached {
        /// The threshold (bytes) crossed.
        threshold_bytes: u64,
        /// Usage when it was noticed.
        used_bytes: u64,
        /// The step in force.
        step_bytes: u64,
        /// The plan limit, when the step derives from it.
        limit_bytes: Option<u64>,
        /// Percent of the limit the threshold stands for.
        percent: Option<u32>,
        /// The roaming step was used.
        roaming: bool,
    },
    /// The billing cycle ended; usage returned to zero (`DataPlanReset`).
    PlanReset {
        /// Start of the new cycle.
        cycle_start: i64,
        /// Start of the one after.
        next_cycle: i64,
        /// Usage at the end of the old cycle.
        previous_used_bytes: u64,
        /// Cycles that ended (more than 1 after a long stop).
        cycles: u32,
    },
    /// A pre-paid plan reached its end (`DataPlanDeleted`).
    PlanExpired {
        /// The plan's name.
        plan: String,
        /// When it expired.
        expired_at: i64,
    },
    /// The account status changed.
    AccountStatusChanged {
        /// New status.
        status: AccountStatus,
        /// Previous status.
        previous: AccountStatus,
    },
    /// Connected / disconnected / internet or roaming changed.
    NetworkStatusChanged {
        /// New status.
        status: NetworkStatus,
        /// Previous status.
        previous: NetworkStatus,
    },
}

/// An event with its time and a per-modem sequence number (increasing,
/// persisted: clients can drop a duplicate after a crash).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UsageEvent {
    /// Per-modem sequence number, from 1.
    pub sequence: u64,
    /// When it happened (Unix seconds).
    pub at: i64,
    /// What happened.
    pub kind: EventKind,
}

/// Everything that must survive a restart.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct EngineState {
    /// The plan in force.
    pub plan: Option<Plan>,
    /// Last operator figure (of the current cycle).
    pub figure: Option<OperatorFigure>,
    /// Operator flags.
    pub over_data_limit_flag: bool,
    /// Operator flag.
    pub congested: bool,
    /// Start of the cycle usage counts from (`None`: no cycle; usage counts
    /// from when the plan was set).
    pub cycle_start: Option<i64>,
    /// Local bytes since the cycle start (or plan set).
    pub local_cycle_bytes: u64,
    /// Local bytes since the figure's timestamp.
    pub local_since_figure: u64,
    /// Index of the last progress threshold passed (threshold = index × step).
    pub last_threshold: u64,
    /// The step `last_threshold` counts in.
    pub threshold_step: u64,
    /// The pre-paid plan expired.
    pub expired: bool,
    /// Last announced account status.
    pub account_status: AccountStatus,
    /// Last announced network status.
    pub network: NetworkStatus,
    /// Start of the open connectivity interval.
    pub interval_start: Option<i64>,
    /// Last raw counters per session.
    pub counters: BTreeMap<u32, RawCounters>,
    /// Time of the last counter reading per session.
    pub counter_time: BTreeMap<u32, i64>,
    /// Last event sequence number used.
    pub sequence: u64,
    /// Latest time seen.
    pub now: i64,
}

/// Cost of the connection (Windows `ConnectionCost`, §4.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Cost {
    /// Cost class.
    pub plan_type: PlanType,
    /// Traffic costs or uses up quota.
    pub metered: bool,
    /// Roaming.
    pub roaming: bool,
    /// Over the limit.
    pub over_data_limit: bool,
    /// Near the limit.
    pub approaching_data_limit: bool,
    /// Operator says congested.
    pub congested: bool,
    /// Background transfers should wait.
    pub background_data_restricted: bool,
    /// Start of the next billing cycle.
    pub next_billing_cycle: Option<i64>,
}

impl Cost {
    /// The WCM/NLM bit mask.
    pub fn flags(&self) -> u32 {
        use cost_flags::*;
        let mut f = match self.plan_type {
            PlanType::Unknown => 0,
            PlanType::Unrestricted => UNRESTRICTED,
            PlanType::Fixed => FIXED,
            PlanType::Variable => VARIABLE,
        };
        if self.over_data_limit {
            f |= OVER_DATA_LIMIT;
        }
        if self.congested {
            f |= CONGESTED;
        }
        if self.roaming {
            f |= ROAMING;
        }
        if self.approaching_data_limit {
            f |= APPROACHING_DATA_LIMIT;
        }
        f
    }
}

/// Plan status (Windows `DataPlanStatus`, §4.1).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PlanStatus {
    /// The plan, if any.
    pub plan: Option<Plan>,
    /// Usage in the cycle (operator figure + local since).
    pub used_bytes: u64,
    /// Time of the operator figure (`LastSyncTime`).
    pub last_sync_time: Option<i64>,
    /// Local bytes counted in the cycle.
    pub local_bytes: u64,
    /// Start of the cycle.
    pub cycle_start: Option<i64>,
    /// Start of the next cycle.
    pub next_billing_cycle: Option<i64>,
    /// Pre-paid plan expiry.
    pub expires: Option<i64>,
    /// Expired.
    pub expired: bool,
    /// Account status.
    pub account_status: AccountStatus,
}

/// The engine.
#[derive(Debug, Clone, Default)]
pub struct Engine {
    st: EngineState,
    /// Local bytes per minute (minute index → bytes), older than
    /// [`EXACT_WINDOW`], for [`RECENT_WINDOW`].
    minutes: BTreeMap<i64, u64>,
    /// Local samples `(end, bytes)` of the last [`EXACT_WINDOW`], in order.
    exact: VecDeque<(i64, u64)>,
    events: VecDeque<UsageEvent>,
    samples: VecDeque<Sample>,
    intervals: VecDeque<Interval>,
}

impl Engine {
    /// A fresh engine (no plan, nothing counted).
    pub fn new() -> Self {
        Self::default()
    }

    /// An engine resumed from persisted state and the recent local traffic
    /// (samples as `(end, bytes)`, any order).
    pub fn restore(st: EngineState, recent: impl IntoIterator<Item = (i64, u64)>) -> Self {
        let mut e = Engine {
            st,
            ..Self::default()
        };
        let mut recent: Vec<(i64, u64)> = recent.into_iter().collect();
        recent.sort_unstable();
        for (end, bytes) in recent {
            e.remember(end, bytes);
        }
        e
    }

    /// The state to persist.
    pub fn state(&self) -> &EngineState {
        &self.st
    }

    /// Usage in the current cycle.
    pub fn used_bytes(&self) -> u64 {
        match self.st.figure {
            Some(f) => f.bytes.saturating_add(self.st.local_since_figure),
            None => self.st.local_cycle_bytes,
        }
    }

    /// The next event to announce.
    pub fn poll_event(&mut self) -> Option<UsageEvent> {
        self.events.pop_front()
    }

    /// The next local-traffic sample to record.
    pub fn poll_sample(&mut self) -> Option<Sample> {
        self.samples.pop_front()
    }

    /// The next connectivity-interval change to record.
    pub fn poll_interval(&mut self) -> Option<Interval> {
        self.intervals.pop_front()
    }

    fn limit_bytes(&self) -> Option<u64> {
        self.st.plan.as_ref().and_then(Plan::limit_bytes)
    }

    /// The progress step in force (§4.2).
    pub fn step(&self) -> u64 {
        if self.st.network.roaming {
            return STEP_ROAMING;
        }
        match self.limit_bytes() {
            Some(l) => (l / 20).max(1),
            None => STEP_NO_LIMIT,
        }
    }

    fn notifications(&self) -> bool {
        self.st.plan.as_ref().is_some_and(|p| p.usage_notifications) && !self.st.expired
    }

    fn push(&mut self, at: i64, kind: EventKind) {
        self.st.sequence += 1;
        self.events.push_back(UsageEvent {
            sequence: self.st.sequence,
            at,
            kind,
        });
    }

    /// Re-base the last passed threshold on the current usage, silently.
    fn rebase_threshold(&mut self) {
        let step = self.step();
        self.st.threshold_step = step;
        self.st.last_threshold = self.used_bytes() / step;
    }

    fn advance(&mut self, now: i64) {
        self.st.now = self.st.now.max(now);
    }

    /// Set (or replace) the plan. Usage keeps counting in the same cycle if
    /// the cycle start is unchanged; a new cycle start restarts the count.
    pub fn handle_plan(&mut self, now: i64, plan: Option<Plan>) {
        self.advance(now);
        let cycle_start = plan
            .as_ref()
            .and_then(|p| p.billing_cycle)
            .and_then(|c| c.current_start(now));
        let new_cycle = cycle_start != self.st.cycle_start
            || self.st.plan.as_ref().map(|p| &p.name) != plan.as_ref().map(|p| &p.name);
        self.st.plan = plan;
        self.st.expired = false;
        if new_cycle {
            self.st.cycle_start = cycle_start;
            let from = cycle_start.unwrap_or(now);
            self.st.local_cycle_bytes = self.local_since(from);
            if self.st.figure.is_some_and(|f| f.timestamp < from) {
                self.st.figure = None;
                self.st.over_data_limit_flag = false;
            }
        }
        self.rebase_threshold();
        self.handle_tick(now);
    }

    /// Merge an operator update (see the module docs).
    pub fn handle_operator(&mut self, now: i64, u: OperatorUpdate) {
        self.advance(now);
        if let Some(b) = u.data_limit_bytes
            && let Some(p) = self.st.plan.as_mut()
        {
            p.data_limit_megabytes = Some(u32::try_from(b / MEGABYTE).unwrap_or(u32::MAX));
        }
        if let Some(t) = u.plan_type {
            self.st.plan.get_or_insert_with(Plan::default).plan_type = t;
        }
        if let Some(f) = u.over_data_limit {
            self.st.over_data_limit_flag = f;
        }
        if let Some(c) = u.congested {
            self.st.congested = c;
        }
        if let Some(mut f) = u.figure {
            // A figure from the future (clock skew) counts as now.
            f.timestamp = f.timestamp.min(now);
            let stale = self.st.cycle_start.is_some_and(|s| f.timestamp < s)
                || self
                    .st
                    .figure
                    .is_some_and(|old| f.timestamp < old.timestamp);
            if !stale {
                self.st.local_since_figure = self.local_since(f.timestamp);
                self.st.figure = Some(f);
            }
        }
        self.rebase_threshold();
        self.update_account(now);
    }

    /// Local bytes counted after `t`: exact samples ending after `t`, and
    /// older minute buckets after the minute of `t` (what was counted in
    /// that minute is taken as included in a figure of time `t`).
    fn local_since(&self, t: i64) -> u64 {
        let older = self
            .minutes
            .range(t.div_euclid(60).saturating_add(1)..)
            .map(|(_, b)| *b)
            .fold(0u64, u64::saturating_add);
        let exact = self
            .exact
            .iter()
            .rev()
            .take_while(|(end, _)| *end > t)
            .map(|(_, b)| *b)
            .fold(0u64, u64::saturating_add);
        older.saturating_add(exact)
    }

    /// Keep a sample for merging later figures; fold and drop old ones.
    fn remember(&mut self, end: i64, bytes: u64) {
        if bytes > 0 {
            self.exact.push_back((end, bytes));
        }
        let latest = self.exact.back().map_or(end, |x| x.0).max(end);
        while let Some(&(e, b)) = self.exact.front() {
            if e > latest - EXACT_WINDOW {
                break;
            }
            self.exact.pop_front();
            *self.minutes.entry(e.div_euclid(60)).or_default() += b;
        }
        let horizon = (latest - RECENT_WINDOW).div_euclid(60);
        while let Some((&m, _)) = self.minutes.first_key_value() {
            if m >= horizon {
                break;
            }
            self.minutes.pop_first();
        }
    }

    /// A network status reading (registration / connection changes).
    pub fn handle_network(&mut self, now: i64, status: NetworkStatus) {
        self.advance(now);
        let previous = self.st.network;
        if status == previous {
            return;
        }
        self.st.network = status;
        if status.connected && !previous.connected {
            self.st.interval_start = Some(now);
            self.intervals.push_back(Interval {
                start: now,
                end: None,
            });
        } else if !status.connected
            && previous.connected
            && let Some(s) = self.st.interval_start.take()
        {
            self.intervals.push_back(Interval {
                start: s,
                end: Some(now.max(s)),
            });
        }
        if status.roaming != previous.roaming {
            self.rebase_threshold();
        }
        self.push(now, EventKind::NetworkStatusChanged { status, previous });
    }

    /// Cumulative counters of `session` read at `now`. The difference from
    /// the previous reading is local traffic; a counter that went backwards
    /// was reset (interface re-created, modem reset), so everything it shows
    /// is new. The first reading of a session only sets the base.
    pub fn handle_counters(&mut self, now: i64, session: u32, raw: RawCounters) {
        self.advance(now);
        let prev = self.st.counters.insert(session, raw);
        let start = self.st.counter_time.insert(session, now).unwrap_or(now);
        let Some(prev) = prev else { return };
        let delta = |new: u64, old: u64| if new >= old { new - old } else { new };
        let (rx, tx) = (delta(raw.rx, prev.rx), delta(raw.tx, prev.tx));
        self.handle_sample(Sample {
            session,
            start,
            end: now,
            rx,
            tx,
        });
    }

    /// Forget a session's counter base (its interface went away).
    pub fn forget_session(&mut self, session: u32) {
        self.st.counters.remove(&session);
        self.st.counter_time.remove(&session);
    }

    /// Local traffic measured over an interval (counter sources that give
    /// deltas directly; [`Engine::handle_counters`] calls this).
    pub fn handle_sample(&mut self, s: Sample) {
        self.advance(s.end);
        self.handle_tick(s.end);
        let bytes = s.rx.saturating_add(s.tx);
        if bytes > 0 {
            self.remember(s.end, bytes);
            self.st.local_cycle_bytes = self.st.local_cycle_bytes.saturating_add(bytes);
            if self.st.figure.is_some() {
                self.st.local_since_figure = self.st.local_since_figure.saturating_add(bytes);
            }
        }
        self.samples.push_back(s);
        self.fire_thresholds(s.end);
        self.update_account(s.end);
    }

    fn fire_thresholds(&mut self, now: i64) {
        let step = self.step();
        if step != self.st.threshold_step {
            self.rebase_threshold();
            return;
        }
        let reached = self.used_bytes() / step;
        if reached <= self.st.last_threshold {
            return;
        }
        let from = self.st.last_threshold + 1;
        self.st.last_threshold = reached;
        if !self.notifications() {
            return;
        }
        let roaming = self.st.network.roaming;
        let limit = if roaming { None } else { self.limit_bytes() };
        let used = self.used_bytes();
        for k in from..=reached {
            self.push(
                now,
                EventKind::ThresholdReached {
                    threshold_bytes: k.saturating_mul(step),
                    used_bytes: used,
                    step_bytes: step,
                    limit_bytes: limit,
                    percent: limit.map(|_| u32::try_from(k.saturating_mul(5)).unwrap_or(u32::MAX)),
                    roaming,
                },
            );
        }
    }

    /// Time passed: billing-cycle reset and pre-paid expiry.
    pub fn handle_tick(&mut self, now: i64) {
        self.advance(now);
        let Some(cycle) = self.st.plan.as_ref().and_then(|p| p.billing_cycle) else {
            self.update_account(now);
            return;
        };
        if cycle.resets {
            let cur = cycle.current_start(now);
            if let (Some(cur), Some(old)) = (cur, self.st.cycle_start)
                && cur > old
            {
                let previous = self.used_bytes();
                let mut cycles = 0u32;
                let mut t = old;
                while t < cur && cycles < u32::MAX {
                    cycles += 1;
                    t = cycle.next_start(t);
                }
                self.st.cycle_start = Some(cur);
                self.st.local_cycle_bytes = self.local_since(cur);
                self.st.figure = None;
                self.st.local_since_figure = 0;
                self.st.over_data_limit_flag = false;
                self.rebase_threshold();
                self.push(
                    now,
                    EventKind::PlanReset {
                        cycle_start: cur,
                        next_cycle: cycle.next_start(now),
                        previous_used_bytes: previous,
                        cycles,
                    },
                );
            } else if self.st.cycle_start.is_none() && cur.is_some() {
                // The plan's first cycle began after it was set: count from its start.
                self.st.cycle_start = cur;
                if let Some(c) = cur {
                    self.st.local_cycle_bytes = self.local_since(c);
                }
            }
        } else if let Some(exp) = cycle.expiry()
            && now >= exp
            && !self.st.expired
        {
            self.st.expired = true;
            let plan = self
                .st
                .plan
                .as_ref()
                .map(|p| p.name.clone())
                .unwrap_or_default();
            self.push(
                now,
                EventKind::PlanExpired {
                    plan,
                    expired_at: exp,
                },
            );
        }
        self.update_account(now);
    }

    fn over_limit(&self) -> bool {
        self.st.over_data_limit_flag || self.limit_bytes().is_some_and(|l| self.used_bytes() >= l)
    }

    fn update_account(&mut self, now: i64) {
        let status = match &self.st.plan {
            None => AccountStatus::NoPlan,
            Some(_) if self.st.expired => AccountStatus::Expired,
            Some(_) if self.over_limit() => AccountStatus::OverLimit,
            Some(_) => AccountStatus::Active,
        };
        let previous = self.st.account_status;
        if status != previous {
            self.st.account_status = status;
            self.push(now, EventKind::AccountStatusChanged { status, previous });
        }
    }

    /// The connection cost now.
    pub fn cost(&self) -> Cost {
        let plan_type = self
            .st
            .plan
            .as_ref()
            .map_or(PlanType::Unknown, |p| p.plan_type);
        let roaming = self.st.network.roaming;
        let over = self.over_limit();
        let approaching = !over
            && self.limit_bytes().is_some_and(|l| {
                u128::from(self.used_bytes()) * 100
                    >= u128::from(l) * u128::from(APPROACHING_PERCENT)
            });
        let metered = plan_type.metered() || roaming;
        Cost {
            plan_type,
            metered,
            roaming,
            over_data_limit: over,
            approaching_data_limit: approaching,
            congested: self.st.congested,
            background_data_restricted: over || roaming || (approaching && metered),
            next_billing_cycle: self.next_billing_cycle(),
        }
    }

    fn next_billing_cycle(&self) -> Option<i64> {
        let c = self.st.plan.as_ref()?.billing_cycle?;
        c.resets.then(|| c.next_start(self.st.now))
    }

    /// The plan status now.
    pub fn status(&self) -> PlanStatus {
        PlanStatus {
            plan: self.st.plan.clone(),
            used_bytes: self.used_bytes(),
            last_sync_time: self.st.figure.map(|f| f.timestamp),
            local_bytes: self.st.local_cycle_bytes,
            cycle_start: self.st.cycle_start,
            next_billing_cycle: self.next_billing_cycle(),
            expires: self
                .st
                .plan
                .as_ref()
                .and_then(|p| p.billing_cycle)
                .and_then(|c| c.expiry()),
            expired: self.st.expired,
            account_status: self.st.account_status,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::usage::plan::{BillingCycle, CycleDuration, parse_datetime};
    use proptest::prelude::*;

    const T0: i64 = 1_750_000_000;

    fn plan(limit_mb: Option<u32>, notify: bool) -> Plan {
        Plan {
            name: "Data".into(),
            plan_type: PlanType::Fixed,
            data_limit_megabytes: limit_mb,
            usage_notifications: notify,
            ..Plan::default()
        }
    }

    fn thresholds(e: &mut Engine) -> Vec<u64> {
        let mut v = Vec::new();
        while let Some(ev) = e.poll_event() {
            if let EventKind::ThresholdReached {
                threshold_bytes, ..
            } = ev.kind
            {
                v.push(threshold_bytes);
            }
        }
        v
    }

    fn feed(e: &mut Engine, t: &mut i64, total: &mut u64, chunk: u64) {
        *t += 10;
        *total += chunk;
        e.handle_counters(*t, 0, RawCounters { rx: *total, tx: 0 });
    }

    fn engine_with(p: Plan, roaming: bool) -> Engine {
        let mut e = Engine::new();
        e.handle_network(
            T0,
            NetworkStatus {
                connected: true,
                internet: true,
                roaming,
            },
        );
        e.handle_plan(T0, Some(p));
        e.handle_counters(T0, 0, RawCounters::default());
        while e.poll_event().is_some() {}
        e
    }

    /// Expected thresholds for `total` bytes at `step`.
    fn expected(total: u64, step: u64) -> Vec<u64> {
        (1..=total / step).map(|k| k * step).collect()
    }

    proptest! {
        #[test]
        fn one_event_per_five_percent_of_the_limit(
            limit_mb in 1u32..5000,
            chunks in prop::collection::vec(0u64..400_000_000, 1..40),
        ) {
            let mut e = engine_with(plan(Some(limit_mb), true), false);
            let (mut t, mut total) = (T0, 0u64);
            let mut got = Vec::new();
            for c in &chunks {
                feed(&mut e, &mut t, &mut total, *c);
                got.extend(thresholds(&mut e));
            }
            let step = u64::from(limit_mb) * MEGABYTE / 20;
            prop_assert_eq!(got, expected(total, step));
        }

        #[test]
        fn every_100_mb_without_a_limit_and_every_5_mb_roaming(
            roaming in any::<bool>(),
            chunks in prop::collection::vec(0u64..60_000_000, 1..40),
        ) {
            let mut e = engine_with(plan(Some(10_000), true).with_no_limit_unless(roaming), roaming);
            let (mut t, mut total) = (T0, 0u64);
            let mut got = Vec::new();
            for c in &chunks {
                feed(&mut e, &mut t, &mut total, *c);
                got.extend(thresholds(&mut e));
            }
            let step = if roaming { STEP_ROAMING } else { STEP_NO_LIMIT };
            prop_assert_eq!(got, expected(total, step));
        }

        #[test]
        fn nothing_when_the_plan_disables_notifications(
            chunks in prop::collection::vec(0u64..400_000_000, 1..20),
        ) {
            let mut e = engine_with(plan(Some(100), false), false);
            let (mut t, mut total) = (T0, 0u64);
            for c in &chunks {
                feed(&mut e, &mut t, &mut total, *c);
                prop_assert!(thresholds(&mut e).is_empty());
            }
        }

        #[test]
        fn a_restart_anywhere_neither_loses_nor_repeats_a_threshold(
            chunks in prop::collection::vec(0u64..30_000_000, 2..30),
            cut in 0usize..30,
        ) {
            let mut e = engine_with(plan(Some(1000), true), false);
            let (mut t, mut total) = (T0, 0u64);
            let mut got = Vec::new();
            let mut recent = Vec::new();
            for (i, c) in chunks.iter().enumerate() {
                if i == cut % chunks.len() {
                    // Persist as the store does (JSON) and resume.
                    let json = serde_json::to_string(e.state()).unwrap();
                    let st: EngineState = serde_json::from_str(&json).unwrap();
                    e = Engine::restore(st, recent.clone());
                }
                feed(&mut e, &mut t, &mut total, *c);
                while let Some(s) = e.poll_sample() {
                    recent.push((s.end, s.rx + s.tx));
                }
                got.extend(thresholds(&mut e));
            }
            prop_assert_eq!(got, expected(total, 50 * MEGABYTE));
        }
    }

    impl Plan {
        fn with_no_limit_unless(mut self, keep: bool) -> Plan {
            if !keep {
                self.data_limit_megabytes = None;
            }
            self
        }
    }

    #[test]
    fn threshold_payload_names_the_percent_and_usage() {
        let mut e = engine_with(plan(Some(1000), true), false);
        e.handle_counters(
            T0 + 60,
            0,
            RawCounters {
                rx: 40 * MEGABYTE,
                tx: 12 * MEGABYTE,
            },
        );
        let ev = e.poll_event().expect("an event");
        assert_eq!(ev.at, T0 + 60);
        assert_eq!(
            ev.kind,
            EventKind::ThresholdReached {
                threshold_bytes: 50 * MEGABYTE,
                used_bytes: 52 * MEGABYTE,
                step_bytes: 50 * MEGABYTE,
                limit_bytes: Some(1000 * MEGABYTE),
                percent: Some(5),
                roaming: false,
            }
        );
        assert!(e.poll_event().is_none());
    }

    #[test]
    fn operator_figure_is_authoritative_and_local_counters_fill_the_gap() {
        let mut e = engine_with(plan(Some(1000), false), false);
        // 30 MB counted locally at T0+600, 20 MB more at T0+1800.
        e.handle_counters(
            T0 + 600,
            0,
            RawCounters {
                rx: 30 * MEGABYTE,
                tx: 0,
            },
        );
        e.handle_counters(
            T0 + 1800,
            0,
            RawCounters {
                rx: 50 * MEGABYTE,
                tx: 0,
            },
        );
        assert_eq!(e.used_bytes(), 50 * MEGABYTE);
        // The operator says 400 MB as of T0+1200: only the 20 MB counted
        // after that are added.
        e.handle_operator(
            T0 + 2000,
            OperatorUpdate {
                figure: Some(OperatorFigure {
                    bytes: 400 * MEGABYTE,
                    timestamp: T0 + 1200,
                }),
                ..OperatorUpdate::default()
            },
        );
        assert_eq!(e.used_bytes(), 420 * MEGABYTE);
        assert_eq!(e.status().last_sync_time, Some(T0 + 1200));
        e.handle_counters(
            T0 + 2400,
            0,
            RawCounters {
                rx: 55 * MEGABYTE,
                tx: 0,
            },
        );
        assert_eq!(e.used_bytes(), 425 * MEGABYTE);
        // An older figure than the one held is ignored.
        e.handle_operator(
            T0 + 2500,
            OperatorUpdate {
                figure: Some(OperatorFigure {
                    bytes: 1,
                    timestamp: T0 + 100,
                }),
                ..OperatorUpdate::default()
            },
        );
        assert_eq!(e.used_bytes(), 425 * MEGABYTE);
    }

    #[test]
    fn a_figure_stamped_now_adds_no_earlier_local_bytes() {
        let mut e = engine_with(plan(Some(1000), false), false);
        e.handle_counters(
            T0 + 5,
            0,
            RawCounters {
                rx: 8 * MEGABYTE,
                tx: 0,
            },
        );
        e.handle_operator(
            T0 + 5,
            OperatorUpdate {
                figure: Some(OperatorFigure {
                    bytes: 300 * MEGABYTE,
                    timestamp: T0 + 5,
                }),
                ..OperatorUpdate::default()
            },
        );
        assert_eq!(e.used_bytes(), 300 * MEGABYTE);
        e.handle_counters(
            T0 + 6,
            0,
            RawCounters {
                rx: 9 * MEGABYTE,
                tx: 0,
            },
        );
        assert_eq!(e.used_bytes(), 301 * MEGABYTE);
        // Two hours on (samples folded into minutes), a figure from 90
        // minutes ago is merged with what came after it, to the minute.
        let mut rx = 9 * MEGABYTE;
        for k in 1..=120 {
            rx += MEGABYTE;
            e.handle_counters(T0 + 6 + 60 * k, 0, RawCounters { rx, tx: 0 });
        }
        e.handle_operator(
            T0 + 6 + 60 * 120,
            OperatorUpdate {
                figure: Some(OperatorFigure {
                    bytes: 500 * MEGABYTE,
                    timestamp: T0 + 6 + 60 * 30,
                }),
                ..OperatorUpdate::default()
            },
        );
        assert_eq!(e.used_bytes(), 590 * MEGABYTE);
    }

    #[test]
    fn operator_jump_rebases_thresholds_without_a_burst() {
        let mut e = engine_with(plan(Some(1000), true), false);
        e.handle_operator(
            T0 + 10,
            OperatorUpdate {
                figure: Some(OperatorFigure {
                    bytes: 512 * MEGABYTE,
                    timestamp: T0 + 10,
                }),
                ..OperatorUpdate::default()
            },
        );
        assert!(thresholds(&mut e).is_empty());
        e.handle_counters(
            T0 + 20,
            0,
            RawCounters {
                rx: 40 * MEGABYTE,
                tx: 0,
            },
        );
        assert_eq!(thresholds(&mut e), vec![550 * MEGABYTE]);
    }

    #[test]
    fn billing_cycle_resets_usage_and_announces_it_once() {
        let start = parse_datetime("2025-01-01T00:00:00Z").unwrap();
        let p = Plan {
            billing_cycle: Some(BillingCycle {
                start,
                duration: CycleDuration::parse("P1M").unwrap(),
                resets: true,
            }),
            ..plan(Some(1000), true)
        };
        let now = parse_datetime("2025-01-20T00:00:00Z").unwrap();
        let mut e = Engine::new();
        e.handle_plan(now, Some(p));
        e.handle_counters(now, 0, RawCounters::default());
        e.handle_counters(
            now + 60,
            0,
            RawCounters {
                rx: 120 * MEGABYTE,
                tx: 0,
            },
        );
        assert_eq!(e.used_bytes(), 120 * MEGABYTE);
        assert_eq!(
            e.cost().next_billing_cycle,
            parse_datetime("2025-02-01T00:00:00Z")
        );
        while e.poll_event().is_some() {}
        // One second before the boundary: nothing.
        let feb = parse_datetime("2025-02-01T00:00:00Z").unwrap();
        e.handle_tick(feb - 1);
        assert!(e.poll_event().is_none());
        e.handle_tick(feb);
        let ev = e.poll_event().expect("reset");
        assert_eq!(
            ev.kind,
            EventKind::PlanReset {
                cycle_start: feb,
                next_cycle: parse_datetime("2025-03-01T00:00:00Z").unwrap(),
                previous_used_bytes: 120 * MEGABYTE,
                cycles: 1,
            }
        );
        assert!(e.poll_event().is_none());
        assert_eq!(e.used_bytes(), 0);
        // Thresholds count from zero again.
        e.handle_counters(
            feb + 60,
            0,
            RawCounters {
                rx: 170 * MEGABYTE,
                tx: 0,
            },
        );
        assert_eq!(thresholds(&mut e), vec![50 * MEGABYTE]);
        // Three months later (daemon stopped): one event, three cycles.
        let may = parse_datetime("2025-05-03T00:00:00Z").unwrap();
        e.handle_tick(may);
        match e.poll_event().map(|e| e.kind) {
            Some(EventKind::PlanReset {
                cycles,
                cycle_start,
                ..
            }) => {
                assert_eq!(cycles, 3);
                assert_eq!(cycle_start, parse_datetime("2025-05-01T00:00:00Z").unwrap());
            }
            other => panic!("expected a reset, got {other:?}"),
        }
    }

    #[test]
    fn prepaid_plan_expires_at_start_plus_duration() {
        let start = parse_datetime("2025-03-01T00:00:00Z").unwrap();
        let p = Plan {
            name: "Prepaid7".into(),
            billing_cycle: Some(BillingCycle {
                start,
                duration: CycleDuration::parse("P7D").unwrap(),
                resets: false,
            }),
            ..plan(Some(1000), true)
        };
        let mut e = Engine::new();
        e.handle_plan(start + 3600, Some(p));
        while e.poll_event().is_some() {}
        assert_eq!(e.cost().next_billing_cycle, None);
        assert_eq!(e.status().expires, Some(start + 7 * 86_400));
        e.handle_tick(start + 7 * 86_400 - 1);
        assert!(e.poll_event().is_none());
        e.handle_tick(start + 7 * 86_400 + 5);
        let kinds: Vec<EventKind> = std::iter::from_fn(|| e.poll_event().map(|x| x.kind)).collect();
        assert_eq!(
            kinds,
            vec![
                EventKind::PlanExpired {
                    plan: "Prepaid7".into(),
                    expired_at: start + 7 * 86_400,
                },
                EventKind::AccountStatusChanged {
                    status: AccountStatus::Expired,
                    previous: AccountStatus::Active,
                },
            ]
        );
        e.handle_tick(start + 8 * 86_400);
        assert!(e.poll_event().is_none(), "expiry is announced once");
    }

    #[test]
    fn cost_flags_follow_usage_roaming_and_operator_flags() {
        let mut e = engine_with(plan(Some(100), false), false);
        let c = e.cost();
        assert!(c.metered && !c.roaming && !c.over_data_limit && !c.approaching_data_limit);
        assert_eq!(c.flags(), cost_flags::FIXED);
        e.handle_counters(
            T0 + 60,
            0,
            RawCounters {
                rx: 80 * MEGABYTE,
                tx: 0,
            },
        );
        let c = e.cost();
        assert!(c.approaching_data_limit && c.background_data_restricted);
        assert_eq!(
            c.flags(),
            cost_flags::FIXED | cost_flags::APPROACHING_DATA_LIMIT
        );
        e.handle_counters(
            T0 + 120,
            0,
            RawCounters {
                rx: 100 * MEGABYTE,
                tx: 0,
            },
        );
        let c = e.cost();
        assert!(c.over_data_limit && !c.approaching_data_limit);
        assert_eq!(e.status().account_status, AccountStatus::OverLimit);
        e.handle_operator(
            T0 + 130,
            OperatorUpdate {
                congested: Some(true),
                ..OperatorUpdate::default()
            },
        );
        e.handle_network(
            T0 + 140,
            NetworkStatus {
                connected: true,
                internet: true,
                roaming: true,
            },
        );
        assert_eq!(
            e.cost().flags(),
            cost_flags::FIXED
                | cost_flags::OVER_DATA_LIMIT
                | cost_flags::CONGESTED
                | cost_flags::ROAMING
        );
        let mut free = engine_with(
            Plan {
                plan_type: PlanType::Unrestricted,
                ..plan(None, false)
            },
            false,
        );
        free.handle_counters(
            T0 + 60,
            0,
            RawCounters {
                rx: 10 * MEGABYTE,
                tx: 0,
            },
        );
        let c = free.cost();
        assert!(!c.metered && !c.background_data_restricted);
        assert_eq!(c.flags(), cost_flags::UNRESTRICTED);
    }

    #[test]
    fn connect_and_disconnect_open_and_close_intervals_and_announce() {
        let mut e = Engine::new();
        let up = NetworkStatus {
            connected: true,
            internet: false,
            roaming: false,
        };
        e.handle_network(T0, up);
        e.handle_network(T0 + 5, up);
        e.handle_network(
            T0 + 10,
            NetworkStatus {
                internet: true,
                ..up
            },
        );
        e.handle_network(T0 + 100, NetworkStatus::default());
        let ivs: Vec<Interval> = std::iter::from_fn(|| e.poll_interval()).collect();
        assert_eq!(
            ivs,
            vec![
                Interval {
                    start: T0,
                    end: None
                },
                Interval {
                    start: T0,
                    end: Some(T0 + 100)
                }
            ]
        );
        let n = std::iter::from_fn(|| e.poll_event())
            .filter(|x| matches!(x.kind, EventKind::NetworkStatusChanged { .. }))
            .count();
        assert_eq!(n, 3, "connected, internet, disconnected");
    }

    #[test]
    fn counter_reset_counts_the_new_value() {
        let mut e = Engine::new();
        e.handle_counters(T0, 0, RawCounters { rx: 1000, tx: 0 });
        assert!(e.poll_sample().is_none(), "the first reading sets the base");
        e.handle_counters(T0 + 1, 0, RawCounters { rx: 1500, tx: 10 });
        e.handle_counters(T0 + 2, 0, RawCounters { rx: 200, tx: 0 });
        let s: Vec<(u64, u64)> = std::iter::from_fn(|| e.poll_sample())
            .map(|s| (s.rx, s.tx))
            .collect();
        assert_eq!(s, vec![(500, 10), (200, 0)]);
    }
}
