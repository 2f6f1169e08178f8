//! Activation actions of a provisioning document (`CarrierProvisioning/
//! Activation`, windows-operator-formats.md §1.4): re-register (radio cycle,
//! then connect), reconnect (deactivate and re-activate the default
//! context), service activation (MBIM SERVICE_ACTIVATION with the carrier
//! data), each with `Delay`, `RetryCount` and `RetryInterval`.
//!
//! [`Executor`] is the sans-I/O core: time is passed in, it hands out one
//! [`Operation`] at a time and is told how it went. [`run`] drives it with
//! tokio time against an [`ActivationTarget`]; [`ModemTarget`] is the target
//! over a modem actor (`modem::ops`). This module does not parse XML (the
//! document parser maps its `Activation` element onto [`ActivationAction`])
//! and does not store anything.

use crate::modem::ops::{self, ConnectParams};
use crate::modem::{ModemHandle, OperationError};
use mbim_proto::services::basic_connect::RegisterState;
use std::collections::VecDeque;
use std::fmt;
use std::future::Future;
use std::time::{Duration, Instant};

/// `Delay` must be below this (`PT0S` ≤ Delay < `PT1H`).
pub const DELAY_LIMIT: Duration = Duration::from_secs(3600);
/// Largest `RetryCount`.
pub const RETRY_COUNT_MAX: u32 = 10;
/// Smallest `RetryInterval` (`PT1M`), also its default.
pub const RETRY_INTERVAL_MIN: Duration = Duration::from_secs(60);
/// Largest `RetryInterval` (`PT1H`).
pub const RETRY_INTERVAL_MAX: Duration = Duration::from_secs(3600);

/// The three members of the `wwan:ActivationMethod` substitution group.
#[derive(Clone, PartialEq, Eq)]
pub enum ActivationMethod {
    /// `wwan:ReregisterToNetwork`: radio off → on, then connect with the
    /// default profile. Once the radio has cycled, retries only connect.
    ReregisterToNetwork,
    /// `wwan:ReconnectToNetwork`: deactivate and re-activate the default
    /// context (with the possibly just-provisioned default profile).
    ReconnectToNetwork,
    /// `wwan:ServiceActivation`: `CarrierSpecificData` (already base64-decoded)
    /// sent to the device as-is.
    ServiceActivation { carrier_specific_data: Vec<u8> },
}

impl fmt::Debug for ActivationMethod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ActivationMethod::ReregisterToNetwork => f.write_str("ReregisterToNetwork"),
            ActivationMethod::ReconnectToNetwork => f.write_str("ReconnectToNetwork"),
            // Carrier data may be a subscriber secret: show its size only.
            ActivationMethod::ServiceActivation {
                carrier_specific_data,
            } => write!(
                f,
                "ServiceActivation({} bytes)",
                carrier_specific_data.len()
            ),
        }
    }
}

/// One `Activation` element: the method and its `wwan:ActivationMethodType`
/// attributes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActivationAction {
    pub method: ActivationMethod,
    /// `Delay`: wait before the first attempt.
    pub delay: Duration,
    /// `RetryCount`: attempts after the first one that failed.
    pub retry_count: u32,
    /// `RetryInterval`: wait between a failed attempt and the next one.
    pub retry_interval: Duration,
}

impl ActivationAction {
    /// `method` with the schema's defaults: `Delay="PT0S"`, `RetryCount="0"`,
    /// `RetryInterval="PT1M"`.
    pub fn new(method: ActivationMethod) -> ActivationAction {
        ActivationAction {
            method,
            delay: Duration::ZERO,
            retry_count: 0,
            retry_interval: RETRY_INTERVAL_MIN,
        }
    }

    /// Check the attribute ranges of the schema (§1.4).
    pub fn validate(&self) -> Result<(), ActivationError> {
        if self.delay >= DELAY_LIMIT {
            return Err(ActivationError::Delay(self.delay));
        }
        if self.retry_count > RETRY_COUNT_MAX {
            return Err(ActivationError::RetryCount(self.retry_count));
        }
        if !(RETRY_INTERVAL_MIN..=RETRY_INTERVAL_MAX).contains(&self.retry_interval) {
            return Err(ActivationError::RetryInterval(self.retry_interval));
        }
        Ok(())
    }
}

/// An activation action outside the schema's ranges.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ActivationError {
    #[error("Delay {0:?} is not below PT1H")]
    Delay(Duration),
    #[error("RetryCount {0} is over {RETRY_COUNT_MAX}")]
    RetryCount(u32),
    #[error("RetryInterval {0:?} is not within PT1M..PT1H")]
    RetryInterval(Duration),
}

/// One modem operation of an attempt.
#[derive(Clone, PartialEq, Eq)]
pub enum Operation {
    /// Software radio off (deregisters).
    RadioOff,
    /// Software radio on and register again.
    RadioOn,
    /// Deactivate the default context; best effort (it may not be active).
    Disconnect,
    /// Attach and activate the default context with the default profile.
    Connect,
    /// SERVICE_ACTIVATION with this carrier data.
    ServiceActivation(Vec<u8>),
}

impl Operation {
    /// Whether a failure fails the attempt. Deactivating a context that is not
    /// active fails on some modems and does not matter.
    pub fn is_required(&self) -> bool {
        !matches!(self, Operation::Disconnect)
    }

    /// A short name for logs and errors.
    pub fn name(&self) -> &'static str {
        match self {
            Operation::RadioOff => "radio off",
            Operation::RadioOn => "radio on",
            Operation::Disconnect => "disconnect",
            Operation::Connect => "connect",
            Operation::ServiceActivation(_) => "service activation",
        }
    }
}

impl fmt::Debug for Operation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Operation::ServiceActivation(d) => write!(f, "ServiceActivation({} bytes)", d.len()),
            other => f.write_str(other.name()),
        }
    }
}

/// How an activation action ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// An attempt completed; `attempts` counts the first one too.
    Succeeded { attempts: u32 },
    /// The last allowed attempt failed at `operation` with `error`.
    GaveUp {
        attempts: u32,
        operation: &'static str,
        error: OperationError,
    },
}

impl Outcome {
    /// The `errorCode` of the result document's `Activation` element
    /// (§1.11): 0 on success, E_FAIL (80004005) when the action gave up.
    pub fn error_code(&self) -> u32 {
        match self {
            Outcome::Succeeded { .. } => 0,
            Outcome::GaveUp { .. } => 0x8000_4005,
        }
    }
}

/// What the executor wants next.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// Nothing to do before this instant; poll again then.
    Wait(Instant),
    /// Perform this operation and [`Executor::report`] its result.
    Perform(Operation),
    /// An operation handed out is still being performed.
    Pending,
    /// The action is over.
    Finished(Outcome),
}

#[derive(Debug)]
enum State {
    Waiting(Instant),
    Running {
        queue: VecDeque<Operation>,
        in_flight: Option<Operation>,
    },
    Finished(Outcome),
}

/// The sans-I/O executor of one [`ActivationAction`]: first attempt after
/// `Delay`; a failed attempt is retried after `RetryInterval` while fewer than
/// `RetryCount` retries were made; then it gives up.
#[derive(Debug)]
pub struct Executor {
    action: ActivationAction,
    state: State,
    attempts: u32,
    /// Re-register: the radio has cycled once, later attempts only connect.
    radio_cycled: bool,
}

impl Executor {
    /// Start `action` at `now` (its ranges are checked).
    pub fn new(action: ActivationAction, now: Instant) -> Result<Executor, ActivationError> {
        action.validate()?;
        Ok(Executor {
            state: State::Waiting(now + action.delay),
            action,
            attempts: 0,
            radio_cycled: false,
        })
    }

    /// The action being executed.
    pub fn action(&self) -> &ActivationAction {
        &self.action
    }

    /// Attempts started so far.
    pub fn attempts(&self) -> u32 {
        self.attempts
    }

    /// The outcome, once finished.
    pub fn outcome(&self) -> Option<&Outcome> {
        match &self.state {
            State::Finished(o) => Some(o),
            _ => None,
        }
    }

    /// What to do at `now`.
    pub fn poll(&mut self, now: Instant) -> Step {
        if let State::Waiting(until) = self.state {
            if now < until {
                return Step::Wait(until);
            }
            self.attempts += 1;
            self.state = State::Running {
                queue: self.attempt_operations(),
                in_flight: None,
            };
        }
        match &mut self.state {
            State::Waiting(until) => Step::Wait(*until),
            State::Finished(o) => Step::Finished(o.clone()),
            State::Running {
                in_flight: Some(_), ..
            } => Step::Pending,
            State::Running { queue, in_flight } => match queue.pop_front() {
                Some(op) => {
                    *in_flight = Some(op.clone());
                    Step::Perform(op)
                }
                None => {
                    let o = Outcome::Succeeded {
                        attempts: self.attempts,
                    };
                    self.state = State::Finished(o.clone());
                    Step::Finished(o)
                }
            },
        }
    }

    /// The result of the operation last handed out by [`Executor::poll`],
    /// completed at `now`. A report with nothing in flight is ignored.
    pub fn report(&mut self, now: Instant, result: Result<(), OperationError>) {
        let State::Running { in_flight, .. } = &mut self.state else {
            return;
        };
        let Some(op) = in_flight.take() else {
            return;
        };
        match result {
            Ok(()) => {
                if op == Operation::RadioOn {
                    self.radio_cycled = true;
                }
            }
            Err(_) if !op.is_required() => {}
            Err(error) => {
                self.state = if self.attempts <= self.action.retry_count {
                    State::Waiting(now + self.action.retry_interval)
                } else {
                    State::Finished(Outcome::GaveUp {
                        attempts: self.attempts,
                        operation: op.name(),
                        error,
                    })
                };
            }
        }
    }

    fn attempt_operations(&self) -> VecDeque<Operation> {
        match &self.action.method {
            ActivationMethod::ReregisterToNetwork if self.radio_cycled => {
                VecDeque::from([Operation::Connect])
            }
            ActivationMethod::ReregisterToNetwork => {
                VecDeque::from([Operation::RadioOff, Operation::RadioOn, Operation::Connect])
            }
            ActivationMethod::ReconnectToNetwork => {
                VecDeque::from([Operation::Disconnect, Operation::Connect])
            }
            ActivationMethod::ServiceActivation {
                carrier_specific_data,
            } => VecDeque::from([Operation::ServiceActivation(carrier_specific_data.clone())]),
        }
    }
}

/// Something that performs activation operations (a modem, or a fake in tests).
pub trait ActivationTarget {
    /// Perform one operation.
    fn perform(
        &mut self,
        op: &Operation,
    ) -> impl Future<Output = Result<(), OperationError>> + Send;
}

/// Run `action` to its end against `target`, sleeping with tokio time (so a
/// paused test clock runs delays instantly).
pub async fn run<T: ActivationTarget>(
    action: ActivationAction,
    target: &mut T,
) -> Result<Outcome, ActivationError> {
    let mut exec = Executor::new(action, tokio::time::Instant::now().into_std())?;
    loop {
        match exec.poll(tokio::time::Instant::now().into_std()) {
            Step::Wait(until) => {
                tokio::time::sleep_until(tokio::time::Instant::from_std(until)).await;
            }
            Step::Perform(op) => {
                let result = target.perform(&op).await;
                match &result {
                    Ok(()) => tracing::debug!(
                        target: "mbimd::provisioning",
                        attempt = exec.attempts(),
                        "activation: {} done",
                        op.name()
                    ),
                    Err(e) => tracing::info!(
                        target: "mbimd::provisioning",
                        attempt = exec.attempts(),
                        "activation: {} failed: {e}",
                        op.name()
                    ),
                }
                exec.report(tokio::time::Instant::now().into_std(), result);
            }
            // `run` awaits every operation before polling again.
            Step::Pending => tokio::task::yield_now().await,
            Step::Finished(o) => return Ok(o),
        }
    }
}

/// The activation target over a modem actor: `modem::ops` for each operation,
/// with `connect` as the default profile (session id included).
#[derive(Debug, Clone)]
pub struct ModemTarget {
    pub handle: ModemHandle,
    /// The default profile to (re)connect with.
    pub connect: ConnectParams,
}

impl ModemTarget {
    async fn perform_op(&self, op: &Operation) -> Result<(), OperationError> {
        let h = &self.handle;
        match op {
            Operation::RadioOff => ops::set_radio(h, false).await.map(drop),
            Operation::RadioOn => {
                ops::set_radio(h, true).await?;
                let reg = ops::register_automatic(h).await?;
                if matches!(
                    reg.register_state,
                    RegisterState::HOME | RegisterState::ROAMING | RegisterState::PARTNER
                ) {
                    Ok(())
                } else {
                    Err(OperationError::NotRegistered)
                }
            }
            Operation::Disconnect => ops::disconnect(h, self.connect.session_id).await.map(drop),
            Operation::Connect => {
                ops::attach(h).await?;
                ops::connect(h, &self.connect).await.map(drop)
            }
            Operation::ServiceActivation(data) => ops::service_activation(h, data).await.map(drop),
        }
    }
}

impl ActivationTarget for ModemTarget {
    fn perform(
        &mut self,
        op: &Operation,
    ) -> impl Future<Output = Result<(), OperationError>> + Send {
        self.perform_op(op)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fail() -> Result<(), OperationError> {
        Err(OperationError::WrongState("test failure".into()))
    }

    fn action(
        method: ActivationMethod,
        delay: u64,
        retries: u32,
        interval: u64,
    ) -> ActivationAction {
        ActivationAction {
            method,
            delay: Duration::from_secs(delay),
            retry_count: retries,
            retry_interval: Duration::from_secs(interval),
        }
    }

    fn activation(data: &[u8]) -> ActivationMethod {
        ActivationMethod::ServiceActivation {
            carrier_specific_data: data.to_vec(),
        }
    }

    #[test]
    fn defaults_follow_the_schema() {
        let a = ActivationAction::new(ActivationMethod::ReconnectToNetwork);
        assert_eq!(a.delay, Duration::ZERO);
        assert_eq!(a.retry_count, 0);
        assert_eq!(a.retry_interval, Duration::from_secs(60));
        assert_eq!(a.validate(), Ok(()));
    }

    #[test]
    fn out_of_range_attributes_are_refused() {
        let m = ActivationMethod::ReconnectToNetwork;
        let bad = [
            (
                action(m.clone(), 3600, 0, 60),
                ActivationError::Delay(DELAY_LIMIT),
            ),
            (
                action(m.clone(), 0, 11, 60),
                ActivationError::RetryCount(11),
            ),
            (
                action(m.clone(), 0, 0, 59),
                ActivationError::RetryInterval(Duration::from_secs(59)),
            ),
            (
                action(m.clone(), 0, 0, 3601),
                ActivationError::RetryInterval(Duration::from_secs(3601)),
            ),
        ];
        for (a, want) in bad {
            assert_eq!(
                Executor::new(a, Instant::now()).map(|_| ()),
                Err(want.clone()),
                "{want}"
            );
        }
        // The boundaries themselves are fine.
        assert!(action(m.clone(), 3599, 10, 60).validate().is_ok());
        assert!(action(m, 0, 0, 3600).validate().is_ok());
    }

    #[test]
    fn first_attempt_waits_for_the_delay() {
        let t0 = Instant::now();
        let mut e = Executor::new(action(activation(b"x"), 90, 0, 60), t0).unwrap();
        assert_eq!(e.poll(t0), Step::Wait(t0 + Duration::from_secs(90)));
        assert_eq!(
            e.poll(t0 + Duration::from_secs(89)),
            Step::Wait(t0 + Duration::from_secs(90))
        );
        assert_eq!(e.attempts(), 0);
        let t1 = t0 + Duration::from_secs(90);
        assert_eq!(
            e.poll(t1),
            Step::Perform(Operation::ServiceActivation(b"x".to_vec()))
        );
        assert_eq!(e.poll(t1), Step::Pending);
        e.report(t1, Ok(()));
        assert_eq!(
            e.poll(t1),
            Step::Finished(Outcome::Succeeded { attempts: 1 })
        );
        assert_eq!(e.outcome(), Some(&Outcome::Succeeded { attempts: 1 }));
    }

    #[test]
    fn zero_delay_performs_at_once() {
        let t0 = Instant::now();
        let mut e = Executor::new(ActivationAction::new(activation(b"y")), t0).unwrap();
        assert!(matches!(e.poll(t0), Step::Perform(_)));
    }

    #[test]
    fn failures_retry_after_the_interval_until_the_retry_count_then_give_up() {
        let t0 = Instant::now();
        let mut e = Executor::new(action(activation(b"d"), 0, 2, 300), t0).unwrap();
        let mut now = t0;
        let mut performed_at = Vec::new();
        loop {
            match e.poll(now) {
                Step::Wait(until) => {
                    assert!(until > now);
                    now = until;
                }
                Step::Perform(_) => {
                    performed_at.push(now.duration_since(t0).as_secs());
                    // Each attempt takes 7 s before failing.
                    now += Duration::from_secs(7);
                    e.report(now, fail());
                }
                Step::Pending => panic!("nothing should be pending"),
                Step::Finished(o) => {
                    assert_eq!(
                        o,
                        Outcome::GaveUp {
                            attempts: 3,
                            operation: "service activation",
                            error: OperationError::WrongState("test failure".into()),
                        }
                    );
                    assert_eq!(o.error_code(), 0x8000_4005);
                    break;
                }
            }
        }
        // 1 + RetryCount attempts; the interval runs from each failure.
        assert_eq!(performed_at, vec![0, 307, 614]);
    }

    #[test]
    fn a_later_success_ends_the_retries() {
        let t0 = Instant::now();
        let mut e = Executor::new(action(activation(b"d"), 0, 5, 60), t0).unwrap();
        let mut now = t0;
        let mut results = vec![fail(), fail(), Ok(())].into_iter();
        let outcome = loop {
            match e.poll(now) {
                Step::Wait(until) => now = until,
                Step::Perform(_) => e.report(now, results.next().unwrap()),
                Step::Pending => panic!("pending"),
                Step::Finished(o) => break o,
            }
        };
        assert_eq!(outcome, Outcome::Succeeded { attempts: 3 });
        assert_eq!(now.duration_since(t0), Duration::from_secs(120));
    }

    #[test]
    fn reregister_cycles_the_radio_once_then_only_reconnects() {
        let t0 = Instant::now();
        let mut e =
            Executor::new(action(ActivationMethod::ReregisterToNetwork, 0, 2, 60), t0).unwrap();
        let mut now = t0;
        let mut ops = Vec::new();
        let outcome = loop {
            match e.poll(now) {
                Step::Wait(until) => now = until,
                Step::Perform(op) => {
                    // Connect fails on the first two attempts.
                    let connects = ops.iter().filter(|o| **o == Operation::Connect).count();
                    let r = if op == Operation::Connect && connects < 2 {
                        fail()
                    } else {
                        Ok(())
                    };
                    ops.push(op);
                    e.report(now, r);
                }
                Step::Pending => panic!("pending"),
                Step::Finished(o) => break o,
            }
        };
        assert_eq!(outcome, Outcome::Succeeded { attempts: 3 });
        assert_eq!(
            ops,
            vec![
                Operation::RadioOff,
                Operation::RadioOn,
                Operation::Connect,
                Operation::Connect,
                Operation::Connect,
            ]
        );
    }

    #[test]
    fn reregister_cycles_the_radio_again_when_the_cycle_failed() {
        let t0 = Instant::now();
        let mut e =
            Executor::new(action(ActivationMethod::ReregisterToNetwork, 0, 1, 60), t0).unwrap();
        let mut now = t0;
        let mut ops = Vec::new();
        let mut radio_on_failed = false;
        loop {
            match e.poll(now) {
                Step::Wait(until) => now = until,
                Step::Perform(op) => {
                    let r = if op == Operation::RadioOn && !radio_on_failed {
                        radio_on_failed = true;
                        fail()
                    } else {
                        Ok(())
                    };
                    ops.push(op);
                    e.report(now, r);
                }
                Step::Pending => panic!("pending"),
                Step::Finished(o) => {
                    assert_eq!(o, Outcome::Succeeded { attempts: 2 });
                    break;
                }
            }
        }
        assert_eq!(
            ops,
            vec![
                Operation::RadioOff,
                Operation::RadioOn,
                Operation::RadioOff,
                Operation::RadioOn,
                Operation::Connect,
            ]
        );
    }

    #[test]
    fn reconnect_ignores_a_failed_disconnect_but_not_a_failed_connect() {
        let t0 = Instant::now();
        let mut e = Executor::new(
            ActivationAction::new(ActivationMethod::ReconnectToNetwork),
            t0,
        )
        .unwrap();
        assert_eq!(e.poll(t0), Step::Perform(Operation::Disconnect));
        e.report(t0, fail());
        assert_eq!(e.poll(t0), Step::Perform(Operation::Connect));
        e.report(t0, fail());
        match e.poll(t0) {
            Step::Finished(Outcome::GaveUp {
                attempts,
                operation,
                ..
            }) => {
                assert_eq!(attempts, 1);
                assert_eq!(operation, "connect");
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_report_without_an_operation_in_flight_is_ignored() {
        let t0 = Instant::now();
        let mut e = Executor::new(action(activation(b"z"), 10, 0, 60), t0).unwrap();
        e.report(t0, fail());
        assert_eq!(e.poll(t0), Step::Wait(t0 + Duration::from_secs(10)));
        assert_eq!(e.outcome(), None);
    }

    #[test]
    fn carrier_data_is_not_shown_in_debug_output() {
        let m = activation(b"secret-token");
        assert_eq!(format!("{m:?}"), "ServiceActivation(12 bytes)");
        let op = Operation::ServiceActivation(b"secret-token".to_vec());
        assert!(!format!("{op:?}").contains("secret"));
    }

    /// A target that records operations and fails as scripted.
    struct Script {
        results: VecDeque<Result<(), OperationError>>,
        log: Vec<(Duration, Operation)>,
        start: tokio::time::Instant,
    }

    impl ActivationTarget for Script {
        fn perform(
            &mut self,
            op: &Operation,
        ) -> impl Future<Output = Result<(), OperationError>> + Send {
            self.log.push((self.start.elapsed(), op.clone()));
            let r = self.results.pop_front().unwrap_or(Ok(()));
            async move { r }
        }
    }

    #[tokio::test(start_paused = true)]
    async fn the_driver_sleeps_the_delay_and_intervals_on_tokio_time() {
        let mut target = Script {
            results: VecDeque::from([fail(), Ok(())]),
            log: Vec::new(),
            start: tokio::time::Instant::now(),
        };
        let outcome = run(action(activation(b"q"), 30, 3, 120), &mut target)
            .await
            .unwrap();
        assert_eq!(outcome, Outcome::Succeeded { attempts: 2 });
        let times: Vec<u64> = target.log.iter().map(|(t, _)| t.as_secs()).collect();
        assert_eq!(times, vec![30, 150]);
    }

    #[tokio::test(start_paused = true)]
    async fn the_driver_refuses_an_invalid_action_without_performing() {
        let mut target = Script {
            results: VecDeque::new(),
            log: Vec::new(),
            start: tokio::time::Instant::now(),
        };
        let r = run(action(activation(b"q"), 0, 11, 60), &mut target).await;
        assert_eq!(r, Err(ActivationError::RetryCount(11)));
        assert!(target.log.is_empty());
    }
}
