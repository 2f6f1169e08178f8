//! Bus, object-path and interface names (modemmanager-api.md §1, §2).

/// The well-known bus name (ModemManager's, so existing clients work unchanged).
pub const BUS_NAME: &str = "org.freedesktop.ModemManager1";
/// The manager object path (Manager + ObjectManager).
pub const MANAGER_PATH: &str = "/org/freedesktop/ModemManager1";
/// Modem objects: `MODEM_PREFIX` + index.
pub const MODEM_PREFIX: &str = "/org/freedesktop/ModemManager1/Modem/";
/// Bearer objects.
pub const BEARER_PREFIX: &str = "/org/freedesktop/ModemManager1/Bearer/";
/// SIM objects.
pub const SIM_PREFIX: &str = "/org/freedesktop/ModemManager1/SIM/";
/// SMS objects.
pub const SMS_PREFIX: &str = "/org/freedesktop/ModemManager1/SMS/";

/// Manager interface (on [`MANAGER_PATH`]).
pub const IFACE_MANAGER: &str = "org.freedesktop.ModemManager1";
pub const IFACE_MODEM: &str = "org.freedesktop.ModemManager1.Modem";
pub const IFACE_SIMPLE: &str = "org.freedesktop.ModemManager1.Modem.Simple";
pub const IFACE_3GPP: &str = "org.freedesktop.ModemManager1.Modem.Modem3gpp";
pub const IFACE_USSD: &str = "org.freedesktop.ModemManager1.Modem.Modem3gpp.Ussd";
pub const IFACE_MESSAGING: &str = "org.freedesktop.ModemManager1.Modem.Messaging";
pub const IFACE_SIGNAL: &str = "org.freedesktop.ModemManager1.Modem.Signal";
pub const IFACE_LOCATION: &str = "org.freedesktop.ModemManager1.Modem.Location";
pub const IFACE_TIME: &str = "org.freedesktop.ModemManager1.Modem.Time";
pub const IFACE_BEARER: &str = "org.freedesktop.ModemManager1.Bearer";
pub const IFACE_SIM: &str = "org.freedesktop.ModemManager1.Sim";
pub const IFACE_SMS: &str = "org.freedesktop.ModemManager1.Sms";
pub const IFACE_OBJECT_MANAGER: &str = "org.freedesktop.DBus.ObjectManager";

// mbimd's own extension interfaces, on the same modem objects. Clients of the
// MM1 API ignore them (modemmanager-api.md §12).
/// Connection flows: resolved settings and their source, HWIDs, limited
/// state and purchase URL, attempt log (issue: APN database and flows).
pub const IFACE_MBIMD_CONNECTION: &str = "org.mbimd.Modem1.Connection";
/// Operator-message rules and the operator-notification / incoming SMS /
/// incoming USSD signals.
pub const IFACE_MBIMD_OPERATOR_MESSAGES: &str = "org.mbimd.Modem1.OperatorMessages";
/// The Provisioning Agent and service metadata.
pub const IFACE_MBIMD_PROVISIONING: &str = "org.mbimd.Modem1.Provisioning";
/// Data usage, plans and cost.
pub const IFACE_MBIMD_DATA_USAGE: &str = "org.mbimd.Modem1.DataUsage";
/// Service metadata matched to the SIM: branding, operator and privileged
/// apps, tethering and PIN-unlock policy; package install.
pub const IFACE_MBIMD_SERVICE_METADATA: &str = "org.mbimd.Modem1.ServiceMetadata";

/// The path of modem `index`.
pub fn modem_path(index: u32) -> String {
    format!("{MODEM_PREFIX}{index}")
}

/// The index at the end of an object path under `prefix`, if it has one.
pub fn index_of(path: &str, prefix: &str) -> Option<u32> {
    path.strip_prefix(prefix)?.parse().ok()
}
