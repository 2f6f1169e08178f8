//! `org.mbimd.Modem1.ServiceMetadata`: what the service metadata matched to
//! the modem's SIM says (branding, operator app, privileged apps, tethering
//! and PIN policy), `InstallServiceMetadata`, and `ServiceMetadataChanged`.
//!
//! Values are computed on demand from the daemon's [`MetadataStore`] and the
//! modem's SIM identity ([`identity`]); [`follow`] re-computes them when a
//! package is installed or the SIM changes and emits `PropertiesChanged`
//! and `ServiceMetadataChanged`. Nothing here parses metadata or talks to
//! the modem.

use super::modem::ModemCtx;
use super::view::{Change, Dict, ov};
use crate::modem::ModemState;
use crate::provisioning::metadata::{MetadataStore, ServiceMetadata};
use crate::provisioning::privileged::MetadataApps;
use apn_db::lookup::Identity;
use dbus_interfaces::MmError;
use dbus_interfaces::names::IFACE_MBIMD_SERVICE_METADATA;
use mbim_proto::services::basic_connect::RegisterState;
use std::sync::Arc;
use zbus::interface;
use zbus::message::Header;
use zbus::object_server::SignalEmitter;

/// The polkit-style action named in refusals.
const ACTION: &str = "org.mbimd.ServiceMetadata.Install";

/// The SIM identity service metadata is matched on: IMSI, ICCID and the
/// home provider name (the registered network's name while registered at
/// home; MBIM has no cached HOME_PROVIDER here).
pub fn identity(s: &ModemState) -> Identity {
    let sub = s.subscriber.as_ref();
    let nonempty = |v: &str| (!v.is_empty()).then(|| v.to_owned());
    Identity {
        imsi: sub.and_then(|x| nonempty(&x.subscriber_id)),
        iccid: sub.and_then(|x| nonempty(&x.sim_icc_id)),
        provider_name: s
            .registration
            .as_ref()
            .filter(|r| r.register_state == RegisterState::HOME)
            .and_then(|r| nonempty(&r.provider_name)),
        ..Identity::default()
    }
}

/// The metadata for the modem's SIM right now.
pub fn current(ctx: &ModemCtx) -> Option<ServiceMetadata> {
    let store = ctx.metadata.get()?;
    store.for_identity(&identity(&ctx.handle.state()))
}

/// The full property set of the interface.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct MetadataView {
    pub package_id: String,
    pub matched_by: String,
    pub branding: Dict,
    pub operator_app: Dict,
    pub privileged_apps: Vec<String>,
    pub allow_tethering: bool,
    pub tethering_policy: String,
    pub allow_standard_user_pin_unlock: bool,
    pub trusted_certificates: Vec<(String, String)>,
    pub purchase_profile: Dict,
    pub internet_profile: Dict,
}

fn profile_dict(p: Option<&crate::provisioning::metadata::MbnProfile>) -> Dict {
    let mut d = Dict::new();
    let Some(p) = p else { return d };
    d.insert("name".into(), ov(p.name.clone()));
    if let Some(a) = &p.access_string {
        d.insert("apn".into(), ov(a.clone()));
    }
    if let Some(u) = p.user_name.as_ref().filter(|u| !u.is_empty()) {
        d.insert("user".into(), ov(u.clone()));
    }
    if let Some(a) = &p.auth_protocol {
        d.insert("auth".into(), ov(a.clone()));
    }
    d
}

impl MetadataView {
    /// From the matched metadata (`None`: no package matches; the policies
    /// then have their documented defaults: tethering allowed, standard
    /// users may not unlock the PIN).
    pub fn new(m: Option<&ServiceMetadata>) -> Self {
        let Some(m) = m else {
            return MetadataView {
                allow_tethering: true,
                tethering_policy: "Always".into(),
                ..MetadataView::default()
            };
        };
        let mut branding = Dict::new();
        branding.insert("operator-name".into(), ov(m.operator_name.clone()));
        if let Some(i) = &m.icon {
            branding.insert("icon".into(), ov(i.display().to_string()));
        }
        if let Some(n) = &m.service_name {
            branding.insert("service-name".into(), ov(n.clone()));
        }
        branding.insert("service-number".into(), ov(m.service_number.clone()));
        if let Some(l) = &m.locale {
            branding.insert("locale".into(), ov(l.clone()));
        }
        let mut operator_app = Dict::new();
        if let Some(a) = &m.operator_app {
            operator_app.insert("name".into(), ov(a.identity.name.clone()));
            operator_app.insert("publisher".into(), ov(a.identity.publisher.clone()));
            operator_app.insert("application-id".into(), ov(a.application_id.clone()));
            let events: Vec<String> = a
                .device_notification_handlers
                .iter()
                .map(|h| h.event_id.clone())
                .collect();
            operator_app.insert("notification-events".into(), ov(events));
        }
        let mut privileged_apps = m.privileged_apps.clone();
        if m.any_application_privileged {
            privileged_apps.push("*".into());
        }
        MetadataView {
            package_id: m.package_id.clone(),
            matched_by: m.matched_by.as_str().to_owned(),
            branding,
            operator_app,
            privileged_apps,
            allow_tethering: m.allow_tethering
                != crate::provisioning::metadata::AllowTethering::Never,
            tethering_policy: m.allow_tethering.as_str().to_owned(),
            allow_standard_user_pin_unlock: m.allow_standard_user_pin_unlock,
            trusted_certificates: m
                .trusted_certificates
                .iter()
                .map(|c| (c.subject_name.clone(), c.issuer_name.clone()))
                .collect(),
            purchase_profile: profile_dict(m.purchase_profile.as_ref()),
            internet_profile: profile_dict(m.internet_profile.as_ref()),
        }
    }

    fn props(&self) -> Vec<Change> {
        vec![
            ("PackageId", ov(self.package_id.clone())),
            ("MatchedBy", ov(self.matched_by.clone())),
            ("Branding", ov(self.branding.clone())),
            ("OperatorApp", ov(self.operator_app.clone())),
            ("PrivilegedApps", ov(self.privileged_apps.clone())),
            ("AllowTethering", ov(self.allow_tethering)),
            ("TetheringPolicy", ov(self.tethering_policy.clone())),
            (
                "AllowStandardUserPinUnlock",
                ov(self.allow_standard_user_pin_unlock),
            ),
            ("TrustedCertificates", ov(self.trusted_certificates.clone())),
            ("PurchaseProfile", ov(self.purchase_profile.clone())),
            ("InternetProfile", ov(self.internet_profile.clone())),
        ]
    }

    /// Every property (for `GetManagedObjects` / `InterfacesAdded`).
    pub fn to_map(&self) -> Dict {
        self.props()
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect()
    }

    /// Properties whose value differs from `old`.
    pub fn changes(&self, old: &Self) -> Vec<Change> {
        let old = old.props();
        self.props()
            .into_iter()
            .zip(old)
            .filter(|(n, o)| n.1 != o.1)
            .map(|(n, _)| n)
            .collect()
    }
}

/// The view for `ctx` now.
pub fn view(ctx: &ModemCtx) -> MetadataView {
    MetadataView::new(current(ctx).as_ref())
}

/// Check a caller for a privileged method of this modem: root, the allowed
/// uids, configured privileged apps, and the apps the modem's service
/// metadata names.
pub async fn authorize(ctx: &ModemCtx, hdr: &Header<'_>, action: &str) -> Result<(), MmError> {
    let m = current(ctx);
    let apps = MetadataApps {
        names: m.as_ref().map_or(&[], |m| m.privileged_apps.as_slice()),
        any_application: m.as_ref().is_some_and(|m| m.any_application_privileged),
    };
    ctx.policy.check_with(&ctx.conn, hdr, action, apps).await
}

/// The D-Bus object: the modem context only.
#[derive(Debug)]
pub struct ServiceMetadataIface {
    ctx: Arc<ModemCtx>,
}

impl ServiceMetadataIface {
    /// An interface object for `ctx`.
    pub fn new(ctx: Arc<ModemCtx>) -> Self {
        ServiceMetadataIface { ctx }
    }
}

#[interface(name = "org.mbimd.Modem1.ServiceMetadata")]
impl ServiceMetadataIface {
    /// Install a package (a directory or a `.devicemetadata-ms` cabinet,
    /// as a path the daemon can read); returns its id. Privileged.
    async fn install_service_metadata(
        &self,
        path: String,
        #[zbus(header)] hdr: Header<'_>,
    ) -> Result<String, MmError> {
        authorize(&self.ctx, &hdr, ACTION).await?;
        let store: Arc<MetadataStore> = self
            .ctx
            .metadata
            .get()
            .cloned()
            .ok_or_else(|| MmError::Unsupported("this daemon has no metadata store".into()))?;
        let p = std::path::PathBuf::from(&path);
        if !p.is_absolute() {
            return Err(MmError::InvalidArgs(format!(
                "{path}: the path must be absolute"
            )));
        }
        let r = tokio::task::spawn_blocking(move || store.install(&p))
            .await
            .map_err(|e| MmError::Failed(e.to_string()))?;
        match r {
            Ok(e) => Ok(e.id),
            Err(e) => Err(MmError::InvalidArgs(e.to_string())),
        }
    }

    /// The package or what it supplies for this modem changed.
    #[zbus(signal)]
    async fn service_metadata_changed(
        emitter: &SignalEmitter<'_>,
        package_id: String,
    ) -> zbus::Result<()>;

    #[zbus(property, name = "PackageId")]
    fn package_id(&self) -> String {
        view(&self.ctx).package_id
    }
    #[zbus(property, name = "MatchedBy")]
    fn matched_by(&self) -> String {
        view(&self.ctx).matched_by
    }
    #[zbus(property, name = "Branding")]
    fn branding(&self) -> Dict {
        view(&self.ctx).branding
    }
    #[zbus(property, name = "OperatorApp")]
    fn operator_app(&self) -> Dict {
        view(&self.ctx).operator_app
    }
    #[zbus(property, name = "PrivilegedApps")]
    fn privileged_apps(&self) -> Vec<String> {
        view(&self.ctx).privileged_apps
    }
    #[zbus(property, name = "AllowTethering")]
    fn allow_tethering(&self) -> bool {
        view(&self.ctx).allow_tethering
    }
    #[zbus(property, name = "TetheringPolicy")]
    fn tethering_policy(&self) -> String {
        view(&self.ctx).tethering_policy
    }
    #[zbus(property, name = "AllowStandardUserPinUnlock")]
    fn allow_standard_user_pin_unlock(&self) -> bool {
        view(&self.ctx).allow_standard_user_pin_unlock
    }
    #[zbus(property, name = "TrustedCertificates")]
    fn trusted_certificates(&self) -> Vec<(String, String)> {
        view(&self.ctx).trusted_certificates
    }
    #[zbus(property, name = "PurchaseProfile")]
    fn purchase_profile(&self) -> Dict {
        view(&self.ctx).purchase_profile
    }
    #[zbus(property, name = "InternetProfile")]
    fn internet_profile(&self) -> Dict {
        view(&self.ctx).internet_profile
    }
}

/// Keep the interface's published values in step with the store and the
/// SIM until the modem goes away: `PropertiesChanged` with values, then
/// `ServiceMetadataChanged(package id)`.
pub async fn follow(ctx: Arc<ModemCtx>) {
    let Some(store) = ctx.metadata.get().cloned() else {
        return;
    };
    let mut packages = store.subscribe();
    let mut modem = ctx.handle.watch();
    let mut last = view(&ctx);
    loop {
        tokio::select! {
            r = packages.changed() => if r.is_err() { break },
            r = modem.changed() => if r.is_err() { break },
        }
        let now = view(&ctx);
        let changes = now.changes(&last);
        if changes.is_empty() {
            continue;
        }
        let path = ctx.path.clone();
        if let Err(e) = super::modem::emit_properties_changed(
            &ctx.conn,
            &path,
            IFACE_MBIMD_SERVICE_METADATA,
            &changes,
        )
        .await
        {
            tracing::warn!(modem = ctx.index, error = %e, "publishing service metadata failed");
        }
        if let Ok(em) = SignalEmitter::new(&ctx.conn, path.as_str()) {
            let _ =
                ServiceMetadataIface::service_metadata_changed(&em, now.package_id.clone()).await;
        }
        last = now;
    }
}
