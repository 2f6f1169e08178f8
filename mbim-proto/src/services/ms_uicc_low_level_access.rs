//! Microsoft UICC low-level access service (`c2f6588e-f037-4bc9-8665-f4d44bd09367`):
//! the card's ATR, logical channels and APDUs, terminal capabilities,
//! pass-through reset, and application / file-system access
//! (windows-operator-formats.md §7.2; layouts as libmbim 1.28).
//!
//! Two byte-buffer reference styles coexist in this service: the ATR, channel
//! and APDU CIDs point at their data with a *(size, offset)* pair (Microsoft's
//! UICC structures put the size first), while the application and file CIDs
//! use the usual MBIM *(offset, size)*. Each field below says which.
//! APDUs, ATRs and file contents are opaque bytes here; ISO 7816 is not this
//! module's job, and the status codes live in `status.rs`.

use super::{Empty, Payload, empty_request, fixed_struct, impl_request, parse_all, payload_table};
use crate::error::EncodeError;
use crate::services::basic_connect::PinType;
use crate::uuid::MS_UICC_LOW_LEVEL_ACCESS;
use crate::wire::{self, PError, PResult, Writer, bytes, count_u32, ol, ol_list, string, u32le};

/// CID numbers (libmbim `MbimCidMsUiccLowLevelAccess`).
pub mod cid {
    pub const ATR: u32 = 1;
    pub const OPEN_CHANNEL: u32 = 2;
    pub const CLOSE_CHANNEL: u32 = 3;
    pub const APDU: u32 = 4;
    pub const TERMINAL_CAPABILITY: u32 = 5;
    pub const RESET: u32 = 6;
    pub const APPLICATION_LIST: u32 = 7;
    pub const FILE_STATUS: u32 = 8;
    pub const READ_BINARY: u32 = 9;
    pub const READ_RECORD: u32 = 10;
}

/// CID names indexed by number (empty = unassigned).
pub const CID_NAMES: &[&str] = &[
    "",
    "atr",
    "open-channel",
    "close-channel",
    "apdu",
    "terminal-capability",
    "reset",
    "application-list",
    "file-status",
    "read-binary",
    "read-record",
];

crate::wire_enum! {
    /// MBIM_MS_UICC_SECURE_MESSAGING.
    pub struct UiccSecureMessaging(u32) {
        NONE = 0 => "none",
        NO_HDR_AUTH = 1 => "no-hdr-auth",
    }
}

crate::wire_enum! {
    /// MBIM_MS_UICC_CLASS_BYTE_TYPE.
    pub struct UiccClassByteType(u32) {
        INTER_INDUSTRY = 0 => "inter-industry",
        EXTENDED = 1 => "extended",
    }
}

crate::wire_enum! {
    /// MBIM_MS_UICC_PASSTHROUGH_ACTION.
    pub struct UiccPassThroughAction(u32) {
        DISABLE = 0 => "disable",
        ENABLE = 1 => "enable",
    }
}

crate::wire_enum! {
    /// MBIM_MS_UICC_PASSTHROUGH_STATUS.
    pub struct UiccPassThroughStatus(u32) {
        DISABLED = 0 => "disabled",
        ENABLED = 1 => "enabled",
    }
}

crate::wire_enum! {
    /// MBIM_MS_UICC_APP_TYPE.
    pub struct UiccApplicationType(u32) {
        UNKNOWN = 0 => "unknown",
        MF = 1 => "mf",
        MF_SIM = 2 => "mf-sim",
        MF_RUIM = 3 => "mf-ruim",
        USIM = 4 => "usim",
        CSIM = 5 => "csim",
        ISIM = 6 => "isim",
    }
}

crate::wire_enum! {
    /// MBIM_MS_UICC_FILE_ACCESSIBILITY.
    pub struct UiccFileAccessibility(u32) {
        UNKNOWN = 0 => "unknown",
        NOT_SHAREABLE = 1 => "not-shareable",
        SHAREABLE = 2 => "shareable",
    }
}

crate::wire_enum! {
    /// MBIM_MS_UICC_FILE_TYPE.
    pub struct UiccFileType(u32) {
        UNKNOWN = 0 => "unknown",
        WORKING_EF = 1 => "working-ef",
        INTERNAL_EF = 2 => "internal-ef",
        DF_OR_ADF = 3 => "df-or-adf",
    }
}

crate::wire_enum! {
    /// MBIM_MS_UICC_FILE_STRUCTURE.
    pub struct UiccFileStructure(u32) {
        UNKNOWN = 0 => "unknown",
        TRANSPARENT = 1 => "transparent",
        CYCLIC = 2 => "cyclic",
        LINEAR = 3 => "linear",
        BER_TLV = 4 => "ber-tlv",
    }
}

// ---------------------------------------------------------------------------
// (size, offset) byte references
// ---------------------------------------------------------------------------

/// A *(size, offset)* pair (size first) pointing into `base`.
fn size_offset<'a>(
    base: &'a [u8],
    field: &'static str,
) -> impl Fn(&'a [u8]) -> PResult<'a, Vec<u8>> {
    move |i: &'a [u8]| {
        let (r, size) = u32le(field)(i)?;
        let (r, offset) = u32le(field)(r)?;
        let data = wire::resolve(base, i, field, offset, size)?;
        Ok((r, data.to_vec()))
    }
}

/// Write a *(size, offset)* pair and append the (padded) data.
fn put_size_offset(w: &mut Writer<'_>, field: &'static str, b: &[u8]) -> Result<(), EncodeError> {
    if b.is_empty() {
        w.u32(0);
        w.u32(0);
        return Ok(());
    }
    let offset = w.append_data(b)?;
    w.u32(count_u32(field, b.len())?);
    w.u32(offset);
    Ok(())
}

// ---------------------------------------------------------------------------
// 1 ATR, 2 OPEN_CHANNEL, 3 CLOSE_CHANNEL, 4 APDU
// ---------------------------------------------------------------------------

/// MBIM_MS_ATR_INFO: the card's answer-to-reset; (size, offset) reference.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "arbitrary", derive(proptest_derive::Arbitrary))]
pub struct AtrInfo {
    #[cfg_attr(
        feature = "arbitrary",
        proptest(strategy = "crate::services::arb::bytes()")
    )]
    pub atr: Vec<u8>,
}

impl Payload for AtrInfo {
    fn parse(s: &[u8]) -> Result<Self, nom::Err<PError>> {
        parse_all(s, |r| {
            let (r, atr) = size_offset(s, "Atr")(r)?;
            Ok((r, AtrInfo { atr }))
        })
    }

    fn encode(&self, out: &mut Vec<u8>) -> Result<(), EncodeError> {
        let mut w = Writer::new(out, 8);
        put_size_offset(&mut w, "Atr", &self.atr)
    }
}

/// MBIM_MS_SET_UICC_OPEN_CHANNEL; AppId is a (size, offset) reference.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "arbitrary", derive(proptest_derive::Arbitrary))]
pub struct SetUiccOpenChannel {
    /// The application's AID (ISO 7816-4), at most 16 bytes.
    #[cfg_attr(
        feature = "arbitrary",
        proptest(strategy = "crate::services::arb::bytes()")
    )]
    pub app_id: Vec<u8>,
    /// P2 of the SELECT the modem sends.
    pub select_p2_arg: u32,
    /// A tag grouping channels so that they can be closed together.
    pub channel_group: u32,
}

impl Payload for SetUiccOpenChannel {
    fn parse(s: &[u8]) -> Result<Self, nom::Err<PError>> {
        parse_all(s, |r| {
            let (r, app_id) = size_offset(s, "AppId")(r)?;
            let (r, select_p2_arg) = u32le("SelectP2Arg")(r)?;
            let (r, channel_group) = u32le("ChannelGroup")(r)?;
            Ok((
                r,
                SetUiccOpenChannel {
                    app_id,
                    select_p2_arg,
                    channel_group,
                },
            ))
        })
    }

    fn encode(&self, out: &mut Vec<u8>) -> Result<(), EncodeError> {
        let mut w = Writer::new(out, 16);
        put_size_offset(&mut w, "AppId", &self.app_id)?;
        w.u32(self.select_p2_arg);
        w.u32(self.channel_group);
        Ok(())
    }
}

/// MBIM_MS_UICC_OPEN_CHANNEL_INFO; Response is a (size, offset) reference.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "arbitrary", derive(proptest_derive::Arbitrary))]
pub struct UiccOpenChannelInfo {
    /// SW1 SW2 of the SELECT, as a little-endian u32 (`0x9000` = OK).
    pub status: u32,
    /// The logical channel opened.
    pub channel: u32,
    /// The SELECT response data.
    #[cfg_attr(
        feature = "arbitrary",
        proptest(strategy = "crate::services::arb::bytes()")
    )]
    pub response: Vec<u8>,
}

impl Payload for UiccOpenChannelInfo {
    fn parse(s: &[u8]) -> Result<Self, nom::Err<PError>> {
        parse_all(s, |r| {
            let (r, status) = u32le("Status")(r)?;
            let (r, channel) = u32le("Channel")(r)?;
            let (r, response) = size_offset(s, "Response")(r)?;
            Ok((
                r,
                UiccOpenChannelInfo {
                    status,
                    channel,
                    response,
                },
            ))
        })
    }

    fn encode(&self, out: &mut Vec<u8>) -> Result<(), EncodeError> {
        let mut w = Writer::new(out, 16);
        w.u32(self.status);
        w.u32(self.channel);
        put_size_offset(&mut w, "Response", &self.response)
    }
}

fixed_struct! {
    /// MBIM_MS_SET_UICC_CLOSE_CHANNEL.
    pub struct SetUiccCloseChannel {
        channel: u32 = u32 "Channel",
        channel_group: u32 = u32 "ChannelGroup",
    }
}

fixed_struct! {
    /// MBIM_MS_UICC_CLOSE_CHANNEL_INFO.
    pub struct UiccCloseChannelInfo {
        /// SW1 SW2 as a little-endian u32.
        status: u32 = u32 "Status",
    }
}

/// MBIM_MS_SET_UICC_APDU; Command is a (size, offset) reference.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "arbitrary", derive(proptest_derive::Arbitrary))]
pub struct SetUiccApdu {
    pub channel: u32,
    pub secure_messaging: UiccSecureMessaging,
    pub class_byte_type: UiccClassByteType,
    /// The command APDU.
    #[cfg_attr(
        feature = "arbitrary",
        proptest(strategy = "crate::services::arb::bytes()")
    )]
    pub command: Vec<u8>,
}

impl Payload for SetUiccApdu {
    fn parse(s: &[u8]) -> Result<Self, nom::Err<PError>> {
        parse_all(s, |r| {
            let (r, channel) = u32le("Channel")(r)?;
            let (r, secure_messaging) = u32le("SecureMessaging")(r)?;
            let (r, class_byte_type) = u32le("ClassByteType")(r)?;
            let (r, command) = size_offset(s, "Command")(r)?;
            Ok((
                r,
                SetUiccApdu {
                    channel,
                    secure_messaging: secure_messaging.into(),
                    class_byte_type: class_byte_type.into(),
                    command,
                },
            ))
        })
    }

    fn encode(&self, out: &mut Vec<u8>) -> Result<(), EncodeError> {
        let mut w = Writer::new(out, 20);
        w.u32(self.channel);
        w.u32(self.secure_messaging.0);
        w.u32(self.class_byte_type.0);
        put_size_offset(&mut w, "Command", &self.command)
    }
}

/// MBIM_MS_UICC_APDU_INFO; Response is a (size, offset) reference.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "arbitrary", derive(proptest_derive::Arbitrary))]
pub struct UiccApduInfo {
    /// SW1 SW2 as a little-endian u32.
    pub status: u32,
    /// Response data (without SW1 SW2).
    #[cfg_attr(
        feature = "arbitrary",
        proptest(strategy = "crate::services::arb::bytes()")
    )]
    pub response: Vec<u8>,
}

impl Payload for UiccApduInfo {
    fn parse(s: &[u8]) -> Result<Self, nom::Err<PError>> {
        parse_all(s, |r| {
            let (r, status) = u32le("Status")(r)?;
            let (r, response) = size_offset(s, "Response")(r)?;
            Ok((r, UiccApduInfo { status, response }))
        })
    }

    fn encode(&self, out: &mut Vec<u8>) -> Result<(), EncodeError> {
        let mut w = Writer::new(out, 12);
        w.u32(self.status);
        put_size_offset(&mut w, "Response", &self.response)
    }
}

// ---------------------------------------------------------------------------
// 5 TERMINAL_CAPABILITY, 6 RESET
// ---------------------------------------------------------------------------

/// MBIM_MS_TERMINAL_CAPABILITY_INFO list: the set and the response share the
/// layout, a count and an OL-pair list of raw terminal-capability TLVs
/// (ETSI TS 102 221 §11.1.19).
///
/// libmbim includes the element's padding in each OL size when it builds
/// this list, and reads each element to the end of the buffer when parsing;
/// we write exact sizes and read exactly the bytes each pair points at.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "arbitrary", derive(proptest_derive::Arbitrary))]
pub struct UiccTerminalCapability {
    #[cfg_attr(
        feature = "arbitrary",
        proptest(strategy = "proptest::collection::vec(crate::services::arb::bytes(), 0..4)")
    )]
    pub terminal_capability: Vec<Vec<u8>>,
}

impl Payload for UiccTerminalCapability {
    fn parse(s: &[u8]) -> Result<Self, nom::Err<PError>> {
        parse_all(s, |r| {
            let (r, count) = u32le("TerminalCapabilityCount")(r)?;
            let (r, terminal_capability) =
                ol_list(s, count, "TerminalCapability", |d| Ok(d.to_vec()))(r)?;
            Ok((
                r,
                UiccTerminalCapability {
                    terminal_capability,
                },
            ))
        })
    }

    fn encode(&self, out: &mut Vec<u8>) -> Result<(), EncodeError> {
        let n = self.terminal_capability.len();
        let mut w = Writer::new(out, 4 + 8 * n);
        w.u32(count_u32("TerminalCapabilityCount", n)?);
        w.ol_list("TerminalCapability", &self.terminal_capability, |t, out| {
            out.extend_from_slice(t);
            Ok(())
        })
    }
}

fixed_struct! {
    /// MBIM_MS_SET_UICC_RESET.
    pub struct SetUiccReset {
        pass_through_action: UiccPassThroughAction = u32 "PassThroughAction",
    }
}

fixed_struct! {
    /// MBIM_MS_UICC_RESET_INFO.
    pub struct UiccResetInfo {
        pass_through_status: UiccPassThroughStatus = u32 "PassThroughStatus",
    }
}

// ---------------------------------------------------------------------------
// 7 APPLICATION_LIST
// ---------------------------------------------------------------------------

/// MBIM_MS_UICC_APP_INFO: one application on the card.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "arbitrary", derive(proptest_derive::Arbitrary))]
pub struct UiccApplication {
    pub application_type: UiccApplicationType,
    /// The AID; (offset, size) reference.
    #[cfg_attr(
        feature = "arbitrary",
        proptest(strategy = "crate::services::arb::bytes()")
    )]
    pub application_id: Vec<u8>,
    /// The label, UTF-8 on the wire (not UTF-16 like other MBIM strings);
    /// decoded leniently (invalid sequences replaced, trailing NULs dropped).
    #[cfg_attr(
        feature = "arbitrary",
        proptest(strategy = "crate::services::arb::text()")
    )]
    pub application_name: String,
    /// Number of PIN key references.
    pub pin_key_reference_count: u32,
    /// The key references (one byte each); (offset, size) reference.
    #[cfg_attr(
        feature = "arbitrary",
        proptest(strategy = "crate::services::arb::bytes()")
    )]
    pub pin_key_references: Vec<u8>,
}

impl Payload for UiccApplication {
    fn parse(s: &[u8]) -> Result<Self, nom::Err<PError>> {
        parse_all(s, |r| {
            let (r, application_type) = u32le("ApplicationType")(r)?;
            let (r, application_id) = bytes(s, "ApplicationId")(r)?;
            let (r, name) = ol(s, "ApplicationName")(r)?;
            let (r, pin_key_reference_count) = u32le("PinKeyReferenceCount")(r)?;
            let (r, pin_key_references) = bytes(s, "PinKeyReferences")(r)?;
            let name = String::from_utf8_lossy(name);
            Ok((
                r,
                UiccApplication {
                    application_type: application_type.into(),
                    application_id,
                    application_name: name.trim_end_matches('\0').to_owned(),
                    pin_key_reference_count,
                    pin_key_references,
                },
            ))
        })
    }

    fn encode(&self, out: &mut Vec<u8>) -> Result<(), EncodeError> {
        let mut w = Writer::new(out, 32);
        w.u32(self.application_type.0);
        w.bytes("ApplicationId", &self.application_id)?;
        w.bytes("ApplicationName", self.application_name.as_bytes())?;
        w.u32(self.pin_key_reference_count);
        w.bytes("PinKeyReferences", &self.pin_key_references)
    }
}

/// MBIM_MS_UICC_APP_LIST.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "arbitrary", derive(proptest_derive::Arbitrary))]
pub struct UiccAppList {
    pub version: u32,
    /// Index of the active application in `applications`.
    pub active_application_index: u32,
    /// The size in bytes the modem reports for the application list; kept
    /// as sent (it is informational, the list is read through its OL pairs).
    pub application_list_size_bytes: u32,
    #[cfg_attr(
        feature = "arbitrary",
        proptest(strategy = "crate::services::arb::list::<UiccApplication>()")
    )]
    pub applications: Vec<UiccApplication>,
}

impl Payload for UiccAppList {
    fn parse(s: &[u8]) -> Result<Self, nom::Err<PError>> {
        parse_all(s, |r| {
            let (r, version) = u32le("Version")(r)?;
            let (r, count) = u32le("ApplicationCount")(r)?;
            let (r, active_application_index) = u32le("ActiveApplicationIndex")(r)?;
            let (r, application_list_size_bytes) = u32le("ApplicationListSizeBytes")(r)?;
            let (r, applications) = ol_list(s, count, "Applications", UiccApplication::parse)(r)?;
            Ok((
                r,
                UiccAppList {
                    version,
                    active_application_index,
                    application_list_size_bytes,
                    applications,
                },
            ))
        })
    }

    fn encode(&self, out: &mut Vec<u8>) -> Result<(), EncodeError> {
        let n = self.applications.len();
        let mut w = Writer::new(out, 16 + 8 * n);
        w.u32(self.version);
        w.u32(count_u32("ApplicationCount", n)?);
        w.u32(self.active_application_index);
        w.u32(self.application_list_size_bytes);
        w.ol_list("Applications", &self.applications, |a, out| a.encode(out))
    }
}

// ---------------------------------------------------------------------------
// 8 FILE_STATUS, 9 READ_BINARY, 10 READ_RECORD
// ---------------------------------------------------------------------------

/// MBIM_MS_UICC_FILE_PATH: FILE_STATUS query; (offset, size) references.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "arbitrary", derive(proptest_derive::Arbitrary))]
pub struct UiccFilePath {
    pub version: u32,
    #[cfg_attr(
        feature = "arbitrary",
        proptest(strategy = "crate::services::arb::bytes()")
    )]
    pub application_id: Vec<u8>,
    /// File identifiers from the MF or ADF, two bytes each (e.g. `7FFF 6F07`).
    #[cfg_attr(
        feature = "arbitrary",
        proptest(strategy = "crate::services::arb::bytes()")
    )]
    pub file_path: Vec<u8>,
}

impl Payload for UiccFilePath {
    fn parse(s: &[u8]) -> Result<Self, nom::Err<PError>> {
        parse_all(s, |r| {
            let (r, version) = u32le("Version")(r)?;
            let (r, application_id) = bytes(s, "ApplicationId")(r)?;
            let (r, file_path) = bytes(s, "FilePath")(r)?;
            Ok((
                r,
                UiccFilePath {
                    version,
                    application_id,
                    file_path,
                },
            ))
        })
    }

    fn encode(&self, out: &mut Vec<u8>) -> Result<(), EncodeError> {
        let mut w = Writer::new(out, 20);
        w.u32(self.version);
        w.bytes("ApplicationId", &self.application_id)?;
        w.bytes("FilePath", &self.file_path)
    }
}

fixed_struct! {
    /// MBIM_MS_UICC_FILE_STATUS: FILE_STATUS response.
    pub struct UiccFileStatus {
        version: u32 = u32 "Version",
        status_word1: u32 = u32 "StatusWord1",
        status_word2: u32 = u32 "StatusWord2",
        file_accessibility: UiccFileAccessibility = u32 "FileAccessibility",
        file_type: UiccFileType = u32 "FileType",
        file_structure: UiccFileStructure = u32 "FileStructure",
        /// Number of records (1 for transparent files).
        file_item_count: u32 = u32 "FileItemCount",
        /// Record size, or file size for transparent files.
        file_item_size: u32 = u32 "FileItemSize",
        access_condition_read: PinType = u32 "AccessConditionRead",
        access_condition_update: PinType = u32 "AccessConditionUpdate",
        access_condition_activate: PinType = u32 "AccessConditionActivate",
        access_condition_deactivate: PinType = u32 "AccessConditionDeactivate",
    }
}

/// MBIM_MS_UICC_ACCESS_BINARY: READ_BINARY query (and the update set, which
/// Microsoft defines with the same structure); (offset, size) references.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "arbitrary", derive(proptest_derive::Arbitrary))]
pub struct UiccAccessBinary {
    pub version: u32,
    #[cfg_attr(
        feature = "arbitrary",
        proptest(strategy = "crate::services::arb::bytes()")
    )]
    pub application_id: Vec<u8>,
    #[cfg_attr(
        feature = "arbitrary",
        proptest(strategy = "crate::services::arb::bytes()")
    )]
    pub file_path: Vec<u8>,
    pub read_offset: u32,
    pub read_size: u32,
    /// PIN to verify first, if the file needs one (UTF-16 like other MBIM strings).
    #[cfg_attr(
        feature = "arbitrary",
        proptest(strategy = "crate::services::arb::digits()")
    )]
    pub local_pin: String,
    /// Data to write (update) or empty.
    #[cfg_attr(
        feature = "arbitrary",
        proptest(strategy = "crate::services::arb::bytes()")
    )]
    pub data: Vec<u8>,
}

impl Payload for UiccAccessBinary {
    fn parse(s: &[u8]) -> Result<Self, nom::Err<PError>> {
        parse_all(s, |r| {
            let (r, version) = u32le("Version")(r)?;
            let (r, application_id) = bytes(s, "ApplicationId")(r)?;
            let (r, file_path) = bytes(s, "FilePath")(r)?;
            let (r, read_offset) = u32le("ReadOffset")(r)?;
            let (r, read_size) = u32le("ReadSize")(r)?;
            let (r, local_pin) = string(s, "LocalPin")(r)?;
            let (r, data) = bytes(s, "Data")(r)?;
            Ok((
                r,
                UiccAccessBinary {
                    version,
                    application_id,
                    file_path,
                    read_offset,
                    read_size,
                    local_pin,
                    data,
                },
            ))
        })
    }

    fn encode(&self, out: &mut Vec<u8>) -> Result<(), EncodeError> {
        let mut w = Writer::new(out, 44);
        w.u32(self.version);
        w.bytes("ApplicationId", &self.application_id)?;
        w.bytes("FilePath", &self.file_path)?;
        w.u32(self.read_offset);
        w.u32(self.read_size);
        w.string("LocalPin", &self.local_pin, None)?;
        w.bytes("Data", &self.data)
    }
}

/// MBIM_MS_UICC_ACCESS_RECORD: READ_RECORD query (and the update set);
/// (offset, size) references.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "arbitrary", derive(proptest_derive::Arbitrary))]
pub struct UiccAccessRecord {
    pub version: u32,
    #[cfg_attr(
        feature = "arbitrary",
        proptest(strategy = "crate::services::arb::bytes()")
    )]
    pub application_id: Vec<u8>,
    #[cfg_attr(
        feature = "arbitrary",
        proptest(strategy = "crate::services::arb::bytes()")
    )]
    pub file_path: Vec<u8>,
    /// 1-based record number.
    pub record_number: u32,
    #[cfg_attr(
        feature = "arbitrary",
        proptest(strategy = "crate::services::arb::digits()")
    )]
    pub local_pin: String,
    #[cfg_attr(
        feature = "arbitrary",
        proptest(strategy = "crate::services::arb::bytes()")
    )]
    pub data: Vec<u8>,
}

impl Payload for UiccAccessRecord {
    fn parse(s: &[u8]) -> Result<Self, nom::Err<PError>> {
        parse_all(s, |r| {
            let (r, version) = u32le("Version")(r)?;
            let (r, application_id) = bytes(s, "ApplicationId")(r)?;
            let (r, file_path) = bytes(s, "FilePath")(r)?;
            let (r, record_number) = u32le("RecordNumber")(r)?;
            let (r, local_pin) = string(s, "LocalPin")(r)?;
            let (r, data) = bytes(s, "Data")(r)?;
            Ok((
                r,
                UiccAccessRecord {
                    version,
                    application_id,
                    file_path,
                    record_number,
                    local_pin,
                    data,
                },
            ))
        })
    }

    fn encode(&self, out: &mut Vec<u8>) -> Result<(), EncodeError> {
        let mut w = Writer::new(out, 40);
        w.u32(self.version);
        w.bytes("ApplicationId", &self.application_id)?;
        w.bytes("FilePath", &self.file_path)?;
        w.u32(self.record_number);
        w.string("LocalPin", &self.local_pin, None)?;
        w.bytes("Data", &self.data)
    }
}

/// MBIM_MS_UICC_RESPONSE: READ_BINARY and READ_RECORD responses;
/// (offset, size) reference.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "arbitrary", derive(proptest_derive::Arbitrary))]
pub struct UiccResponse {
    pub version: u32,
    pub status_word1: u32,
    pub status_word2: u32,
    #[cfg_attr(
        feature = "arbitrary",
        proptest(strategy = "crate::services::arb::bytes()")
    )]
    pub data: Vec<u8>,
}

impl Payload for UiccResponse {
    fn parse(s: &[u8]) -> Result<Self, nom::Err<PError>> {
        parse_all(s, |r| {
            let (r, version) = u32le("Version")(r)?;
            let (r, status_word1) = u32le("StatusWord1")(r)?;
            let (r, status_word2) = u32le("StatusWord2")(r)?;
            let (r, data) = bytes(s, "Data")(r)?;
            Ok((
                r,
                UiccResponse {
                    version,
                    status_word1,
                    status_word2,
                    data,
                },
            ))
        })
    }

    fn encode(&self, out: &mut Vec<u8>) -> Result<(), EncodeError> {
        let mut w = Writer::new(out, 20);
        w.u32(self.version);
        w.u32(self.status_word1);
        w.u32(self.status_word2);
        w.bytes("Data", &self.data)
    }
}

// ---------------------------------------------------------------------------
// Requests and the table
// ---------------------------------------------------------------------------

empty_request!(
    /// ATR query.
    AtrQuery, MS_UICC_LOW_LEVEL_ACCESS, cid::ATR, QUERY, AtrInfo
);
impl_request!(
    SetUiccOpenChannel,
    MS_UICC_LOW_LEVEL_ACCESS,
    cid::OPEN_CHANNEL,
    SET,
    UiccOpenChannelInfo
);
impl_request!(
    SetUiccCloseChannel,
    MS_UICC_LOW_LEVEL_ACCESS,
    cid::CLOSE_CHANNEL,
    SET,
    UiccCloseChannelInfo
);
impl_request!(
    SetUiccApdu,
    MS_UICC_LOW_LEVEL_ACCESS,
    cid::APDU,
    SET,
    UiccApduInfo
);
impl_request!(
    UiccTerminalCapability,
    MS_UICC_LOW_LEVEL_ACCESS,
    cid::TERMINAL_CAPABILITY,
    SET,
    UiccTerminalCapability
);
empty_request!(
    /// TERMINAL_CAPABILITY query.
    UiccTerminalCapabilityQuery, MS_UICC_LOW_LEVEL_ACCESS, cid::TERMINAL_CAPABILITY, QUERY,
    UiccTerminalCapability
);
impl_request!(
    SetUiccReset,
    MS_UICC_LOW_LEVEL_ACCESS,
    cid::RESET,
    SET,
    UiccResetInfo
);
empty_request!(
    /// RESET query.
    UiccResetQuery, MS_UICC_LOW_LEVEL_ACCESS, cid::RESET, QUERY, UiccResetInfo
);
empty_request!(
    /// APPLICATION_LIST query.
    UiccAppListQuery, MS_UICC_LOW_LEVEL_ACCESS, cid::APPLICATION_LIST, QUERY, UiccAppList
);
impl_request!(
    UiccFilePath,
    MS_UICC_LOW_LEVEL_ACCESS,
    cid::FILE_STATUS,
    QUERY,
    UiccFileStatus
);
impl_request!(
    UiccAccessBinary,
    MS_UICC_LOW_LEVEL_ACCESS,
    cid::READ_BINARY,
    QUERY,
    UiccResponse
);
impl_request!(
    UiccAccessRecord,
    MS_UICC_LOW_LEVEL_ACCESS,
    cid::READ_RECORD,
    QUERY,
    UiccResponse
);

payload_table! {
    /// Every MS UICC low-level access payload.
    pub enum Any {
        Empty(Empty) = [(1, Query), (5, Query), (6, Query), (7, Query)],
        AtrInfo(AtrInfo) = [(1, Response)],
        SetUiccOpenChannel(SetUiccOpenChannel) = [(2, Set)],
        UiccOpenChannelInfo(UiccOpenChannelInfo) = [(2, Response)],
        SetUiccCloseChannel(SetUiccCloseChannel) = [(3, Set)],
        UiccCloseChannelInfo(UiccCloseChannelInfo) = [(3, Response)],
        SetUiccApdu(SetUiccApdu) = [(4, Set)],
        UiccApduInfo(UiccApduInfo) = [(4, Response)],
        UiccTerminalCapability(UiccTerminalCapability) = [(5, Set), (5, Response)],
        SetUiccReset(SetUiccReset) = [(6, Set)],
        UiccResetInfo(UiccResetInfo) = [(6, Response)],
        UiccAppList(UiccAppList) = [(7, Response)],
        UiccFilePath(UiccFilePath) = [(8, Query)],
        UiccFileStatus(UiccFileStatus) = [(8, Response)],
        UiccAccessBinary(UiccAccessBinary) = [(9, Query), (9, Set)],
        UiccAccessRecord(UiccAccessRecord) = [(10, Query), (10, Set)],
        UiccResponse(UiccResponse) = [(9, Response), (10, Response)],
    }
}
