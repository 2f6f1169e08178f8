//! Operator messages end to end on a private bus: `org.mbimd.Modem1.OperatorMessages`
//! (rules from `--operator-rules` and from `LoadOperatorRules`, saved in the
//! state directory), operator SMS raising `OperatorNotification` and never
//! `Messaging.Added`, other SMS raising `Added` + `IncomingSms`, network USSD
//! reaching the Ussd properties and `IncomingUssd`, delivery reports on the
//! sent Sms object, `Sms.Store` and listing after a restart, the privilege
//! check, `mbcli watch`, and mmcli's USSD/SMS views.
//!
//! Most tests run the daemon in-process (so the simulated network can be
//! driven at the right moment); the flag tests run the `mbimd` binary.
//! Waiting is by signal or condition with generous timeouts, never by time.

mod bus;

use bus::{Daemon, PrivateBus, mmcli_present};
use dbus_interfaces::Dict;
use dbus_interfaces::proxies::*;
use futures_util::StreamExt;
use mbimd::messaging::{
    Address, DataCodingScheme, Deliver, Message, Status, StatusReport, Timestamp, Tpdu, UserData,
    UserDataBody,
};
use mbimd::sim::scenario::{EventKind, Scenario};
use std::io::BufRead;
use std::path::Path;
use std::time::Duration;
use zbus::OwnedVariant;

const MODEM0: &str = "/org/freedesktop/ModemManager1/Modem/0";
const WAIT: Duration = Duration::from_secs(30);

/// Two rules: a silent usage SMS from 12345, and a visible USSD state message.
const RULES: &str = r#"<?xml version="1.0"?>
<Messages xmlns="http://www.microsoft.com/networking/CarrierControl/WWAN/v1">
  <Message RuleId="usage-sms" Silent="true">
    <SMSBearer Sender="12345" ClassZeroOnly="false"/>
    <Pattern>Example: ([\d.]+) ?(MB|GB) of ([\d.]+) ?(MB|GB) used</Pattern>
    <Units M="MB" G="GB"/>
    <Fields>
      <Usage Group="1" UnitGroup="2" DefaultUnit="M"/>
      <DataLimit Group="3" UnitGroup="4" DefaultUnit="M"/>
    </Fields>
  </Message>
  <Message RuleId="state-ussd" Silent="false">
    <USSDBearer/>
    <Pattern>Status: (OVER|UNDER) limit</Pattern>
    <Fields>
      <OverDataLimit Group="1" TrueToken="OVER" FalseToken="UNDER"/>
    </Fields>
  </Message>
</Messages>
"#;

const OPERATOR_TEXT: &str = "Example: 1.5 GB of 5 GB used";

/// A broken document: the Pattern on line 4 does not compile (lookbehind).
const BAD_RULES: &str = "<Messages>\n  <Message>\n    <USSDBearer/>\n    <Pattern>(?&lt;=a)b</Pattern>\n  </Message>\n</Messages>\n";

fn deliver(sender: &str, text: &str, second: u8) -> Vec<u8> {
    Message {
        smsc: Some(Address::international("15555550000")),
        tpdu: Tpdu::Deliver(Deliver {
            more_messages_to_send: false,
            loop_prevention: false,
            status_report_indication: false,
            reply_path: false,
            originating_address: Address::from_user(sender),
            protocol_identifier: 0,
            data_coding_scheme: DataCodingScheme(0),
            service_centre_time_stamp: Timestamp {
                year: 26,
                month: 11,
                day: 25,
                hour: 14,
                minute: 30,
                second,
                tz_quarters: 4,
            },
            user_data: UserData {
                header: None,
                body: UserDataBody::Text(text.into()),
            },
        }),
    }
    .encode()
    .expect("encode DELIVER")
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
    .expect("encode STATUS-REPORT")
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02X}")).collect()
}

fn v<'a, T: Into<zbus::Variant<'a>>>(x: T) -> OwnedVariant {
    x.into().try_into_owned().expect("owned")
}

fn text_of(d: &Dict, k: &str) -> Option<String> {
    d.get(k).and_then(|x| String::try_from(x.clone()).ok())
}

fn err_of(e: zbus::Error) -> (String, String) {
    match e {
        zbus::Error::MethodError(name, msg, _) => (name.to_string(), msg.unwrap_or_default()),
        other => (format!("not a method error: {other}"), String::new()),
    }
}

/// The daemon in this process: its SMS store and saved rules in `state`.
async fn in_process(
    bus: &PrivateBus,
    scenario: &Scenario,
    state: &Path,
    allow_all: bool,
) -> mbimd::daemon::Daemon {
    let conn = mbimd::daemon::connect(&mbimd::daemon::Bus::Address(bus.address.clone()))
        .await
        .expect("connect");
    let policy = mbimd::dbus::Policy {
        allowed_uids: vec![],
        allow_all,
        apps: None,
    };
    let mut d = mbimd::daemon::Daemon::serve(conn, policy)
        .await
        .expect("serve");
    std::fs::create_dir_all(state).expect("state dir");
    let store = mbimd::messaging::store::SmsStore::open(&state.join("sms.db"))
        .await
        .expect("store");
    d.manager.set_sms_store(store);
    d.manager.set_operator_rules(
        mbimd::messaging::ingest::Rules::open(Some(state), None).expect("rules"),
    );
    d.add_sims(scenario, 1);
    d.settle(WAIT).await;
    d.own_name(dbus_interfaces::BUS_NAME).await.expect("name");
    d
}

fn sim(d: &mbimd::daemon::Daemon) -> &mbimd::sim::SimHandle {
    d.manager.sim("sim0").expect("simulated modem")
}

async fn next<S: futures_util::Stream + Unpin>(s: &mut S, what: &str) -> S::Item {
    tokio::time::timeout(WAIT, s.next())
        .await
        .unwrap_or_else(|_| panic!("no {what} within {WAIT:?}"))
        .unwrap_or_else(|| panic!("{what} stream ended"))
}

/// A caching proxy, for `receive_*_changed` streams (they need the cache).
async fn watched<P: From<zbus::Proxy<'static>> + zbus::proxy::Defaults>(
    conn: &zbus::Connection,
    path: &str,
) -> P {
    let path = zbus::ObjectPath::try_from(path.to_owned()).expect("object path");
    zbus::proxy::Builder::<P>::new(conn)
        .path(path)
        .build()
        .await
        .expect("proxy")
}

async fn uncached<P: From<zbus::Proxy<'static>> + zbus::proxy::Defaults>(
    conn: &zbus::Connection,
    path: &str,
) -> P {
    let path = zbus::ObjectPath::try_from(path.to_owned()).expect("object path");
    zbus::proxy::Builder::<P>::new(conn)
        .path(path)
        .cache_properties(zbus::proxy::CacheProperties::No)
        .build()
        .await
        .expect("proxy")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rules_loaded_over_dbus_classify_sms_and_ussd_and_are_kept_across_restarts() {
    let dir = tempfile::tempdir().expect("temp dir");
    let state = dir.path().join("state");
    let scenario = Scenario::from_toml(
        "[[ussd]]\nrequest = \"1\"\nreply = \"Thank you\"\n",
        "ussd-menu",
    )
    .expect("scenario");
    let bus = PrivateBus::start();
    let d = in_process(&bus, &scenario, &state, true).await;
    let conn = bus.client().await;
    let ops: OperatorMessagesProxy = uncached(&conn, MODEM0).await;
    let messaging: MessagingProxy = uncached(&conn, MODEM0).await;
    let ussd: UssdProxy = uncached(&conn, MODEM0).await;
    assert_eq!(ops.rule_count().await.expect("RuleCount"), 0);
    assert_eq!(ops.rules_source().await.expect("RulesSource"), "");

    // A broken document is refused with its line and column; nothing changes.
    let (name, msg) = err_of(
        ops.load_operator_rules(BAD_RULES)
            .await
            .expect_err("bad XML"),
    );
    assert_eq!(name, "org.freedesktop.ModemManager1.Error.Core.InvalidArgs");
    assert!(msg.contains("line 4, column 5"), "{msg}");
    assert_eq!(ops.rule_count().await.expect("RuleCount"), 0);

    let ops_w: OperatorMessagesProxy = watched(&conn, MODEM0).await;
    let mut changed = ops_w.receive_rule_count_changed().await;
    ops.load_operator_rules(RULES)
        .await
        .expect("LoadOperatorRules");
    assert_eq!(ops.rule_count().await.expect("RuleCount"), 2);
    assert_eq!(ops.rules_source().await.expect("RulesSource"), "dbus");
    // Skip the initial value the property stream may deliver first.
    loop {
        let c = next(&mut changed, "RuleCount change").await;
        if c.get().await.expect("value") == 2 {
            break;
        }
    }
    assert!(
        std::fs::read_to_string(state.join("operator-rules.xml"))
            .expect("saved rules")
            .contains("usage-sms")
    );

    let mut notifications = ops
        .receive_operator_notification()
        .await
        .expect("subscribe");
    let mut incoming_sms = ops.receive_incoming_sms().await.expect("subscribe");
    let mut incoming_ussd = ops.receive_incoming_ussd().await.expect("subscribe");
    let mut added = messaging.receive_added().await.expect("subscribe");

    // The operator SMS: a notification with its figures.
    sim(&d).trigger(EventKind::Sms {
        pdu: deliver("12345", OPERATOR_TEXT, 0),
    });
    let n = next(&mut notifications, "OperatorNotification").await;
    let details = n.args().expect("args").details().clone();
    assert_eq!(text_of(&details, "kind").as_deref(), Some("sms"));
    assert_eq!(text_of(&details, "sender").as_deref(), Some("12345"));
    assert_eq!(text_of(&details, "rule-id").as_deref(), Some("usage-sms"));
    assert_eq!(
        u64::try_from(&details["usage-bytes"]).ok(),
        Some(1_500_000_000)
    );
    assert_eq!(
        u64::try_from(&details["data-limit-bytes"]).ok(),
        Some(5_000_000_000)
    );
    assert_eq!(bool::try_from(&details["visible"]).ok(), Some(false));

    // The same text from another sender is a plain SMS; the first Added is
    // its, so the operator SMS raised none.
    sim(&d).trigger(EventKind::Sms {
        pdu: deliver("99999", OPERATOR_TEXT, 1),
    });
    let a = next(&mut added, "Messaging.Added").await;
    let path = a.args().expect("args").path().clone();
    let s = next(&mut incoming_sms, "IncomingSms").await;
    let args = s.args().expect("args");
    assert_eq!(args.path(), &path);
    assert_eq!(text_of(args.details(), "number").as_deref(), Some("99999"));
    assert_eq!(
        text_of(args.details(), "text").as_deref(),
        Some(OPERATOR_TEXT)
    );
    assert_eq!(messaging.list().await.expect("List"), vec![path.clone()]);
    let sms: SmsProxy = uncached(&conn, path.as_str()).await;
    assert_eq!(sms.number().await.expect("Number"), "99999");

    // A USSD notification matching the visible rule: a notification with
    // its flag, then the public USSD event and the Ussd property.
    sim(&d).trigger(EventKind::Ussd {
        text: "Status: OVER limit".into(),
        request: false,
    });
    let n = next(&mut notifications, "OperatorNotification (USSD)").await;
    let details = n.args().expect("args").details().clone();
    assert_eq!(text_of(&details, "kind").as_deref(), Some("ussd"));
    assert_eq!(bool::try_from(&details["over-data-limit"]).ok(), Some(true));
    let u = next(&mut incoming_ussd, "IncomingUssd").await;
    let ud = u.args().expect("args").details().clone();
    assert_eq!(text_of(&ud, "type").as_deref(), Some("notification"));
    assert_eq!(
        ussd.network_notification()
            .await
            .expect("NetworkNotification"),
        "Status: OVER limit"
    );
    assert_eq!(ussd.state().await.expect("State"), 1, "idle");

    // A network request matching no rule: public, and the session waits
    // for the user's response, which goes through Respond.
    let ussd_w: UssdProxy = watched(&conn, MODEM0).await;
    let mut states = ussd_w.receive_state_changed().await;
    sim(&d).trigger(EventKind::Ussd {
        text: "Reply 1 for more".into(),
        request: true,
    });
    let u = next(&mut incoming_ussd, "IncomingUssd (request)").await;
    let ud = u.args().expect("args").details().clone();
    assert_eq!(text_of(&ud, "type").as_deref(), Some("request"));
    assert_eq!(text_of(&ud, "text").as_deref(), Some("Reply 1 for more"));
    loop {
        let c = next(&mut states, "Ussd.State change").await;
        if c.get().await.expect("value") == 3 {
            break;
        }
    }
    assert_eq!(
        ussd.network_request().await.expect("NetworkRequest"),
        "Reply 1 for more"
    );
    assert_eq!(ussd.respond("1").await.expect("Respond"), "Thank you");
    assert_eq!(ussd.state().await.expect("State"), 1, "idle again");
    assert_eq!(ussd.network_request().await.expect("NetworkRequest"), "");

    // A request the network then withdraws: back to idle, no request left.
    sim(&d).trigger(EventKind::Ussd {
        text: "Reply 2 to confirm".into(),
        request: true,
    });
    loop {
        let c = next(&mut states, "Ussd.State change").await;
        if c.get().await.expect("value") == 3 {
            break;
        }
    }
    sim(&d).trigger(EventKind::UssdEnd);
    loop {
        let c = next(&mut states, "Ussd.State change").await;
        if c.get().await.expect("value") == 1 {
            break;
        }
    }
    assert_eq!(ussd.network_request().await.expect("NetworkRequest"), "");

    // Saved: a second daemon on the same state directory has the rules.
    let again = mbimd::messaging::ingest::Rules::open(Some(&state), None).expect("rules");
    assert_eq!(again.active().set.len(), 2);
    assert_eq!(again.active().source, "dbus");

    ops.clear_operator_rules()
        .await
        .expect("ClearOperatorRules");
    assert_eq!(ops.rule_count().await.expect("RuleCount"), 0);
    assert!(!state.join("operator-rules.xml").exists());
    drop(d);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rules_from_the_flag_recognise_the_operator_sms_and_other_sms_stay_public() {
    let dir = tempfile::tempdir().expect("temp dir");
    let rules = dir.path().join("rules.xml");
    std::fs::write(&rules, RULES).expect("write rules");
    // The operator SMS, then a plain one; late enough that the client below
    // subscribes before the first arrives.
    let scenario = dir.path().join("arrivals.toml");
    std::fs::write(
        &scenario,
        format!(
            "[[event]]\nat = 4\nkind = \"sms\"\npdu = \"{}\"\n\n\
             [[event]]\nat = 5\nkind = \"sms\"\npdu = \"{}\"\n",
            hex(&deliver("12345", OPERATOR_TEXT, 0)),
            hex(&deliver("+4915112345678", "See you at 8", 1)),
        ),
    )
    .expect("write scenario");
    let bus = PrivateBus::start();
    let _d = Daemon::start(
        &bus,
        &[
            "--sim",
            scenario.to_str().expect("utf-8"),
            "--operator-rules",
            rules.to_str().expect("utf-8"),
        ],
    )
    .await;
    let conn = bus.client().await;
    let ops: OperatorMessagesProxy = uncached(&conn, MODEM0).await;
    let messaging: MessagingProxy = uncached(&conn, MODEM0).await;
    let mut notifications = ops
        .receive_operator_notification()
        .await
        .expect("subscribe");
    let mut added = messaging.receive_added().await.expect("subscribe");
    assert_eq!(ops.rule_count().await.expect("RuleCount"), 2);
    assert_eq!(
        ops.rules_source().await.expect("RulesSource"),
        format!("file:{}", rules.display())
    );

    let n = next(&mut notifications, "OperatorNotification").await;
    let details = n.args().expect("args").details().clone();
    assert_eq!(
        u64::try_from(&details["usage-bytes"]).ok(),
        Some(1_500_000_000)
    );
    assert_eq!(text_of(&details, "text").as_deref(), Some(OPERATOR_TEXT));
    // The first Added is the plain SMS's.
    let a = next(&mut added, "Messaging.Added").await;
    let sms: SmsProxy = uncached(&conn, a.args().expect("args").path().as_str()).await;
    assert_eq!(sms.number().await.expect("Number"), "+4915112345678");
    assert_eq!(messaging.list().await.expect("List").len(), 1);
}

#[test]
fn a_broken_rules_file_stops_the_daemon_with_line_and_column() {
    let dir = tempfile::tempdir().expect("temp dir");
    let rules = dir.path().join("bad.xml");
    std::fs::write(&rules, BAD_RULES).expect("write");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_mbimd"))
        .args(["--address", "unix:path=/nonexistent/bus", "--sim"])
        .arg("--operator-rules")
        .arg(&rules)
        .output()
        .expect("run mbimd");
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(&format!("{}:4:5:", rules.display())),
        "names file, line and column: {err}"
    );
    assert!(err.contains("Pattern"), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_delivery_report_sets_the_delivery_state_of_the_sent_message() {
    let dir = tempfile::tempdir().expect("temp dir");
    let bus = PrivateBus::start();
    let d = in_process(&bus, &Scenario::builtin(), &dir.path().join("s"), true).await;
    let conn = bus.client().await;
    let messaging: MessagingProxy = uncached(&conn, MODEM0).await;
    let mut props = Dict::new();
    props.insert("number".into(), v("+4915112345678"));
    props.insert("text".into(), v("Are you there?"));
    props.insert("delivery-report-request".into(), v(true));
    let path = messaging.create(props).await.expect("Create");
    let sms: SmsProxy = uncached(&conn, path.as_str()).await;
    sms.send().await.expect("Send");
    let mr = sms.message_reference().await.expect("MessageReference");
    assert_eq!(
        sms.delivery_state().await.expect("DeliveryState"),
        dbus_interfaces::enums::SMS_DELIVERY_STATE_UNKNOWN
    );
    let sms_w: SmsProxy = watched(&conn, path.as_str()).await;
    let mut changes = sms_w.receive_delivery_state_changed().await;
    sim(&d).trigger(EventKind::Sms {
        pdu: status_report(u8::try_from(mr).expect("TP-MR is one octet"), 0x00),
    });
    loop {
        let c = next(&mut changes, "DeliveryState change").await;
        if c.get().await.expect("value") == 0x00 {
            break;
        }
    }
    assert_eq!(
        sms.discharge_timestamp().await.expect("DischargeTimestamp"),
        "2026-11-25T15:00:00+00:00"
    );
    drop(d);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stored_and_sent_messages_are_listed_again_after_a_restart() {
    let dir = tempfile::tempdir().expect("temp dir");
    let state = dir.path().join("s");
    let (stored_number, sent_number) = ("+4915100000001", "+4915100000002");
    {
        let bus = PrivateBus::start();
        let mut d = in_process(&bus, &Scenario::builtin(), &state, true).await;
        let conn = bus.client().await;
        let messaging: MessagingProxy = uncached(&conn, MODEM0).await;
        for (number, send) in [(stored_number, false), (sent_number, true)] {
            let mut props = Dict::new();
            props.insert("number".into(), v(number));
            props.insert("text".into(), v("draft"));
            let path = messaging.create(props).await.expect("Create");
            let sms: SmsProxy = uncached(&conn, path.as_str()).await;
            if send {
                sms.send().await.expect("Send");
            } else {
                // MM semantics: SM is refused for storing, UNKNOWN means
                // the default (MT), and storing twice in MT is fine.
                let (name, _) = err_of(sms.store(1).await.expect_err("SM"));
                assert!(name.ends_with("Core.Unsupported"), "{name}");
                sms.store(0).await.expect("Store");
                sms.store(3).await.expect("Store again");
                assert_eq!(sms.state().await.expect("State"), 1, "stored");
                assert_eq!(sms.storage().await.expect("Storage"), 3, "mt");
            }
        }
        let (_tx, rx) = tokio::sync::oneshot::channel::<()>();
        drop(_tx);
        d.run_until(async {
            let _ = rx.await;
        })
        .await;
    }
    let bus = PrivateBus::start();
    let d = in_process(&bus, &Scenario::builtin(), &state, true).await;
    let conn = bus.client().await;
    let messaging: MessagingProxy = uncached(&conn, MODEM0).await;
    let mut found = Vec::new();
    for p in messaging.list().await.expect("List") {
        let sms: SmsProxy = uncached(&conn, p.as_str()).await;
        found.push((
            sms.number().await.expect("Number"),
            sms.state().await.expect("State"),
            p,
        ));
    }
    found.sort_by(|a, b| (a.0.as_str(), a.1).cmp(&(b.0.as_str(), b.1)));
    assert_eq!(
        found
            .iter()
            .map(|(n, s, _)| (n.as_str(), *s))
            .collect::<Vec<_>>(),
        [(stored_number, 1), (sent_number, 5)],
        "stored and sent"
    );
    // The stored one can still be sent.
    let sms: SmsProxy = uncached(&conn, found[0].2.as_str()).await;
    sms.send().await.expect("Send the stored message");
    assert_eq!(sms.state().await.expect("State"), 5, "sent");
    assert_eq!(messaging.list().await.expect("List").len(), 2, "no copy");
    drop(d);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unprivileged_caller_cannot_load_operator_rules() {
    let dir = tempfile::tempdir().expect("temp dir");
    let bus = PrivateBus::start_open_to_all_users();
    let _d = in_process(&bus, &Scenario::builtin(), &dir.path().join("s"), false).await;
    let call = |uid: Option<u32>| {
        let mut c = std::process::Command::new("dbus-send");
        c.arg(format!("--bus={}", bus.address))
            .args([
                "--print-reply",
                "--dest=org.freedesktop.ModemManager1",
                MODEM0,
                "org.mbimd.Modem1.OperatorMessages.LoadOperatorRules",
            ])
            .arg(format!("string:{RULES}"));
        if let Some(u) = uid {
            use std::os::unix::process::CommandExt;
            c.uid(u).gid(u);
        }
        c.output().expect("run dbus-send")
    };
    let conn = bus.client().await;
    let ops: OperatorMessagesProxy = uncached(&conn, MODEM0).await;
    // `nobody` is refused; the rules stay as they were.
    let out = call(Some(65534));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "nobody must be refused");
    assert!(
        err.contains("org.freedesktop.ModemManager1.Error.Core.Unauthorized"),
        "{err}"
    );
    assert_eq!(ops.rule_count().await.expect("RuleCount"), 0);
    // The test runs as root (CI containers): root is allowed.
    if rustix::process::getuid().is_root() {
        let out = call(None);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert_eq!(ops.rule_count().await.expect("RuleCount"), 2);
    }
}

/// Lines of a child's stdout, read on a thread.
fn lines_of(child: &mut std::process::Child) -> tokio::sync::mpsc::UnboundedReceiver<String> {
    let out = child.stdout.take().expect("piped stdout");
    let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
    std::thread::spawn(move || {
        for line in std::io::BufReader::new(out).lines() {
            let Ok(line) = line else { break };
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    rx
}

async fn line_with(rx: &mut tokio::sync::mpsc::UnboundedReceiver<String>, needle: &str) -> String {
    loop {
        let line = tokio::time::timeout(WAIT, rx.recv())
            .await
            .unwrap_or_else(|_| panic!("no line with {needle:?} within {WAIT:?}"))
            .unwrap_or_else(|| panic!("output ended before a line with {needle:?}"));
        if line.contains(needle) {
            return line;
        }
    }
}

struct Killed(std::process::Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mbcli_watch_shows_operator_notifications_incoming_sms_and_ussd() {
    let dir = tempfile::tempdir().expect("temp dir");
    let bus = PrivateBus::start();
    let d = in_process(&bus, &Scenario::builtin(), &dir.path().join("s"), true).await;
    d.manager
        .operator_rules()
        .set_rules(
            mbimd::messaging::rules::RuleSet::from_xml(RULES, "rules").expect("rules"),
            "test",
        )
        .expect("set rules");
    let watch = |json: bool| {
        let mut c = std::process::Command::new(env!("CARGO_BIN_EXE_mbcli"));
        c.args(["watch", "--address", &bus.address]);
        if json {
            c.arg("--json");
        }
        Killed(
            c.stdout(std::process::Stdio::piped())
                .spawn()
                .expect("start mbcli watch"),
        )
    };
    let mut json = watch(true);
    let mut human = watch(false);
    let mut json_lines = lines_of(&mut json.0);
    let mut human_lines = lines_of(&mut human.0);
    // The starting point is printed once subscribed.
    line_with(&mut json_lines, "\"present\"").await;
    line_with(&mut human_lines, MODEM0).await;

    sim(&d).trigger(EventKind::Sms {
        pdu: deliver("12345", OPERATOR_TEXT, 0),
    });
    let line = line_with(&mut json_lines, "operator-notification").await;
    let j: serde_json::Value = serde_json::from_str(&line).expect("a JSON line");
    assert_eq!(j["path"], MODEM0);
    assert_eq!(j["details"]["usage-bytes"], 1_500_000_000u64);
    assert_eq!(j["details"]["rule-id"], "usage-sms");
    let h = line_with(&mut human_lines, "operator sms").await;
    assert!(h.contains("used 1.5 GB of 5 GB"), "{h}");

    sim(&d).trigger(EventKind::Sms {
        pdu: deliver("+4915112345678", "See you at 8", 1),
    });
    let line = line_with(&mut json_lines, "incoming-sms").await;
    let j: serde_json::Value = serde_json::from_str(&line).expect("a JSON line");
    assert_eq!(j["details"]["text"], "See you at 8");
    let h = line_with(&mut human_lines, "SMS from").await;
    assert!(h.contains("+4915112345678: See you at 8"), "{h}");

    sim(&d).trigger(EventKind::Ussd {
        text: "Your balance is 5 EUR".into(),
        request: false,
    });
    let line = line_with(&mut json_lines, "incoming-ussd").await;
    let j: serde_json::Value = serde_json::from_str(&line).expect("a JSON line");
    assert_eq!(j["details"]["type"], "notification");
    let h = line_with(&mut human_lines, "USSD notification").await;
    assert!(h.contains("Your balance is 5 EUR"), "{h}");
    drop(d);
}

fn mmcli(bus: &PrivateBus, args: &[&str]) -> String {
    let out = std::process::Command::new("mmcli")
        .args(args)
        .env("DBUS_SYSTEM_BUS_ADDRESS", &bus.address)
        .output()
        .expect("run mmcli");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(
        !stderr.contains("WARNING") && !stderr.contains("CRITICAL"),
        "mmcli {args:?} printed GLib warnings:\n{stderr}"
    );
    assert!(
        out.status.success(),
        "mmcli {args:?} failed: {stdout}\n{stderr}"
    );
    stdout
}

/// The value on the line of a human `mmcli` table whose label is `label`.
fn field<'a>(out: &'a str, label: &str) -> Option<&'a str> {
    out.lines().find_map(|l| {
        let (left, right) = l.split_once(": ")?;
        let name = left.rsplit('|').next()?.trim();
        (name == label).then(|| right.trim())
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mmcli_shows_a_network_ussd_notification_and_a_delivery_state() {
    if !mmcli_present() {
        return;
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let bus = PrivateBus::start();
    let d = in_process(&bus, &Scenario::builtin(), &dir.path().join("s"), true).await;
    let conn = bus.client().await;

    let created = mmcli(
        &bus,
        &[
            "-m",
            "0",
            "--messaging-create-sms=number=+4915112345678,text=hello,delivery-report-request=yes",
        ],
    );
    let path = created
        .split_whitespace()
        .find(|w| w.starts_with("/org/freedesktop/ModemManager1/SMS/"))
        .unwrap_or_else(|| panic!("no path in: {created}"))
        .to_string();
    mmcli(&bus, &["-s", &path, "--send"]);
    let sms: SmsProxy = uncached(&conn, &path).await;
    let mr = sms.message_reference().await.expect("MessageReference");
    let sms_w: SmsProxy = watched(&conn, &path).await;
    let mut changes = sms_w.receive_delivery_state_changed().await;
    sim(&d).trigger(EventKind::Sms {
        pdu: status_report(u8::try_from(mr).expect("one octet"), 0x00),
    });
    loop {
        let c = next(&mut changes, "DeliveryState change").await;
        if c.get().await.expect("value") == 0x00 {
            break;
        }
    }
    let shown = mmcli(&bus, &["-s", &path]);
    assert_eq!(field(&shown, "state"), Some("sent"), "{shown}");
    assert_eq!(
        field(&shown, "delivery state"),
        Some("completed-received"),
        "{shown}"
    );

    let ussd_w: UssdProxy = watched(&conn, MODEM0).await;
    let mut notes = ussd_w.receive_network_notification_changed().await;
    sim(&d).trigger(EventKind::Ussd {
        text: "Your balance is 5 EUR".into(),
        request: false,
    });
    loop {
        let c = next(&mut notes, "NetworkNotification change").await;
        if c.get().await.expect("value") == "Your balance is 5 EUR" {
            break;
        }
    }
    let st = mmcli(&bus, &["-m", "0", "--3gpp-ussd-status"]);
    assert_eq!(field(&st, "status"), Some("idle"), "{st}");
    assert_eq!(
        field(&st, "network notification"),
        Some("Your balance is 5 EUR"),
        "{st}"
    );
    drop(d);
}

#[test]
fn the_example_scenario_and_rules_file_go_together() {
    use mbimd::messaging::rules::{Bearer, RuleSet};
    use mbimd::messaging::store::PartBody;
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    let rules = RuleSet::load(&dir.join("operator-rules.xml")).expect("rules");
    let sc = Scenario::load(&dir.join("operator-messages.toml")).expect("scenario");
    let mut matched = Vec::new();
    for ev in &sc.timeline {
        match &ev.what {
            EventKind::Sms { pdu } => {
                let Some(PartBody::Deliver {
                    sender,
                    class,
                    text,
                    ..
                }) = mbimd::messaging::ingest::decode_part(pdu)
                else {
                    panic!("a DELIVER")
                };
                let bearer = Bearer::Sms {
                    sender: &sender,
                    class,
                };
                matched.push(rules.classify(&bearer, &text.expect("text")));
            }
            EventKind::Ussd { text, .. } => matched.push(rules.classify(&Bearer::Ussd, text)),
            _ => {}
        }
    }
    let ids: Vec<Option<String>> = matched
        .iter()
        .map(|m| m.as_ref().and_then(|m| m.rule_id.clone()))
        .collect();
    assert_eq!(
        ids,
        [
            Some("usage-sms".to_owned()),
            None,
            Some("roaming-ussd".to_owned()),
            None
        ]
    );
    let usage = matched[0].as_ref().expect("usage").values.clone();
    assert_eq!(usage.usage_bytes, Some(1_500_000_000));
    assert_eq!(usage.data_limit_bytes, Some(5_000_000_000));
    assert_eq!(usage.expiry.as_deref(), Some("2026-12-31"));
    let roaming = matched[2].as_ref().expect("roaming").values.clone();
    assert_eq!(roaming.roaming, Some(true));
    assert_eq!(roaming.usage_bytes, Some(200_000_000));
}
