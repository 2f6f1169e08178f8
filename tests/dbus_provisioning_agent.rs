//! The Provisioning Agent connected end to end on a private bus and the
//! simulator: a cold SIM becomes hot after `ProvisionFromXml` of a document
//! with a ServiceActivation action and then connects (the `mbimd` binary);
//! a document's operator-message rules classify the next operator SMS, whose
//! `RefreshProvisioning` fetches the `RefreshURL` from a local HTTPS server
//! and the refreshed plans show on D-Bus; signed documents from an
//! unprivileged caller are accepted only when their certificate chains to
//! the configured anchor and is associated (by an earlier document or by the
//! SIM's service metadata), tampered ones are refused from
//! everyone with the store unchanged, unsigned ones from `nobody` are refused
//! (the daemon in-process, so the anchor, clock and HTTPS CA are set
//! directly); `mbcli provision validate` checks signatures offline.
//! Waiting is by signal with generous timeouts.

mod bus;

use bus::{Daemon, PrivateBus};
use dbus_interfaces::Dict;
use dbus_interfaces::names::{IFACE_MBIMD_OPERATOR_MESSAGES, IFACE_MBIMD_PROVISIONING};
use futures_util::StreamExt;
use mbimd::messaging::{
    Address, DataCodingScheme, Deliver, Message, Timestamp, Tpdu, UserData, UserDataBody,
};
use mbimd::provisioning::agent::AgentConfig;
use mbimd::provisioning::refresh::{FetchConfig, TrustAnchors};
use mbimd::provisioning::signature::TrustAnchor;
use mbimd::provisioning::store::{ProvisioningStore, SimKey};
use mbimd::sim::scenario::{EventKind, Scenario};
use std::collections::HashMap;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, SystemTime};
use zbus::OwnedVariant;

const MODEM0: &str = "/org/freedesktop/ModemManager1/Modem/0";
const WAIT: Duration = Duration::from_secs(60);
const CARRIER: &str = "{11111111-2222-3333-4444-555555555555}";
const FIXTURES: &str = "tests/provisioning/fixtures/signature";

fn s(d: &Dict, k: &str) -> String {
    d.get(k)
        .and_then(|v| String::try_from(v.clone()).ok())
        .unwrap_or_default()
}

async fn proxy(conn: &zbus::Connection, iface: &'static str) -> zbus::Proxy<'static> {
    zbus::proxy::Builder::<zbus::Proxy<'_>>::new(conn)
        .destination(dbus_interfaces::BUS_NAME)
        .path(MODEM0)
        .interface(iface)
        .cache_properties(zbus::proxy::CacheProperties::No)
        .build()
        .await
        .expect("proxy")
}

async fn next_signal(
    s: &mut (impl futures_util::Stream<Item = zbus::Message> + Unpin),
    what: &str,
) -> zbus::Message {
    tokio::time::timeout(WAIT, s.next())
        .await
        .unwrap_or_else(|_| panic!("no {what} within {WAIT:?}"))
        .unwrap_or_else(|| panic!("{what} stream ended"))
}

async fn plans(p: &zbus::Proxy<'_>) -> Vec<String> {
    let v: OwnedVariant = p.get_property("Plans").await.expect("Plans");
    Vec::<HashMap<String, OwnedVariant>>::try_from(v)
        .expect("aa{sv}")
        .iter()
        .map(|d| s(d, "name"))
        .collect()
}

// --- (a) a cold SIM becomes hot ------------------------------------------------

fn activation_document(imsi: &str) -> String {
    format!(
        r#"<?xml version="1.0" encoding="utf-8"?>
<CarrierProvisioning xmlns="http://www.microsoft.com/networking/CarrierControl/v1">
  <Global>
    <CarrierId>{CARRIER}</CarrierId>
    <SubscriberId>{imsi}</SubscriberId>
  </Global>
  <Activation>
    <ServiceActivation xmlns="http://www.microsoft.com/networking/CarrierControl/WWAN/v1">
      <CarrierSpecificData>QUNUSVZBVEUtMDA0Mg==</CarrierSpecificData>
    </ServiceActivation>
  </Activation>
  <MBNProfiles>
    <DefaultProfile xmlns="http://www.microsoft.com/networking/CarrierControl/WWAN/v1">
      <Name>Cold Internet</Name>
      <Context>
        <AccessString>internet</AccessString>
      </Context>
    </DefaultProfile>
  </MBNProfiles>
</CarrierProvisioning>
"#
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cold_sim_becomes_hot_after_a_document_with_service_activation() {
    let dir = tempfile::tempdir().expect("tempdir");
    let scenario = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/cold-sim.toml");
    let mbpi = dir.path().join("serviceproviders.xml");
    std::fs::write(
        &mbpi,
        "<?xml version=\"1.0\"?>\n<serviceproviders format=\"2.0\">\n <country code=\"xx\">\n  <provider>\n   <name>Test Network</name>\n   <gsm>\n    <network-id mcc=\"001\" mnc=\"01\"/>\n    <apn value=\"internet\"><usage type=\"internet\"/></apn>\n   </gsm>\n  </provider>\n </country>\n</serviceproviders>\n",
    )
    .expect("write mbpi");
    let state = dir.path().join("state");
    let bus = PrivateBus::start();
    let _d = Daemon::start(
        &bus,
        &[
            "--sim",
            scenario.to_str().expect("path"),
            "--state-dir",
            state.to_str().expect("path"),
            "--apn-import",
            mbpi.to_str().expect("path"),
            // The flags parse (the document here is unsigned).
            "--trust-anchors",
            anchor_file().to_str().expect("path"),
            "--refresh-trust-anchors",
            anchor_file().to_str().expect("path"),
        ],
    )
    .await;
    let conn = bus.client().await;
    let simple = dbus_interfaces::proxies::SimpleProxy::builder(&conn)
        .path(MODEM0)
        .build()
        .await
        .expect("simple");
    simple
        .connect(Dict::new())
        .await
        .expect_err("a cold SIM cannot connect before activation");

    let p = proxy(&conn, IFACE_MBIMD_PROVISIONING).await;
    let mut finished = p
        .receive_signal("ActivationFinished")
        .await
        .expect("subscribe");
    let imsi = Scenario::load(&scenario).expect("scenario").sim.imsi;
    let result: String = p
        .call("ProvisionFromXml", &(activation_document(&imsi),))
        .await
        .expect("apply");
    // The answer does not wait for the action; the result says it was taken.
    assert!(
        result.contains("<Activation errorCode=\"00000000\"/>"),
        "{result}"
    );
    let sig = next_signal(&mut finished, "ActivationFinished").await;
    let (d,): (Dict,) = sig.body().deserialize().expect("a{sv}");
    assert_eq!(s(&d, "method"), "service-activation");
    assert_eq!(bool::try_from(&d["succeeded"]).ok(), Some(true), "{d:?}");
    assert_eq!(u32::try_from(&d["error-code"]).ok(), Some(0));

    let bearer = simple
        .connect(Dict::new())
        .await
        .expect("Simple.Connect after activation");
    let b = dbus_interfaces::proxies::BearerProxy::builder(&conn)
        .path(bearer)
        .cache_properties(zbus::proxy::CacheProperties::No)
        .build()
        .await
        .expect("bearer");
    assert!(b.connected().await.expect("Connected"));
    let c = proxy(&conn, dbus_interfaces::names::IFACE_MBIMD_CONNECTION).await;
    let limited: bool = c.get_property("Limited").await.expect("Limited");
    assert!(!limited, "a hot SIM has internet");

    let store = ProvisioningStore::open(state.join("provisioning.sqlite"))
        .await
        .expect("store");
    let sim = SimKey {
        imsi: Some(imsi),
        iccid: None,
    };
    assert_eq!(
        store.activation_state(&sim).await.expect("state"),
        Some(("succeeded".to_string(), Some(0)))
    );
}

// --- in-process daemon ------------------------------------------------------

async fn in_process(
    bus: &PrivateBus,
    state: &Path,
    allow_all: bool,
    agent: AgentConfig,
    metadata: Option<&Path>,
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
    d.manager.set_sms_store(
        mbimd::messaging::store::SmsStore::open(&state.join("sms.db"))
            .await
            .expect("sms store"),
    );
    d.manager.set_operator_rules(
        mbimd::messaging::ingest::Rules::open(Some(state), None).expect("rules"),
    );
    d.manager.set_provisioning_store(
        ProvisioningStore::open(state.join("provisioning.sqlite"))
            .await
            .expect("provisioning store"),
    );
    d.manager.set_provisioning_config(agent);
    if let Some(pkg) = metadata {
        let store = mbimd::provisioning::metadata::MetadataStore::open(
            state,
            mbimd::provisioning::metadata::MatchConfig::default(),
        )
        .expect("metadata store");
        store.install(pkg).expect("install service metadata");
        d.manager.set_metadata_store(Arc::new(store));
    }
    d.add_sims(&Scenario::builtin(), 1);
    d.settle(WAIT).await;
    d.own_name(dbus_interfaces::BUS_NAME).await.expect("name");
    d
}

// --- (b) + (c) message rules and refresh ---------------------------------------

fn deliver(sender: &str, text: &str) -> Vec<u8> {
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
                second: 0,
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

fn plan_document(imsi: &str, plan: &str, rules_and_refresh: Option<&str>) -> String {
    let (messages, provisioning) = match rules_and_refresh {
        Some(url) => (
            r#"  <MBNProfiles>
    <Messages xmlns="http://www.microsoft.com/networking/CarrierControl/WWAN/v1">
      <Message RuleId="refresh" Silent="true">
        <SMSBearer Sender="12345" ClassZeroOnly="false"/>
        <Pattern>EXAMPLE-CONFIG (UPDATE)</Pattern>
        <Fields>
          <RefreshProvisioning Group="1" TrueToken="UPDATE"/>
        </Fields>
      </Message>
    </Messages>
  </MBNProfiles>
"#
            .to_string(),
            format!(
                "  <Provisioning>\n    <RefreshParameters>\n      <RefreshURL>{url}</RefreshURL>\n    </RefreshParameters>\n  </Provisioning>\n"
            ),
        ),
        None => (String::new(), String::new()),
    };
    format!(
        r#"<?xml version="1.0" encoding="utf-8"?>
<CarrierProvisioning xmlns="http://www.microsoft.com/networking/CarrierControl/v1">
  <Global>
    <CarrierId>{CARRIER}</CarrierId>
    <SubscriberId>{imsi}</SubscriberId>
  </Global>
{messages}  <Plans>
    <Plan xmlns="http://www.microsoft.com/networking/CarrierControl/Plans/v1" Name="{plan}">
      <Description PlanType="Fixed">
        <DataLimitInMegabytes>10240</DataLimitInMegabytes>
      </Description>
    </Plan>
  </Plans>
{provisioning}</CarrierProvisioning>
"#
    )
}

/// A test CA and an HTTPS server on loopback answering every request with
/// `body` (one thread per connection, until the test ends).
fn https_server(body: String) -> (String, String) {
    use rcgen::{
        BasicConstraints, CertificateParams, CertifiedIssuer, DnType, ExtendedKeyUsagePurpose,
        IsCa, KeyPair, KeyUsagePurpose,
    };
    use rustls::pki_types::{PrivateKeyDer, PrivatePkcs8KeyDer};
    let mut ca = CertificateParams::new(Vec::<String>::new()).expect("CA params");
    ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca.distinguished_name
        .push(DnType::CommonName, "mbimd agent test CA");
    ca.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::CrlSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    let ca = CertifiedIssuer::self_signed(ca, KeyPair::generate().expect("CA key")).expect("CA");
    let key = KeyPair::generate().expect("server key");
    let mut leaf = CertificateParams::new(vec!["127.0.0.1".to_string()]).expect("params");
    leaf.distinguished_name
        .push(DnType::CommonName, "127.0.0.1");
    leaf.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    let cert = leaf.signed_by(&key, &ca).expect("server certificate");
    let config = Arc::new(
        rustls::ServerConfig::builder_with_provider(Arc::new(
            rustls::crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .expect("versions")
        .with_no_client_auth()
        .with_single_cert(
            vec![cert.der().clone()],
            PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der())),
        )
        .expect("server config"),
    );
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let url = format!(
        "https://127.0.0.1:{}/refresh.xml",
        listener.local_addr().expect("addr").port()
    );
    std::thread::spawn(move || {
        for tcp in listener.incoming() {
            let Ok(tcp) = tcp else { return };
            let config = config.clone();
            let body = body.clone();
            std::thread::spawn(move || {
                let _ = tcp.set_read_timeout(Some(Duration::from_secs(10)));
                let Ok(conn) = rustls::ServerConnection::new(config) else {
                    return;
                };
                let mut tls = rustls::StreamOwned::new(conn, tcp);
                let mut head = Vec::new();
                let mut byte = [0u8; 1];
                while !head.ends_with(b"\r\n\r\n") && head.len() < 16 * 1024 {
                    match tls.read(&mut byte) {
                        Ok(1) => head.push(byte[0]),
                        _ => return,
                    }
                }
                let response = format!(
                    "HTTP/1.1 200 OK\r\nContent-Type: application/xml\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                    body.len()
                );
                let _ = tls.write_all(response.as_bytes());
                tls.conn.send_close_notify();
                let _ = tls.flush();
            });
        }
    });
    (url, ca.pem())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn document_rules_classify_operator_sms_whose_refresh_updates_the_plans() {
    let dir = tempfile::tempdir().expect("tempdir");
    let state = dir.path().join("state");
    let imsi = Scenario::builtin().sim.imsi;
    let (url, ca_pem) = https_server(plan_document(&imsi, "Refreshed10GB", None));
    let agent = AgentConfig {
        fetch: FetchConfig {
            trust: TrustAnchors::Pem(ca_pem.into_bytes()),
            proxy_from_env: false,
            ..FetchConfig::default()
        },
        ..AgentConfig::default()
    };
    let bus = PrivateBus::start();
    let d = in_process(&bus, &state, true, agent, None).await;
    let conn = bus.client().await;
    let p = proxy(&conn, IFACE_MBIMD_PROVISIONING).await;
    let ops = proxy(&conn, IFACE_MBIMD_OPERATOR_MESSAGES).await;
    let mut changed = p
        .receive_signal("ProvisioningChanged")
        .await
        .expect("subscribe");
    let mut notifications = ops
        .receive_signal("OperatorNotification")
        .await
        .expect("subscribe");

    let _: String = p
        .call(
            "ProvisionFromXml",
            &(plan_document(&imsi, "Data5GB", Some(&url)),),
        )
        .await
        .expect("apply");
    next_signal(&mut changed, "ProvisioningChanged").await;
    assert_eq!(plans(&p).await, ["Data5GB"]);
    // The document's rules are the daemon's live rules now.
    let source: String = ops.get_property("RulesSource").await.expect("RulesSource");
    assert_eq!(source, format!("provisioning:{CARRIER}"));

    // (b) the next operator SMS is classified by the document's rule ...
    d.manager
        .sim("sim0")
        .expect("simulated modem")
        .trigger(EventKind::Sms {
            pdu: deliver("12345", "EXAMPLE-CONFIG UPDATE"),
        });
    let n = next_signal(&mut notifications, "OperatorNotification").await;
    let (details,): (Dict,) = n.body().deserialize().expect("a{sv}");
    assert_eq!(s(&details, "rule-id"), "refresh");
    assert_eq!(
        bool::try_from(&details["refresh-provisioning"]).ok(),
        Some(true)
    );

    // (c) ... and its RefreshProvisioning fetches the RefreshURL, whose
    // document is applied: the new plan is published.
    next_signal(&mut changed, "ProvisioningChanged after the refresh").await;
    let names = plans(&p).await;
    assert!(names.contains(&"Refreshed10GB".to_string()), "{names:?}");
    let store = ProvisioningStore::open(state.join("provisioning.sqlite"))
        .await
        .expect("store");
    let row = store
        .refresh_settings(&SimKey {
            imsi: Some(imsi),
            iccid: None,
        })
        .await
        .expect("read")
        .expect("refresh settings");
    assert_eq!(row.refresh_url, url);
    assert!(row.last_refresh_ms.is_some(), "the refresh time is stored");
    drop(d);
}

// --- (d) signed documents through D-Bus ----------------------------------------

fn anchor_file() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join(FIXTURES)
        .join("trust-anchor.pem")
}

fn fixture(name: &str) -> String {
    let p: PathBuf = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join(FIXTURES)
        .join(name);
    std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// The fixtures' verification instant (their VERIFY_TIME: 2030-06-01).
fn fixtures_time() -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::from_secs(1_906_502_400)
}

/// `ProvisionFromXml` with dbus-send, as uid `uid` (None: as ourselves).
fn call_as(bus: &PrivateBus, uid: Option<u32>, xml: &str) -> std::process::Output {
    let mut c = std::process::Command::new("dbus-send");
    c.arg(format!("--bus={}", bus.address))
        .args([
            "--print-reply",
            "--dest=org.freedesktop.ModemManager1",
            MODEM0,
            "org.mbimd.Modem1.Provisioning.ProvisionFromXml",
        ])
        .arg(format!("string:{xml}"));
    if let Some(u) = uid {
        use std::os::unix::process::CommandExt;
        c.uid(u).gid(u);
    }
    c.output().expect("run dbus-send")
}

async fn fingerprint(state: &Path) -> Vec<String> {
    ProvisioningStore::open(state.join("provisioning.sqlite"))
        .await
        .expect("store")
        .fingerprint()
        .await
        .expect("fingerprint")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn signed_documents_are_trusted_by_anchor_and_association_not_by_caller() {
    if !rustix::process::getuid().is_root() {
        eprintln!("NOTICE: calling as another uid needs root; skipped");
        return;
    }
    const NOBODY: Option<u32> = Some(65534);
    let dir = tempfile::tempdir().expect("tempdir");
    let state = dir.path().join("state");
    let anchors = TrustAnchor::load(&anchor_file()).expect("anchor");
    let agent = AgentConfig {
        anchors,
        clock: fixtures_time,
        ..AgentConfig::default()
    };
    let bus = PrivateBus::start_open_to_all_users();
    let _d = in_process(&bus, &state, false, agent, None).await;
    let refused = |out: &std::process::Output, what: &str| {
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{what} must be refused");
        assert!(
            err.contains("org.freedesktop.ModemManager1.Error.Core.Unauthorized"),
            "{what}: {err}"
        );
        err.to_string()
    };

    // Unsigned from nobody: refused, nothing stored.
    let empty = fingerprint(&state).await;
    let err = refused(&call_as(&bus, NOBODY, &fixture("unsigned.xml")), "unsigned");
    assert!(err.contains("privileged"), "{err}");
    assert_eq!(fingerprint(&state).await, empty);

    // A valid signature whose certificate no metadata or earlier document
    // names: refused from nobody.
    let err = refused(
        &call_as(&bus, NOBODY, &fixture("valid-rsa-sha256-c14n.xml")),
        "unassociated",
    );
    assert!(err.contains("not associated"), "{err}");
    assert_eq!(fingerprint(&state).await, empty);

    // The operator's (privileged) app names the signer in an unsigned
    // document; from then on the signed document is accepted from nobody.
    let out = call_as(&bus, None, &fixture("unsigned.xml"));
    assert!(out.status.success(), "{out:?}");
    let out = call_as(&bus, NOBODY, &fixture("valid-rsa-sha256-c14n.xml"));
    assert!(out.status.success(), "{out:?}");
    let answer = String::from_utf8_lossy(&out.stdout);
    assert!(
        answer.contains("CN=provisioning.example.net"),
        "the result names the signer: {answer}"
    );

    // Tampered content: refused from nobody and from root, store unchanged.
    let before = fingerprint(&state).await;
    let tampered = fixture("tampered-content.xml");
    let err = refused(&call_as(&bus, NOBODY, &tampered), "tampered (nobody)");
    assert!(err.contains("digest mismatch"), "{err}");
    refused(&call_as(&bus, None, &tampered), "tampered (root)");
    assert_eq!(fingerprint(&state).await, before);

    // A certificate of another CA: refused from nobody.
    refused(
        &call_as(&bus, NOBODY, &fixture("wrong-certificate.xml")),
        "wrong certificate",
    );
    assert_eq!(fingerprint(&state).await, before);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_signer_named_by_the_sims_service_metadata_is_associated() {
    if !rustix::process::getuid().is_root() {
        eprintln!("NOTICE: calling as another uid needs root; skipped");
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let state = dir.path().join("state");
    let package = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/service-metadata/7c9e6679-7425-40de-944b-e07fc1f90ae7");
    let agent = AgentConfig {
        anchors: TrustAnchor::load(&anchor_file()).expect("anchor"),
        clock: fixtures_time,
        ..AgentConfig::default()
    };
    let bus = PrivateBus::start_open_to_all_users();
    let _d = in_process(&bus, &state, false, agent, Some(&package)).await;
    // No earlier document: the metadata's TrustedCertificates suffice.
    let out = call_as(&bus, Some(65534), &fixture("valid-rsa-sha1-exc-c14n.xml"));
    assert!(out.status.success(), "{out:?}");
    // A signer the metadata does not name is still refused.
    let before = fingerprint(&state).await;
    let out = call_as(&bus, Some(65534), &fixture("not-associated.xml"));
    assert!(!out.status.success(), "{out:?}");
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("not associated"),
        "{out:?}"
    );
    assert_eq!(fingerprint(&state).await, before);
}

/// `mbcli provision validate`: signatures are checked offline — integrity
/// alone by default, the chain too with `--trust-anchors`.
#[test]
fn mbcli_validate_checks_signatures_offline() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join(FIXTURES);
    let run = |file: &str, extra: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_mbcli"))
            .args(["provision", "validate", "--json"])
            .arg(dir.join(file))
            .args(extra)
            .output()
            .expect("mbcli")
    };
    let json = |out: &std::process::Output| -> serde_json::Value {
        serde_json::from_slice(&out.stdout).expect("JSON")
    };
    // Integrity only: a good signature validates whoever the CA is.
    for file in ["valid-rsa-sha256-c14n.xml", "wrong-certificate.xml"] {
        let out = run(file, &[]);
        assert!(out.status.success(), "{file}: {out:?}");
        assert_eq!(json(&out)["signature"]["verdict"], "valid", "{file}");
    }
    let out = run("tampered-content.xml", &[]);
    assert_eq!(out.status.code(), Some(1));
    let v = json(&out);
    assert_eq!(v["signature"]["verdict"], "invalid");
    assert!(
        v["signature"]["reason"]
            .as_str()
            .is_some_and(|r| r.contains("digest mismatch")),
        "{v}"
    );
    assert!(run("unsigned.xml", &[]).status.success());
    // With anchors the chain is checked as well.
    let anchor = anchor_file();
    let anchors = ["--trust-anchors", anchor.to_str().expect("path")];
    assert!(run("valid-rsa-sha256-c14n.xml", &anchors).status.success());
    let out = run("wrong-certificate.xml", &anchors);
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    assert_eq!(json(&out)["signature"]["verdict"], "invalid");
}
