//! The usage service over a real modem actor and the simulator: operator
//! notifications from the messaging engine are merged as the authoritative
//! figure and the local counters (simulator PACKET_STATISTICS) fill the gap
//! after it; a counter reset (new simulator session counters) is not lost.

use mbim_proto::services::basic_connect::ContextIpType;
use mbimd::messaging::ingest::{Clock, MessagingEvent, NotificationBearer, OperatorNotification};
use mbimd::messaging::rules::OperatorValues;
use mbimd::modem::ops::connect::{ConnectParams, connect};
use mbimd::modem::{self, ActorConfig};
use mbimd::sim::{Scenario, spawn_duplex};
use mbimd::usage::counters::CounterSource;
use mbimd::usage::plan::{MEGABYTE, Plan, PlanType};
use mbimd::usage::service::{SamplerConfig, UsageService, run};
use mbimd::usage::store::UsageStore;
use std::sync::Arc;
use std::time::Duration;

async fn wait_used(svc: &UsageService, want: u64) {
    for _ in 0..1000 {
        if svc.snapshot().1.used_bytes == want {
            return;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!(
        "used stayed {} (wanted {want})",
        svc.snapshot().1.used_bytes
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn operator_figure_from_a_message_plus_local_counters_since() {
    let (io, sim) = spawn_duplex(Scenario::builtin());
    let (h, _join) = modem::spawn(
        io,
        ActorConfig {
            name: "usage".into(),
            ..ActorConfig::default()
        },
    );
    h.ready().await.expect("ready");
    modem::ops::initialize(&h).await.expect("initialize");
    let store = UsageStore::open_in_memory().await.expect("store");
    let (svc, _notices) = UsageService::open(store, "imsi".into(), Clock::system())
        .await
        .expect("service");
    let svc = Arc::new(svc);
    svc.set_plan(Some(Plan {
        name: "P".into(),
        plan_type: PlanType::Fixed,
        data_limit_megabytes: Some(1000),
        ..Plan::default()
    }))
    .await
    .expect("plan");
    let (tx, rx) = tokio::sync::broadcast::channel(8);
    let task = tokio::spawn(run(
        svc.clone(),
        h.clone(),
        CounterSource::Mbim(h.clone()),
        SamplerConfig {
            interval: Duration::from_millis(20),
        },
        Some(rx),
    ));
    // Local counting starts at the sampler's first reading.
    for _ in 0..1000 {
        if svc.counter_base(0).await.is_some() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    assert!(
        svc.counter_base(0).await.is_some(),
        "the sampler reads counters"
    );
    connect(
        &h,
        &ConnectParams {
            session_id: 0,
            apn: "internet".into(),
            ip_type: ContextIpType::IPV4,
            ..ConnectParams::default()
        },
    )
    .await
    .expect("connect");
    // The builtin APN counts 4096 + 1024 octets on connect.
    sim.add_traffic(7 * MEGABYTE, MEGABYTE);
    wait_used(&svc, 8 * MEGABYTE + 5120).await;

    // The operator says 300 MB as of now: authoritative.
    tx.send(MessagingEvent::OperatorNotification(OperatorNotification {
        modem: "imsi".into(),
        bearer: NotificationBearer::Sms,
        message_id: None,
        sender: Some("+100".into()),
        rule_id: Some("usage".into()),
        visible: false,
        values: OperatorValues {
            usage_bytes: Some(300 * MEGABYTE),
            congested: Some(true),
            ..OperatorValues::default()
        },
        text: "You used 300 MB".into(),
    }))
    .expect("send");
    wait_used(&svc, 300 * MEGABYTE).await;
    assert!(svc.snapshot().0.congested);
    assert!(svc.snapshot().1.last_sync_time.is_some());
    // Local traffic after the figure is added to it.
    sim.add_traffic(2 * MEGABYTE, 0);
    wait_used(&svc, 302 * MEGABYTE).await;
    assert_eq!(svc.snapshot().1.local_bytes, 10 * MEGABYTE + 5120);
    task.abort();
}
