//! The resolver's upper settings sources at run time
//! (windows-operator-formats.md §3.3: provisioning > service metadata > APN
//! database), kept current while the daemon runs.
//!
//! * [`ProvisionedSource`] — a snapshot of the provisioning store's
//!   connection settings (the resolver's trait is synchronous, the store is
//!   not), re-read by [`follow_provisioning`] after every committed
//!   document;
//! * [`follow_metadata`] — forwards the service-metadata store's change
//!   notifications (the store itself is the resolver's source);
//! * [`purchase_profile`] — the purchase (limited-connectivity) profile of
//!   the highest source that has one.
//!
//! Both followers bump [`super::ConnectionEnv::changed`], which every
//! modem's policy task watches to resolve again. Nothing here talks to a
//! modem or the bus.

use super::ConnectionEnv;
use crate::provisioning::metadata::MetadataStore;
use crate::provisioning::store::{ProvisionedSettings, ProvisioningStore};
use apn_db::Purpose;
use apn_db::hwid::Hwid;
use apn_db::lookup::Identity;
use apn_db::resolver::{ProvisioningSource, Resolved, Settings, SettingsSource};
use std::sync::{Arc, RwLock};

/// The provisioning store's settings as last read.
#[derive(Debug, Default)]
pub struct ProvisionedSource {
    profiles: RwLock<ProvisionedSettings>,
    purchase: RwLock<ProvisionedSettings>,
}

impl ProvisionedSource {
    /// An empty snapshot (filled by [`ProvisionedSource::reload`]).
    pub fn new() -> Arc<Self> {
        Arc::new(ProvisionedSource::default())
    }

    /// Re-read the store; on failure the old snapshot stays (logged).
    pub async fn reload(&self, store: &ProvisioningStore) {
        match store.settings().await {
            Ok(s) => *self.profiles.write().unwrap_or_else(|p| p.into_inner()) = s,
            Err(e) => tracing::warn!(error = %e, "cannot read provisioned settings"),
        }
        match store.purchase_settings().await {
            Ok(s) => *self.purchase.write().unwrap_or_else(|p| p.into_inner()) = s,
            Err(e) => tracing::warn!(error = %e, "cannot read provisioned purchase profiles"),
        }
    }

    /// The provisioned purchase profile for the SIM `id`, if any.
    pub fn purchase(&self, id: &Identity) -> Option<Settings> {
        self.purchase
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .settings(id, Purpose::Internet)
            .into_iter()
            .next()
    }
}

impl ProvisioningSource for ProvisionedSource {
    fn settings(&self, id: &Identity, purpose: Purpose) -> Vec<Settings> {
        self.profiles
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .settings(id, purpose)
    }
}

/// Load the snapshot now, then reload it after every committed document
/// and tell the modems (`env.changed`). Ends when the store is dropped.
pub async fn follow_provisioning(
    store: ProvisioningStore,
    source: Arc<ProvisionedSource>,
    env: Arc<ConnectionEnv>,
) {
    let mut changes = store.changes();
    source.reload(&store).await;
    env.changed.send_modify(|g| *g = g.wrapping_add(1));
    while changes.changed().await.is_ok() {
        source.reload(&store).await;
        env.changed.send_modify(|g| *g = g.wrapping_add(1));
    }
}

/// Tell the modems when a service-metadata package is installed or removed.
pub async fn follow_metadata(store: Arc<MetadataStore>, env: Arc<ConnectionEnv>) {
    let mut changes = store.subscribe();
    while changes.changed().await.is_ok() {
        env.changed.send_modify(|g| *g = g.wrapping_add(1));
    }
}

/// The purchase profile for a SIM: provisioning's `PurchaseProfile`, else
/// the matched service metadata's purchase profile (same precedence as the
/// connection settings, §3.3). `None` when neither source has one.
pub fn purchase_profile(
    provisioning: Option<&ProvisionedSource>,
    metadata: Option<&MetadataStore>,
    id: &Identity,
    hwids: &[Hwid],
) -> Option<Resolved> {
    if let Some(s) = provisioning.and_then(|p| p.purchase(id)) {
        return Some(Resolved {
            source: SettingsSource::Provisioning,
            order: 0,
            settings: s,
        });
    }
    metadata
        .and_then(|m| m.for_hwids(hwids))
        .and_then(|m| m.purchase_settings())
        .map(|settings| Resolved {
            source: SettingsSource::ServiceMetadata,
            order: 0,
            settings,
        })
}

/// The operator's app named by the matched service metadata
/// (`SoftwareInfo/DeviceCompanionApplications`), as the cold-SIM flow
/// publishes it (§3.3: "not activated" → operator app / purchase flow).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OperatorApp {
    /// `Identity@Name`.
    pub name: String,
    /// `Identity@Publisher`.
    pub publisher: String,
    /// `Application@Id`.
    pub application_id: String,
    /// The package family name `Name_PublisherId`.
    pub family_name: String,
    /// The Microsoft Store page of the package family.
    pub store_link: String,
    /// The package that named it.
    pub package_id: String,
}

/// The operator app for a SIM from the metadata matched by `hwids`.
pub fn operator_app(metadata: Option<&MetadataStore>, hwids: &[Hwid]) -> Option<OperatorApp> {
    let m = metadata?.for_hwids(hwids)?;
    let a = m.operator_app.as_ref()?;
    let family_name = format!(
        "{}_{}",
        a.identity.name,
        publisher_id(&a.identity.publisher)
    );
    Some(OperatorApp {
        name: a.identity.name.clone(),
        publisher: a.identity.publisher.clone(),
        application_id: a.application_id.clone(),
        store_link: format!("ms-windows-store://pdp/?PFN={family_name}"),
        family_name,
        package_id: m.package_id.clone(),
    })
}

/// The publisher id of an app package family: the first 64 bits of the
/// SHA-256 of the publisher name in UTF-16LE, padded with one zero bit to
/// 65 bits and written as 13 Crockford base-32 digits (lower case).
pub fn publisher_id(publisher: &str) -> String {
    use sha2::{Digest, Sha256};
    const DIGITS: &[u8; 32] = b"0123456789abcdefghjkmnpqrstvwxyz";
    let utf16: Vec<u8> = publisher
        .encode_utf16()
        .flat_map(|u| u.to_le_bytes())
        .collect();
    let h = Sha256::digest(&utf16);
    let mut first = [0u8; 8];
    first.copy_from_slice(&h[..8]);
    let bits = u128::from(u64::from_be_bytes(first)) << 1;
    (0..13)
        .rev()
        .map(|k| char::from(DIGITS[((bits >> (5 * k)) & 31) as usize]))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn an_empty_store_gives_no_settings_and_no_purchase_profile() {
        let store = ProvisioningStore::open_in_memory().await.unwrap();
        let src = ProvisionedSource::new();
        src.reload(&store).await;
        let id = Identity {
            imsi: Some("001010123456789".into()),
            ..Identity::default()
        };
        assert!(src.settings(&id, Purpose::Internet).is_empty());
        assert!(purchase_profile(Some(&src), None, &id, &[]).is_none());
    }

    const DOC: &str = r#"<CarrierProvisioning xmlns="http://www.microsoft.com/networking/CarrierControl/v1">
  <Global><CarrierId>{5D3F2A71-9C4E-4B8A-A0E2-7F1C0B9D6E34}</CarrierId><SubscriberId>sub1</SubscriberId></Global>
  <MBNProfiles>
    <DefaultProfile xmlns="http://www.microsoft.com/networking/CarrierControl/WWAN/v1">
      <Name>Internet</Name><AssociatedPlan>Big</AssociatedPlan>
      <Context><AccessString>prov.example.net</AccessString></Context>
    </DefaultProfile>
    <PurchaseProfile xmlns="http://www.microsoft.com/networking/CarrierControl/WWAN/v1">
      <Name>Shop</Name><Context><AccessString>shop.example.net</AccessString></Context>
    </PurchaseProfile>
  </MBNProfiles>
  <Plans>
    <Plan xmlns="http://www.microsoft.com/networking/CarrierControl/Plans/v1" Name="Small">
      <Description PlanType="Fixed"><DataLimitInMegabytes>100</DataLimitInMegabytes></Description>
    </Plan>
    <Plan xmlns="http://www.microsoft.com/networking/CarrierControl/Plans/v1" Name="Big">
      <Description PlanType="Fixed"><DataLimitInMegabytes>5000</DataLimitInMegabytes></Description>
    </Plan>
  </Plans>
</CarrierProvisioning>"#;

    #[tokio::test]
    async fn an_applied_document_reaches_the_snapshot_for_its_sim_only() {
        use crate::provisioning::document::{self, SignatureVerdict};
        use crate::provisioning::store::SimKey;
        let store = ProvisioningStore::open_in_memory().await.unwrap();
        let mut changes = store.changes();
        let sim = SimKey {
            imsi: Some("001010123456789".into()),
            iccid: Some("8988211000000000001".into()),
        };
        let doc = document::parse(DOC).unwrap();
        let applied = store
            .apply(&doc, &sim, &SignatureVerdict::Unsigned)
            .await
            .unwrap();
        assert!(applied.committed);
        assert!(changes.has_changed().unwrap(), "a commit is announced");
        changes.mark_unchanged();

        let src = ProvisionedSource::new();
        src.reload(&store).await;
        let id = Identity {
            imsi: sim.imsi.clone(),
            ..Identity::default()
        };
        let got = src.settings(&id, Purpose::Internet);
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].apn, "prov.example.net");
        let p = purchase_profile(Some(&src), None, &id, &[]).expect("purchase");
        assert_eq!(p.settings.apn, "shop.example.net");
        assert_eq!(p.source, SettingsSource::Provisioning);
        let other = Identity {
            imsi: Some("001019999999999".into()),
            ..Identity::default()
        };
        assert!(src.settings(&other, Purpose::Internet).is_empty());
        assert!(src.purchase(&other).is_none());

        // The default profile's associated plan comes first.
        let plans = store.plans_for(&sim).await.unwrap();
        let names: Vec<&str> = plans.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(names, ["Big", "Small"]);
        assert!(
            store
                .plans_for(&SimKey {
                    imsi: Some("001019999999999".into()),
                    iccid: None
                })
                .await
                .unwrap()
                .is_empty()
        );

        // A refused document announces nothing.
        let bad = document::parse(&DOC.replace(
            "<AssociatedPlan>Big</AssociatedPlan>",
            "<AssociatedPlan>Gone</AssociatedPlan>",
        ))
        .unwrap();
        let applied = store
            .apply(&bad, &sim, &SignatureVerdict::Unsigned)
            .await
            .unwrap();
        assert!(!applied.committed);
        assert!(!changes.has_changed().unwrap());
    }

    #[test]
    fn publisher_ids_match_the_known_package_family_names() {
        // Microsoft's own apps: `Microsoft.WindowsCalculator_8wekyb3d8bbwe`.
        assert_eq!(
            publisher_id(
                "CN=Microsoft Corporation, O=Microsoft Corporation, L=Redmond, S=Washington, C=US"
            ),
            "8wekyb3d8bbwe"
        );
    }
}
