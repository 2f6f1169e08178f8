//! The D-Bus API asserted with a zbus client on a private bus: the
//! NetworkManager connect flow (modemmanager-api.md §7.1: Simple.Connect,
//! then the bearer's Interface/Ip4Config/Ip6Config, every StateChanged
//! preceded by the PropertiesChanged carrying the same State value), MM's
//! error names for bad arguments, a modem unplugged during a call, and
//! objects vanishing with InterfacesRemoved.

mod bus;

use bus::{Daemon, PrivateBus};
use dbus_interfaces::proxies::*;
use dbus_interfaces::{Dict, MANAGER_PATH};
use futures_util::StreamExt;
use mbimd::sim::Scenario;
use std::collections::HashMap;
use std::time::Duration;
use zbus::{MatchRule, MessageStream, OwnedVariant};

const MODEM0: &str = "/org/freedesktop/ModemManager1/Modem/0";

fn v<'a, T: Into<zbus::Variant<'a>>>(x: T) -> OwnedVariant {
    x.into().try_into_owned().expect("owned")
}

fn dict(items: Vec<(&str, OwnedVariant)>) -> Dict {
    items.into_iter().map(|(k, v)| (k.to_string(), v)).collect()
}

fn err_name(e: zbus::Error) -> String {
    match e {
        zbus::Error::MethodError(name, _, _) => name.to_string(),
        other => format!("not a method error: {other}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn networkmanager_connect_flow_orders_properties_before_state_changes() {
    let sc = Scenario::builtin();
    let bus = PrivateBus::start();
    let _d = Daemon::start(&bus, &["--sim"]).await;
    let conn = bus.client().await;
    let rule = MatchRule::builder()
        .msg_type(zbus::message::Type::Signal)
        .path_namespace("/org/freedesktop/ModemManager1")
        .build()
        .expect("rule");
    let mut stream = MessageStream::for_match_rule(rule, &conn, std::num::NonZeroUsize::new(256))
        .await
        .expect("match");

    let modem = ModemProxy::builder(&conn)
        .path(MODEM0)
        .cache_properties(zbus::proxy::CacheProperties::No)
        .build()
        .await
        .expect("proxy");
    assert_eq!(modem.state().await.expect("state"), 8, "starts registered");
    assert!(
        !modem.primary_port().await.expect("port").is_empty(),
        "NM needs PrimaryPort"
    );

    let simple = SimpleProxy::builder(&conn)
        .path(MODEM0)
        .build()
        .await
        .expect("proxy");
    // What NetworkManager sends (nm-modem-broadband.c), with libmm-glib's profile-id.
    let bearer = simple
        .connect(dict(vec![
            ("apn", v(sc.apns[0].name.as_str())),
            ("ip-type", v(4u32)),
            ("allow-roaming", v(true)),
            ("profile-id", v(-1i32)),
        ]))
        .await
        .expect("Simple.Connect");

    let b = BearerProxy::builder(&conn)
        .path(&bearer)
        .build()
        .await
        .expect("proxy");
    assert!(b.connected().await.expect("connected"));
    assert!(!b.interface().await.expect("iface").is_empty());
    let ip4 = b.ip4_config().await.expect("ip4");
    assert_eq!(u32::try_from(&ip4["method"]).ok(), Some(2), "STATIC");
    let want = sc.apns[0].ipv4.expect("v4").address.to_string();
    assert_eq!(String::try_from(ip4["address"].clone()).ok(), Some(want));
    let ip6 = b.ip6_config().await.expect("ip6");
    assert!(ip6.contains_key("method"));
    assert_eq!(b.ip_timeout().await.expect("timeout"), 20);

    // Same settings again: the same bearer, no new one (idempotent).
    let again = simple
        .connect(dict(vec![
            ("apn", v(sc.apns[0].name.as_str())),
            ("ip-type", v(4u32)),
            ("allow-roaming", v(true)),
            ("profile-id", v(-1i32)),
        ]))
        .await
        .expect("second connect");
    assert_eq!(again, bearer);

    simple
        .disconnect(&zbus::ObjectPath::try_from("/").expect("root"))
        .await
        .expect("disconnect all");

    // Replay the signals: each StateChanged must follow a PropertiesChanged
    // that already carried the new State.
    let mut published: Option<i32> = None;
    let mut ladder = Vec::new();
    let collect = async {
        while let Some(Ok(msg)) = stream.next().await {
            let h = msg.header();
            let member = h.member().map(|m| m.to_string()).unwrap_or_default();
            if h.path().map(|p| p.as_str()) != Some(MODEM0) {
                continue;
            }
            if member == "PropertiesChanged" {
                let (iface, changed, _): (String, HashMap<String, OwnedVariant>, Vec<String>) =
                    msg.body().deserialize().expect("body");
                if iface == "org.freedesktop.ModemManager1.Modem"
                    && let Some(s) = changed.get("State")
                {
                    published = Some(i32::try_from(s).expect("State is i"));
                }
            } else if member == "StateChanged" {
                let (old, new, _reason): (i32, i32, u32) = msg.body().deserialize().expect("iiu");
                assert_eq!(
                    published,
                    Some(new),
                    "PropertiesChanged(State={new}) must come first"
                );
                ladder.push((old, new));
                if (old, new) == (9, 8) {
                    break;
                }
            }
        }
    };
    tokio::time::timeout(Duration::from_secs(10), collect)
        .await
        .expect("state signals arrive");
    assert_eq!(
        ladder,
        vec![(8, 10), (10, 11), (11, 9), (9, 8)],
        "MM's ladder"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_arguments_get_modemmanager_error_names() {
    let bus = PrivateBus::start();
    let _d = Daemon::start(&bus, &["--sim"]).await;
    let conn = bus.client().await;
    let p = |x: &str| x.to_string();
    let modem = ModemProxy::builder(&conn)
        .path(MODEM0)
        .cache_properties(zbus::proxy::CacheProperties::No)
        .build()
        .await
        .expect("proxy");
    let simple = SimpleProxy::builder(&conn)
        .path(MODEM0)
        .build()
        .await
        .expect("proxy");
    let g3 = Modem3gppProxy::builder(&conn)
        .path(MODEM0)
        .build()
        .await
        .expect("proxy");
    let ussd = UssdProxy::builder(&conn)
        .path(MODEM0)
        .build()
        .await
        .expect("proxy");
    let msg = MessagingProxy::builder(&conn)
        .path(MODEM0)
        .build()
        .await
        .expect("proxy");
    let sig = SignalProxy::builder(&conn)
        .path(MODEM0)
        .build()
        .await
        .expect("proxy");
    let sim_path = modem.sim().await.expect("sim");
    let sim = SimProxy::builder(&conn)
        .path(&sim_path)
        .build()
        .await
        .expect("proxy");
    let mgr = ManagerProxy::new(&conn).await.expect("manager");
    let invalid = p("org.freedesktop.ModemManager1.Error.Core.InvalidArgs");

    let e = simple
        .connect(dict(vec![("bogus", v(1u32))]))
        .await
        .unwrap_err();
    assert_eq!(err_name(e), invalid);
    let e = simple
        .connect(dict(vec![("apn", v(7u32))]))
        .await
        .unwrap_err();
    assert_eq!(err_name(e), invalid);
    let e = simple
        .connect(dict(vec![("apn", v("internet")), ("operator-id", v("12"))]))
        .await
        .unwrap_err();
    assert_eq!(err_name(e), invalid);
    let e = modem
        .create_bearer(dict(vec![("pin", v("1234"))]))
        .await
        .unwrap_err();
    assert_eq!(err_name(e), invalid, "pin is Simple.Connect-only");
    let e = modem.set_power_state(9).await.unwrap_err();
    assert_eq!(err_name(e), invalid);
    let e = modem
        .delete_bearer(
            &zbus::ObjectPath::try_from("/org/freedesktop/ModemManager1/Bearer/99").expect("p"),
        )
        .await
        .unwrap_err();
    assert_eq!(
        err_name(e),
        p("org.freedesktop.ModemManager1.Error.Core.NotFound")
    );
    let e = g3.register("12a").await.unwrap_err();
    assert_eq!(err_name(e), invalid);
    let e = sim.send_pin("12").await.unwrap_err();
    assert_eq!(err_name(e), invalid);
    let e = sim.send_pin("1234").await.unwrap_err();
    assert_eq!(
        err_name(e),
        p("org.freedesktop.ModemManager1.Error.Core.WrongState"),
        "not locked"
    );
    let e = ussd.initiate("").await.unwrap_err();
    assert_eq!(err_name(e), invalid);
    let e = msg.create(dict(vec![("text", v("hi"))])).await.unwrap_err();
    assert_eq!(err_name(e), invalid, "number is mandatory");
    let e = mgr.set_logging("LOUD").await.unwrap_err();
    assert_eq!(err_name(e), invalid);
    let e = mgr.inhibit_device("", true).await.unwrap_err();
    assert_eq!(err_name(e), invalid);
    let e = mgr
        .report_kernel_event(dict(vec![("action", v("explode"))]))
        .await
        .unwrap_err();
    assert_eq!(err_name(e), invalid);
    sig.setup(5).await.expect("Signal.Setup");
    assert_eq!(sig.rate().await.expect("rate"), 5);
    assert_eq!(
        mgr.version().await.expect("version"),
        env!("CARGO_PKG_VERSION")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unplug_during_a_call_fails_the_call_and_removes_the_objects() {
    use mbimd::sim::fault::{Fault, FaultRule};
    let bus = PrivateBus::start();
    let server = mbimd::daemon::connect(&mbimd::daemon::Bus::Address(bus.address.clone()))
        .await
        .expect("connect");
    let policy = mbimd::dbus::Policy {
        allowed_uids: vec![],
        allow_all: true,
        ..Default::default()
    };
    let mut daemon = mbimd::daemon::Daemon::serve(server, policy)
        .await
        .expect("serve");
    daemon.add_sims(&Scenario::builtin(), 1);
    daemon.settle(Duration::from_secs(30)).await;
    daemon
        .own_name(dbus_interfaces::BUS_NAME)
        .await
        .expect("name");
    // The modem disappears on the next CONNECT command it receives.
    daemon
        .manager
        .sim("sim0")
        .expect("sim")
        .inject(FaultRule::on_command(
            Fault::Unplug,
            Some("basic-connect"),
            Some(12),
        ));
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let run = tokio::spawn(async move {
        daemon
            .run_until(async {
                let _ = stop_rx.await;
            })
            .await;
    });

    let conn = bus.client().await;
    let om = zbus::fdo::ObjectManagerProxy::builder(&conn)
        .destination(dbus_interfaces::BUS_NAME)
        .path(MANAGER_PATH)
        .build()
        .await
        .expect("om");
    let objects = om.get_managed_objects().await.expect("objects");
    let keys: Vec<String> = objects.keys().map(|k| k.to_string()).collect();
    assert_eq!(
        keys,
        vec![MODEM0.to_string()],
        "only modem objects, no phantom nodes"
    );
    let mut removed = om.receive_interfaces_removed().await.expect("signal");

    let simple = SimpleProxy::builder(&conn)
        .path(MODEM0)
        .build()
        .await
        .expect("proxy");
    let r = tokio::time::timeout(
        Duration::from_secs(30),
        simple.connect(dict(vec![("apn", v("internet"))])),
    )
    .await
    .expect("an error, not a hang");
    let e = r.expect_err("the modem went away");
    assert!(
        err_name(e).starts_with("org.freedesktop.ModemManager1.Error."),
        "a ModemManager error name"
    );
    let sig = tokio::time::timeout(Duration::from_secs(10), removed.next())
        .await
        .expect("InterfacesRemoved")
        .expect("signal");
    let args = sig.args().expect("args");
    assert_eq!(args.object_path().as_str(), MODEM0);
    assert!(
        args.interfaces()
            .iter()
            .any(|i| i.as_str() == "org.freedesktop.ModemManager1.Modem")
    );
    assert!(om.get_managed_objects().await.expect("objects").is_empty());
    let _ = stop_tx.send(());
    run.await.expect("daemon loop");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_arriving_sms_is_announced_with_added_and_published_as_a_received_sms() {
    const DELIVER: &str =
        "07911326040000F0040B911346610089F60000208062917314080CC8F71D14969741F977FD07";
    let dir = tempfile::tempdir().expect("temp dir");
    let scenario = dir.path().join("arrival.toml");
    // Late enough that the client below subscribes before it arrives.
    std::fs::write(
        &scenario,
        format!("[[event]]\nat = 3\nkind = \"sms\"\npdu = \"{DELIVER}\"\n"),
    )
    .expect("write scenario");
    let bus = PrivateBus::start();
    let _d = Daemon::start(&bus, &["--sim", scenario.to_str().expect("utf-8")]).await;
    let conn = bus.client().await;
    let msg = MessagingProxy::builder(&conn)
        .path(MODEM0)
        .build()
        .await
        .expect("proxy");
    let mut added = msg.receive_added().await.expect("subscribe");
    assert!(msg.list().await.expect("List").is_empty());

    let sig = tokio::time::timeout(Duration::from_secs(30), added.next())
        .await
        .expect("Added within 30 s")
        .expect("signal stream");
    let args = sig.args().expect("Added args");
    assert!(args.received, "an arriving SMS is announced as received");
    let path = args.path.clone();
    assert_eq!(msg.list().await.expect("List"), vec![path.clone()]);

    let sms = SmsProxy::builder(&conn)
        .path(&path)
        .cache_properties(zbus::proxy::CacheProperties::No)
        .build()
        .await
        .expect("proxy");
    let Some(mbimd::messaging::store::PartBody::Deliver { sender, text, .. }) =
        mbimd::messaging::ingest::decode_part(
            &(0..DELIVER.len())
                .step_by(2)
                .map(|i| u8::from_str_radix(&DELIVER[i..i + 2], 16).expect("hex"))
                .collect::<Vec<_>>(),
        )
    else {
        panic!("a DELIVER PDU");
    };
    assert_eq!(sms.number().await.expect("Number"), sender);
    assert_eq!(sms.text().await.expect("Text"), text.expect("text"));
    assert_eq!(
        sms.state().await.expect("State"),
        dbus_interfaces::enums::SmsState::Received.value()
    );

    msg.delete(&path).await.expect("Delete");
    assert!(msg.list().await.expect("List").is_empty());
    assert!(sms.state().await.is_err(), "the object is gone");
}
