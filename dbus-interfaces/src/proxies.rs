//! Client proxies for the ModemManager1 interfaces, used by `mbcli` and the
//! tests. Methods follow the XML signatures (modemmanager-api.md §3); only the
//! properties clients of this project read are declared (everything else is
//! reachable through `org.freedesktop.DBus.Properties`).

use crate::Dict;
use zbus::{OwnedObjectPath, proxy};

/// `org.freedesktop.ModemManager1` on the manager object.
#[proxy(
    interface = "org.freedesktop.ModemManager1",
    default_service = "org.freedesktop.ModemManager1",
    default_path = "/org/freedesktop/ModemManager1"
)]
pub trait Manager {
    fn scan_devices(&self) -> zbus::Result<()>;
    fn set_logging(&self, level: &str) -> zbus::Result<()>;
    fn report_kernel_event(&self, properties: Dict) -> zbus::Result<()>;
    fn inhibit_device(&self, uid: &str, inhibit: bool) -> zbus::Result<()>;
    #[zbus(property)]
    fn version(&self) -> zbus::Result<String>;
}

/// `org.freedesktop.ModemManager1.Modem`.
#[proxy(
    interface = "org.freedesktop.ModemManager1.Modem",
    default_service = "org.freedesktop.ModemManager1"
)]
pub trait Modem {
    fn enable(&self, enable: bool) -> zbus::Result<()>;
    fn list_bearers(&self) -> zbus::Result<Vec<OwnedObjectPath>>;
    fn create_bearer(&self, properties: Dict) -> zbus::Result<OwnedObjectPath>;
    fn delete_bearer(&self, bearer: &zbus::ObjectPath<'_>) -> zbus::Result<()>;
    fn set_power_state(&self, state: u32) -> zbus::Result<()>;
    fn reset(&self) -> zbus::Result<()>;
    /// `StateChanged(old i, new i, reason u)`.
    #[zbus(signal, name = "StateChanged")]
    fn modem_state_changed(&self, old: i32, new: i32, reason: u32) -> zbus::Result<()>;
    #[zbus(property)]
    fn state(&self) -> zbus::Result<i32>;
    #[zbus(property)]
    fn state_failed_reason(&self) -> zbus::Result<u32>;
    #[zbus(property)]
    fn sim(&self) -> zbus::Result<OwnedObjectPath>;
    #[zbus(property)]
    fn bearers(&self) -> zbus::Result<Vec<OwnedObjectPath>>;
    #[zbus(property)]
    fn manufacturer(&self) -> zbus::Result<String>;
    #[zbus(property)]
    fn model(&self) -> zbus::Result<String>;
    #[zbus(property)]
    fn primary_port(&self) -> zbus::Result<String>;
    #[zbus(property)]
    fn unlock_required(&self) -> zbus::Result<u32>;
    #[zbus(property)]
    fn signal_quality(&self) -> zbus::Result<(u32, bool)>;
    #[zbus(property)]
    fn access_technologies(&self) -> zbus::Result<u32>;
}

/// `org.freedesktop.ModemManager1.Modem.Simple`.
#[proxy(
    interface = "org.freedesktop.ModemManager1.Modem.Simple",
    default_service = "org.freedesktop.ModemManager1"
)]
pub trait Simple {
    fn connect(&self, properties: Dict) -> zbus::Result<OwnedObjectPath>;
    fn disconnect(&self, bearer: &zbus::ObjectPath<'_>) -> zbus::Result<()>;
    fn get_status(&self) -> zbus::Result<Dict>;
}

/// `org.freedesktop.ModemManager1.Modem.Modem3gpp`.
#[proxy(
    interface = "org.freedesktop.ModemManager1.Modem.Modem3gpp",
    default_service = "org.freedesktop.ModemManager1"
)]
pub trait Modem3gpp {
    fn register(&self, operator_id: &str) -> zbus::Result<()>;
    fn scan(&self) -> zbus::Result<Vec<Dict>>;
    #[zbus(property)]
    fn operator_code(&self) -> zbus::Result<String>;
    #[zbus(property)]
    fn operator_name(&self) -> zbus::Result<String>;
    #[zbus(property)]
    fn registration_state(&self) -> zbus::Result<u32>;
}

/// `org.freedesktop.ModemManager1.Modem.Modem3gpp.Ussd`.
#[proxy(
    interface = "org.freedesktop.ModemManager1.Modem.Modem3gpp.Ussd",
    default_service = "org.freedesktop.ModemManager1"
)]
pub trait Ussd {
    fn initiate(&self, command: &str) -> zbus::Result<String>;
    fn respond(&self, response: &str) -> zbus::Result<String>;
    fn cancel(&self) -> zbus::Result<()>;
    #[zbus(property)]
    fn state(&self) -> zbus::Result<u32>;
    #[zbus(property)]
    fn network_notification(&self) -> zbus::Result<String>;
    #[zbus(property)]
    fn network_request(&self) -> zbus::Result<String>;
}

/// `org.freedesktop.ModemManager1.Modem.Messaging`.
#[proxy(
    interface = "org.freedesktop.ModemManager1.Modem.Messaging",
    default_service = "org.freedesktop.ModemManager1"
)]
pub trait Messaging {
    fn list(&self) -> zbus::Result<Vec<OwnedObjectPath>>;
    fn delete(&self, path: &zbus::ObjectPath<'_>) -> zbus::Result<()>;
    fn create(&self, properties: Dict) -> zbus::Result<OwnedObjectPath>;
    #[zbus(signal)]
    fn added(&self, path: OwnedObjectPath, received: bool) -> zbus::Result<()>;
    #[zbus(signal)]
    fn deleted(&self, path: OwnedObjectPath) -> zbus::Result<()>;
    #[zbus(property)]
    fn messages(&self) -> zbus::Result<Vec<OwnedObjectPath>>;
}

/// `org.freedesktop.ModemManager1.Modem.Signal`.
#[proxy(
    interface = "org.freedesktop.ModemManager1.Modem.Signal",
    default_service = "org.freedesktop.ModemManager1"
)]
pub trait Signal {
    fn setup(&self, rate: u32) -> zbus::Result<()>;
    #[zbus(property)]
    fn rate(&self) -> zbus::Result<u32>;
    #[zbus(property)]
    fn gsm(&self) -> zbus::Result<Dict>;
    #[zbus(property)]
    fn umts(&self) -> zbus::Result<Dict>;
    #[zbus(property)]
    fn lte(&self) -> zbus::Result<Dict>;
    #[zbus(property)]
    fn nr5g(&self) -> zbus::Result<Dict>;
}

/// `org.freedesktop.ModemManager1.Modem.Location`.
#[proxy(
    interface = "org.freedesktop.ModemManager1.Modem.Location",
    default_service = "org.freedesktop.ModemManager1"
)]
pub trait Location {
    fn setup(&self, sources: u32, signal_location: bool) -> zbus::Result<()>;
    fn get_location(&self) -> zbus::Result<std::collections::HashMap<u32, zbus::OwnedVariant>>;
    #[zbus(property)]
    fn capabilities(&self) -> zbus::Result<u32>;
    #[zbus(property)]
    fn enabled(&self) -> zbus::Result<u32>;
    #[zbus(property)]
    fn signals_location(&self) -> zbus::Result<bool>;
    #[zbus(property)]
    fn location(&self) -> zbus::Result<std::collections::HashMap<u32, zbus::OwnedVariant>>;
}

/// `org.freedesktop.ModemManager1.Modem.Time`.
#[proxy(
    interface = "org.freedesktop.ModemManager1.Modem.Time",
    default_service = "org.freedesktop.ModemManager1"
)]
pub trait Time {
    fn get_network_time(&self) -> zbus::Result<String>;
    #[zbus(signal)]
    fn network_time_changed(&self, time: String) -> zbus::Result<()>;
    #[zbus(property)]
    fn network_timezone(&self) -> zbus::Result<Dict>;
}

/// `org.freedesktop.ModemManager1.Bearer`.
#[proxy(
    interface = "org.freedesktop.ModemManager1.Bearer",
    default_service = "org.freedesktop.ModemManager1"
)]
pub trait Bearer {
    fn connect(&self) -> zbus::Result<()>;
    fn disconnect(&self) -> zbus::Result<()>;
    #[zbus(property)]
    fn interface(&self) -> zbus::Result<String>;
    #[zbus(property)]
    fn connected(&self) -> zbus::Result<bool>;
    #[zbus(property)]
    fn ip4_config(&self) -> zbus::Result<Dict>;
    #[zbus(property)]
    fn ip6_config(&self) -> zbus::Result<Dict>;
    #[zbus(property)]
    fn ip_timeout(&self) -> zbus::Result<u32>;
    #[zbus(property)]
    fn properties(&self) -> zbus::Result<Dict>;
}

/// `org.freedesktop.ModemManager1.Sim`.
#[proxy(
    interface = "org.freedesktop.ModemManager1.Sim",
    default_service = "org.freedesktop.ModemManager1"
)]
pub trait Sim {
    fn send_pin(&self, pin: &str) -> zbus::Result<()>;
    fn send_puk(&self, puk: &str, pin: &str) -> zbus::Result<()>;
    fn enable_pin(&self, pin: &str, enabled: bool) -> zbus::Result<()>;
    fn change_pin(&self, old_pin: &str, new_pin: &str) -> zbus::Result<()>;
    #[zbus(property)]
    fn sim_identifier(&self) -> zbus::Result<String>;
    #[zbus(property)]
    fn imsi(&self) -> zbus::Result<String>;
    #[zbus(property)]
    fn operator_identifier(&self) -> zbus::Result<String>;
}

/// `org.freedesktop.ModemManager1.Sms`.
#[proxy(
    interface = "org.freedesktop.ModemManager1.Sms",
    default_service = "org.freedesktop.ModemManager1"
)]
pub trait Sms {
    fn send(&self) -> zbus::Result<()>;
    fn store(&self, storage: u32) -> zbus::Result<()>;
    #[zbus(property)]
    fn number(&self) -> zbus::Result<String>;
    #[zbus(property)]
    fn text(&self) -> zbus::Result<String>;
    #[zbus(property)]
    fn state(&self) -> zbus::Result<u32>;
    #[zbus(property)]
    fn delivery_state(&self) -> zbus::Result<u32>;
    #[zbus(property)]
    fn discharge_timestamp(&self) -> zbus::Result<String>;
    #[zbus(property)]
    fn message_reference(&self) -> zbus::Result<u32>;
    #[zbus(property)]
    fn storage(&self) -> zbus::Result<u32>;
    #[zbus(property)]
    fn pdu_type(&self) -> zbus::Result<u32>;
}

/// `org.mbimd.Modem1.OperatorMessages` (mbimd extension, on modem objects):
/// operator-message rules and the operator-notification / incoming SMS /
/// incoming USSD signals.
#[proxy(
    interface = "org.mbimd.Modem1.OperatorMessages",
    default_service = "org.freedesktop.ModemManager1"
)]
pub trait OperatorMessages {
    fn load_operator_rules(&self, xml: &str) -> zbus::Result<()>;
    fn clear_operator_rules(&self) -> zbus::Result<()>;
    #[zbus(property)]
    fn rules_source(&self) -> zbus::Result<String>;
    #[zbus(property)]
    fn rule_count(&self) -> zbus::Result<u32>;
    #[zbus(signal)]
    fn operator_notification(&self, details: Dict) -> zbus::Result<()>;
    #[zbus(signal)]
    fn incoming_sms(&self, path: OwnedObjectPath, details: Dict) -> zbus::Result<()>;
    #[zbus(signal)]
    fn incoming_ussd(&self, details: Dict) -> zbus::Result<()>;
}
