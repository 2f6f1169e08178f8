//! Well-known UUIDs: device services (MBIM 1.0 §10.1, Microsoft extensions,
//! vendor services known to libmbim) and context types (MBIM 1.0 Table 10-15).
//! Wire order equals textual order (windows-operator-formats.md §7.1, §8.1).

use crate::wire::Uuid;

macro_rules! uuids {
    ($( $(#[$m:meta])* $name:ident = $text:literal => $label:literal ),* $(,)?) => {
        $( $(#[$m])* pub const $name: Uuid = Uuid::from_str_const($text); )*
        const TABLE: &[(Uuid, &str)] = &[ $( ($name, $label) ),* ];
    };
}

uuids! {
    BASIC_CONNECT = "a289cc33-bcbb-8b4f-b6b0-133ec2aae6df" => "basic-connect",
    SMS = "533fbeeb-14fe-4467-9f90-33a223e56c3f" => "sms",
    USSD = "e550a0c8-5e82-479e-82f7-10abf4c3351f" => "ussd",
    PHONEBOOK = "4bf38476-1e6a-41db-b1d8-bed289c25bdb" => "phonebook",
    STK = "d8f20131-fcb5-4e17-8602-d6ed3816164c" => "stk",
    AUTH = "1d2b5ff7-0aa1-48b2-aa52-50f15767174e" => "auth",
    DSS = "c08a26dd-7718-4382-8482-6e0d583c4d0e" => "dss",
    MS_FIRMWARE_ID = "e9f7dea2-feaf-4009-93ce-90a3694103b6" => "ms-firmware-id",
    MS_HOST_SHUTDOWN = "883b7c26-985f-43fa-9804-27d7fb80959c" => "ms-host-shutdown",
    /// libmbim's private proxy-control service (not from the MBIM spec).
    PROXY_CONTROL = "838cf7fb-8d0d-4d7f-871e-d71dbefbb39b" => "proxy-control",
    QMI = "d1a30bc2-f97a-6e43-bf65-c7e24fb0f0d3" => "qmi",
    ATDS = "5967bdcc-7fd2-49a2-9f5c-b2e70e527db3" => "atds",
    INTEL_FIRMWARE_UPDATE = "0ed374cb-f835-4474-bc11-3b3fd76f5641" => "intel-firmware-update",
    /// The spelling devices send (`0D3A`); see [`MS_BASIC_CONNECT_EXTENSIONS_ALT`].
    MS_BASIC_CONNECT_EXTENSIONS = "3d01dcc5-fef5-4d05-0d3a-bef7058e9aaf" => "ms-basic-connect-extensions",
    /// The `9D3A` misprint found on some Microsoft pages; accepted on input only.
    MS_BASIC_CONNECT_EXTENSIONS_ALT = "3d01dcc5-fef5-4d05-9d3a-bef7058e9aaf" => "ms-basic-connect-extensions",
    MS_SAR = "68223d04-9f6c-4e0f-822d-28441fb72340" => "ms-sar",
    QDU = "6427015f-579d-48f5-8c54-f43ed1e76f83" => "qdu",
    MS_UICC_LOW_LEVEL_ACCESS = "c2f6588e-f037-4bc9-8665-f4d44bd09367" => "ms-uicc-low-level-access",
    QUECTEL = "11223344-5566-7788-99aa-bbccddeeff11" => "quectel",
    INTEL_THERMAL_RF = "fdc22af2-f441-4d46-af8d-259fcdde4635" => "intel-thermal-rf",
    MS_VOICE_EXTENSIONS = "8d8b9eba-37be-449b-8f1e-61cb034a702e" => "ms-voice-extensions",

    CONTEXT_TYPE_NONE = "b43f758c-a560-4b46-b35e-c5869641fb54" => "none",
    CONTEXT_TYPE_INTERNET = "7e5e2a7e-4e6f-7272-736b-656e7e5e2a7e" => "internet",
    CONTEXT_TYPE_VPN = "9b9f7bbe-8952-44b7-83ac-ca41318df7a0" => "vpn",
    CONTEXT_TYPE_VOICE = "88918294-0ef4-4396-8cca-a8588fbc02b2" => "voice",
    CONTEXT_TYPE_VIDEO_SHARE = "05a2a716-7c34-4b4d-9a91-c5ef0c7aaacc" => "video-share",
    CONTEXT_TYPE_PURCHASE = "b3272496-ac6c-422b-a8c0-acf687a27217" => "purchase",
    CONTEXT_TYPE_IMS = "21610d01-3074-4bce-9425-b53a07d697d6" => "ims",
    CONTEXT_TYPE_MMS = "46726664-7269-6bc6-9624-d1d35389aca9" => "mms",
    CONTEXT_TYPE_LOCAL = "a57a9afc-b09f-45d7-bb40-033c39f60db9" => "local",
    CONTEXT_TYPE_ADMIN = "5f7e4c2e-e80b-40a9-a239-f0abcfd11f4b" => "admin",
    CONTEXT_TYPE_APP = "74d88a3d-dfbd-4799-9a8c-7310a37bb2ee" => "app",
    CONTEXT_TYPE_XCAP = "50d378a7-baa5-4a50-b872-3fe5bb463411" => "xcap",
    CONTEXT_TYPE_TETHERING = "5e4e0601-48dc-4e2b-acb8-08b4016bbaac" => "tethering",
    CONTEXT_TYPE_EMERGENCY_CALLING = "5f41adb8-204e-4d31-9da8-b3c970e360f2" => "emergency-calling",
}

/// The short name of a well-known service or context-type UUID.
pub fn name(u: &Uuid) -> Option<&'static str> {
    TABLE.iter().find(|(k, _)| k == u).map(|(_, n)| *n)
}

/// Look a well-known UUID up by its short name (`"basic-connect"`, `"internet"`).
pub fn by_name(n: &str) -> Option<Uuid> {
    TABLE.iter().find(|(_, k)| *k == n).map(|(u, _)| *u)
}

/// Normalise the two spellings of the MS Basic Connect Extensions UUID to the one we send.
pub fn canonical(u: Uuid) -> Uuid {
    if u == MS_BASIC_CONNECT_EXTENSIONS_ALT {
        MS_BASIC_CONNECT_EXTENSIONS
    } else {
        u
    }
}
