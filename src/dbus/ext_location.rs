//! `org.freedesktop.ModemManager1.Modem.Location` where MBIM provides the
//! data: the 3GPP serving cell (source `3GPP_LAC_CI`) from MS Basic Connect
//! Extensions LOCATION_INFO_STATUS, with the MCC/MNC of the registered
//! network. No GPS: MBIM has no GNSS service (ModemManager reaches GNSS only
//! through QMI over MBIM, modemmanager-api.md §8.2), so GPS, A-GPS, SUPL and
//! assistance data answer `Core.Unsupported` as ModemManager does for a
//! modem without them.
//!
//! Behaviour follows ModemManager's `mm-iface-modem-location.c`: the
//! interface exists while the modem is initialised (not LOCKED/FAILED) and
//! lists LOCATION_INFO_STATUS; enabling the modem enables the non-GPS
//! sources, disabling it disables them all; `Setup` replaces the enabled
//! set and switches `SignalsLocation`; the `Location` property carries values
//! only while `SignalsLocation` is on. This module computes and serves; it
//! never talks MBIM (the actor keeps the cell in the state snapshot).

use super::modem::ModemCtx;
use super::view::{Change, Dict, ov, view};
use crate::modem::ModemState;
use dbus_interfaces::MmError;
use dbus_interfaces::enums::ModemState as MmState;
use mbim_proto::services::ms_basic_connect_extensions as ms_bce;
use mbim_proto::uuid;
use std::collections::HashMap;
use std::sync::Arc;
use zbus::message::Header;
use zbus::{OwnedVariant, interface};

/// MMModemLocationSource `3GPP_LAC_CI`.
pub const SOURCE_3GPP_LAC_CI: u32 = 1;
/// MMModemLocationSource GPS_RAW | GPS_NMEA | GPS_UNMANAGED | AGPS_MSA |
/// AGPS_MSB: none of them has an MBIM source.
const SOURCES_GPS: u32 = 2 | 4 | 16 | 32 | 64;
/// What mbimd can gather on an MBIM modem.
pub const CAPABILITIES: u32 = SOURCE_3GPP_LAC_CI;

const DEVICE_CONTROL: &str = "org.freedesktop.ModemManager1.Device.Control";
const LOCATION: &str = "org.freedesktop.ModemManager1.Location";

view!(
    /// `org.freedesktop.ModemManager1.Modem.Location`.
    LocationView {
        "Capabilities" capabilities: u32 = 0,
        "SupportedAssistanceData" supported_assistance_data: u32 = 0,
        "Enabled" enabled: u32 = 0,
        "SignalsLocation" signals_location: bool = false,
        "Location" location: HashMap<u32, OwnedVariant> = HashMap::new(),
        "SuplServer" supl_server: String = String::new(),
        "AssistanceDataServers" assistance_data_servers: Vec<String> = Vec::new(),
        "GpsRefreshRate" gps_refresh_rate: u32 = 0,
    }
);

/// What clients asked with `Setup`, kept in the modem's bookkeeping.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LocationSetup {
    /// The enabled sources while the modem is enabled; `None` = the
    /// defaults, which every enable goes back to (as ModemManager).
    pub sources: Option<u32>,
    pub signals_location: bool,
}

/// Whether the modem can report its serving cell.
pub fn supported(s: &ModemState) -> bool {
    s.supports(
        &uuid::MS_BASIC_CONNECT_EXTENSIONS,
        ms_bce::cid::LOCATION_INFO_STATUS,
    )
}

/// The sources enabled on a modem in `state` with `setup`.
pub fn enabled_sources(state: MmState, setup: &LocationSetup) -> u32 {
    if state >= MmState::Enabled {
        // The default is every non-GPS capability.
        setup.sources.unwrap_or(CAPABILITIES & !SOURCES_GPS)
    } else {
        0
    }
}

/// The 3GPP location in ModemManager's string form, `MCC,MNC,LAC,CI,TAC`:
/// MCC and MNC in decimal without leading zeros, the codes in upper-case hex
/// (libmm-glib `mm_location_3gpp_get_string_variant`). `None` while not
/// registered, or when the cell is not known well enough for a client to
/// use it (no MCC, neither LAC nor TAC, or no cell id). A LAC beyond 16 bits
/// is not a LAC (libmm-glib refuses more than four hex digits), so it counts
/// as unknown.
pub fn lac_ci(s: &ModemState, state: MmState) -> Option<String> {
    if state < MmState::Registered {
        return None;
    }
    let reg = s.registration.as_ref()?;
    let id = reg.provider_id.as_str();
    if !(5..=6).contains(&id.len()) || !id.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let mcc: u32 = id[..3].parse().ok()?;
    let mnc: u32 = id[3..].parse().ok()?;
    let cell = s.location.as_ref()?;
    let lac = if cell.location_area_code <= 0xFFFF {
        cell.location_area_code
    } else {
        0
    };
    let (tac, ci) = (cell.tracking_area_code, cell.cell_id);
    if mcc == 0 || (lac == 0 && tac == 0) || ci == 0 {
        return None;
    }
    Some(format!("{mcc},{mnc},{lac:X},{ci:X},{tac:X}"))
}

/// The location dictionary (`a{uv}`) of the enabled sources.
pub fn location_dict(s: &ModemState, state: MmState, enabled: u32) -> HashMap<u32, OwnedVariant> {
    let mut m = HashMap::new();
    if enabled & SOURCE_3GPP_LAC_CI != 0
        && let Some(v) = lac_ci(s, state)
    {
        m.insert(SOURCE_3GPP_LAC_CI, ov(v));
    }
    m
}

/// The Location view. A modem going below ENABLED forgets `Setup`'s
/// sources, so the next enable starts from the defaults again.
pub fn location_view(s: &ModemState, state: MmState, setup: &mut LocationSetup) -> LocationView {
    if state < MmState::Enabled {
        setup.sources = None;
    }
    let enabled = enabled_sources(state, setup);
    let location = if setup.signals_location {
        location_dict(s, state, enabled)
    } else {
        HashMap::new()
    };
    LocationView {
        capabilities: CAPABILITIES,
        enabled,
        signals_location: setup.signals_location,
        location,
        ..LocationView::default()
    }
}

/// Names of a source mask, for error messages (MM's nicknames).
fn source_names(mask: u32) -> String {
    const NAMES: [&str; 7] = [
        "3gpp-lac-ci",
        "gps-raw",
        "gps-nmea",
        "cdma-bs",
        "gps-unmanaged",
        "agps-msa",
        "agps-msb",
    ];
    let mut v: Vec<String> = Vec::new();
    for bit in 0..32 {
        if mask & (1 << bit) != 0 {
            v.push(
                NAMES
                    .get(bit)
                    .map_or_else(|| format!("unknown-{:#x}", 1u32 << bit), |n| n.to_string()),
            );
        }
    }
    v.join(", ")
}

/// D-Bus object state: the modem context only.
#[derive(Debug)]
pub struct LocationIface {
    ctx: Arc<ModemCtx>,
}

impl LocationIface {
    /// The Location interface of modem `ctx`.
    pub fn new(ctx: Arc<ModemCtx>) -> Self {
        LocationIface { ctx }
    }
    fn v<T>(&self, f: impl FnOnce(&LocationView) -> T) -> T {
        f(&self.ctx.book().location)
    }
    async fn authorize(&self, hdr: &Header<'_>, action: &str) -> Result<(), MmError> {
        self.ctx.policy.check(&self.ctx.conn, hdr, action).await
    }
    /// MM refuses every Location method before the modem is enabled.
    fn enabled(&self, what: &str) -> Result<(), MmError> {
        if self.ctx.current_state() < MmState::Enabled {
            return Err(MmError::WrongState(format!(
                "Cannot {what}: device not yet enabled"
            )));
        }
        Ok(())
    }
}

#[interface(name = "org.freedesktop.ModemManager1.Modem.Location")]
impl LocationIface {
    async fn setup(
        &self,
        sources: u32,
        signal_location: bool,
        #[zbus(header)] hdr: Header<'_>,
    ) -> Result<(), MmError> {
        self.authorize(&hdr, DEVICE_CONTROL).await?;
        self.enabled("setup location")?;
        let not_supported = sources & !CAPABILITIES;
        if not_supported != 0 {
            return Err(MmError::Unsupported(format!(
                "Cannot enable unsupported location sources: '{}'",
                source_names(not_supported)
            )));
        }
        self.ctx.book().location_setup = LocationSetup {
            sources: Some(sources),
            signals_location: signal_location,
        };
        self.ctx.sync().await;
        Ok(())
    }

    async fn get_location(
        &self,
        #[zbus(header)] hdr: Header<'_>,
    ) -> Result<HashMap<u32, OwnedVariant>, MmError> {
        self.authorize(&hdr, LOCATION).await?;
        self.enabled("get location")?;
        let state = self.ctx.current_state();
        let enabled = enabled_sources(state, &self.ctx.book().location_setup);
        Ok(location_dict(&self.ctx.handle.state(), state, enabled))
    }

    async fn set_supl_server(
        &self,
        supl: String,
        #[zbus(header)] hdr: Header<'_>,
    ) -> Result<(), MmError> {
        let _ = supl;
        self.authorize(&hdr, DEVICE_CONTROL).await?;
        self.enabled("set SUPL server")?;
        Err(MmError::Unsupported(
            "Cannot set SUPL server: A-GPS not supported".into(),
        ))
    }

    async fn inject_assistance_data(
        &self,
        data: Vec<u8>,
        #[zbus(header)] hdr: Header<'_>,
    ) -> Result<(), MmError> {
        let _ = data;
        self.authorize(&hdr, DEVICE_CONTROL).await?;
        Err(MmError::Unsupported(
            "Cannot inject assistance data: unsupported".into(),
        ))
    }

    async fn set_gps_refresh_rate(
        &self,
        rate: u32,
        #[zbus(header)] hdr: Header<'_>,
    ) -> Result<(), MmError> {
        let _ = rate;
        self.authorize(&hdr, DEVICE_CONTROL).await?;
        self.enabled("set GPS refresh rate")?;
        Err(MmError::Unsupported(
            "Cannot set GPS refresh rate: GPS not supported".into(),
        ))
    }

    #[zbus(property, name = "Capabilities")]
    fn capabilities(&self) -> u32 {
        self.v(|v| v.capabilities)
    }
    #[zbus(property, name = "SupportedAssistanceData")]
    fn supported_assistance_data(&self) -> u32 {
        self.v(|v| v.supported_assistance_data)
    }
    #[zbus(property, name = "Enabled")]
    fn enabled_prop(&self) -> u32 {
        self.v(|v| v.enabled)
    }
    #[zbus(property, name = "SignalsLocation")]
    fn signals_location(&self) -> bool {
        self.v(|v| v.signals_location)
    }
    #[zbus(property, name = "Location")]
    fn location(&self) -> HashMap<u32, OwnedVariant> {
        self.v(|v| v.location.clone())
    }
    #[zbus(property, name = "SuplServer")]
    fn supl_server(&self) -> String {
        self.v(|v| v.supl_server.clone())
    }
    #[zbus(property, name = "AssistanceDataServers")]
    fn assistance_data_servers(&self) -> Vec<String> {
        self.v(|v| v.assistance_data_servers.clone())
    }
    #[zbus(property, name = "GpsRefreshRate")]
    fn gps_refresh_rate(&self) -> u32 {
        self.v(|v| v.gps_refresh_rate)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use mbim_proto::services::basic_connect::{RegisterState, RegistrationStateInfo};
    use mbim_proto::services::ms_basic_connect_extensions::LocationInfo;

    fn registered(provider: &str, lac: u32, tac: u32, ci: u32) -> ModemState {
        ModemState {
            registration: Some(RegistrationStateInfo {
                register_state: RegisterState::HOME,
                provider_id: provider.into(),
                ..RegistrationStateInfo::default()
            }),
            location: Some(LocationInfo {
                location_area_code: lac,
                tracking_area_code: tac,
                cell_id: ci,
            }),
            ..ModemState::default()
        }
    }

    #[test]
    fn lac_ci_string_has_decimal_plmn_and_uppercase_hex_codes() {
        let s = registered("26202", 0x1F40, 0x2A, 0x0123_ABCD);
        assert_eq!(
            lac_ci(&s, MmState::Registered).as_deref(),
            Some("262,2,1F40,123ABCD,2A")
        );
        // Three-digit MNC, LTE (no LAC).
        let s = registered("310410", 0, 0x5B01, 0x1B);
        assert_eq!(
            lac_ci(&s, MmState::Connected).as_deref(),
            Some("310,410,0,1B,5B01")
        );
    }

    #[test]
    fn lac_ci_is_absent_unless_registered_on_a_known_cell() {
        let s = registered("26202", 0x1F40, 1, 7);
        assert_eq!(lac_ci(&s, MmState::Enabled), None);
        assert_eq!(
            lac_ci(&registered("26202", 0, 0, 7), MmState::Registered),
            None
        );
        assert_eq!(
            lac_ci(&registered("26202", 5, 0, 0), MmState::Registered),
            None
        );
        assert_eq!(
            lac_ci(&registered("00001", 5, 0, 1), MmState::Registered),
            None
        );
        assert_eq!(lac_ci(&registered("", 5, 0, 1), MmState::Registered), None);
        // A 32-bit "LAC" is no LAC; the TAC still places the cell.
        assert_eq!(
            lac_ci(&registered("26202", 0x1_0000, 3, 1), MmState::Registered).as_deref(),
            Some("262,2,0,1,3")
        );
    }

    #[test]
    fn enable_restores_default_sources_and_location_follows_signals() {
        let s = registered("00101", 0x1F40, 1, 0x0123_ABCD);
        let mut setup = LocationSetup::default();
        let v = location_view(&s, MmState::Disabled, &mut setup);
        assert_eq!((v.capabilities, v.enabled), (CAPABILITIES, 0));
        let v = location_view(&s, MmState::Registered, &mut setup);
        assert_eq!(v.enabled, SOURCE_3GPP_LAC_CI);
        assert!(v.location.is_empty(), "not signalled");
        setup = LocationSetup {
            sources: Some(0),
            signals_location: true,
        };
        let v = location_view(&s, MmState::Registered, &mut setup);
        assert_eq!(v.enabled, 0);
        assert!(v.location.is_empty(), "source disabled");
        // Disable, then enable: back to the defaults, still signalled.
        location_view(&s, MmState::Disabled, &mut setup);
        let v = location_view(&s, MmState::Registered, &mut setup);
        assert_eq!(v.enabled, SOURCE_3GPP_LAC_CI);
        let loc = v.location.get(&SOURCE_3GPP_LAC_CI).expect("3gpp location");
        assert_eq!(
            <&str>::try_from(&**loc).expect("a string"),
            "1,1,1F40,123ABCD,1"
        );
    }

    #[test]
    fn source_names_are_mm_nicknames() {
        assert_eq!(source_names(2 | 4), "gps-raw, gps-nmea");
        assert_eq!(source_names(1 << 9), "unknown-0x200");
    }
}
