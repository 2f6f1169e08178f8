//! Applying provisioning documents to the SQLite store: the example applies
//! in one transaction with every section stored, a failing document changes
//! nothing and says why in the result document, and the APN resolver picks
//! the provisioned profile over the APN database.

use apn_db::lookup::{Identity, MncLength};
use apn_db::resolver::{self, NoServiceMetadata, SettingsSource};
use apn_db::{ApnDb, ApnIndex, ImportOptions, Purpose};
use mbimd::messaging::rules::Bearer;
use mbimd::provisioning::document::{self, SignatureVerdict};
use mbimd::provisioning::store::{ProvisioningStore, SimKey};
use std::path::PathBuf;

fn shared_data() -> PathBuf {
    if let Some(d) = std::env::var_os("MBIMD_SHARED_DATA") {
        return PathBuf::from(d);
    }
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    for up in manifest.ancestors() {
        for cand in [up.join("shared/data"), up.join("../shared/data")] {
            if cand.join("xsd/cc.xsd").exists() {
                return cand;
            }
        }
    }
    PathBuf::from("/work/shared/data")
}

/// The published example without its placeholder signature (an operator
/// app's unsigned document).
fn example() -> String {
    let x = std::fs::read_to_string(shared_data().join("examples/provisioning-full.xml")).unwrap();
    let start = x.find("<Signature ").unwrap();
    let end = x.find("</Signature>").unwrap() + "</Signature>".len();
    format!("{}{}", &x[..start], &x[end..])
}

fn sim() -> SimKey {
    SimKey {
        imsi: Some("310260123456700".into()),
        iccid: Some("8901260123456789012".into()),
    }
}

#[tokio::test]
async fn the_example_applies_with_every_section_stored() {
    let store = ProvisioningStore::open_in_memory().await.unwrap();
    let doc = document::parse(&example()).unwrap();
    let a = store
        .apply(&doc, &sim(), &SignatureVerdict::Unsigned)
        .await
        .unwrap();
    assert!(a.committed);
    assert!(a.result.all_elements_provisioned());
    let xml = a.result.to_xml();
    assert!(
        xml.contains("<Issuer>{5D3F2A71-9C4E-4B8A-A0E2-7F1C0B9D6E34}</Issuer>"),
        "{xml}"
    );
    assert!(
        xml.contains(r#"<DefaultProfile errorCode="00000000"/>"#),
        "{xml}"
    );
    assert!(
        xml.contains(r#"<WLANProfile Name="Example Hotspot" errorCode="00000000"/>"#),
        "{xml}"
    );

    let kinds: Vec<(String, String)> = store
        .profiles()
        .await
        .unwrap()
        .into_iter()
        .map(|p| (p.kind, p.name))
        .collect();
    assert_eq!(
        kinds,
        [
            ("default", "Example Mobile Internet"),
            ("purchase", "Example Top-Up"),
            ("additional", "Example Video"),
            ("tethering", "Example Tethering"),
        ]
        .map(|(a, b)| (a.to_string(), b.to_string()))
    );
    let video = store
        .profiles()
        .await
        .unwrap()
        .into_iter()
        .find(|p| p.kind == "additional")
        .unwrap();
    assert_eq!(video.app_ids, ["Example.VideoApp_abcdefghijk12"]);
    let plans = store.plans().await.unwrap();
    assert_eq!(plans.len(), 1);
    assert_eq!(plans[0].data_limit_mb, Some(5120));
    assert_eq!(plans[0].current_usage_mb, Some(1234));
    let hs = store.hotspots().await.unwrap();
    assert_eq!(hs.len(), 2);
    assert_eq!(hs[0].ssids, ["Example-WiFi"]);
    assert_eq!(hs[0].ssid_prefixes, ["Example-"]);
    assert_eq!(hs[0].hotspot_auth, "basic");
    assert_eq!(hs[1].eap_type, Some(23));

    // The rules come back from the store and classify operator messages.
    let rules = store.message_rules(&sim()).await.unwrap().unwrap();
    let m = rules
        .classify(
            &Bearer::Sms {
                sender: "12345",
                class: Some(0),
            },
            "EXAMPLE-CONFIG UPDATE",
        )
        .unwrap();
    assert_eq!(m.rule_id.as_deref(), Some("refresh"));
    assert_eq!(m.values.refresh_provisioning, Some(true));
    assert_eq!(a.message_rules.unwrap().len(), 3);
    let act = store.pending_activation(&sim()).await.unwrap().unwrap();
    assert_eq!(act["method"], "reconnect-to-network");
}

#[tokio::test]
async fn a_failing_document_changes_nothing_and_names_the_failing_element() {
    let store = ProvisioningStore::open_in_memory().await.unwrap();
    let doc = document::parse(&example()).unwrap();
    store
        .apply(&doc, &sim(), &SignatureVerdict::Unsigned)
        .await
        .unwrap();
    let before = store.fingerprint().await.unwrap();

    // Same account, new APN, but the profile names a plan nobody defines.
    let bad = example()
        .replace("internet.example.net", "changed.example.net")
        .replacen(
            "<AssociatedPlan>Data5GB</AssociatedPlan>",
            "<AssociatedPlan>Nope</AssociatedPlan>",
            1,
        );
    let doc = document::parse(&bad).unwrap();
    let a = store
        .apply(&doc, &sim(), &SignatureVerdict::Unsigned)
        .await
        .unwrap();
    assert!(!a.committed);
    let xml = a.result.to_xml();
    assert!(xml.contains(r#"errorCode="80070490">"#), "{xml}");
    assert!(
        xml.contains(r#"<DefaultProfile errorCode="80070490"/>"#),
        "{xml}"
    );
    assert!(
        xml.contains(r#"<PurchaseProfile errorCode="80004004"/>"#),
        "{xml}"
    );
    assert_eq!(store.fingerprint().await.unwrap(), before);
    assert!(a.message_rules.is_none());
}

#[tokio::test]
async fn wlan_profiles_are_the_complete_set_and_usage_only_plans_update_usage() {
    let store = ProvisioningStore::open_in_memory().await.unwrap();
    store
        .apply(
            &document::parse(&example()).unwrap(),
            &sim(),
            &SignatureVerdict::Unsigned,
        )
        .await
        .unwrap();
    let g = "<Global>\n    <CarrierId>{5D3F2A71-9C4E-4B8A-A0E2-7F1C0B9D6E34}</CarrierId>\n    <SubscriberId>310260123456700</SubscriberId>\n  </Global>";
    let upd = format!(
        r#"<CarrierProvisioning xmlns="http://www.microsoft.com/networking/CarrierControl/v1">{g}<WLANProfiles/><Plans><Plan xmlns="http://www.microsoft.com/networking/CarrierControl/Plans/v1" Name="Data5GB"><Usage CurrentUsage="4000" UsageTimestamp="2025-01-20T00:00:00Z" OverLimit="false"/></Plan></Plans></CarrierProvisioning>"#
    );
    let a = store
        .apply(
            &document::parse(&upd).unwrap(),
            &sim(),
            &SignatureVerdict::Unsigned,
        )
        .await
        .unwrap();
    assert!(a.committed);
    assert!(store.hotspots().await.unwrap().is_empty());
    let p = &store.plans().await.unwrap()[0];
    assert_eq!(
        (p.current_usage_mb, p.data_limit_mb),
        (Some(4000), Some(5120))
    );
    // Profiles were not in the document: kept.
    assert_eq!(store.profiles().await.unwrap().len(), 4);
}

const APNS: &str = r#"<?xml version="1.0"?>
<apns version="8">
  <apn carrier="Database Carrier" mcc="310" mnc="260" apn="db.internet" type="default"/>
</apns>"#;

#[tokio::test]
async fn the_resolver_picks_the_provisioned_profile_over_the_apn_database() {
    let db = ApnDb::open_in_memory().await.unwrap();
    db.import_bytes(
        APNS.as_bytes(),
        std::path::Path::new("/test/apns.xml"),
        &ImportOptions::default(),
    )
    .await
    .unwrap();
    let idx = ApnIndex::load(&db).await.unwrap();
    let id = Identity {
        imsi: Some("310260123456700".into()),
        mnc_length: Some(MncLength::Three),
        iccid: Some("8901260123456789012".into()),
        ..Default::default()
    };
    let lookup = idx.lookup(&id, Purpose::Internet, false).unwrap();
    let store = ProvisioningStore::open_in_memory().await.unwrap();

    // Before provisioning: the database answers.
    let before = store.settings().await.unwrap();
    let r = resolver::resolve(
        &id,
        &[],
        Purpose::Internet,
        &before,
        &NoServiceMetadata,
        Some(&lookup),
    );
    assert_eq!(r.source, Some(SettingsSource::ApnDatabase));
    assert_eq!(r.candidates[0].settings.apn, "db.internet");

    store
        .apply(
            &document::parse(&example()).unwrap(),
            &sim(),
            &SignatureVerdict::Unsigned,
        )
        .await
        .unwrap();
    let prov = store.settings().await.unwrap();
    let r = resolver::resolve(
        &id,
        &[],
        Purpose::Internet,
        &prov,
        &NoServiceMetadata,
        Some(&lookup),
    );
    assert_eq!(r.source, Some(SettingsSource::Provisioning));
    assert_eq!(r.overridden, [SettingsSource::ApnDatabase]);
    let c = &r.candidates[0].settings;
    assert_eq!(c.apn, "internet.example.net");
    assert_eq!(
        (c.username.as_deref(), c.password.as_deref()),
        (Some("web"), Some("web"))
    );
    assert_eq!(c.auth, Some(apn_db::Auth::Pap));
    assert!(c.origin.contains("DefaultProfile"), "{}", c.origin);
    // Tethering uses the tethering profile.
    let r = resolver::resolve(&id, &[], Purpose::Dun, &prov, &NoServiceMetadata, None);
    assert_eq!(r.candidates[0].settings.apn, "tether.example.net");

    // Another SIM is not affected.
    let other = Identity {
        imsi: Some("310260999999999".into()),
        mnc_length: Some(MncLength::Three),
        ..Default::default()
    };
    let r = resolver::resolve(
        &other,
        &[],
        Purpose::Internet,
        &prov,
        &NoServiceMetadata,
        Some(&lookup),
    );
    assert_eq!(r.source, Some(SettingsSource::ApnDatabase));
}
