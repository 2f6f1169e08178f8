//! ModemManager's D-Bus error names (`org.freedesktop.ModemManager1.Error.*`,
//! modemmanager-api.md §5). Clients match on these names (NetworkManager maps
//! `MobileEquipment.SimPin` & co. to device-state reasons), so the daemon maps
//! its own errors onto them in exactly one place.

use zbus::DBusError;

/// An error a ModemManager1 method can return. Each variant carries a
/// human-readable message.
#[derive(Debug, DBusError)]
#[zbus(prefix = "org.freedesktop.ModemManager1.Error")]
pub enum MmError {
    /// A transport-level zbus error.
    #[zbus(error)]
    ZBus(zbus::Error),
    #[zbus(name = "Core.Failed")]
    Failed(String),
    #[zbus(name = "Core.Cancelled")]
    Cancelled(String),
    #[zbus(name = "Core.Aborted")]
    Aborted(String),
    #[zbus(name = "Core.Unsupported")]
    Unsupported(String),
    #[zbus(name = "Core.Unauthorized")]
    Unauthorized(String),
    #[zbus(name = "Core.InvalidArgs")]
    InvalidArgs(String),
    #[zbus(name = "Core.InProgress")]
    InProgress(String),
    #[zbus(name = "Core.WrongState")]
    WrongState(String),
    #[zbus(name = "Core.Connected")]
    Connected(String),
    #[zbus(name = "Core.TooMany")]
    TooMany(String),
    #[zbus(name = "Core.NotFound")]
    NotFound(String),
    #[zbus(name = "Core.Retry")]
    Retry(String),
    #[zbus(name = "Core.Exists")]
    Exists(String),
    #[zbus(name = "Core.WrongSimState")]
    WrongSimState(String),
    #[zbus(name = "MobileEquipment.PhoneFailure")]
    PhoneFailure(String),
    #[zbus(name = "MobileEquipment.NotAllowed")]
    MeNotAllowed(String),
    #[zbus(name = "MobileEquipment.NotSupported")]
    MeNotSupported(String),
    #[zbus(name = "MobileEquipment.SimNotInserted")]
    SimNotInserted(String),
    #[zbus(name = "MobileEquipment.SimPin")]
    SimPin(String),
    #[zbus(name = "MobileEquipment.SimPuk")]
    SimPuk(String),
    #[zbus(name = "MobileEquipment.SimFailure")]
    SimFailure(String),
    #[zbus(name = "MobileEquipment.SimBusy")]
    SimBusy(String),
    #[zbus(name = "MobileEquipment.SimWrong")]
    SimWrong(String),
    #[zbus(name = "MobileEquipment.IncorrectPassword")]
    IncorrectPassword(String),
    #[zbus(name = "MobileEquipment.NoNetwork")]
    NoNetwork(String),
    #[zbus(name = "MobileEquipment.NetworkTimeout")]
    NetworkTimeout(String),
    #[zbus(name = "MobileEquipment.NetworkNotAllowed")]
    NetworkNotAllowed(String),
    #[zbus(name = "MobileEquipment.MissingOrUnknownApn")]
    MissingOrUnknownApn(String),
    #[zbus(name = "MobileEquipment.UserAuthenticationFailed")]
    UserAuthenticationFailed(String),
    #[zbus(name = "MobileEquipment.ServiceOptionNotSubscribed")]
    ServiceOptionNotSubscribed(String),
    #[zbus(name = "MobileEquipment.Unknown")]
    MeUnknown(String),
}

/// The prefix of every ModemManager error name.
pub const ERROR_PREFIX: &str = "org.freedesktop.ModemManager1.Error.";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_names_follow_modemmanager_domains() {
        use zbus::DBusError as _;
        assert_eq!(
            MmError::InvalidArgs("x".into()).name().as_str(),
            "org.freedesktop.ModemManager1.Error.Core.InvalidArgs"
        );
        assert_eq!(
            MmError::SimPin("x".into()).name().as_str(),
            "org.freedesktop.ModemManager1.Error.MobileEquipment.SimPin"
        );
    }
}
