//! The property values of every exported interface, computed from a modem's
//! state snapshot plus the daemon's own bookkeeping (bearers, SMS, transient
//! states). Pure functions: no D-Bus, no I/O, so they are unit-tested directly.
//!
//! Each view struct holds the *complete* property set of one interface with
//! exactly the XML types (modemmanager-api.md §3, §6.5: libmm-glib crashes on
//! missing properties), so getters, `GetAll`, `GetManagedObjects` and
//! `PropertiesChanged` all read the same values.

use dbus_interfaces::enums::{
    self as mm, BearerIpMethod, ModemLock, ModemState as MmState, PortType, PowerState,
    StateFailedReason,
};
use mbim_proto::services::basic_connect::{
    ActivationState, DataClass, IpConfigurationInfo, PacketServiceState as MbimPs, PinState,
    PinType, RadioSwitchState, RegisterState, SubscriberReadyState,
};
use std::collections::HashMap;
use zbus::{OwnedObjectPath, OwnedVariant, Variant};

/// An `a{sv}` property value.
pub type Dict = HashMap<String, OwnedVariant>;

/// A changed property: name and new value.
pub type Change = (&'static str, OwnedVariant);

/// Turn any serialisable value into an owned variant. Values built here never
/// contain file descriptors, so the conversion cannot fail in practice; the
/// fallback keeps the property present rather than panicking.
pub fn ov<'a, T: Into<Variant<'a>>>(v: T) -> OwnedVariant {
    v.into()
        .try_into_owned()
        .unwrap_or_else(|_| OwnedVariant::from(0u32))
}

/// `/`, the "no object" path.
pub fn root_path() -> OwnedObjectPath {
    OwnedObjectPath::default()
}

macro_rules! view {
    ($(#[$m:meta])* $name:ident { $($prop:literal $field:ident : $ty:ty = $def:expr),* $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, PartialEq)]
        pub struct $name { $(pub $field: $ty),* }

        impl Default for $name {
            fn default() -> Self { $name { $($field: $def),* } }
        }

        impl $name {
            /// Property names, in declaration order.
            pub const NAMES: &'static [&'static str] = &[$($prop),*];

            /// Properties whose value differs from `old`, with their new values.
            pub fn changes(&self, old: &Self) -> Vec<Change> {
                let mut v = Vec::new();
                $(if self.$field != old.$field { v.push(($prop, ov(self.$field.clone()))); })*
                v
            }

            /// Every property (for `GetManagedObjects` / `InterfacesAdded`).
            pub fn to_map(&self) -> Dict {
                let mut m = Dict::new();
                $(m.insert($prop.to_string(), ov(self.$field.clone()));)*
                m
            }
        }
    };
}
/// For the interfaces defined beside their `#[interface]` (`ext_*.rs`).
pub(crate) use view;

view!(
    /// `org.freedesktop.ModemManager1.Modem`.
    ModemView {
        "Sim" sim: OwnedObjectPath = root_path(),
        "SimSlots" sim_slots: Vec<OwnedObjectPath> = Vec::new(),
        "PrimarySimSlot" primary_sim_slot: u32 = 0,
        "Bearers" bearers: Vec<OwnedObjectPath> = Vec::new(),
        "SupportedCapabilities" supported_capabilities: Vec<u32> = Vec::new(),
        "CurrentCapabilities" current_capabilities: u32 = 0,
        "MaxBearers" max_bearers: u32 = 1,
        "MaxActiveBearers" max_active_bearers: u32 = 1,
        "MaxActiveMultiplexedBearers" max_active_multiplexed_bearers: u32 = 0,
        "Manufacturer" manufacturer: String = String::new(),
        "Model" model: String = String::new(),
        "Revision" revision: String = String::new(),
        "CarrierConfiguration" carrier_configuration: String = String::new(),
        "CarrierConfigurationRevision" carrier_configuration_revision: String = String::new(),
        "HardwareRevision" hardware_revision: String = String::new(),
        "DeviceIdentifier" device_identifier: String = String::new(),
        "Device" device: String = String::new(),
        "Physdev" physdev: String = String::new(),
        "Drivers" drivers: Vec<String> = Vec::new(),
        "Plugin" plugin: String = String::new(),
        "PrimaryPort" primary_port: String = String::new(),
        "Ports" ports: Vec<(String, u32)> = Vec::new(),
        "EquipmentIdentifier" equipment_identifier: String = String::new(),
        "UnlockRequired" unlock_required: u32 = ModemLock::Unknown.value(),
        "UnlockRetries" unlock_retries: HashMap<u32, u32> = HashMap::new(),
        "State" state: i32 = MmState::Unknown.value(),
        "StateFailedReason" state_failed_reason: u32 = 0,
        "AccessTechnologies" access_technologies: u32 = 0,
        "SignalQuality" signal_quality: (u32, bool) = (0, false),
        "OwnNumbers" own_numbers: Vec<String> = Vec::new(),
        "PowerState" power_state: u32 = PowerState::Unknown.value(),
        "SupportedModes" supported_modes: Vec<(u32, u32)> = Vec::new(),
        "CurrentModes" current_modes: (u32, u32) = (0, 0),
        "SupportedBands" supported_bands: Vec<u32> = Vec::new(),
        "CurrentBands" current_bands: Vec<u32> = Vec::new(),
        "SupportedIpFamilies" supported_ip_families: u32 = 0,
    }
);

view!(
    /// `org.freedesktop.ModemManager1.Modem.Modem3gpp`.
    Modem3gppView {
        "Imei" imei: String = String::new(),
        "RegistrationState" registration_state: u32 = mm::RegistrationState::Unknown.value(),
        "OperatorCode" operator_code: String = String::new(),
        "OperatorName" operator_name: String = String::new(),
        "EnabledFacilityLocks" enabled_facility_locks: u32 = 0,
        "SubscriptionState" subscription_state: u32 = 0,
        "EpsUeModeOperation" eps_ue_mode_operation: u32 = 0,
        "Pco" pco: Vec<(u32, bool, Vec<u8>)> = Vec::new(),
        "InitialEpsBearer" initial_eps_bearer: OwnedObjectPath = root_path(),
        "InitialEpsBearerSettings" initial_eps_bearer_settings: Dict = Dict::new(),
        "PacketServiceState" packet_service_state: u32 = 0,
        "Nr5gRegistrationSettings" nr5g_registration_settings: Dict = Dict::new(),
    }
);

view!(
    /// `org.freedesktop.ModemManager1.Modem.Modem3gpp.Ussd`.
    UssdView {
        "State" state: u32 = mm::UssdSessionState::Idle.value(),
        "NetworkNotification" network_notification: String = String::new(),
        "NetworkRequest" network_request: String = String::new(),
    }
);

view!(
    /// `org.freedesktop.ModemManager1.Modem.Messaging`.
    MessagingView {
        "Messages" messages: Vec<OwnedObjectPath> = Vec::new(),
        "SupportedStorages" supported_storages: Vec<u32> = vec![mm::SmsStorage::Mt.value()],
        "DefaultStorage" default_storage: u32 = mm::SmsStorage::Mt.value(),
    }
);

view!(
    /// `org.freedesktop.ModemManager1.Modem.Signal`.
    SignalView {
        "Rate" rate: u32 = 0,
        "RssiThreshold" rssi_threshold: u32 = 0,
        "ErrorRateThreshold" error_rate_threshold: bool = false,
        "Cdma" cdma: Dict = Dict::new(),
        "Evdo" evdo: Dict = Dict::new(),
        "Gsm" gsm: Dict = Dict::new(),
        "Umts" umts: Dict = Dict::new(),
        "Lte" lte: Dict = Dict::new(),
        "Nr5g" nr5g: Dict = Dict::new(),
    }
);

view!(
    /// `org.freedesktop.ModemManager1.Sim`.
    SimView {
        "Active" active: bool = true,
        "SimIdentifier" sim_identifier: String = String::new(),
        "Imsi" imsi: String = String::new(),
        "Eid" eid: String = String::new(),
        "OperatorIdentifier" operator_identifier: String = String::new(),
        "OperatorName" operator_name: String = String::new(),
        "EmergencyNumbers" emergency_numbers: Vec<String> = Vec::new(),
        "PreferredNetworks" preferred_networks: Vec<(String, u32)> = Vec::new(),
        "Gid1" gid1: Vec<u8> = Vec::new(),
        "Gid2" gid2: Vec<u8> = Vec::new(),
        "SimType" sim_type: u32 = mm::SimType::Physical.value(),
        "EsimStatus" esim_status: u32 = 0,
        "Removability" removability: u32 = mm::SimRemovability::Unknown.value(),
    }
);

view!(
    /// `org.freedesktop.ModemManager1.Bearer`.
    BearerView {
        "Interface" interface: String = String::new(),
        "Connected" connected: bool = false,
        "ConnectionError" connection_error: (String, String) = (String::new(), String::new()),
        "Suspended" suspended: bool = false,
        "Multiplexed" multiplexed: bool = false,
        "Ip4Config" ip4_config: Dict = no_ip_config(),
        "Ip6Config" ip6_config: Dict = no_ip_config(),
        "Stats" stats: Dict = Dict::new(),
        "ReloadStatsSupported" reload_stats_supported: bool = false,
        "IpTimeout" ip_timeout: u32 = 20,
        "BearerType" bearer_type: u32 = mm::BearerType::Default.value(),
        "ProfileId" profile_id: i32 = -1,
        "Properties" properties: Dict = Dict::new(),
    }
);

view!(
    /// `org.freedesktop.ModemManager1.Sms`.
    SmsView {
        "State" state: u32 = mm::SmsState::Unknown.value(),
        "PduType" pdu_type: u32 = mm::SmsPduType::Unknown.value(),
        "Number" number: String = String::new(),
        "Text" text: String = String::new(),
        "Data" data: Vec<u8> = Vec::new(),
        "SMSC" smsc: String = String::new(),
        "Validity" validity: (u32, OwnedVariant) = (0, ov(0u32)),
        "Class" class: i32 = -1,
        "TeleserviceId" teleservice_id: u32 = 0,
        "ServiceCategory" service_category: u32 = 0,
        "DeliveryReportRequest" delivery_report_request: bool = false,
        "MessageReference" message_reference: u32 = 0,
        "Timestamp" timestamp: String = String::new(),
        "DischargeTimestamp" discharge_timestamp: String = String::new(),
        "DeliveryState" delivery_state: u32 = mm::SMS_DELIVERY_STATE_UNKNOWN,
        "Storage" storage: u32 = mm::SmsStorage::Mt.value(),
    }
);

/// `{'method': <uint32 0>}`: what MM publishes when there is no IP
/// configuration (libmm-glib cannot parse an empty dict, §3.1).
pub fn no_ip_config() -> Dict {
    let mut d = Dict::new();
    d.insert("method".into(), ov(BearerIpMethod::Unknown.value()));
    d
}

/// Where the modem's ports are (from discovery, or the simulator).
#[derive(Debug, Clone, Default)]
pub struct PortInfo {
    /// Control port name (`cdc-wdm0`), NM ignores modems without one.
    pub primary_port: String,
    /// Network interface (`wwan0`), empty when unknown.
    pub net_port: String,
    /// Kernel driver (`cdc_mbim`).
    pub driver: String,
    /// Physical device path (sysfs), the `InhibitDevice` uid.
    pub device: String,
    /// USB vendor/product ids.
    pub usb_ids: Option<(u16, u16)>,
}

/// The MM state, its failure reason and the lock, derived from MBIM state
/// (modemmanager-api.md §9). `transient` is a state the daemon is passing
/// through (ENABLING, CONNECTING, ...), which wins while set.
pub fn mm_state(
    s: &crate::modem::ModemState,
    transient: Option<MmState>,
) -> (MmState, StateFailedReason, ModemLock) {
    let ready = s.subscriber.as_ref().map(|x| x.ready_state);
    match ready {
        Some(SubscriberReadyState::SIM_NOT_INSERTED) => {
            return (
                MmState::Failed,
                StateFailedReason::SimMissing,
                ModemLock::Unknown,
            );
        }
        Some(SubscriberReadyState::BAD_SIM) => {
            return (
                MmState::Failed,
                StateFailedReason::SimError,
                ModemLock::Unknown,
            );
        }
        _ => {}
    }
    let lock = lock_of(s);
    if lock != ModemLock::None {
        return (MmState::Locked, StateFailedReason::None, lock);
    }
    if let Some(t) = transient {
        return (t, StateFailedReason::None, lock);
    }
    let radio_on = s.radio.as_ref().is_some_and(|r| {
        r.sw_radio_state == RadioSwitchState::ON && r.hw_radio_state == RadioSwitchState::ON
    });
    if !radio_on {
        return (MmState::Disabled, StateFailedReason::None, lock);
    }
    if s.connections
        .values()
        .any(|c| c.activation_state == ActivationState::ACTIVATED)
    {
        return (MmState::Connected, StateFailedReason::None, lock);
    }
    let st = match s.registration.as_ref().map(|r| r.register_state) {
        Some(RegisterState::HOME | RegisterState::ROAMING | RegisterState::PARTNER) => {
            MmState::Registered
        }
        Some(RegisterState::SEARCHING) => MmState::Searching,
        _ => MmState::Enabled,
    };
    (st, StateFailedReason::None, lock)
}

/// The SIM lock from PIN state (PIN1/PUK1 are the only ones that block use).
pub fn lock_of(s: &crate::modem::ModemState) -> ModemLock {
    if let Some(p) = &s.pin
        && p.pin_state == PinState::LOCKED
    {
        return match p.pin_type {
            PinType::PIN1 => ModemLock::SimPin,
            PinType::PUK1 => ModemLock::SimPuk,
            PinType::PIN2 => ModemLock::SimPin2,
            PinType::PUK2 => ModemLock::SimPuk2,
            PinType::NETWORK_PIN => ModemLock::PhNetPin,
            PinType::NETWORK_PUK => ModemLock::PhNetPuk,
            PinType::CORPORATE_PIN => ModemLock::PhCorpPin,
            PinType::CORPORATE_PUK => ModemLock::PhCorpPuk,
            PinType::DEVICE_SIM_PIN => ModemLock::PhSimPin,
            _ => ModemLock::Unknown,
        };
    }
    if s.subscriber.as_ref().map(|x| x.ready_state) == Some(SubscriberReadyState::DEVICE_LOCKED) {
        return ModemLock::SimPin;
    }
    if s.pin.is_none() && s.subscriber.is_none() {
        return ModemLock::Unknown;
    }
    ModemLock::None
}

/// MBIM data classes → MM access technologies.
pub fn access_technologies(dc: DataClass) -> u32 {
    let pairs = [
        (DataClass::GPRS, mm::access::GPRS),
        (DataClass::EDGE, mm::access::EDGE),
        (DataClass::UMTS, mm::access::UMTS),
        (DataClass::HSDPA, mm::access::HSDPA),
        (DataClass::HSUPA, mm::access::HSUPA),
        (DataClass::LTE, mm::access::LTE),
        (DataClass::NR5G_NSA, mm::access::NR5G),
        (DataClass::NR5G_SA, mm::access::NR5G),
    ];
    let mut v = 0;
    for (d, a) in pairs {
        if dc.0 & d.0 != 0 {
            v |= a;
        }
    }
    v
}

/// MBIM data classes → MM modes mask.
pub fn modes(dc: DataClass) -> u32 {
    let mut m = 0;
    if dc.0 & (DataClass::GPRS.0 | DataClass::EDGE.0) != 0 {
        m |= mm::mode::M2G;
    }
    if dc.0 & (DataClass::UMTS.0 | DataClass::HSDPA.0 | DataClass::HSUPA.0) != 0 {
        m |= mm::mode::M3G;
    }
    if dc.0 & DataClass::LTE.0 != 0 {
        m |= mm::mode::M4G;
    }
    if dc.0 & (DataClass::NR5G_NSA.0 | DataClass::NR5G_SA.0) != 0 {
        m |= mm::mode::M5G;
    }
    m
}

/// MBIM RSSI code (0–31, 99 unknown) → percent, as MM computes it.
pub fn signal_percent(rssi: u32) -> u32 {
    if rssi > 31 { 0 } else { rssi * 100 / 31 }
}

/// MBIM RSSI code → dBm.
pub fn rssi_dbm(rssi: u32) -> Option<f64> {
    (rssi <= 31).then(|| -113.0 + 2.0 * f64::from(rssi))
}

/// A 40-hex-digit device identifier hashed from stable facts (MM publishes a
/// SHA-1; any stable, non-personal digest serves clients).
pub fn device_identifier(parts: &[&str]) -> String {
    // FNV-1a, widened to 160 bits by hashing with five seeds.
    let mut out = String::with_capacity(40);
    for seed in 0u64..5 {
        let mut h: u64 = 0xcbf2_9ce4_8422_2325 ^ seed.wrapping_mul(0x9e37_79b9_7f4a_7c15);
        for p in parts {
            for b in p.bytes().chain(std::iter::once(0)) {
                h ^= u64::from(b);
                h = h.wrapping_mul(0x0000_0100_0000_01b3);
            }
        }
        out.push_str(&format!("{:08x}", (h >> 32) as u32 ^ h as u32));
    }
    out
}

/// The Modem view.
pub fn modem_view(
    s: &crate::modem::ModemState,
    ports: &PortInfo,
    state: (MmState, StateFailedReason, ModemLock),
    sim_path: Option<&OwnedObjectPath>,
    bearers: Vec<OwnedObjectPath>,
) -> ModemView {
    let caps = s.device_caps.clone().unwrap_or_default();
    let all_modes = modes(caps.data_class);
    let mut supported_caps = mm::capability::GSM_UMTS;
    if caps.data_class.0 & DataClass::LTE.0 != 0 {
        supported_caps |= mm::capability::LTE;
    }
    if caps.data_class.0 & (DataClass::NR5G_NSA.0 | DataClass::NR5G_SA.0) != 0 {
        supported_caps |= mm::capability::NR5G;
    }
    let (manufacturer, model) = match ports.usb_ids {
        Some((v, p)) => ("Generic".to_string(), format!("MBIM [{v:04X}:{p:04X}]")),
        None => ("Generic".to_string(), caps.hardware_info.clone()),
    };
    let mut port_list = Vec::new();
    if !ports.primary_port.is_empty() {
        port_list.push((ports.primary_port.clone(), PortType::Mbim.value()));
    }
    if !ports.net_port.is_empty() {
        port_list.push((ports.net_port.clone(), PortType::Net.value()));
    }
    let mut retries = HashMap::new();
    if let Some(p) = &s.pin
        && p.remaining_attempts != 0xFFFF_FFFF
    {
        let key = match p.pin_type {
            PinType::PUK1 => ModemLock::SimPuk,
            _ => ModemLock::SimPin,
        };
        retries.insert(key.value(), p.remaining_attempts);
    }
    let radio_on = s
        .radio
        .as_ref()
        .is_some_and(|r| r.sw_radio_state == RadioSwitchState::ON);
    let registered = matches!(
        state.0,
        MmState::Registered | MmState::Connected | MmState::Connecting | MmState::Disconnecting
    );
    let access = if registered {
        let dc = s
            .packet_service
            .as_ref()
            .filter(|p| p.packet_service_state == MbimPs::ATTACHED)
            .map(|p| p.highest_available_data_class)
            .or_else(|| s.registration.as_ref().map(|r| r.available_data_classes))
            .unwrap_or_default();
        // Report only the best technology in use, as MM does.
        let a = access_technologies(dc);
        if a == 0 {
            0
        } else {
            1 << (31 - a.leading_zeros())
        }
    } else {
        0
    };
    let quality = if radio_on {
        s.signal
            .as_ref()
            .map(|x| (signal_percent(x.rssi), true))
            .unwrap_or((0, false))
    } else {
        (0, false)
    };
    let mut supported_modes = Vec::new();
    if all_modes != 0 {
        supported_modes.push((all_modes, mm::mode::NONE));
    }
    ModemView {
        sim: sim_path.cloned().unwrap_or_else(root_path),
        sim_slots: Vec::new(),
        primary_sim_slot: 0,
        bearers,
        supported_capabilities: vec![supported_caps],
        current_capabilities: supported_caps,
        max_bearers: caps.max_sessions.clamp(1, 256),
        max_active_bearers: caps.max_sessions.clamp(1, 256),
        max_active_multiplexed_bearers: 0,
        manufacturer,
        model,
        revision: caps.firmware_info.clone(),
        carrier_configuration: String::new(),
        carrier_configuration_revision: String::new(),
        hardware_revision: caps.hardware_info.clone(),
        device_identifier: device_identifier(&[
            &caps.hardware_info,
            &caps.firmware_info,
            &ports.device,
            &ports.primary_port,
        ]),
        device: ports.device.clone(),
        physdev: ports.device.clone(),
        drivers: if ports.driver.is_empty() {
            Vec::new()
        } else {
            vec![ports.driver.clone()]
        },
        plugin: "mbimd".into(),
        primary_port: ports.primary_port.clone(),
        ports: port_list,
        equipment_identifier: caps.device_id.clone(),
        unlock_required: state.2.value(),
        unlock_retries: retries,
        state: state.0.value(),
        state_failed_reason: state.1.value(),
        access_technologies: access,
        signal_quality: quality,
        own_numbers: s
            .subscriber
            .as_ref()
            .map(|x| x.telephone_numbers.clone())
            .unwrap_or_default(),
        power_state: match s.radio.as_ref().map(|r| r.sw_radio_state) {
            Some(RadioSwitchState::ON) => PowerState::On.value(),
            Some(_) => PowerState::Low.value(),
            None => PowerState::Unknown.value(),
        },
        supported_modes,
        current_modes: (all_modes, mm::mode::NONE),
        supported_bands: Vec::new(),
        current_bands: Vec::new(),
        supported_ip_families: mm::ip_family::IPV4 | mm::ip_family::IPV6 | mm::ip_family::IPV4V6,
    }
}

/// The Modem3gpp view.
pub fn modem3gpp_view(s: &crate::modem::ModemState, mm_state: MmState) -> Modem3gppView {
    let caps = s.device_caps.clone().unwrap_or_default();
    let radio_on = s
        .radio
        .as_ref()
        .is_some_and(|r| r.sw_radio_state == RadioSwitchState::ON);
    let reg = s.registration.as_ref().filter(|_| radio_on);
    let registration_state = match reg.map(|r| r.register_state) {
        Some(RegisterState::HOME) => mm::RegistrationState::Home,
        Some(RegisterState::ROAMING | RegisterState::PARTNER) => mm::RegistrationState::Roaming,
        Some(RegisterState::SEARCHING) => mm::RegistrationState::Searching,
        Some(RegisterState::DENIED) => mm::RegistrationState::Denied,
        Some(RegisterState::DEREGISTERED) => mm::RegistrationState::Idle,
        _ => mm::RegistrationState::Unknown,
    };
    let registered = matches!(
        registration_state,
        mm::RegistrationState::Home | mm::RegistrationState::Roaming
    );
    let ps = match s.packet_service.as_ref().map(|p| p.packet_service_state) {
        _ if !radio_on || mm_state < MmState::Enabled => mm::PacketServiceState::Unknown,
        Some(MbimPs::ATTACHED) => mm::PacketServiceState::Attached,
        Some(MbimPs::DETACHED | MbimPs::DETACHING | MbimPs::ATTACHING) => {
            mm::PacketServiceState::Detached
        }
        _ => mm::PacketServiceState::Unknown,
    };
    Modem3gppView {
        imei: caps.device_id.clone(),
        registration_state: registration_state.value(),
        operator_code: reg
            .filter(|_| registered)
            .map(|r| r.provider_id.clone())
            .unwrap_or_default(),
        operator_name: reg
            .filter(|_| registered)
            .map(|r| r.provider_name.clone())
            .unwrap_or_default(),
        packet_service_state: ps.value(),
        ..Modem3gppView::default()
    }
}

/// The Sim view.
pub fn sim_view(s: &crate::modem::ModemState) -> SimView {
    let sub = s.subscriber.clone().unwrap_or_default();
    let imsi = sub.subscriber_id.clone();
    // The home network is the IMSI's MCC+MNC; without the SIM's MNC length
    // (EF_AD) assume two digits, as most networks use.
    let operator_identifier = if imsi.len() >= 5 {
        imsi[..5].to_string()
    } else {
        String::new()
    };
    SimView {
        active: true,
        sim_identifier: sub.sim_icc_id.clone(),
        imsi,
        operator_identifier,
        ..SimView::default()
    }
}

/// The Signal view: MBIM 1.0 gives RSSI and bit error rate for the current
/// technology only.
pub fn signal_view(s: &crate::modem::ModemState, rate: u32, access: u32) -> SignalView {
    let mut v = SignalView {
        rate,
        ..SignalView::default()
    };
    let Some(sig) = &s.signal else { return v };
    let Some(rssi) = rssi_dbm(sig.rssi) else {
        return v;
    };
    let mut d = Dict::new();
    d.insert("rssi".into(), ov(rssi));
    if sig.error_rate <= 7 {
        // MBIM's 0–7 code is TS 27.007 <ber>; publish MM's "error-rate" as
        // the median percentage of that class.
        const BER: [f64; 8] = [0.14, 0.28, 0.57, 1.13, 2.26, 4.53, 9.05, 18.1];
        d.insert("error-rate".into(), ov(BER[sig.error_rate as usize]));
    }
    if access & (mm::access::LTE | mm::access::NR5G) != 0 {
        v.lte = d;
    } else if access
        & (mm::access::UMTS | mm::access::HSDPA | mm::access::HSUPA | mm::access::HSPA_PLUS)
        != 0
    {
        v.umts = d;
    } else if access != 0 {
        v.gsm = d;
    }
    v.rssi_threshold = sig.rssi_threshold;
    v
}

/// `Ip4Config` / `Ip6Config` from MBIM IP_CONFIGURATION (§3.1): STATIC when the
/// modem gave an address, DHCP otherwise.
pub fn ip_configs(ip: Option<&IpConfigurationInfo>, want_v4: bool, want_v6: bool) -> (Dict, Dict) {
    let Some(ip) = ip else {
        return (no_ip_config(), no_ip_config());
    };
    let v4 = match ip.ipv4_address.first() {
        Some(a) if want_v4 => {
            let mut d = Dict::new();
            d.insert("method".into(), ov(BearerIpMethod::Static.value()));
            d.insert("address".into(), ov(a.ipv4_address.to_string()));
            d.insert("prefix".into(), ov(a.on_link_prefix_length));
            if let Some(g) = ip.ipv4_gateway {
                d.insert("gateway".into(), ov(g.to_string()));
            }
            for (i, dns) in ip.ipv4_dns_server.iter().take(3).enumerate() {
                d.insert(format!("dns{}", i + 1), ov(dns.to_string()));
            }
            if ip.ipv4_mtu != 0 {
                d.insert("mtu".into(), ov(ip.ipv4_mtu));
            }
            d
        }
        _ => no_ip_config(),
    };
    let v6 = match ip.ipv6_address.first() {
        Some(a) if want_v6 => {
            let mut d = Dict::new();
            d.insert("method".into(), ov(BearerIpMethod::Static.value()));
            d.insert("address".into(), ov(a.ipv6_address.to_string()));
            d.insert("prefix".into(), ov(a.on_link_prefix_length));
            if let Some(g) = ip.ipv6_gateway {
                d.insert("gateway".into(), ov(g.to_string()));
            }
            for (i, dns) in ip.ipv6_dns_server.iter().take(3).enumerate() {
                d.insert(format!("dns{}", i + 1), ov(dns.to_string()));
            }
            if ip.ipv6_mtu != 0 {
                d.insert("mtu".into(), ov(ip.ipv6_mtu));
            }
            d
        }
        _ => no_ip_config(),
    };
    (v4, v6)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::modem::ModemState;
    use mbim_proto::services::basic_connect::{PinInfo, RadioStateInfo, SubscriberReadyInfo};

    fn base() -> ModemState {
        ModemState {
            subscriber: Some(SubscriberReadyInfo {
                ready_state: SubscriberReadyState::INITIALIZED,
                ..Default::default()
            }),
            pin: Some(PinInfo {
                pin_type: PinType::UNKNOWN,
                pin_state: PinState::UNLOCKED,
                remaining_attempts: 3,
            }),
            radio: Some(RadioStateInfo {
                hw_radio_state: RadioSwitchState::ON,
                sw_radio_state: RadioSwitchState::OFF,
            }),
            ..ModemState::default()
        }
    }

    #[test]
    fn missing_sim_is_failed_with_sim_missing() {
        let mut s = base();
        if let Some(x) = s.subscriber.as_mut() {
            x.ready_state = SubscriberReadyState::SIM_NOT_INSERTED;
        }
        let (st, reason, _) = mm_state(&s, Some(MmState::Enabling));
        assert_eq!(st, MmState::Failed);
        assert_eq!(reason, StateFailedReason::SimMissing);
    }

    #[test]
    fn pin_lock_is_locked_even_during_a_transient_state() {
        let mut s = base();
        s.pin = Some(PinInfo {
            pin_type: PinType::PIN1,
            pin_state: PinState::LOCKED,
            remaining_attempts: 2,
        });
        let (st, _, lock) = mm_state(&s, Some(MmState::Enabling));
        assert_eq!((st, lock), (MmState::Locked, ModemLock::SimPin));
        let v = modem_view(
            &s,
            &PortInfo::default(),
            (st, StateFailedReason::None, lock),
            None,
            vec![],
        );
        assert_eq!(v.unlock_retries.get(&ModemLock::SimPin.value()), Some(&2));
    }

    #[test]
    fn radio_off_is_disabled_and_registration_makes_registered() {
        let mut s = base();
        assert_eq!(mm_state(&s, None).0, MmState::Disabled);
        if let Some(r) = s.radio.as_mut() {
            r.sw_radio_state = RadioSwitchState::ON;
        }
        assert_eq!(mm_state(&s, None).0, MmState::Enabled);
        s.registration = Some(mbim_proto::services::basic_connect::RegistrationStateInfo {
            register_state: RegisterState::HOME,
            ..Default::default()
        });
        assert_eq!(mm_state(&s, None).0, MmState::Registered);
    }

    #[test]
    fn changes_carry_only_the_differing_properties_with_values() {
        let a = UssdView::default();
        let b = UssdView {
            network_request: "menu".into(),
            ..UssdView::default()
        };
        let c = b.changes(&a);
        assert_eq!(c.len(), 1);
        assert_eq!(c[0].0, "NetworkRequest");
        assert_eq!(
            String::try_from(c[0].1.clone()).ok().as_deref(),
            Some("menu")
        );
    }

    #[test]
    fn no_ip_config_has_method_unknown_rather_than_being_empty() {
        let (v4, v6) = ip_configs(None, true, true);
        assert_eq!(u32::try_from(&v4["method"]).ok(), Some(0));
        assert_eq!(v6.len(), 1);
    }
}
