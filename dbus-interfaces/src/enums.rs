//! ModemManager's enum and flag values (modemmanager-api.md §4), with their
//! nicks for human output. On the wire they are plain `i`/`u` values: the
//! daemon converts with [`ModemState::value`] and friends, so the signature is
//! exactly the XML's (`State` is signed, everything else unsigned).

macro_rules! mm_enum {
    ($(#[$m:meta])* $name:ident($repr:ty) { $($(#[$vm:meta])* $v:ident = $val:expr => $nick:literal),* $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[repr($repr)]
        pub enum $name { $($(#[$vm])* $v = $val),* }

        impl $name {
            /// Every value.
            pub const ALL: &'static [$name] = &[$($name::$v),*];
            /// The value on the wire.
            pub const fn value(self) -> $repr { self as $repr }
            /// The variant for a wire value.
            pub fn from_value(v: $repr) -> Option<Self> {
                Self::ALL.iter().copied().find(|x| x.value() == v)
            }
            /// ModemManager's nick (`mmcli` prints these).
            pub const fn nick(self) -> &'static str {
                match self { $($name::$v => $nick),* }
            }
            /// The nick of a wire value, `unknown` when out of range.
            pub fn nick_of(v: $repr) -> &'static str {
                Self::from_value(v).map(Self::nick).unwrap_or("unknown")
            }
        }
    };
}

mm_enum!(
    /// MMModemState: the `State` property (`i`) and `StateChanged(i,i,u)`.
    ModemState(i32) {
        Failed = -1 => "failed",
        Unknown = 0 => "unknown",
        Initializing = 1 => "initializing",
        Locked = 2 => "locked",
        Disabled = 3 => "disabled",
        Disabling = 4 => "disabling",
        Enabling = 5 => "enabling",
        Enabled = 6 => "enabled",
        Searching = 7 => "searching",
        Registered = 8 => "registered",
        Disconnecting = 9 => "disconnecting",
        Connecting = 10 => "connecting",
        Connected = 11 => "connected",
    }
);

mm_enum!(
    /// MMModemStateFailedReason.
    StateFailedReason(u32) {
        None = 0 => "none",
        Unknown = 1 => "unknown",
        SimMissing = 2 => "sim-missing",
        SimError = 3 => "sim-error",
        UnknownCapabilities = 4 => "unknown-capabilities",
        EsimWithoutProfiles = 5 => "esim-without-profiles",
    }
);

mm_enum!(
    /// MMModemStateChangeReason (the `reason` of `StateChanged`).
    StateChangeReason(u32) {
        Unknown = 0 => "unknown",
        UserRequested = 1 => "user-requested",
        Suspend = 2 => "suspend",
        Failure = 3 => "failure",
    }
);

mm_enum!(
    /// MMModemPowerState.
    PowerState(u32) { Unknown = 0 => "unknown", Off = 1 => "off", Low = 2 => "low", On = 3 => "on" }
);

mm_enum!(
    /// MMModemLock.
    ModemLock(u32) {
        Unknown = 0 => "unknown",
        None = 1 => "none",
        SimPin = 2 => "sim-pin",
        SimPin2 = 3 => "sim-pin2",
        SimPuk = 4 => "sim-puk",
        SimPuk2 = 5 => "sim-puk2",
        PhSpPin = 6 => "ph-sp-pin",
        PhSpPuk = 7 => "ph-sp-puk",
        PhNetPin = 8 => "ph-net-pin",
        PhNetPuk = 9 => "ph-net-puk",
        PhSimPin = 10 => "ph-sim-pin",
        PhCorpPin = 11 => "ph-corp-pin",
        PhCorpPuk = 12 => "ph-corp-puk",
        PhFsimPin = 13 => "ph-fsim-pin",
        PhFsimPuk = 14 => "ph-fsim-puk",
        PhNetsubPin = 15 => "ph-netsub-pin",
        PhNetsubPuk = 16 => "ph-netsub-puk",
    }
);

mm_enum!(
    /// MMBearerIpMethod (`method` of `Ip4Config`/`Ip6Config`).
    BearerIpMethod(u32) { Unknown = 0 => "unknown", Ppp = 1 => "ppp", Static = 2 => "static", Dhcp = 3 => "dhcp" }
);

mm_enum!(
    /// MMBearerType.
    BearerType(u32) { Unknown = 0 => "unknown", Default = 1 => "default", DefaultAttach = 2 => "default-attach", Dedicated = 3 => "dedicated" }
);

mm_enum!(
    /// MMBearerMultiplexSupport.
    MultiplexSupport(u32) { Unknown = 0 => "unknown", None = 1 => "none", Requested = 2 => "requested", Required = 3 => "required" }
);

mm_enum!(
    /// MMModem3gppRegistrationState.
    RegistrationState(u32) {
        Idle = 0 => "idle",
        Home = 1 => "home",
        Searching = 2 => "searching",
        Denied = 3 => "denied",
        Unknown = 4 => "unknown",
        Roaming = 5 => "roaming",
        HomeSmsOnly = 6 => "home-sms-only",
        RoamingSmsOnly = 7 => "roaming-sms-only",
        EmergencyOnly = 8 => "emergency-only",
        HomeCsfbNotPreferred = 9 => "home-csfb-not-preferred",
        RoamingCsfbNotPreferred = 10 => "roaming-csfb-not-preferred",
        AttachedRlos = 11 => "attached-rlos",
    }
);

mm_enum!(
    /// MMModem3gppPacketServiceState.
    PacketServiceState(u32) { Unknown = 0 => "unknown", Detached = 1 => "detached", Attached = 2 => "attached" }
);

mm_enum!(
    /// MMModem3gppNetworkAvailability (`status` of `Scan` results).
    NetworkAvailability(u32) { Unknown = 0 => "unknown", Available = 1 => "available", Current = 2 => "current", Forbidden = 3 => "forbidden" }
);

mm_enum!(
    /// MMModem3gppUssdSessionState.
    UssdSessionState(u32) { Unknown = 0 => "unknown", Idle = 1 => "idle", Active = 2 => "active", UserResponse = 3 => "user-response" }
);

mm_enum!(
    /// MMModemPortType.
    PortType(u32) {
        Unknown = 1 => "unknown",
        Net = 2 => "net",
        At = 3 => "at",
        Qcdm = 4 => "qcdm",
        Gps = 5 => "gps",
        Qmi = 6 => "qmi",
        Mbim = 7 => "mbim",
        Audio = 8 => "audio",
        Ignored = 9 => "ignored",
    }
);

mm_enum!(
    /// MMSmsState.
    SmsState(u32) { Unknown = 0 => "unknown", Stored = 1 => "stored", Receiving = 2 => "receiving", Received = 3 => "received", Sending = 4 => "sending", Sent = 5 => "sent" }
);

mm_enum!(
    /// MMSmsPduType (3GPP values).
    SmsPduType(u32) { Unknown = 0 => "unknown", Deliver = 1 => "deliver", Submit = 2 => "submit", StatusReport = 3 => "status-report" }
);

mm_enum!(
    /// MMSmsStorage.
    SmsStorage(u32) { Unknown = 0 => "unknown", Sm = 1 => "sm", Me = 2 => "me", Mt = 3 => "mt", Sr = 4 => "sr", Bm = 5 => "bm", Ta = 6 => "ta" }
);

mm_enum!(
    /// MMSimType.
    SimType(u32) { Unknown = 0 => "unknown", Physical = 1 => "physical", Esim = 2 => "esim" }
);

mm_enum!(
    /// MMSimRemovability.
    SimRemovability(u32) { Unknown = 0 => "unknown", Removable = 1 => "removable", NotRemovable = 2 => "not-removable" }
);

/// MMSmsDeliveryState "unknown".
pub const SMS_DELIVERY_STATE_UNKNOWN: u32 = 0x100;

/// MMSmsDeliveryState nicks of the 3GPP values (TS 23.040 §9.2.3.15 TP-Status).
pub const SMS_DELIVERY_STATES: &[(u32, &str)] = &[
    (0x00, "completed-received"),
    (0x01, "completed-forwarded-unconfirmed"),
    (0x02, "completed-replaced-by-sc"),
    (0x20, "temporary-error-congestion"),
    (0x21, "temporary-error-sme-busy"),
    (0x22, "temporary-error-no-response-from-sme"),
    (0x23, "temporary-error-service-rejected"),
    (0x24, "temporary-error-qos-not-available"),
    (0x25, "temporary-error-in-sme"),
    (0x40, "error-remote-procedure"),
    (0x41, "error-incompatible-destination"),
    (0x42, "error-connection-rejected-by-sme"),
    (0x43, "error-not-obtainable"),
    (0x44, "error-qos-not-available"),
    (0x45, "error-no-interworking-available"),
    (0x46, "error-validity-period-expired"),
    (0x47, "error-deleted-by-originating-sme"),
    (0x48, "error-deleted-by-sc-administration"),
    (0x49, "error-message-does-not-exist"),
    (0x60, "temporary-fatal-error-congestion"),
    (0x61, "temporary-fatal-error-sme-busy"),
    (0x62, "temporary-fatal-error-no-response-from-sme"),
    (0x63, "temporary-fatal-error-service-rejected"),
    (0x64, "temporary-fatal-error-qos-not-available"),
    (0x65, "temporary-fatal-error-in-sme"),
    (SMS_DELIVERY_STATE_UNKNOWN, "unknown"),
];

/// The nick of an MMSmsDeliveryState value (`0x..` for values without one).
pub fn sms_delivery_state_nick(v: u32) -> String {
    SMS_DELIVERY_STATES
        .iter()
        .find(|(x, _)| *x == v)
        .map_or_else(|| format!("0x{v:02x}"), |(_, n)| (*n).to_string())
}

/// A bit of a flags value and its nick.
pub type Flag = (u32, &'static str);

/// MMModemAccessTechnology (mask).
pub const ACCESS_TECHNOLOGY: &[Flag] = &[
    (1 << 0, "pots"),
    (1 << 1, "gsm"),
    (1 << 2, "gsm-compact"),
    (1 << 3, "gprs"),
    (1 << 4, "edge"),
    (1 << 5, "umts"),
    (1 << 6, "hsdpa"),
    (1 << 7, "hsupa"),
    (1 << 8, "hspa"),
    (1 << 9, "hspa-plus"),
    (1 << 10, "1xrtt"),
    (1 << 11, "evdo0"),
    (1 << 12, "evdoa"),
    (1 << 13, "evdob"),
    (1 << 14, "lte"),
    (1 << 15, "5gnr"),
    (1 << 16, "lte-cat-m"),
    (1 << 17, "lte-nb-iot"),
];

/// MMModemCapability (mask).
pub const CAPABILITY: &[Flag] = &[
    (1 << 0, "pots"),
    (1 << 1, "cdma-evdo"),
    (1 << 2, "gsm-umts"),
    (1 << 3, "lte"),
    (1 << 5, "iridium"),
    (1 << 6, "5gnr"),
    (1 << 7, "tds"),
];

/// MMModemMode (mask).
pub const MODE: &[Flag] = &[(1, "cs"), (2, "2g"), (4, "3g"), (8, "4g"), (16, "5g")];

/// MMBearerIpFamily (mask).
pub const IP_FAMILY: &[Flag] = &[(1, "ipv4"), (2, "ipv6"), (4, "ipv4v6"), (8, "non-ip")];

/// MMBearerAllowedAuth (mask).
pub const ALLOWED_AUTH: &[Flag] = &[
    (1, "none"),
    (2, "pap"),
    (4, "chap"),
    (8, "mschap"),
    (16, "mschapv2"),
    (32, "eap"),
];

/// Access technology bits used by the daemon.
pub mod access {
    pub const UNKNOWN: u32 = 0;
    pub const GSM: u32 = 1 << 1;
    pub const GPRS: u32 = 1 << 3;
    pub const EDGE: u32 = 1 << 4;
    pub const UMTS: u32 = 1 << 5;
    pub const HSDPA: u32 = 1 << 6;
    pub const HSUPA: u32 = 1 << 7;
    pub const HSPA_PLUS: u32 = 1 << 9;
    pub const LTE: u32 = 1 << 14;
    pub const NR5G: u32 = 1 << 15;
}

/// Capability bits used by the daemon.
pub mod capability {
    pub const GSM_UMTS: u32 = 1 << 2;
    pub const LTE: u32 = 1 << 3;
    pub const NR5G: u32 = 1 << 6;
}

/// Mode bits.
pub mod mode {
    pub const NONE: u32 = 0;
    pub const M2G: u32 = 2;
    pub const M3G: u32 = 4;
    pub const M4G: u32 = 8;
    pub const M5G: u32 = 16;
}

/// IP family bits.
pub mod ip_family {
    pub const NONE: u32 = 0;
    pub const IPV4: u32 = 1;
    pub const IPV6: u32 = 2;
    pub const IPV4V6: u32 = 4;
    pub const ANY: u32 = 0xFFFF_FFF7;
}

/// Allowed-auth bits.
pub mod auth {
    pub const UNKNOWN: u32 = 0;
    pub const NONE: u32 = 1;
    pub const PAP: u32 = 2;
    pub const CHAP: u32 = 4;
    pub const MSCHAP: u32 = 8;
    pub const MSCHAPV2: u32 = 16;
    pub const EAP: u32 = 32;
}

/// The nicks of the bits set in `value`, `none` when none is.
pub fn flag_nicks(table: &[Flag], value: u32) -> String {
    let v: Vec<&str> = table
        .iter()
        .filter(|(bit, _)| value & bit != 0)
        .map(|(_, n)| *n)
        .collect();
    if v.is_empty() {
        "none".into()
    } else {
        v.join(", ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn modem_state_values_are_signed_and_match_modemmanager() {
        assert_eq!(ModemState::Failed.value(), -1);
        assert_eq!(ModemState::Connected.value(), 11);
        assert_eq!(ModemState::from_value(8), Some(ModemState::Registered));
        assert_eq!(ModemState::nick_of(42), "unknown");
    }

    #[test]
    fn flag_nicks_lists_set_bits_in_table_order() {
        assert_eq!(
            flag_nicks(ACCESS_TECHNOLOGY, access::LTE | access::UMTS),
            "umts, lte"
        );
        assert_eq!(flag_nicks(IP_FAMILY, 0), "none");
    }
}
