//! The `#[interface]` implementations. Each object holds only the modem's
//! shared context (its `ModemHandle` plus object-path bookkeeping); property
//! getters read the values last published by `ModemCtx::sync`, methods call
//! `actions`/`modem::ops` and map errors to ModemManager's names. Property
//! getters are generated from the view definitions in `view.rs` (see
//! `scripts/gen-dbus-getters`), so every property of the XML is present with
//! its exact type.

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
    ctx.policy.check(&ctx.conn, hdr, action).await
}

const DEVICE_CONTROL: &str = "org.freedesktop.ModemManager1.Device.Control";
const MESSAGING: &str = "org.freedesktop.ModemManager1.Messaging";
const USSD: &str = "org.freedesktop.ModemManager1.USSD";

fn unsupported<T>(what: &str) -> Result<T> {
    Err(MmError::Unsupported(format!("{what} is not supported by this modem")))
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

    async fn set_current_bands(&self, bands: Vec<u32>, #[zbus(header)] hdr: Header<'_>) -> Result<()> {
        let _ = bands;
        authorize(&self.ctx, &hdr, DEVICE_CONTROL).await?;
        unsupported("band selection")
    }

    async fn set_primary_sim_slot(&self, sim_slot: u32, #[zbus(header)] hdr: Header<'_>) -> Result<()> {
        let _ = sim_slot;
        authorize(&self.ctx, &hdr, DEVICE_CONTROL).await?;
        unsupported("SIM slot selection")
    }

    async fn get_cell_info(&self) -> Result<Vec<HashMap<String, OwnedVariant>>> {
        unsupported("cell info")
    }

    async fn command(&self, cmd: String, timeout: u32, #[zbus(header)] hdr: Header<'_>) -> Result<String> {
        let _ = (cmd, timeout);
        authorize(&self.ctx, &hdr, DEVICE_CONTROL).await?;
        unsupported("AT commands (MBIM ports carry none)")
    }

    /// `StateChanged(old, new, reason)`; emitted by `ModemCtx::sync` after
    /// the property changes.
    #[zbus(signal, name = "StateChanged")]
    async fn state_changed_signal(emitter: &SignalEmitter<'_>, old: i32, new: i32, reason: u32) -> zbus::Result<()>;

    // @@GETTERS ModemView v
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

    async fn disconnect(&self, bearer: OwnedObjectPath, #[zbus(header)] hdr: Header<'_>) -> Result<()> {
        authorize(&self.ctx, &hdr, DEVICE_CONTROL).await?;
        let which = (bearer.as_str() != "/").then_some(&bearer);
        actions::disconnect(&self.ctx, which).await
    }

    async fn get_status(&self) -> HashMap<String, OwnedVariant> {
        let b = self.ctx.book();
        let mut d = HashMap::new();
        d.insert("state".to_string(), ov(b.modem.state.max(0) as u32));
        d.insert("signal-quality".to_string(), ov(b.modem.signal_quality));
        d.insert("current-bands".to_string(), ov(b.modem.current_bands.clone()));
        d.insert("access-technologies".to_string(), ov(b.modem.access_technologies));
        d.insert("m3gpp-registration-state".to_string(), ov(b.m3gpp.registration_state));
        d.insert("m3gpp-operator-code".to_string(), ov(b.m3gpp.operator_code.clone()));
        d.insert("m3gpp-operator-name".to_string(), ov(b.m3gpp.operator_name.clone()));
        d
    }
}

#[interface(name = "org.freedesktop.ModemManager1.Modem.Modem3gpp")]
impl Modem3gppIface {
    async fn register(&self, operator_id: String, #[zbus(header)] hdr: Header<'_>) -> Result<()> {
        if !operator_id.is_empty()
            && (!(5..=6).contains(&operator_id.len()) || !operator_id.bytes().all(|b| b.is_ascii_digit()))
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

    async fn scan(&self, #[zbus(header)] hdr: Header<'_>) -> Result<Vec<HashMap<String, OwnedVariant>>> {
        authorize(&self.ctx, &hdr, DEVICE_CONTROL).await?;
        if self.ctx.current_state() < mm::ModemState::Enabled {
            return Err(MmError::WrongState("modem not enabled".into()));
        }
        use mbim_proto::services::basic_connect::{CellularClass, ProviderState};
        let providers = ops::scan(&self.ctx.handle).await.map_err(|e| from_operation(&e))?;
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
                let tech = if p.cellular_class == CellularClass::CDMA { 0 } else { mm::access::GSM };
                d.insert("access-technology".to_string(), ov(tech));
                d
            })
            .collect())
    }

    async fn set_eps_ue_mode_operation(&self, mode: u32, #[zbus(header)] hdr: Header<'_>) -> Result<()> {
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

    async fn disable_facility_lock(&self, properties: (u32, String), #[zbus(header)] hdr: Header<'_>) -> Result<()> {
        let _ = properties;
        authorize(&self.ctx, &hdr, DEVICE_CONTROL).await?;
        unsupported("facility locks")
    }

    async fn set_packet_service_state(&self, state: u32, #[zbus(header)] hdr: Header<'_>) -> Result<()> {
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

    // @@GETTERS Modem3gppView v
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

    // @@GETTERS UssdView v
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
    async fn added(emitter: &SignalEmitter<'_>, path: OwnedObjectPath, received: bool) -> zbus::Result<()>;

    #[zbus(signal)]
    async fn deleted(emitter: &SignalEmitter<'_>, path: OwnedObjectPath) -> zbus::Result<()>;

    // @@GETTERS MessagingView v
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
                    t.0 = u32::try_from(v).map_err(|_| MmError::InvalidArgs("rssi-threshold must be u".into()))?
                }
                "error-rate-threshold" => {
                    t.1 = bool::try_from(v)
                        .map_err(|_| MmError::InvalidArgs("error-rate-threshold must be b".into()))?
                }
                other => return Err(MmError::InvalidArgs(format!("unknown threshold '{other}'"))),
            }
        }
        authorize(&self.ctx, &hdr, DEVICE_CONTROL).await?;
        self.ctx.book().signal_thresholds = t;
        self.ctx.sync().await;
        Ok(())
    }

    // @@GETTERS SignalView v
}

#[interface(name = "org.freedesktop.ModemManager1.Sim")]
impl SimIface {
    async fn send_pin(&self, pin: String, #[zbus(header)] hdr: Header<'_>) -> Result<()> {
        check_code("PIN", &pin)?;
        authorize(&self.ctx, &hdr, DEVICE_CONTROL).await?;
        actions::pin(&self.ctx, PinAction::Unlock { pin }).await
    }

    async fn send_puk(&self, puk: String, pin: String, #[zbus(header)] hdr: Header<'_>) -> Result<()> {
        check_code("PUK", &puk)?;
        check_code("PIN", &pin)?;
        authorize(&self.ctx, &hdr, DEVICE_CONTROL).await?;
        actions::pin(&self.ctx, PinAction::Puk { puk, new_pin: pin }).await
    }

    async fn enable_pin(&self, pin: String, enabled: bool, #[zbus(header)] hdr: Header<'_>) -> Result<()> {
        check_code("PIN", &pin)?;
        authorize(&self.ctx, &hdr, DEVICE_CONTROL).await?;
        let a = if enabled { PinAction::Enable { pin } } else { PinAction::Disable { pin } };
        actions::pin(&self.ctx, a).await
    }

    async fn change_pin(&self, old_pin: String, new_pin: String, #[zbus(header)] hdr: Header<'_>) -> Result<()> {
        check_code("PIN", &old_pin)?;
        check_code("PIN", &new_pin)?;
        authorize(&self.ctx, &hdr, DEVICE_CONTROL).await?;
        actions::pin(&self.ctx, PinAction::Change { old: old_pin, new: new_pin }).await
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

    // @@GETTERS SimView v
}

fn check_code(what: &str, s: &str) -> Result<()> {
    if s.len() < 4 || s.len() > 16 || !s.bytes().all(|b| b.is_ascii_digit()) {
        return Err(MmError::InvalidArgs(format!("{what} must be 4 to 16 digits")));
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
        f(b.bearers.iter().find(|r| r.path == self.path).map(|r| &r.view).unwrap_or(&d))
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

    // @@GETTERS BearerView v
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
        f(b.sms.iter().find(|r| r.path == self.path).map(|r| &r.view).unwrap_or(&d))
    }
}

#[interface(name = "org.freedesktop.ModemManager1.Sms")]
impl SmsIface {
    async fn send(&self, #[zbus(header)] hdr: Header<'_>) -> Result<()> {
        authorize(&self.ctx, &hdr, MESSAGING).await?;
        super::messaging::send(&self.ctx, &self.path).await
    }

    async fn store(&self, storage: u32, #[zbus(header)] hdr: Header<'_>) -> Result<()> {
        let _ = storage;
        authorize(&self.ctx, &hdr, MESSAGING).await?;
        unsupported("storing SMS in the modem")
    }

    // @@GETTERS SmsView v
}
