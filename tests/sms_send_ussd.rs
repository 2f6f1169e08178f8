//! Sending texts (split into parts, TP-MR kept, delivery report matched by
//! the ingest pipeline) and the USSD session state machine with a follow-up
//! menu, on the simulator through the real modem actor.
//!
//! Tests touching SQLite run in real time (see sms_ingest.rs); the USSD
//! ones use paused time.

use mbimd::messaging::ingest::{Clock, Ingest, IngestConfig, MessagingEvent, Rules};
use mbimd::messaging::send::{OutgoingText, send_text, submit_pdus};
use mbimd::messaging::store::SmsStore;
use mbimd::messaging::ussd_session::{UssdError, UssdSession, UssdState};
use mbimd::messaging::{Address, Message, Status, StatusReport, Timestamp, Tpdu};
use mbimd::modem::ops::init;
use mbimd::modem::{self, ActorConfig, ModemHandle};
use mbimd::sim::runner::{SimHandle, spawn_duplex};
use mbimd::sim::scenario::{EventKind, Scenario};
use std::time::Duration;
use tokio::sync::broadcast;

const MODEM: &str = "001010123456789";

async fn modem_on(toml: &str) -> (ModemHandle, SimHandle) {
    let (io, sim) = spawn_duplex(Scenario::from_toml(toml, "test").unwrap());
    let (h, _actor) = modem::spawn(
        io,
        ActorConfig {
            name: "sim:send".into(),
            request_timeout: Duration::from_secs(10),
            ..ActorConfig::default()
        },
    );
    init::initialize(&h).await.unwrap();
    (h, sim)
}

fn status_report(message_reference: u8, status: u8) -> Vec<u8> {
    let t = Timestamp {
        year: 26,
        month: 11,
        day: 25,
        hour: 15,
        minute: 0,
        second: 0,
        tz_quarters: 0,
    };
    Message {
        smsc: None,
        tpdu: Tpdu::StatusReport(StatusReport {
            more_messages_to_send: false,
            loop_prevention: false,
            status_report_qualifier: false,
            message_reference,
            recipient_address: Address::international("4915112345678"),
            service_centre_time_stamp: t,
            discharge_time: t,
            status: Status(status),
            protocol_identifier: None,
            data_coding_scheme: None,
            user_data: None,
        }),
    }
    .encode()
    .unwrap()
}

#[test]
fn long_texts_become_concatenated_submits_that_decode_back() {
    let text = "x".repeat(200);
    let pdus = submit_pdus("+4915112345678", &text, true, 7).unwrap();
    assert_eq!(pdus.len(), 2);
    let mut joined = String::new();
    for (i, p) in pdus.iter().enumerate() {
        let Tpdu::Submit(s) = Message::decode(p).unwrap().tpdu else {
            panic!("not a submit")
        };
        assert!(s.status_report_request);
        assert_eq!(s.destination_address.to_string(), "+4915112345678");
        let c = s.user_data.concat().unwrap();
        assert_eq!(
            (c.reference.value(), c.total, usize::from(c.sequence)),
            (7, 2, i + 1)
        );
        joined.push_str(s.user_data.body_text().unwrap());
    }
    assert_eq!(joined, text);
}

#[tokio::test]
async fn sent_text_is_recorded_and_its_delivery_report_is_matched() {
    let (h, sim) = modem_on("").await;
    let dir = tempfile::tempdir().unwrap();
    let store = SmsStore::open(&dir.path().join("sms.sqlite"))
        .await
        .unwrap();
    let (events, _) = broadcast::channel(16);
    let mut rx = events.subscribe();
    let _task = Ingest::new(
        h.clone(),
        store.clone(),
        Rules::default(),
        events.clone(),
        IngestConfig::new(MODEM),
    )
    .with_clock(Clock::starting_at(1_700_000_000_000))
    .spawn();

    let text = "y".repeat(170);
    let sent = send_text(
        &h,
        &store,
        &OutgoingText {
            modem: MODEM,
            number: "+4915112345678",
            text: &text,
            delivery_report: true,
            now_ms: 1_700_000_000_000,
        },
    )
    .await
    .unwrap();
    assert_eq!(sent.message_references.len(), 2);
    let m = store.message(sent.message_id).await.unwrap().unwrap();
    assert_eq!((m.state.as_str(), m.received), ("sent", false));
    assert_eq!(m.text.as_deref(), Some(text.as_str()));
    let last = *sent.message_references.last().unwrap();
    assert_eq!(m.message_reference, Some(last));

    // The network's status report lands in the modem's store.
    sim.trigger(EventKind::Sms {
        pdu: status_report(last, 0x00),
    });
    let ev = tokio::time::timeout(Duration::from_secs(30), rx.recv())
        .await
        .unwrap()
        .unwrap();
    let MessagingEvent::DeliveryReport(r) = ev else {
        panic!("expected a delivery report, got {ev:?}")
    };
    assert_eq!(r.message_id, Some(sent.message_id));
    assert_eq!((r.message_reference, r.status), (last, 0));
    let m = store.message(sent.message_id).await.unwrap().unwrap();
    assert_eq!(m.delivery_state, Some(0));
    // The report is not a received message.
    assert_eq!(store.messages(MODEM).await.unwrap().len(), 1);
}

const MENU: &str = r#"
[[ussd]]
request = "*100#"
reply = "1 Balance 2 Bundles"
more = true
[[ussd]]
request = "2"
reply = "Bundles: 1 GB 5 EUR, reply 1 to buy"
more = true
[[ussd]]
request = "1"
reply = "Bought 1 GB"
"#;

#[tokio::test(start_paused = true)]
async fn ussd_session_walks_a_follow_up_menu_to_idle() {
    let (h, _sim) = modem_on(MENU).await;
    let s = UssdSession::new(h);
    let mut states = s.watch();
    assert_eq!(s.state(), UssdState::Idle);
    let r = s.initiate("*100#").await.unwrap();
    assert_eq!(r.text, "1 Balance 2 Bundles");
    assert!(r.action_required);
    assert_eq!(*states.borrow_and_update(), UssdState::UserResponse);
    // A second initiate is refused while the network waits for an answer.
    assert!(matches!(
        s.initiate("*100#").await,
        Err(UssdError::WrongState(UssdState::UserResponse, _))
    ));
    let r = s.respond("2").await.unwrap();
    assert_eq!(r.text, "Bundles: 1 GB 5 EUR, reply 1 to buy");
    assert_eq!(s.state(), UssdState::UserResponse);
    let r = s.respond("1").await.unwrap();
    assert_eq!(r.text, "Bought 1 GB");
    assert!(!r.action_required);
    assert_eq!(s.state(), UssdState::Idle);
    assert!(matches!(
        s.respond("1").await,
        Err(UssdError::WrongState(UssdState::Idle, _))
    ));
}

#[tokio::test(start_paused = true)]
async fn ussd_cancel_ends_the_session_and_unknown_codes_fail_to_idle() {
    let (h, _sim) = modem_on(MENU).await;
    let s = UssdSession::new(h);
    s.initiate("*100#").await.unwrap();
    s.cancel().await.unwrap();
    assert_eq!(s.state(), UssdState::Idle);
    assert!(matches!(
        s.initiate("*999#").await,
        Err(UssdError::Network(_))
    ));
    assert_eq!(s.state(), UssdState::Idle);
    // After the failure a new session starts normally.
    assert!(s.initiate("*100#").await.unwrap().action_required);
}

#[test]
fn network_ussd_matching_a_rule_is_an_operator_notification() {
    use mbim_proto::services::RawBytes;
    use mbim_proto::services::ussd::{UssdInfo, UssdResponse, UssdSessionState};
    use mbimd::messaging::ingest::{NotificationBearer, classify_network_ussd};
    use mbimd::messaging::rules::RuleSet;
    let rules = RuleSet::from_xml(
        r#"<Messages>
          <Message RuleId="quiet"><USSDBearer/><Pattern>Roaming in (\w+)</Pattern></Message>
          <Message RuleId="loud" Silent="false"><USSDBearer/>
            <Pattern>Status: (OVER|UNDER) limit</Pattern>
            <Fields><OverDataLimit Group="1" TrueToken="OVER" FalseToken="UNDER"/></Fields>
          </Message>
        </Messages>"#,
        "s",
    )
    .unwrap();
    let info = |text: &str, response| {
        let coded = mbimd::messaging::ussd::encode(text).unwrap();
        UssdInfo {
            ussd_response: response,
            ussd_session_state: UssdSessionState::NEW_SESSION,
            ussd_data_coding_scheme: u32::from(coded.data_coding_scheme.0),
            ussd_payload: RawBytes(coded.data),
        }
    };
    let ev = classify_network_ussd(
        &rules,
        MODEM,
        &info("Roaming in Freedonia", UssdResponse::NO_ACTION_REQUIRED),
    )
    .unwrap();
    assert_eq!(ev.len(), 1);
    let MessagingEvent::OperatorNotification(n) = &ev[0] else {
        panic!("{ev:?}")
    };
    assert_eq!(
        (n.bearer, n.rule_id.as_deref()),
        (NotificationBearer::Ussd, Some("quiet"))
    );

    // Silent="false": the notification, then the public USSD event.
    let ev = classify_network_ussd(
        &rules,
        MODEM,
        &info("Status: OVER limit", UssdResponse::NO_ACTION_REQUIRED),
    )
    .unwrap();
    let [
        MessagingEvent::OperatorNotification(n),
        MessagingEvent::IncomingUssd(u),
    ] = &ev[..]
    else {
        panic!("{ev:?}")
    };
    assert_eq!(n.values.over_data_limit, Some(true));
    assert_eq!(u.text, "Status: OVER limit");

    // No rule: a plain network request.
    let ev = classify_network_ussd(
        &rules,
        MODEM,
        &info("Reply 1 to accept", UssdResponse::ACTION_REQUIRED),
    )
    .unwrap();
    let [MessagingEvent::IncomingUssd(u)] = &ev[..] else {
        panic!("{ev:?}")
    };
    assert!(u.request);
}
