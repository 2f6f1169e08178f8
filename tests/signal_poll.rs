//! Signal polling happens only where indications are missing: against a
//! simulated modem that is never asked for reports, the poller queries on
//! every tick; once the modem reports by itself, the poller stays quiet.

use mbim_proto::CommandType;
use mbim_proto::services::basic_connect::SetSignalState;
use mbim_proto::uuid;
use mbimd::modem::ops::{self, signal::poll_signal};
use mbimd::modem::{self, ActorConfig};
use mbimd::sim::device::DeviceEvent;
use mbimd::sim::runner::{SimHandle, spawn_duplex};
use mbimd::sim::scenario::Scenario;
use std::time::Duration;

fn signal_queries(sim: &mut SimHandle) -> usize {
    let mut n = 0;
    while let Ok(e) = sim.events.try_recv() {
        if let DeviceEvent::Command {
            service,
            cid: 11,
            command_type,
            ..
        } = e
            && service == uuid::BASIC_CONNECT
            && command_type == CommandType::QUERY
        {
            n += 1;
        }
    }
    n
}

#[tokio::test(start_paused = true)]
async fn polls_a_modem_that_does_not_report() {
    let (io, mut sim) = spawn_duplex(Scenario::builtin());
    let (h, _join) = modem::spawn(io, ActorConfig::default());
    h.ready().await.unwrap();
    let _ = signal_queries(&mut sim);
    let poller = tokio::spawn(poll_signal(h.clone(), Duration::from_secs(10)));
    tokio::time::sleep(Duration::from_secs(35)).await;
    assert_eq!(signal_queries(&mut sim), 3, "one query per tick");
    assert!(h.state().signal.is_some());
    poller.abort();
}

#[tokio::test(start_paused = true)]
async fn stays_quiet_while_the_modem_reports() {
    let (io, mut sim) = spawn_duplex(Scenario::builtin());
    let (h, _join) = modem::spawn(io, ActorConfig::default());
    ops::initialize(&h).await.unwrap(); // subscribes to SIGNAL_STATE
    h.request(&SetSignalState {
        signal_strength_interval: 2,
        rssi_threshold: 0,
        error_rate_threshold: 0,
    })
    .await
    .unwrap();
    let _ = signal_queries(&mut sim);
    let poller = tokio::spawn(poll_signal(h.clone(), Duration::from_secs(10)));
    tokio::time::sleep(Duration::from_secs(35)).await;
    assert!(
        h.state().signal_indications >= 10,
        "{}",
        h.state().signal_indications
    );
    assert_eq!(
        signal_queries(&mut sim),
        0,
        "no polling while indications arrive"
    );
    poller.abort();
}
