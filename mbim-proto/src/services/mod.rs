//! Typed payloads: one module per device service, one struct per spec
//! structure (named after it without the `MBIM_` prefix), decode beside encode.
//!
//! [`decode_payload`] maps (service, CID, kind, version) to the right type.
//! An unknown service or CID is not an error: it decodes to
//! [`Decoded::Raw`], so that a device with vendor services keeps working.

use crate::error::{DecodeError, EncodeError};
use crate::message::{CommandType, Message};
use crate::wire::{PError, Uuid, done, finish};

pub mod auth;
pub mod basic_connect;
pub mod dss;
// MBIMEx (msbce): versioned layouts and the MS Basic Connect Extensions service.
pub mod basic_connect_v2;
pub mod basic_connect_v3;
mod mbimex;
pub mod ms_basic_connect_extensions;
#[cfg(feature = "arbitrary")]
pub use mbimex::arbitrary_payload_version;
pub use mbimex::{all_versioned_keys, layout_version};
pub mod phonebook;
pub mod proxy_control;
pub mod sms;
pub mod stk;
pub mod ussd;
pub mod view;

// Microsoft extension and vendor services (dispatch at the end of this file).
pub mod atds;
pub mod intel_firmware_update;
pub mod intel_thermal_rf;
pub mod ms_firmware_id;
pub mod ms_host_shutdown;
pub mod ms_sar;
pub mod ms_uicc_low_level_access;
pub mod ms_voice_extensions;
pub mod qdu;
pub mod qmi;
pub mod quectel;

/// A payload structure that can be decoded from, and encoded to, an
/// information buffer (or an element inside one).
pub trait Payload: Sized {
    /// Parse the structure starting at `s[0]`; OL offsets are relative to `s`.
    /// Trailing bytes beyond the structure are left alone (later MBIM versions
    /// append fields).
    #[doc(hidden)]
    fn parse(s: &[u8]) -> Result<Self, nom::Err<PError>>;

    /// Append the encoded structure to `out` (starting a new structure there).
    fn encode(&self, out: &mut Vec<u8>) -> Result<(), EncodeError>;

    /// Decode from an information buffer; error offsets count from its start.
    fn decode(buf: &[u8]) -> Result<Self, DecodeError> {
        finish(buf, Self::parse(buf).map_err(crate::wire::err_inner))
    }

    /// Encode into a new buffer.
    fn to_bytes(&self) -> Result<Vec<u8>, EncodeError> {
        let mut v = Vec::new();
        self.encode(&mut v)?;
        Ok(v)
    }
}

/// A request payload bound to its service, CID and command type, with the type
/// of its response — what the modem actor needs to send a typed request.
pub trait Request: Payload {
    const SERVICE: Uuid;
    const CID: u32;
    const COMMAND_TYPE: CommandType;
    type Response: Payload;

    /// Build the COMMAND message carrying this request.
    fn to_message(&self, transaction_id: u32) -> Result<Message<'static>, EncodeError> {
        Ok(Message::Command(crate::message::Command {
            transaction_id,
            service: Self::SERVICE,
            cid: Self::CID,
            command_type: Self::COMMAND_TYPE,
            information_buffer: std::borrow::Cow::Owned(self.to_bytes()?),
        }))
    }
}

/// A payload that carries an indication (INDICATE_STATUS) for a service/CID.
pub trait Indication: Payload {
    const SERVICE: Uuid;
    const CID: u32;
}

/// The empty information buffer of most queries and some responses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "arbitrary", derive(proptest_derive::Arbitrary))]
pub struct Empty;

impl Payload for Empty {
    fn parse(_s: &[u8]) -> Result<Self, nom::Err<PError>> {
        Ok(Empty)
    }
    fn encode(&self, _out: &mut Vec<u8>) -> Result<(), EncodeError> {
        Ok(())
    }
}

/// An uninterpreted buffer (vendor data, QMI, APDUs...).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RawBytes(pub Vec<u8>);

#[cfg(feature = "serde")]
impl serde::Serialize for RawBytes {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(&crate::hex::Hex(&self.0))
    }
}

impl Payload for RawBytes {
    fn parse(s: &[u8]) -> Result<Self, nom::Err<PError>> {
        Ok(RawBytes(s.to_vec()))
    }
    fn encode(&self, out: &mut Vec<u8>) -> Result<(), EncodeError> {
        out.extend_from_slice(&self.0);
        Ok(())
    }
}

/// proptest strategies for payload fields (feature `arbitrary`): strings and
/// buffers within the spec's size limits, so that generated values encode.
#[cfg(feature = "arbitrary")]
pub mod arb {
    use crate::wire::Uuid;
    use proptest::prelude::*;

    /// A short string: ASCII, some BMP text and the odd non-BMP character
    /// (UTF-16 surrogate pairs must round-trip too).
    pub fn text() -> BoxedStrategy<String> {
        prop_oneof![
            4 => "[a-zA-Z0-9 .-]{0,10}",
            1 => "[a-zé€漢😀]{0,4}",
        ]
        .boxed()
    }

    /// Digits, like a provider id, IMSI or phone number.
    pub fn digits() -> BoxedStrategy<String> {
        "[0-9]{0,6}".boxed()
    }

    /// A short byte buffer.
    pub fn bytes() -> BoxedStrategy<Vec<u8>> {
        proptest::collection::vec(any::<u8>(), 0..24).boxed()
    }

    /// A short list of `T`.
    pub fn list<T: Arbitrary + 'static>() -> BoxedStrategy<Vec<T>> {
        proptest::collection::vec(any::<T>(), 0..4).boxed()
    }

    /// A short list of strings.
    pub fn texts() -> BoxedStrategy<Vec<String>> {
        proptest::collection::vec(digits(), 0..4).boxed()
    }

    /// A short list of u32.
    pub fn u32s() -> BoxedStrategy<Vec<u32>> {
        proptest::collection::vec(any::<u32>(), 0..6).boxed()
    }

    impl Arbitrary for Uuid {
        type Parameters = ();
        type Strategy = BoxedStrategy<Uuid>;
        fn arbitrary_with(_: ()) -> Self::Strategy {
            prop_oneof![
                3 => proptest::sample::select(vec![
                    crate::uuid::CONTEXT_TYPE_INTERNET,
                    crate::uuid::CONTEXT_TYPE_IMS,
                    crate::uuid::BASIC_CONNECT,
                    crate::uuid::SMS,
                ]),
                1 => any::<[u8; 16]>().prop_map(Uuid),
            ]
            .boxed()
        }
    }

    impl Arbitrary for super::RawBytes {
        type Parameters = ();
        type Strategy = BoxedStrategy<super::RawBytes>;
        fn arbitrary_with(_: ()) -> Self::Strategy {
            bytes().prop_map(super::RawBytes).boxed()
        }
    }
}

/// Which of a CID's four payloads a buffer holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub enum Kind {
    /// A COMMAND with CommandType query.
    Query,
    /// A COMMAND with CommandType set.
    Set,
    /// The information buffer of a successful COMMAND_DONE.
    Response,
    /// The information buffer of an INDICATE_STATUS.
    Indication,
}

impl Kind {
    /// The kind of payload a message carries (None for messages without one).
    pub fn of(m: &Message<'_>) -> Option<Kind> {
        match m {
            Message::Command(c) if c.command_type == CommandType::SET => Some(Kind::Set),
            Message::Command(_) => Some(Kind::Query),
            Message::CommandDone(_) => Some(Kind::Response),
            Message::IndicateStatus(_) => Some(Kind::Indication),
            _ => None,
        }
    }
}

/// An MBIM extended version, BCD with the point between the bytes
/// (`0x0200` = 2.0). Chosen layouts follow it (MBIMEx, windows-operator-formats.md §7.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct ExtendedVersion(pub u16);

impl ExtendedVersion {
    pub const V1: ExtendedVersion = ExtendedVersion(0x0100);
    pub const V2: ExtendedVersion = ExtendedVersion(0x0200);
    pub const V3: ExtendedVersion = ExtendedVersion(0x0300);
    pub const V4: ExtendedVersion = ExtendedVersion(0x0400);
}

impl Default for ExtendedVersion {
    fn default() -> Self {
        ExtendedVersion::V1
    }
}

impl std::fmt::Display for ExtendedVersion {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}.{:02}", self.0 >> 8, self.0 & 0xff)
    }
}

/// Declare a service's payload table: an enum with one variant per payload
/// type and a `decode` that picks the type from (CID, kind).
macro_rules! payload_table {
    (
        $(#[$meta:meta])*
        pub enum $E:ident {
            $( $V:ident($T:ty) = [$( ($cid:literal, $kind:ident) ),+ $(,)?] ),* $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq)]
        #[cfg_attr(feature = "serde", derive(serde::Serialize))]
        #[cfg_attr(feature = "serde", serde(tag = "structure", content = "fields"))]
        pub enum $E { $( $V($T), )* }

        impl $E {
            /// Decode the payload for (`cid`, `kind`), or `None` if this
            /// service has no typed payload for it.
            #[allow(unused_variables)]
            pub fn decode(
                cid: u32,
                kind: $crate::services::Kind,
                buf: &[u8],
            ) -> Option<Result<$E, $crate::error::DecodeError>> {
                // One jump on (CID, kind) rather than a chain of comparisons.
                match (cid, kind) {
                    $(
                        $( ($cid, $crate::services::Kind::$kind) )|+ => {
                            Some(<$T as $crate::services::Payload>::decode(buf).map($E::$V))
                        }
                    )*
                    _ => None,
                }
            }

            /// Encode the payload.
            #[allow(unused_variables, clippy::ptr_arg)] // `out` unused only in empty tables
            pub fn encode(&self, out: &mut Vec<u8>) -> Result<(), $crate::error::EncodeError> {
                match *self { $( $E::$V(ref x) => $crate::services::Payload::encode(x, out), )* }
            }

            /// The spec structure name of the payload.
            pub fn structure(&self) -> &'static str {
                match *self { $( $E::$V(_) => stringify!($V), )* }
            }

            /// A strategy generating payloads for (`cid`, `kind`) (feature `arbitrary`).
            #[cfg(feature = "arbitrary")]
            #[allow(unused_variables)]
            pub fn arbitrary(
                cid: u32,
                kind: $crate::services::Kind,
            ) -> Option<::proptest::strategy::BoxedStrategy<$E>> {
                #[allow(unused_imports)]
                use $crate::services::Kind::{Query, Set, Response, Indication};
                #[allow(unused_imports)]
                use ::proptest::strategy::Strategy;
                $(
                    if $( (cid == $cid && kind == $kind) )||+ {
                        return Some(::proptest::arbitrary::any::<$T>().prop_map($E::$V).boxed());
                    }
                )*
                None
            }

            /// Every (CID, kind) this table knows, for tests and generators.
            pub const KEYS: &'static [(u32, $crate::services::Kind)] = &[
                $( $( ($cid, $crate::services::Kind::$kind), )+ )*
            ];
        }
    };
}
pub(crate) use payload_table;

/// A decoded information buffer of any service.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(
    feature = "serde",
    serde(tag = "service", content = "payload", rename_all = "kebab-case")
)]
pub enum Decoded {
    BasicConnect(basic_connect::Any),
    Sms(sms::Any),
    Ussd(ussd::Any),
    Phonebook(phonebook::Any),
    Stk(stk::Any),
    Auth(auth::Any),
    Dss(dss::Any),
    ProxyControl(proxy_control::Any),
    // Microsoft extension and vendor services.
    MsFirmwareId(ms_firmware_id::Any),
    MsHostShutdown(ms_host_shutdown::Any),
    MsSar(ms_sar::Any),
    MsUiccLowLevelAccess(ms_uicc_low_level_access::Any),
    MsVoiceExtensions(ms_voice_extensions::Any),
    Qmi(qmi::Any),
    Atds(atds::Any),
    IntelFirmwareUpdate(intel_firmware_update::Any),
    /// MBIMEx 2.0 layouts of the Intel firmware-update service.
    IntelFirmwareUpdateV2(intel_firmware_update::AnyV2),
    IntelThermalRf(intel_thermal_rf::Any),
    Qdu(qdu::Any),
    Quectel(quectel::Any),
    // MBIMEx (msbce): layouts chosen by the negotiated version.
    /// Basic Connect payloads in their MBIMEx 2.0 layout.
    BasicConnectV2(basic_connect_v2::Any),
    /// Basic Connect payloads in their MBIMEx 3.0 layout.
    BasicConnectV3(basic_connect_v3::Any),
    /// MS Basic Connect Extensions payloads (MBIMEx 1.0/2.0 layouts).
    MsBasicConnectExtensions(Box<ms_basic_connect_extensions::Any>),
    /// MS Basic Connect Extensions payloads in their MBIMEx 3.0 layout.
    MsBasicConnectExtensionsV3(Box<ms_basic_connect_extensions::AnyV3>),
    /// A service or CID without a typed payload: the bytes, unchanged.
    Raw(RawBytes),
}

impl Decoded {
    /// Encode back to an information buffer.
    pub fn encode(&self, out: &mut Vec<u8>) -> Result<(), EncodeError> {
        match self {
            Decoded::BasicConnect(p) => p.encode(out),
            Decoded::Sms(p) => p.encode(out),
            Decoded::Ussd(p) => p.encode(out),
            Decoded::Phonebook(p) => p.encode(out),
            Decoded::Stk(p) => p.encode(out),
            Decoded::Auth(p) => p.encode(out),
            Decoded::Dss(p) => p.encode(out),
            Decoded::ProxyControl(p) => p.encode(out),
            Decoded::MsFirmwareId(p) => p.encode(out),
            Decoded::MsHostShutdown(p) => p.encode(out),
            Decoded::MsSar(p) => p.encode(out),
            Decoded::MsUiccLowLevelAccess(p) => p.encode(out),
            Decoded::MsVoiceExtensions(p) => p.encode(out),
            Decoded::Qmi(p) => p.encode(out),
            Decoded::Atds(p) => p.encode(out),
            Decoded::IntelFirmwareUpdate(p) => p.encode(out),
            Decoded::IntelFirmwareUpdateV2(p) => p.encode(out),
            Decoded::IntelThermalRf(p) => p.encode(out),
            Decoded::Qdu(p) => p.encode(out),
            Decoded::Quectel(p) => p.encode(out),
            Decoded::BasicConnectV2(p) => p.encode(out),
            Decoded::BasicConnectV3(p) => p.encode(out),
            Decoded::MsBasicConnectExtensions(p) => p.encode(out),
            Decoded::MsBasicConnectExtensionsV3(p) => p.encode(out),
            Decoded::Raw(p) => p.encode(out),
        }
    }
}

/// Decode an information buffer by service, CID, kind and negotiated version.
/// Unknown services and CIDs give [`Decoded::Raw`]; only a malformed buffer
/// for a known payload is an error. A payload that MBIMEx 2.0/3.0 redefines
/// is decoded with the newest layout not above `version`, falling back
/// 3.0 → 2.0 → 1.0 like libmbim (4.0 uses the 3.0 layouts).
pub fn decode_payload(
    service: &Uuid,
    cid: u32,
    kind: Kind,
    version: ExtendedVersion,
    buf: &[u8],
) -> Result<Decoded, DecodeError> {
    use crate::uuid as u;
    let s = u::canonical(*service);
    if let Some(r) = mbimex::decode_versioned(&s, cid, kind, version, buf) {
        return r;
    }
    let r = if s == u::BASIC_CONNECT {
        basic_connect::Any::decode(cid, kind, buf).map(|r| r.map(Decoded::BasicConnect))
    } else if s == u::SMS {
        sms::Any::decode(cid, kind, buf).map(|r| r.map(Decoded::Sms))
    } else if s == u::USSD {
        ussd::Any::decode(cid, kind, buf).map(|r| r.map(Decoded::Ussd))
    } else if s == u::PHONEBOOK {
        phonebook::Any::decode(cid, kind, buf).map(|r| r.map(Decoded::Phonebook))
    } else if s == u::STK {
        stk::Any::decode(cid, kind, buf).map(|r| r.map(Decoded::Stk))
    } else if s == u::AUTH {
        auth::Any::decode(cid, kind, buf).map(|r| r.map(Decoded::Auth))
    } else if s == u::DSS {
        dss::Any::decode(cid, kind, buf).map(|r| r.map(Decoded::Dss))
    } else if s == u::PROXY_CONTROL {
        proxy_control::Any::decode(cid, kind, buf).map(|r| r.map(Decoded::ProxyControl))
    } else {
        decode_extension(&s, cid, kind, version, buf)
    };
    r.unwrap_or_else(|| Ok(Decoded::Raw(RawBytes(buf.to_vec()))))
}

/// [`decode_payload`] for Basic Connect alone (its MBIMEx 2.0/3.0 layouts
/// included). For callers that only ever read Basic Connect payloads: the
/// other services' decoders are then not part of the program (a modem
/// daemon links only what it uses; `decode_payload` reaches every table).
pub fn decode_basic_connect(
    cid: u32,
    kind: Kind,
    version: ExtendedVersion,
    buf: &[u8],
) -> Result<Decoded, DecodeError> {
    let s = crate::uuid::BASIC_CONNECT;
    if let Some(r) = mbimex::decode_versioned(&s, cid, kind, version, buf) {
        return r;
    }
    basic_connect::Any::decode(cid, kind, buf)
        .map(|r| r.map(Decoded::BasicConnect))
        .unwrap_or_else(|| Ok(Decoded::Raw(RawBytes(buf.to_vec()))))
}

/// Every (service, CID, kind) with a typed payload, for tests and generators.
pub fn all_keys() -> Vec<(Uuid, u32, Kind)> {
    use crate::uuid as u;
    let mut v = Vec::new();
    let mut add = |s: Uuid, keys: &[(u32, Kind)]| v.extend(keys.iter().map(|(c, k)| (s, *c, *k)));
    add(u::BASIC_CONNECT, basic_connect::Any::KEYS);
    add(u::SMS, sms::Any::KEYS);
    add(u::USSD, ussd::Any::KEYS);
    add(u::PHONEBOOK, phonebook::Any::KEYS);
    add(u::STK, stk::Any::KEYS);
    add(u::AUTH, auth::Any::KEYS);
    add(u::DSS, dss::Any::KEYS);
    add(u::PROXY_CONTROL, proxy_control::Any::KEYS);
    extension_keys(&mut add);
    add(
        u::MS_BASIC_CONNECT_EXTENSIONS,
        ms_basic_connect_extensions::Any::KEYS,
    );
    v
}

/// A strategy generating a typed payload for (service, CID, kind) (feature `arbitrary`).
#[cfg(feature = "arbitrary")]
pub fn arbitrary_payload(
    service: &Uuid,
    cid: u32,
    kind: Kind,
) -> Option<proptest::strategy::BoxedStrategy<Decoded>> {
    use crate::uuid as u;
    use proptest::strategy::Strategy;
    let s = u::canonical(*service);
    if s == u::BASIC_CONNECT {
        basic_connect::Any::arbitrary(cid, kind)
            .map(|st| st.prop_map(Decoded::BasicConnect).boxed())
    } else if s == u::SMS {
        sms::Any::arbitrary(cid, kind).map(|st| st.prop_map(Decoded::Sms).boxed())
    } else if s == u::USSD {
        ussd::Any::arbitrary(cid, kind).map(|st| st.prop_map(Decoded::Ussd).boxed())
    } else if s == u::PHONEBOOK {
        phonebook::Any::arbitrary(cid, kind).map(|st| st.prop_map(Decoded::Phonebook).boxed())
    } else if s == u::STK {
        stk::Any::arbitrary(cid, kind).map(|st| st.prop_map(Decoded::Stk).boxed())
    } else if s == u::AUTH {
        auth::Any::arbitrary(cid, kind).map(|st| st.prop_map(Decoded::Auth).boxed())
    } else if s == u::DSS {
        dss::Any::arbitrary(cid, kind).map(|st| st.prop_map(Decoded::Dss).boxed())
    } else if s == u::PROXY_CONTROL {
        proxy_control::Any::arbitrary(cid, kind)
            .map(|st| st.prop_map(Decoded::ProxyControl).boxed())
    } else if s == u::MS_BASIC_CONNECT_EXTENSIONS {
        ms_basic_connect_extensions::Any::arbitrary(cid, kind).map(|st| {
            st.prop_map(|p| Decoded::MsBasicConnectExtensions(Box::new(p)))
                .boxed()
        })
    } else {
        extension_arbitrary(&s, cid, kind)
    }
}

/// Human name of a CID of a known service (`"register-state"`), for logs and `mbcli`.
pub fn cid_name(service: &Uuid, cid: u32) -> Option<&'static str> {
    use crate::uuid as u;
    let s = u::canonical(*service);
    let table: &[&str] = if s == u::BASIC_CONNECT {
        basic_connect::CID_NAMES
    } else if s == u::SMS {
        sms::CID_NAMES
    } else if s == u::USSD {
        ussd::CID_NAMES
    } else if s == u::PHONEBOOK {
        phonebook::CID_NAMES
    } else if s == u::STK {
        stk::CID_NAMES
    } else if s == u::AUTH {
        auth::CID_NAMES
    } else if s == u::DSS {
        dss::CID_NAMES
    } else if s == u::PROXY_CONTROL {
        proxy_control::CID_NAMES
    } else if s == u::MS_BASIC_CONNECT_EXTENSIONS {
        ms_basic_connect_extensions::CID_NAMES
    } else {
        extension_cid_names(&s)?
    };
    table.get(cid as usize).copied().filter(|n| !n.is_empty())
}

/// Parse helper for payload `parse` impls that want the public error type.
#[doc(hidden)]
pub fn parse_all<'a, T>(
    s: &'a [u8],
    f: impl FnOnce(&'a [u8]) -> crate::wire::PResult<'a, T>,
) -> Result<T, nom::Err<PError>> {
    done(f(s)).map(|(_, v)| v).map_err(nom::Err::Error)
}

/// Declare a structure made only of fixed-size fields (u32 newtypes, u64,
/// UUIDs), with its `Payload` impl. Field order is wire order.
macro_rules! fixed_struct {
    (
        $(#[$m:meta])*
        pub struct $N:ident {
            $( $(#[$fm:meta])* $f:ident : $T:ty = $w:ident $name:literal ),* $(,)?
        }
    ) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
        #[cfg_attr(feature = "serde", derive(serde::Serialize))]
        #[cfg_attr(feature = "arbitrary", derive(proptest_derive::Arbitrary))]
        pub struct $N { $( $(#[$fm])* pub $f: $T, )* }

        impl $N {
            /// Encoded size in bytes.
            pub const SIZE: usize = 0 $( + $crate::services::fixed_struct!(@size $w) )*;
        }

        impl $crate::services::Payload for $N {
            fn parse(s: &[u8]) -> Result<Self, nom::Err<$crate::wire::PError>> {
                let r = s;
                $( let (r, $f) = $crate::services::fixed_struct!(@parse $w $name r); )*
                let _ = r;
                Ok($N { $( $f: <$T>::from($f), )* })
            }
            fn encode(&self, out: &mut Vec<u8>) -> Result<(), $crate::error::EncodeError> {
                #[allow(unused_mut)]
                let mut w = $crate::wire::Writer::new(out, Self::SIZE);
                $( $crate::services::fixed_struct!(@write $w w self.$f); )*
                Ok(())
            }
        }
    };
    (@size u32) => { 4 };
    (@size u64) => { 8 };
    (@size uuid) => { 16 };
    (@parse u32 $name:literal $r:ident) => { $crate::wire::u32le($name)($r)? };
    (@parse u64 $name:literal $r:ident) => { $crate::wire::u64le($name)($r)? };
    (@parse uuid $name:literal $r:ident) => { $crate::wire::uuid($name)($r)? };
    (@write u32 $w:ident $v:expr) => { $w.u32(u32::from($v)) };
    (@write u64 $w:ident $v:expr) => { $w.u64($v) };
    (@write uuid $w:ident $v:expr) => { $w.uuid(&$v) };
}
pub(crate) use fixed_struct;

/// Declare a request type with an empty payload (most queries).
macro_rules! empty_request {
    ($(#[$m:meta])* $N:ident, $svc:expr, $cid:expr, $ct:ident, $resp:ty) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
        #[cfg_attr(feature = "serde", derive(serde::Serialize))]
        #[cfg_attr(feature = "arbitrary", derive(proptest_derive::Arbitrary))]
        pub struct $N;
        impl $crate::services::Payload for $N {
            fn parse(_s: &[u8]) -> Result<Self, nom::Err<$crate::wire::PError>> { Ok($N) }
            fn encode(&self, _out: &mut Vec<u8>) -> Result<(), $crate::error::EncodeError> { Ok(()) }
        }
        impl $crate::services::Request for $N {
            const SERVICE: $crate::wire::Uuid = $svc;
            const CID: u32 = $cid;
            const COMMAND_TYPE: $crate::message::CommandType = $crate::message::CommandType::$ct;
            type Response = $resp;
        }
    };
}
pub(crate) use empty_request;

/// Bind an existing payload type as a request (service, CID, command type, response).
macro_rules! impl_request {
    ($N:ty, $svc:expr, $cid:expr, $ct:ident, $resp:ty) => {
        impl $crate::services::Request for $N {
            const SERVICE: $crate::wire::Uuid = $svc;
            const CID: u32 = $cid;
            const COMMAND_TYPE: $crate::message::CommandType = $crate::message::CommandType::$ct;
            type Response = $resp;
        }
    };
}
pub(crate) use impl_request;

/// Bind a payload type as the indication of (service, CID).
macro_rules! impl_indication {
    ($N:ty, $svc:expr, $cid:expr) => {
        impl $crate::services::Indication for $N {
            const SERVICE: $crate::wire::Uuid = $svc;
            const CID: u32 = $cid;
        }
    };
}
pub(crate) use impl_indication;

// ---------------------------------------------------------------------------
// Microsoft extension and vendor services: dispatch
// ---------------------------------------------------------------------------

/// Decode a payload of a Microsoft extension or vendor service (`s` is
/// canonical). Intel firmware update picks its MBIMEx 2.0 layouts when the
/// negotiated version is 2.0 or later, falling back to the 1.0 table.
fn decode_extension(
    s: &Uuid,
    cid: u32,
    kind: Kind,
    version: ExtendedVersion,
    buf: &[u8],
) -> Option<Result<Decoded, DecodeError>> {
    use crate::uuid as u;
    let s = *s;
    if s == u::MS_FIRMWARE_ID {
        ms_firmware_id::Any::decode(cid, kind, buf).map(|r| r.map(Decoded::MsFirmwareId))
    } else if s == u::MS_HOST_SHUTDOWN {
        ms_host_shutdown::Any::decode(cid, kind, buf).map(|r| r.map(Decoded::MsHostShutdown))
    } else if s == u::MS_SAR {
        ms_sar::Any::decode(cid, kind, buf).map(|r| r.map(Decoded::MsSar))
    } else if s == u::MS_UICC_LOW_LEVEL_ACCESS {
        ms_uicc_low_level_access::Any::decode(cid, kind, buf)
            .map(|r| r.map(Decoded::MsUiccLowLevelAccess))
    } else if s == u::MS_VOICE_EXTENSIONS {
        ms_voice_extensions::Any::decode(cid, kind, buf).map(|r| r.map(Decoded::MsVoiceExtensions))
    } else if s == u::QMI {
        qmi::Any::decode(cid, kind, buf).map(|r| r.map(Decoded::Qmi))
    } else if s == u::ATDS {
        atds::Any::decode(cid, kind, buf).map(|r| r.map(Decoded::Atds))
    } else if s == u::INTEL_FIRMWARE_UPDATE {
        let v2 = if version >= ExtendedVersion::V2 {
            intel_firmware_update::AnyV2::decode(cid, kind, buf)
                .map(|r| r.map(Decoded::IntelFirmwareUpdateV2))
        } else {
            None
        };
        v2.or_else(|| {
            intel_firmware_update::Any::decode(cid, kind, buf)
                .map(|r| r.map(Decoded::IntelFirmwareUpdate))
        })
    } else if s == u::INTEL_THERMAL_RF {
        intel_thermal_rf::Any::decode(cid, kind, buf).map(|r| r.map(Decoded::IntelThermalRf))
    } else if s == u::QDU {
        qdu::Any::decode(cid, kind, buf).map(|r| r.map(Decoded::Qdu))
    } else if s == u::QUECTEL {
        quectel::Any::decode(cid, kind, buf).map(|r| r.map(Decoded::Quectel))
    } else {
        None
    }
}

/// The (MBIM 1.0 layout) keys of the extension and vendor services.
fn extension_keys(add: &mut impl FnMut(Uuid, &[(u32, Kind)])) {
    use crate::uuid as u;
    add(u::MS_FIRMWARE_ID, ms_firmware_id::Any::KEYS);
    add(u::MS_HOST_SHUTDOWN, ms_host_shutdown::Any::KEYS);
    add(u::MS_SAR, ms_sar::Any::KEYS);
    add(
        u::MS_UICC_LOW_LEVEL_ACCESS,
        ms_uicc_low_level_access::Any::KEYS,
    );
    add(u::MS_VOICE_EXTENSIONS, ms_voice_extensions::Any::KEYS);
    add(u::QMI, qmi::Any::KEYS);
    add(u::ATDS, atds::Any::KEYS);
    add(u::INTEL_FIRMWARE_UPDATE, intel_firmware_update::Any::KEYS);
    add(u::INTEL_THERMAL_RF, intel_thermal_rf::Any::KEYS);
    add(u::QDU, qdu::Any::KEYS);
    add(u::QUECTEL, quectel::Any::KEYS);
}

/// Generators for the extension and vendor services (MBIM 1.0 layouts).
#[cfg(feature = "arbitrary")]
fn extension_arbitrary(
    s: &Uuid,
    cid: u32,
    kind: Kind,
) -> Option<proptest::strategy::BoxedStrategy<Decoded>> {
    use crate::uuid as u;
    use proptest::strategy::Strategy;
    let s = *s;
    macro_rules! arm {
        ($m:ident, $V:ident) => {
            $m::Any::arbitrary(cid, kind).map(|st| st.prop_map(Decoded::$V).boxed())
        };
    }
    if s == u::MS_FIRMWARE_ID {
        arm!(ms_firmware_id, MsFirmwareId)
    } else if s == u::MS_HOST_SHUTDOWN {
        arm!(ms_host_shutdown, MsHostShutdown)
    } else if s == u::MS_SAR {
        arm!(ms_sar, MsSar)
    } else if s == u::MS_UICC_LOW_LEVEL_ACCESS {
        arm!(ms_uicc_low_level_access, MsUiccLowLevelAccess)
    } else if s == u::MS_VOICE_EXTENSIONS {
        arm!(ms_voice_extensions, MsVoiceExtensions)
    } else if s == u::QMI {
        arm!(qmi, Qmi)
    } else if s == u::ATDS {
        arm!(atds, Atds)
    } else if s == u::INTEL_FIRMWARE_UPDATE {
        arm!(intel_firmware_update, IntelFirmwareUpdate)
    } else if s == u::INTEL_THERMAL_RF {
        arm!(intel_thermal_rf, IntelThermalRf)
    } else if s == u::QDU {
        arm!(qdu, Qdu)
    } else if s == u::QUECTEL {
        arm!(quectel, Quectel)
    } else {
        None
    }
}

/// CID names of the extension and vendor services.
fn extension_cid_names(s: &Uuid) -> Option<&'static [&'static str]> {
    use crate::uuid as u;
    let t: &[&str] = match *s {
        x if x == u::MS_FIRMWARE_ID => ms_firmware_id::CID_NAMES,
        x if x == u::MS_HOST_SHUTDOWN => ms_host_shutdown::CID_NAMES,
        x if x == u::MS_SAR => ms_sar::CID_NAMES,
        x if x == u::MS_UICC_LOW_LEVEL_ACCESS => ms_uicc_low_level_access::CID_NAMES,
        x if x == u::MS_VOICE_EXTENSIONS => ms_voice_extensions::CID_NAMES,
        x if x == u::QMI => qmi::CID_NAMES,
        x if x == u::ATDS => atds::CID_NAMES,
        x if x == u::INTEL_FIRMWARE_UPDATE => intel_firmware_update::CID_NAMES,
        x if x == u::INTEL_THERMAL_RF => intel_thermal_rf::CID_NAMES,
        x if x == u::QDU => qdu::CID_NAMES,
        x if x == u::QUECTEL => quectel::CID_NAMES,
        _ => return None,
    };
    Some(t)
}
