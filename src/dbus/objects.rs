//! The `#[interface]` implementations. Each object holds only the modem's
//! shared context (its `ModemHandle` plus object-path bookkeeping); property
//! getters read the values last published by `ModemCtx::sync`, methods call
//! `actions`/`modem::ops` and map errors to ModemManager's names. There is
//! one typed getter per property of the views in `view.rs`; keep the two in
//! step (tests/dbus_conformance.rs checks every property of the XML is
//! present with its exact type).

use super::actions;
use super::errors::from_operation;
use super::modem::ModemCtx;
use super::settings::BearerSettings;
use super::view::*;
use crate::modem::ops::{self, PinAction};
use dbus_interfaces::MmError;
use dbus_interfaces::enums::{self as mm, PowerState};
use std::collections::HashMap;
use std::sync::Arc;
use zbus::message::Header;
use zbus::object_server::SignalEmitter;
use zbus::{OwnedObjectPath, OwnedVariant, interface};

type Result<T> = std::result::Result<T, MmError>;

macro_rules! iface_struct {
    ($name:ident, $view:ident, $field:ident) => {
        /// D-Bus object state: the modem context only.
        #[derive(Debug)]
        pub struct $name {
            ctx: Arc<ModemCtx>,
        }
        impl $name {
            /// An interface object for the modem `ctx`.
            pub fn new(ctx: Arc<ModemCtx>) -> Self {
                $name { ctx }
            }
            fn v<T>(&self, f: impl FnOnce(&$view) -> T) -> T {
                f(&self.ctx.book().$field)
            }
        }
    };
}

iface_struct!(ModemIface, ModemView, modem);
iface_struct!(Modem3gppIface, Modem3gppView, m3gpp);
iface_struct!(UssdIface, UssdView, ussd);
iface_struct!(MessagingIface, MessagingView, messaging);
iface_struct!(SignalIface, SignalView, signal);
iface_struct!(SimIface, SimView, sim);

async fn authorize(ctx: &ModemCtx, hdr: &Header<'_>, action: &str) -> Result<()> {
    // Also lets in the privileged apps of the SIM's service metadata.
    super::ext_metadata::authorize(ctx, hdr, action).await
}

const DEVICE_CONTROL: &str = "org.freedesktop.ModemManager1.Device.Control";
const MESSAGING: &str = "org.freedesktop.ModemManager1.Messaging";
const USSD: &str = "org.freedesktop.ModemManager1.USSD";

fn unsupported<T>(what: &str) -> Result<T> {
    Err(MmError::Unsupported(format!(
        "{what} is not supported by this modem"
    )))
}

#[interface(name = "org.freedesktop.ModemManager1.Modem")]
impl ModemIface {
    async fn enable(&self, enable: bool, #[zbus(header)] hdr: Header<'_>) -> Result<()> {
        authorize(&self.ctx, &hdr, DEVICE_CONTROL).await?;
        actions::enable(&self.ctx, enable).await
    }

    async fn list_bearers(&self) -> Vec<OwnedObjectPath> {
        self.v(|v| v.bearers.clone())
    }

    async fn create_bearer(
        &self,
        properties: HashMap<String, OwnedVariant>,
        #[zbus(header)] hdr: Header<'_>,
    ) -> Result<OwnedObjectPath> {
        let s = BearerSettings::from_dict(&properties, false)?;
        authorize(&self.ctx, &hdr, DEVICE_CONTROL).await?;
        actions::create_bearer(&self.ctx, s).await
    }

    async fn delete_bearer(
        &self,
        bearer: OwnedObjectPath,
        #[zbus(header)] hdr: Header<'_>,
    ) -> Result<()> {
        authorize(&self.ctx, &hdr, DEVICE_CONTROL).await?;
        actions::delete_bearer(&self.ctx, &bearer).await
    }

    async fn reset(&self, #[zbus(header)] hdr: Header<'_>) -> Result<()> {
        authorize(&self.ctx, &hdr, DEVICE_CONTROL).await?;
        unsupported("Reset")
    }

    async fn factory_reset(&self, code: String, #[zbus(header)] hdr: Header<'_>) -> Result<()> {
        let _ = code;
        authorize(&self.ctx, &hdr, DEVICE_CONTROL).await?;
        unsupported("FactoryReset")
    }

    async fn set_power_state(&self, state: u32, #[zbus(header)] hdr: Header<'_>) -> Result<()> {
        let want = PowerState::from_value(state)
            .filter(|s| *s != PowerState::Unknown)
            .ok_or_else(|| MmError::InvalidArgs(format!("invalid power state {state}")))?;
        authorize(&self.ctx, &hdr, DEVICE_CONTROL).await?;
        if self.ctx.current_state() > mm::ModemState::Disabled && want != PowerState::On {
            return Err(MmError::WrongState(
                "cannot set low power while the modem is enabled".into(),
            ));
        }
        // MBIM has one radio switch: ON turns it on, LOW/OFF off.
        ops::set_radio(&self.ctx.handle, want == PowerState::On)
            .await
            .map_err(|e| from_operation(&e))?;
        self.ctx.sync().await;
        Ok(())
    }

    async fn set_current_capabilities(
        &self,
        capabilities: u32,
        #[zbus(header)] hdr: Header<'_>,
    ) -> Result<()> {
        authorize(&self.ctx, &hdr, DEVICE_CONTROL).await?;
        if capabilities == self.v(|v| v.current_capabilities) {
            return Ok(());
        }
        unsupported("changing capabilities")
    }

    async fn set_current_modes(
        &self,
        modes: (u32, u32),
        #[zbus(header)] hdr: Header<'_>,
    ) -> Result<()> {
        authorize(&self.ctx, &hdr, DEVICE_CONTROL).await?;
        if modes == self.v(|v| v.current_modes) {
            return Ok(());
        }
        unsupported("changing modes")
    }

    async fn set_current_bands(
        &self,
        bands: Vec<u32>,
        #[zbus(header)] hdr: Header<'_>,
    ) -> Result<()> {
        let _ = bands;
        authorize(&self.ctx, &hdr, DEVICE_CONTROL).await?;
        unsupported("band selection")
    }

    async fn set_primary_sim_slot(
        &self,
        sim_slot: u32,
        #[zbus(header)] hdr: Header<'_>,
    ) -> Result<()> {
        let _ = sim_slot;
        authorize(&self.ctx, &hdr, DEVICE_CONTROL).await?;
        unsupported("SIM slot selection")
    }

    async fn get_cell_info(&self) -> Result<Vec<HashMap<String, OwnedVariant>>> {
        unsupported("cell info")
    }

    async fn command(
        &self,
        cmd: String,
        timeout: u32,
        #[zbus(header)] hdr: Header<'_>,
    ) -> Result<String> {
        let _ = (cmd, timeout);
        authorize(&self.ctx, &hdr, DEVICE_CONTROL).await?;
        unsupported("AT commands (MBIM ports carry none)")
    }

    /// `StateChanged(old, new, reason)`; emitted by `ModemCtx::sync` after
    /// the property changes.
    #[zbus(signal, name = "StateChanged")]
    async fn state_changed_signal(
        emitter: &SignalEmitter<'_>,
        old: i32,
        new: i32,
        reason: u32,
    ) -> zbus::Result<()>;

    #[zbus(property, name = "Sim")]
    fn sim(&self) -> OwnedObjectPath {
        self.v(|v| v.sim.clone())
    }
    #[zbus(property, name = "SimSlots")]
    fn sim_slots(&self) -> Vec<OwnedObjectPath> {
        self.v(|v| v.sim_slots.clone())
    }
    #[zbus(property, name = "PrimarySimSlot")]
    fn primary_sim_slot(&self) -> u32 {
        self.v(|v| v.primary_sim_slot)
    }
    #[zbus(property, name = "Bearers")]
    fn bearers(&self) -> Vec<OwnedObjectPath> {
        self.v(|v| v.bearers.clone())
    }
    #[zbus(property, name = "SupportedCapabilities")]
    fn supported_capabilities(&self) -> Vec<u32> {
        self.v(|v| v.supported_capabilities.clone())
    }
    #[zbus(property, name = "CurrentCapabilities")]
    fn current_capabilities(&self) -> u32 {
        self.v(|v| v.current_capabilities)
    }
    #[zbus(property, name = "MaxBearers")]
    fn max_bearers(&self) -> u32 {
        self.v(|v| v.max_bearers)
    }
    #[zbus(property, name = "MaxActiveBearers")]
    fn max_active_bearers(&self) -> u32 {
        self.v(|v| v.max_active_bearers)
    }
    #[zbus(property, name = "MaxActiveMultiplexedBearers")]
    fn max_active_multiplexed_bearers(&self) -> u32 {
        self.v(|v| v.max_active_multiplexed_bearers)
    }
    #[zbus(property, name = "Manufacturer")]
    fn manufacturer(&self) -> String {
        self.v(|v| v.manufacturer.clone())
    }
    #[zbus(property, name = "Model")]
    fn model(&self) -> String {
        self.v(|v| v.model.clone())
    }
    #[zbus(property, name = "Revision")]
    fn revision(&self) -> String {
        self.v(|v| v.revision.clone())
    }
    #[zbus(property, name = "CarrierConfiguration")]
    fn carrier_configuration(&self) -> String {
        self.v(|v| v.carrier_configuration.clone())
    }
    #[zbus(property, name = "CarrierConfigurationRevision")]
    fn carrier_configuration_revision(&self) -> String {
        self.v(|v| v.carrier_configuration_revision.clone())
    }
    #[zbus(property, name = "HardwareRevision")]
    fn hardware_revision(&self) -> String {
        self.v(|v| v.hardware_revision.clone())
    }
    #[zbus(property, name = "DeviceIdentifier")]
    fn device_identifier(&self) -> String {
        self.v(|v| v.device_identifier.clone())
    }
    #[zbus(property, name = "Device")]
    fn device(&self) -> String {
        self.v(|v| v.device.clone())
    }
    #[zbus(property, name = "Physdev")]
    fn physdev(&self) -> String {
        self.v(|v| v.physdev.clone())
    }
    #[zbus(property, name = "Drivers")]
    fn drivers(&self) -> Vec<String> {
        self.v(|v| v.drivers.clone())
    }
    #[zbus(property, name = "Plugin")]
    fn plugin(&self) -> String {
        self.v(|v| v.plugin.clone())
    }
    #[zbus(property, name = "PrimaryPort")]
    fn primary_port(&self) -> String {
        self.v(|v| v.primary_port.clone())
    }
    #[zbus(property, name = "Ports")]
    fn ports(&self) -> Vec<(String, u32)> {
        self.v(|v| v.ports.clone())
    }
    #[zbus(property, name = "EquipmentIdentifier")]
    fn equipment_identifier(&self) -> String {
        self.v(|v| v.equipment_identifier.clone())
    }
    #[zbus(property, name = "UnlockRequired")]
    fn unlock_required(&self) -> u32 {
        self.v(|v| v.unlock_required)
    }
    #[zbus(property, name = "UnlockRetries")]
    fn unlock_retries(&self) -> HashMap<u32, u32> {
        self.v(|v| v.unlock_retries.clone())
    }
    #[zbus(property, name = "State")]
    fn state(&self) -> i32 {
        self.v(|v| v.state)
    }
    #[zbus(property, name = "StateFailedReason")]
    fn state_failed_reason(&self) -> u32 {
        self.v(|v| v.state_failed_reason)
    }
    #[zbus(property, name = "AccessTechnologies")]
    fn access_technologies(&self) -> u32 {
        self.v(|v| v.access_technologies)
    }
    #[zbus(property, name = "SignalQuality")]
    fn signal_quality(&self) -> (u32, bool) {
        self.v(|v| v.signal_quality)
    }
    #[zbus(property, name = "OwnNumbers")]
    fn own_numbers(&self) -> Vec<String> {
        self.v(|v| v.own_numbers.clone())
    }
    #[zbus(property, name = "PowerState")]
    fn power_state(&self) -> u32 {
        self.v(|v| v.power_state)
    }
    #[zbus(property, name = "SupportedModes")]
    fn supported_modes(&self) -> Vec<(u32, u32)> {
        self.v(|v| v.supported_modes.clone())
    }
    #[zbus(property, name = "CurrentModes")]
    fn current_modes(&self) -> (u32, u32) {
        self.v(|v| v.current_modes)
    }
    #[zbus(property, name = "SupportedBands")]
    fn supported_bands(&self) -> Vec<u32> {
        self.v(|v| v.supported_bands.clone())
    }
    #[zbus(property, name = "CurrentBands")]
    fn current_bands(&self) -> Vec<u32> {
        self.v(|v| v.current_bands.clone())
    }
    #[zbus(property, name = "SupportedIpFamilies")]
    fn supported_ip_families(&self) -> u32 {
        self.v(|v| v.supported_ip_families)
    }
}

/// `org.freedesktop.ModemManager1.Modem.Simple` (no properties).
#[derive(Debug)]
pub struct SimpleIface {
    ctx: Arc<ModemCtx>,
}

impl SimpleIface {
    /// An interface object for the modem `ctx`.
    pub fn new(ctx: Arc<ModemCtx>) -> Self {
        SimpleIface { ctx }
    }
}

#[interface(name = "org.freedesktop.ModemManager1.Modem.Simple")]
impl SimpleIface {
    async fn connect(
        &self,
        properties: HashMap<String, OwnedVariant>,
        #[zbus(header)] hdr: Header<'_>,
    ) -> Result<OwnedObjectPath> {
        let s = BearerSettings::from_dict(&properties, true)?;
        authorize(&self.ctx, &hdr, DEVICE_CONTROL).await?;
        actions::simple_connect(&self.ctx, s).await
    }

    async fn disconnect(
        &self,
        bearer: OwnedObjectPath,
        #[zbus(header)] hdr: Header<'_>,
    ) -> Result<()> {
        authorize(&self.ctx, &hdr, DEVICE_CONTROL).await?;
        let which = (bearer.as_str() != "/").then_some(&bearer);
        actions::disconnect(&self.ctx, which).await
    }

    async fn get_status(&self) -> HashMap<String, OwnedVariant> {
        let b = self.ctx.book();
        let mut d = HashMap::new();
        d.insert("state".to_string(), ov(b.modem.state.max(0) as u32));
        d.insert("signal-quality".to_string(), ov(b.modem.signal_quality));
        d.insert(
            "current-bands".to_string(),
            ov(b.modem.current_bands.clone()),
        );
        d.insert(
            "access-technologies".to_string(),
            ov(b.modem.access_technologies),
        );
        d.insert(
            "m3gpp-registration-state".to_string(),
            ov(b.m3gpp.registration_state),
        );
        d.insert(
            "m3gpp-operator-code".to_string(),
            ov(b.m3gpp.operator_code.clone()),
        );
        d.insert(
            "m3gpp-operator-name".to_string(),
            ov(b.m3gpp.operator_name.clone()),
        );
        d
    }
}

#[interface(name = "org.freedesktop.ModemManager1.Modem.Modem3gpp")]
impl Modem3gppIface {
    async fn register(&self, operator_id: String, #[zbus(header)] hdr: Header<'_>) -> Result<()> {
        if !operator_id.is_empty()
            && (!(5..=6).contains(&operator_id.len())
                || !operator_id.bytes().all(|b| b.is_ascii_digit()))
        {
            return Err(MmError::InvalidArgs(format!(
                "invalid operator id '{operator_id}': expected 5 or 6 digits"
            )));
        }
        authorize(&self.ctx, &hdr, DEVICE_CONTROL).await?;
        if self.ctx.current_state() < mm::ModemState::Enabled {
            return Err(MmError::WrongState("modem not enabled".into()));
        }
        let r = if operator_id.is_empty() {
            ops::register_automatic(&self.ctx.handle).await
        } else {
            ops::register_manual(&self.ctx.handle, &operator_id).await
        };
        self.ctx.sync().await;
        r.map(|_| ()).map_err(|e| from_operation(&e))
    }

    async fn scan(
        &self,
        #[zbus(header)] hdr: Header<'_>,
    ) -> Result<Vec<HashMap<String, OwnedVariant>>> {
        authorize(&self.ctx, &hdr, DEVICE_CONTROL).await?;
        if self.ctx.current_state() < mm::ModemState::Enabled {
            return Err(MmError::WrongState("modem not enabled".into()));
        }
        use mbim_proto::services::basic_connect::{CellularClass, ProviderState};
        let providers = ops::scan(&self.ctx.handle)
            .await
            .map_err(|e| from_operation(&e))?;
        Ok(providers
            .into_iter()
            .map(|p| {
                let st = p.provider_state.0;
                let status = if st & ProviderState::REGISTERED.0 != 0 {
                    mm::NetworkAvailability::Current
                } else if st & ProviderState::FORBIDDEN.0 != 0 {
                    mm::NetworkAvailability::Forbidden
                } else if st & ProviderState::VISIBLE.0 != 0 {
                    mm::NetworkAvailability::Available
                } else {
                    mm::NetworkAvailability::Unknown
                };
                let mut d = HashMap::new();
                d.insert("status".to_string(), ov(status.value()));
                d.insert("operator-long".to_string(), ov(p.provider_name.clone()));
                d.insert("operator-short".to_string(), ov(p.provider_name.clone()));
                d.insert("operator-code".to_string(), ov(p.provider_id.clone()));
                let tech = if p.cellular_class == CellularClass::CDMA {
                    0
                } else {
                    mm::access::GSM
                };
                d.insert("access-technology".to_string(), ov(tech));
                d
            })
            .collect())
    }

    async fn set_eps_ue_mode_operation(
        &self,
        mode: u32,
        #[zbus(header)] hdr: Header<'_>,
    ) -> Result<()> {
        if mode > 4 {
            return Err(MmError::InvalidArgs(format!("invalid UE mode {mode}")));
        }
        authorize(&self.ctx, &hdr, DEVICE_CONTROL).await?;
        unsupported("setting the EPS UE mode")
    }

    async fn set_initial_eps_bearer_settings(
        &self,
        settings: HashMap<String, OwnedVariant>,
        #[zbus(header)] hdr: Header<'_>,
    ) -> Result<()> {
        BearerSettings::from_dict(&settings, false)?;
        authorize(&self.ctx, &hdr, DEVICE_CONTROL).await?;
        // NM treats Unsupported as "skip" (§5).
        unsupported("initial EPS bearer settings")
    }

    async fn set_nr5g_registration_settings(
        &self,
        properties: HashMap<String, OwnedVariant>,
        #[zbus(header)] hdr: Header<'_>,
    ) -> Result<()> {
        let _ = properties;
        authorize(&self.ctx, &hdr, DEVICE_CONTROL).await?;
        unsupported("5G registration settings")
    }

    async fn disable_facility_lock(
        &self,
        properties: (u32, String),
        #[zbus(header)] hdr: Header<'_>,
    ) -> Result<()> {
        let _ = properties;
        authorize(&self.ctx, &hdr, DEVICE_CONTROL).await?;
        unsupported("facility locks")
    }

    async fn set_packet_service_state(
        &self,
        state: u32,
        #[zbus(header)] hdr: Header<'_>,
    ) -> Result<()> {
        let want = mm::PacketServiceState::from_value(state)
            .filter(|s| *s != mm::PacketServiceState::Unknown)
            .ok_or_else(|| MmError::InvalidArgs(format!("invalid packet service state {state}")))?;
        authorize(&self.ctx, &hdr, DEVICE_CONTROL).await?;
        let r = if want == mm::PacketServiceState::Attached {
            ops::attach(&self.ctx.handle).await
        } else {
            ops::detach(&self.ctx.handle).await
        };
        self.ctx.sync().await;
        r.map(|_| ()).map_err(|e| from_operation(&e))
    }

    #[zbus(property, name = "Imei")]
    fn imei(&self) -> String {
        self.v(|v| v.imei.clone())
    }
    #[zbus(property, name = "RegistrationState")]
    fn registration_state(&self) -> u32 {
        self.v(|v| v.registration_state)
    }
    #[zbus(property, name = "OperatorCode")]
    fn operator_code(&self) -> String {
        self.v(|v| v.operator_code.clone())
    }
    #[zbus(property, name = "OperatorName")]
    fn operator_name(&self) -> String {
        self.v(|v| v.operator_name.clone())
    }
    #[zbus(property, name = "EnabledFacilityLocks")]
    fn enabled_facility_locks(&self) -> u32 {
        self.v(|v| v.enabled_facility_locks)
    }
    #[zbus(property, name = "SubscriptionState")]
    fn subscription_state(&self) -> u32 {
        self.v(|v| v.subscription_state)
    }
    #[zbus(property, name = "EpsUeModeOperation")]
    fn eps_ue_mode_operation(&self) -> u32 {
        self.v(|v| v.eps_ue_mode_operation)
    }
    #[zbus(property, name = "Pco")]
    fn pco(&self) -> Vec<(u32, bool, Vec<u8>)> {
        self.v(|v| v.pco.clone())
    }
    #[zbus(property, name = "InitialEpsBearer")]
    fn initial_eps_bearer(&self) -> OwnedObjectPath {
        self.v(|v| v.initial_eps_bearer.clone())
    }
    #[zbus(property, name = "InitialEpsBearerSettings")]
    fn initial_eps_bearer_settings(&self) -> Dict {
        self.v(|v| v.initial_eps_bearer_settings.clone())
    }
    #[zbus(property, name = "PacketServiceState")]
    fn packet_service_state(&self) -> u32 {
        self.v(|v| v.packet_service_state)
    }
    #[zbus(property, name = "Nr5gRegistrationSettings")]
    fn nr5g_registration_settings(&self) -> Dict {
        self.v(|v| v.nr5g_registration_settings.clone())
    }
}

#[interface(name = "org.freedesktop.ModemManager1.Modem.Modem3gpp.Ussd")]
impl UssdIface {
    async fn initiate(&self, command: String, #[zbus(header)] hdr: Header<'_>) -> Result<String> {
        if command.is_empty() {
            return Err(MmError::InvalidArgs("empty USSD command".into()));
        }
        authorize(&self.ctx, &hdr, USSD).await?;
        super::ussd::initiate(&self.ctx, &command).await
    }

    async fn respond(&self, response: String, #[zbus(header)] hdr: Header<'_>) -> Result<String> {
        if response.is_empty() {
            return Err(MmError::InvalidArgs("empty USSD response".into()));
        }
        authorize(&self.ctx, &hdr, USSD).await?;
        super::ussd::respond(&self.ctx, &response).await
    }

    async fn cancel(&self, #[zbus(header)] hdr: Header<'_>) -> Result<()> {
        authorize(&self.ctx, &hdr, USSD).await?;
        super::ussd::cancel(&self.ctx).await
    }

    #[zbus(property, name = "State")]
    fn state(&self) -> u32 {
        self.v(|v| v.state)
    }
    #[zbus(property, name = "NetworkNotification")]
    fn network_notification(&self) -> String {
        self.v(|v| v.network_notification.clone())
    }
    #[zbus(property, name = "NetworkRequest")]
    fn network_request(&self) -> String {
        self.v(|v| v.network_request.clone())
    }
}

#[interface(name = "org.freedesktop.ModemManager1.Modem.Messaging")]
impl MessagingIface {
    async fn list(&self) -> Vec<OwnedObjectPath> {
        self.v(|v| v.messages.clone())
    }

    async fn delete(&self, path: OwnedObjectPath, #[zbus(header)] hdr: Header<'_>) -> Result<()> {
        authorize(&self.ctx, &hdr, MESSAGING).await?;
        super::messaging::delete(&self.ctx, &path).await
    }

    async fn create(
        &self,
        properties: HashMap<String, OwnedVariant>,
        #[zbus(header)] hdr: Header<'_>,
    ) -> Result<OwnedObjectPath> {
        authorize(&self.ctx, &hdr, MESSAGING).await?;
        super::messaging::create(&self.ctx, &properties).await
    }

    #[zbus(signal)]
    async fn added(
        emitter: &SignalEmitter<'_>,
        path: OwnedObjectPath,
        received: bool,
    ) -> zbus::Result<()>;

    #[zbus(signal)]
    async fn deleted(emitter: &SignalEmitter<'_>, path: OwnedObjectPath) -> zbus::Result<()>;

    #[zbus(property, name = "Messages")]
    fn messages(&self) -> Vec<OwnedObjectPath> {
        self.v(|v| v.messages.clone())
    }
    #[zbus(property, name = "SupportedStorages")]
    fn supported_storages(&self) -> Vec<u32> {
        self.v(|v| v.supported_storages.clone())
    }
    #[zbus(property, name = "DefaultStorage")]
    fn default_storage(&self) -> u32 {
        self.v(|v| v.default_storage)
    }
}

#[interface(name = "org.freedesktop.ModemManager1.Modem.Signal")]
impl SignalIface {
    async fn setup(&self, rate: u32, #[zbus(header)] hdr: Header<'_>) -> Result<()> {
        authorize(&self.ctx, &hdr, DEVICE_CONTROL).await?;
        self.ctx.book().signal_rate = rate;
        self.ctx.sync().await;
        Ok(())
    }

    async fn setup_thresholds(
        &self,
        settings: HashMap<String, OwnedVariant>,
        #[zbus(header)] hdr: Header<'_>,
    ) -> Result<()> {
        let mut t = self.ctx.book().signal_thresholds;
        for (k, v) in &settings {
            match k.as_str() {
                "rssi-threshold" => {
                    t.0 = u32::try_from(v)
                        .map_err(|_| MmError::InvalidArgs("rssi-threshold must be u".into()))?
                }
                "error-rate-threshold" => {
                    t.1 = bool::try_from(v).map_err(|_| {
                        MmError::InvalidArgs("error-rate-threshold must be b".into())
                    })?
                }
                other => return Err(MmError::InvalidArgs(format!("unknown threshold '{other}'"))),
            }
        }
        authorize(&self.ctx, &hdr, DEVICE_CONTROL).await?;
        self.ctx.book().signal_thresholds = t;
        self.ctx.sync().await;
        Ok(())
    }

    #[zbus(property, name = "Rate")]
    fn rate(&self) -> u32 {
        self.v(|v| v.rate)
    }
    #[zbus(property, name = "RssiThreshold")]
    fn rssi_threshold(&self) -> u32 {
        self.v(|v| v.rssi_threshold)
    }
    #[zbus(property, name = "ErrorRateThreshold")]
    fn error_rate_threshold(&self) -> bool {
        self.v(|v| v.error_rate_threshold)
    }
    #[zbus(property, name = "Cdma")]
    fn cdma(&self) -> Dict {
        self.v(|v| v.cdma.clone())
    }
    #[zbus(property, name = "Evdo")]
    fn evdo(&self) -> Dict {
        self.v(|v| v.evdo.clone())
    }
    #[zbus(property, name = "Gsm")]
    fn gsm(&self) -> Dict {
        self.v(|v| v.gsm.clone())
    }
    #[zbus(property, name = "Umts")]
    fn umts(&self) -> Dict {
        self.v(|v| v.umts.clone())
    }
    #[zbus(property, name = "Lte")]
    fn lte(&self) -> Dict {
        self.v(|v| v.lte.clone())
    }
    #[zbus(property, name = "Nr5g")]
    fn nr5g(&self) -> Dict {
        self.v(|v| v.nr5g.clone())
    }
}

#[interface(name = "org.freedesktop.ModemManager1.Sim")]
impl SimIface {
    async fn send_pin(&self, pin: String, #[zbus(header)] hdr: Header<'_>) -> Result<()> {
        check_code("PIN", &pin)?;
        authorize(&self.ctx, &hdr, DEVICE_CONTROL).await?;
        actions::pin(&self.ctx, PinAction::Unlock { pin }).await
    }

    async fn send_puk(
        &self,
        puk: String,
        pin: String,
        #[zbus(header)] hdr: Header<'_>,
    ) -> Result<()> {
        check_code("PUK", &puk)?;
        check_code("PIN", &pin)?;
        authorize(&self.ctx, &hdr, DEVICE_CONTROL).await?;
        actions::pin(&self.ctx, PinAction::Puk { puk, new_pin: pin }).await
    }

    async fn enable_pin(
        &self,
        pin: String,
        enabled: bool,
        #[zbus(header)] hdr: Header<'_>,
    ) -> Result<()> {
        check_code("PIN", &pin)?;
        authorize(&self.ctx, &hdr, DEVICE_CONTROL).await?;
        let a = if enabled {
            PinAction::Enable { pin }
        } else {
            PinAction::Disable { pin }
        };
        actions::pin(&self.ctx, a).await
    }

    async fn change_pin(
        &self,
        old_pin: String,
        new_pin: String,
        #[zbus(header)] hdr: Header<'_>,
    ) -> Result<()> {
        check_code("PIN", &old_pin)?;
        check_code("PIN", &new_pin)?;
        authorize(&self.ctx, &hdr, DEVICE_CONTROL).await?;
        actions::pin(
            &self.ctx,
            PinAction::Change {
                old: old_pin,
                new: new_pin,
            },
        )
        .await
    }

    async fn set_preferred_networks(
        &self,
        preferred_networks: Vec<(String, u32)>,
        #[zbus(header)] hdr: Header<'_>,
    ) -> Result<()> {
        let _ = preferred_networks;
        authorize(&self.ctx, &hdr, DEVICE_CONTROL).await?;
        unsupported("setting preferred networks")
    }

    #[zbus(property, name = "Active")]
    fn active(&self) -> bool {
        self.v(|v| v.active)
    }
    #[zbus(property, name = "SimIdentifier")]
    fn sim_identifier(&self) -> String {
        self.v(|v| v.sim_identifier.clone())
    }
    #[zbus(property, name = "Imsi")]
    fn imsi(&self) -> String {
        self.v(|v| v.imsi.clone())
    }
    #[zbus(property, name = "Eid")]
    fn eid(&self) -> String {
        self.v(|v| v.eid.clone())
    }
    #[zbus(property, name = "OperatorIdentifier")]
    fn operator_identifier(&self) -> String {
        self.v(|v| v.operator_identifier.clone())
    }
    #[zbus(property, name = "OperatorName")]
    fn operator_name(&self) -> String {
        self.v(|v| v.operator_name.clone())
    }
    #[zbus(property, name = "EmergencyNumbers")]
    fn emergency_numbers(&self) -> Vec<String> {
        self.v(|v| v.emergency_numbers.clone())
    }
    #[zbus(property, name = "PreferredNetworks")]
    fn preferred_networks(&self) -> Vec<(String, u32)> {
        self.v(|v| v.preferred_networks.clone())
    }
    #[zbus(property, name = "Gid1")]
    fn gid1(&self) -> Vec<u8> {
        self.v(|v| v.gid1.clone())
    }
    #[zbus(property, name = "Gid2")]
    fn gid2(&self) -> Vec<u8> {
        self.v(|v| v.gid2.clone())
    }
    #[zbus(property, name = "SimType")]
    fn sim_type(&self) -> u32 {
        self.v(|v| v.sim_type)
    }
    #[zbus(property, name = "EsimStatus")]
    fn esim_status(&self) -> u32 {
        self.v(|v| v.esim_status)
    }
    #[zbus(property, name = "Removability")]
    fn removability(&self) -> u32 {
        self.v(|v| v.removability)
    }
}

fn check_code(what: &str, s: &str) -> Result<()> {
    if s.len() < 4 || s.len() > 16 || !s.bytes().all(|b| b.is_ascii_digit()) {
        return Err(MmError::InvalidArgs(format!(
            "{what} must be 4 to 16 digits"
        )));
    }
    Ok(())
}

/// `org.freedesktop.ModemManager1.Bearer` at one bearer path.
#[derive(Debug)]
pub struct BearerIface {
    ctx: Arc<ModemCtx>,
    path: OwnedObjectPath,
}

impl BearerIface {
    /// The bearer at `path` of modem `ctx`.
    pub fn new(ctx: Arc<ModemCtx>, path: OwnedObjectPath) -> Self {
        BearerIface { ctx, path }
    }
    fn v<T>(&self, f: impl FnOnce(&BearerView) -> T) -> T {
        let b = self.ctx.book();
        let d = BearerView::default();
        f(b.bearers
            .iter()
            .find(|r| r.path == self.path)
            .map(|r| &r.view)
            .unwrap_or(&d))
    }
}

#[interface(name = "org.freedesktop.ModemManager1.Bearer")]
impl BearerIface {
    async fn connect(&self, #[zbus(header)] hdr: Header<'_>) -> Result<()> {
        authorize(&self.ctx, &hdr, DEVICE_CONTROL).await?;
        actions::connect_bearer(&self.ctx, &self.path).await
    }

    async fn disconnect(&self, #[zbus(header)] hdr: Header<'_>) -> Result<()> {
        authorize(&self.ctx, &hdr, DEVICE_CONTROL).await?;
        actions::disconnect(&self.ctx, Some(&self.path)).await
    }

    #[zbus(property, name = "Interface")]
    fn interface(&self) -> String {
        self.v(|v| v.interface.clone())
    }
    #[zbus(property, name = "Connected")]
    fn connected(&self) -> bool {
        self.v(|v| v.connected)
    }
    #[zbus(property, name = "ConnectionError")]
    fn connection_error(&self) -> (String, String) {
        self.v(|v| v.connection_error.clone())
    }
    #[zbus(property, name = "Suspended")]
    fn suspended(&self) -> bool {
        self.v(|v| v.suspended)
    }
    #[zbus(property, name = "Multiplexed")]
    fn multiplexed(&self) -> bool {
        self.v(|v| v.multiplexed)
    }
    #[zbus(property, name = "Ip4Config")]
    fn ip4_config(&self) -> Dict {
        self.v(|v| v.ip4_config.clone())
    }
    #[zbus(property, name = "Ip6Config")]
    fn ip6_config(&self) -> Dict {
        self.v(|v| v.ip6_config.clone())
    }
    #[zbus(property, name = "Stats")]
    fn stats(&self) -> Dict {
        self.v(|v| v.stats.clone())
    }
    #[zbus(property, name = "ReloadStatsSupported")]
    fn reload_stats_supported(&self) -> bool {
        self.v(|v| v.reload_stats_supported)
    }
    #[zbus(property, name = "IpTimeout")]
    fn ip_timeout(&self) -> u32 {
        self.v(|v| v.ip_timeout)
    }
    #[zbus(property, name = "BearerType")]
    fn bearer_type(&self) -> u32 {
        self.v(|v| v.bearer_type)
    }
    #[zbus(property, name = "ProfileId")]
    fn profile_id(&self) -> i32 {
        self.v(|v| v.profile_id)
    }
    #[zbus(property, name = "Properties")]
    fn properties(&self) -> Dict {
        self.v(|v| v.properties.clone())
    }
}

/// `org.freedesktop.ModemManager1.Sms` at one SMS path.
#[derive(Debug)]
pub struct SmsIface {
    ctx: Arc<ModemCtx>,
    path: OwnedObjectPath,
}

impl SmsIface {
    /// The SMS at `path` of modem `ctx`.
    pub fn new(ctx: Arc<ModemCtx>, path: OwnedObjectPath) -> Self {
        SmsIface { ctx, path }
    }
    fn v<T>(&self, f: impl FnOnce(&SmsView) -> T) -> T {
        let b = self.ctx.book();
        let d = SmsView::default();
        f(b.sms
            .iter()
            .find(|r| r.path == self.path)
            .map(|r| &r.view)
            .unwrap_or(&d))
    }
}

#[interface(name = "org.freedesktop.ModemManager1.Sms")]
impl SmsIface {
    async fn send(&self, #[zbus(header)] hdr: Header<'_>) -> Result<()> {
        authorize(&self.ctx, &hdr, MESSAGING).await?;
        super::messaging::send(&self.ctx, &self.path).await
    }

    async fn store(&self, storage: u32, #[zbus(header)] hdr: Header<'_>) -> Result<()> {
        authorize(&self.ctx, &hdr, MESSAGING).await?;
        super::messaging::store(&self.ctx, &self.path, storage).await
    }

    #[zbus(property, name = "State")]
    fn state(&self) -> u32 {
        self.v(|v| v.state)
    }
    #[zbus(property, name = "PduType")]
    fn pdu_type(&self) -> u32 {
        self.v(|v| v.pdu_type)
    }
    #[zbus(property, name = "Number")]
    fn number(&self) -> String {
        self.v(|v| v.number.clone())
    }
    #[zbus(property, name = "Text")]
    fn text(&self) -> String {
        self.v(|v| v.text.clone())
    }
    #[zbus(property, name = "Data")]
    fn data(&self) -> Vec<u8> {
        self.v(|v| v.data.clone())
    }
    #[zbus(property, name = "SMSC")]
    fn smsc(&self) -> String {
        self.v(|v| v.smsc.clone())
    }
    #[zbus(property, name = "Validity")]
    fn validity(&self) -> (u32, OwnedVariant) {
        self.v(|v| v.validity.clone())
    }
    #[zbus(property, name = "Class")]
    fn class(&self) -> i32 {
        self.v(|v| v.class)
    }
    #[zbus(property, name = "TeleserviceId")]
    fn teleservice_id(&self) -> u32 {
        self.v(|v| v.teleservice_id)
    }
    #[zbus(property, name = "ServiceCategory")]
    fn service_category(&self) -> u32 {
        self.v(|v| v.service_category)
    }
    #[zbus(property, name = "DeliveryReportRequest")]
    fn delivery_report_request(&self) -> bool {
        self.v(|v| v.delivery_report_request)
    }
    #[zbus(property, name = "MessageReference")]
    fn message_reference(&self) -> u32 {
        self.v(|v| v.message_reference)
    }
    #[zbus(property, name = "Timestamp")]
    fn timestamp(&self) -> String {
        self.v(|v| v.timestamp.clone())
    }
    #[zbus(property, name = "DischargeTimestamp")]
    fn discharge_timestamp(&self) -> String {
        self.v(|v| v.discharge_timestamp.clone())
    }
    #[zbus(property, name = "DeliveryState")]
    fn delivery_state(&self) -> u32 {
        self.v(|v| v.delivery_state)
    }
    #[zbus(property, name = "Storage")]
    fn storage(&self) -> u32 {
        self.v(|v| v.storage)
    }
}
