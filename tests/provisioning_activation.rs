//! Provisioning activation actions end to end: the executor drives a modem
//! actor that talks MBIM over a byte stream to the simulator (in-process
//! duplex with paused time, and once over a pty). A cold SIM becomes hot only
//! with the operator's carrier data; re-register cycles the radio once;
//! reconnect re-activates the default context.

use mbim_proto::Status;
use mbim_proto::message::CommandType;
use mbim_proto::services::basic_connect::{self as bc, ActivationState, ContextIpType};
use mbimd::modem::ops::{self, ConnectParams};
use mbimd::modem::{self, ActorConfig, ModemHandle, OperationError, RequestError};
use mbimd::provisioning::activation::{
    self, ActivationAction, ActivationMethod, ModemTarget, Outcome,
};
use mbimd::sim::device::DeviceEvent;
use mbimd::sim::runner::{SimHandle, spawn_duplex};
use mbimd::sim::scenario::{Plan, Scenario};
use mbimd::transport::cdc_wdm::CdcWdm;
use std::time::Duration;

/// The carrier data `scenarios/cold-sim.toml` expects.
const CARRIER_DATA: &[u8] = b"ACTIVATE-0042";

fn cold_sim() -> Scenario {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/cold-sim.toml");
    Scenario::load(&path).expect("cold-sim scenario")
}

fn config(name: &str) -> ActorConfig {
    ActorConfig {
        name: name.into(),
        request_timeout: Duration::from_secs(5),
        max_consecutive_timeouts: 3,
        ..ActorConfig::default()
    }
}

async fn modem_on(s: Scenario, name: &str) -> (ModemHandle, SimHandle) {
    let (io, sim) = spawn_duplex(s);
    let (h, _join) = modem::spawn(io, config(name));
    ops::initialize(&h).await.expect("initialize");
    (h, sim)
}

fn internet() -> ConnectParams {
    ConnectParams {
        apn: "internet".into(),
        ip_type: ContextIpType::IPV4V6,
        ..ConnectParams::default()
    }
}

fn target(h: &ModemHandle) -> ModemTarget {
    ModemTarget {
        handle: h.clone(),
        connect: internet(),
    }
}

fn service_activation(data: &[u8], retries: u32) -> ActivationAction {
    ActivationAction {
        retry_count: retries,
        ..ActivationAction::new(ActivationMethod::ServiceActivation {
            carrier_specific_data: data.to_vec(),
        })
    }
}

fn status_of(e: &OperationError) -> Option<Status> {
    match e {
        OperationError::Request(r) => r.status(),
        _ => None,
    }
}

async fn connect_and_check_internet(h: &ModemHandle, sim: &SimHandle) {
    ops::attach(h).await.expect("attach");
    let c = ops::connect(h, &internet()).await.expect("connect");
    assert_eq!(c.connect.activation_state, ActivationState::ACTIVATED);
    assert_eq!(
        sim.inspect(|d| d.modem().internet(0)).await,
        Some(Some(true))
    );
}

/// Basic Connect commands the simulator received, as (cid, set?).
fn commands(sim: &mut SimHandle) -> Vec<(u32, bool)> {
    let mut out = Vec::new();
    while let Ok(e) = sim.events.try_recv() {
        if let DeviceEvent::Command {
            service,
            cid,
            command_type,
            ..
        } = e
            && service == mbim_proto::uuid::BASIC_CONNECT
        {
            out.push((cid, command_type == CommandType::SET));
        }
    }
    out
}

#[tokio::test(start_paused = true)]
async fn cold_sim_becomes_hot_with_the_right_carrier_data() {
    let (h, sim) = modem_on(cold_sim(), "sim:cold").await;
    // Before activation: no service.
    ops::attach(&h).await.expect("attach");
    let e = ops::connect(&h, &internet())
        .await
        .expect_err("a cold SIM cannot connect");
    assert_eq!(status_of(&e), Some(Status::SERVICE_NOT_ACTIVATED), "{e}");

    // As the daemon runs it after applying a document: in its own task.
    let mut t = target(&h);
    let outcome =
        tokio::spawn(
            async move { activation::run(service_activation(CARRIER_DATA, 0), &mut t).await },
        )
        .await
        .expect("activation task")
        .expect("valid action");
    assert_eq!(outcome, Outcome::Succeeded { attempts: 1 });
    assert_eq!(outcome.error_code(), 0);
    assert_eq!(sim.inspect(|d| d.modem().plan()).await, Some(Plan::Hot));
    connect_and_check_internet(&h, &sim).await;
}

#[tokio::test(start_paused = true)]
async fn wrong_carrier_data_retries_then_fails_and_the_sim_stays_cold() {
    let (h, mut sim) = modem_on(cold_sim(), "sim:wrong").await;
    commands(&mut sim);
    let outcome = activation::run(service_activation(b"ACTIVATE-9999", 2), &mut target(&h))
        .await
        .expect("valid action");
    let Outcome::GaveUp {
        attempts,
        operation,
        error,
    } = &outcome
    else {
        panic!("expected a failure, got {outcome:?}");
    };
    assert_eq!(*attempts, 3);
    assert_eq!(*operation, "service activation");
    assert_eq!(status_of(error), Some(Status::FAILURE), "{error}");
    if let OperationError::Request(RequestError::Status {
        information_buffer, ..
    }) = error
    {
        use mbim_proto::services::Payload;
        let info = bc::ServiceActivationInfo::decode(information_buffer).expect("info");
        assert_eq!(info.nw_error, bc::NwError::USER_AUTHENTICATION_FAILED);
    }
    assert_eq!(outcome.error_code(), 0x8000_4005);
    let sent = commands(&mut sim);
    let activations = sent
        .iter()
        .filter(|c| **c == (bc::cid::SERVICE_ACTIVATION, true))
        .count();
    assert_eq!(activations, 3, "{sent:?}");

    assert_eq!(sim.inspect(|d| d.modem().plan()).await, Some(Plan::Cold));
    ops::attach(&h).await.expect("attach");
    let e = ops::connect(&h, &internet()).await.expect_err("still cold");
    assert_eq!(status_of(&e), Some(Status::SERVICE_NOT_ACTIVATED), "{e}");
}

#[tokio::test(start_paused = true)]
async fn reregister_cycles_the_radio_and_connects() {
    let (h, mut sim) = modem_on(Scenario::builtin(), "sim:rereg").await;
    commands(&mut sim);
    let outcome = activation::run(
        ActivationAction::new(ActivationMethod::ReregisterToNetwork),
        &mut target(&h),
    )
    .await
    .expect("valid action");
    assert_eq!(outcome, Outcome::Succeeded { attempts: 1 });
    let radio_sets: Vec<(u32, bool)> = commands(&mut sim)
        .into_iter()
        .filter(|c| *c == (bc::cid::RADIO_STATE, true))
        .collect();
    assert_eq!(radio_sets.len(), 2, "radio off and on");
    assert_eq!(sim.inspect(|d| d.modem().radio_on()).await, Some(true));
    assert_eq!(
        sim.inspect(|d| d.modem().internet(0)).await,
        Some(Some(true))
    );
}

#[tokio::test(start_paused = true)]
async fn reregister_retries_connect_without_cycling_the_radio_again() {
    // A cold SIM: the radio cycles fine, every connect fails.
    let (h, mut sim) = modem_on(cold_sim(), "sim:rereg-cold").await;
    commands(&mut sim);
    let action = ActivationAction {
        retry_count: 2,
        ..ActivationAction::new(ActivationMethod::ReregisterToNetwork)
    };
    let outcome = activation::run(action, &mut target(&h))
        .await
        .expect("valid action");
    match &outcome {
        Outcome::GaveUp {
            attempts,
            operation,
            error,
        } => {
            assert_eq!(*attempts, 3);
            assert_eq!(*operation, "connect");
            assert_eq!(status_of(error), Some(Status::SERVICE_NOT_ACTIVATED));
        }
        other => panic!("{other:?}"),
    }
    let sent = commands(&mut sim);
    let radio_sets = sent
        .iter()
        .filter(|c| **c == (bc::cid::RADIO_STATE, true))
        .count();
    assert_eq!(radio_sets, 2, "one radio cycle only: {sent:?}");
    let activates = sent
        .iter()
        .filter(|c| **c == (bc::cid::CONNECT, true))
        .count();
    // Each connect attempt: ACTIVATE, then the clean-up DEACTIVATE.
    assert_eq!(activates, 6, "{sent:?}");
}

#[tokio::test(start_paused = true)]
async fn reconnect_reactivates_the_default_context() {
    let (h, sim) = modem_on(Scenario::builtin(), "sim:reconnect").await;
    connect_and_check_internet(&h, &sim).await;
    let outcome = activation::run(
        ActivationAction::new(ActivationMethod::ReconnectToNetwork),
        &mut target(&h),
    )
    .await
    .expect("valid action");
    assert_eq!(outcome, Outcome::Succeeded { attempts: 1 });
    assert_eq!(
        sim.inspect(|d| d.modem().internet(0)).await,
        Some(Some(true))
    );
    assert_eq!(
        h.state().connections.get(&0).map(|c| c.activation_state),
        Some(ActivationState::ACTIVATED)
    );
}

#[tokio::test]
async fn cold_sim_activation_over_a_pty() {
    let dir = tempfile::tempdir().expect("tempdir");
    let link = dir.path().join("cdc-wdm-cold");
    let sim = mbimd::sim::pty::spawn_pty(cold_sim(), &link).expect("pty");
    let dev = CdcWdm::open(link.to_str().expect("utf-8 path")).expect("open pty link");
    let (h, _join) = modem::spawn(
        dev,
        ActorConfig {
            max_control_transfer: 4096,
            ..config("pty")
        },
    );
    ops::initialize(&h).await.expect("initialize");
    let outcome = activation::run(service_activation(CARRIER_DATA, 0), &mut target(&h))
        .await
        .expect("valid action");
    assert_eq!(outcome, Outcome::Succeeded { attempts: 1 });
    connect_and_check_internet(&h, &sim).await;
    h.shutdown().await;
    let _ = sim.stop().await;
}
