//! Qualcomm Device Update service (`6427015f-579d-48f5-8c54-f43ed1e76f83`):
//! firmware update sessions on Qualcomm-based modems (Quectel, Foxconn) —
//! open an update session, stream the package with FILE_WRITE, reboot — plus
//! two Quectel additions (layouts as libmbim 1.28 `qdu`).
//!
//! Layout quirks kept as libmbim sends them: QUECTEL_REBOOT and
//! QUECTEL_READ_VERSION carry a 16-bit value (2-byte information buffer, no
//! padding), and FILE_WRITE's data fills the buffer unpadded.

use super::{Empty, Payload, empty_request, fixed_struct, impl_request, parse_all, payload_table};
use crate::error::EncodeError;
use crate::uuid::QDU;
use crate::wire::{PError, Writer, string, u16le, u32le};

/// CID numbers (libmbim `MbimCidQdu`).
pub mod cid {
    pub const UPDATE_SESSION: u32 = 1;
    pub const FILE_OPEN: u32 = 2;
    pub const FILE_WRITE: u32 = 3;
    pub const QUECTEL_REBOOT: u32 = 4;
    pub const QUECTEL_READ_VERSION: u32 = 7;
}

/// CID names indexed by number (empty = unassigned).
pub const CID_NAMES: &[&str] = &[
    "",
    "update-session",
    "file-open",
    "file-write",
    "quectel-reboot",
    "",
    "",
    "quectel-read-version",
];

crate::wire_enum! {
    /// MbimQduSessionAction.
    pub struct QduSessionAction(u32) {
        START = 0 => "start",
        STOP = 1 => "stop",
    }
}

crate::wire_enum! {
    /// MbimQduSessionType.
    pub struct QduSessionType(u32) {
        NONE = 0 => "none",
        LE = 1 => "le",
    }
}

crate::wire_enum! {
    /// MbimQduSessionStatus.
    pub struct QduSessionStatus(u32) {
        INACTIVE = 0 => "inactive",
        FILE_TRANSFER = 1 => "file-transfer",
        APPLY_UPDATE = 2 => "apply-update",
    }
}

crate::wire_enum! {
    /// MbimQduSessionResult.
    pub struct QduSessionResult(u32) {
        SUCCESS = 0 => "success",
        FAILURE = 1 => "failure",
    }
}

crate::wire_enum! {
    /// MbimQduFileType.
    pub struct QduFileType(u32) {
        LITTLE_ENDIAN_PACKAGE = 0 => "little-endian-package",
    }
}

crate::wire_enum! {
    /// MbimQduQuectelRebootType (16-bit on the wire).
    pub struct QduQuectelRebootType(u16) {
        /// Emergency download (Qualcomm EDL) mode.
        EDL = 17 => "edl",
    }
}

crate::wire_enum! {
    /// MbimQduQuectelVersionType (16-bit on the wire).
    pub struct QduQuectelVersionType(u16) {
        FW_BUILD_ID = 256 => "fw-build-id",
    }
}

fixed_struct! {
    /// UPDATE_SESSION set.
    pub struct QduUpdateSessionReq {
        session_action: QduSessionAction = u32 "SessionAction",
        session_type: QduSessionType = u32 "SessionType",
    }
}

fixed_struct! {
    /// UPDATE_SESSION response.
    pub struct QduUpdateSessionInfo {
        current_session_type: QduSessionType = u32 "CurrentSessionType",
        current_session_status: QduSessionStatus = u32 "CurrentSessionStatus",
        last_session_type: QduSessionType = u32 "LastSessionType",
        last_session_result: QduSessionResult = u32 "LastSessionResult",
        last_session_error_offset: u32 = u32 "LastSessionErrorOffset",
        last_session_error_size: u32 = u32 "LastSessionErrorSize",
    }
}

fixed_struct! {
    /// FILE_OPEN set.
    pub struct QduFileOpenReq {
        file_type: QduFileType = u32 "FileType",
        /// Package size in bytes.
        file_size: u32 = u32 "FileSize",
    }
}

fixed_struct! {
    /// FILE_OPEN response: how the package must be chunked.
    pub struct QduFileOpenInfo {
        /// Largest FILE_WRITE data in bytes.
        max_transfer_size: u32 = u32 "MaxTransferSize",
        /// FILE_WRITEs that may be outstanding at once.
        max_window_size: u32 = u32 "MaxWindowSize",
    }
}

/// FILE_WRITE set: one chunk of the package, the whole information buffer.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "arbitrary", derive(proptest_derive::Arbitrary))]
pub struct QduFileWrite {
    #[cfg_attr(
        feature = "arbitrary",
        proptest(strategy = "crate::services::arb::bytes()")
    )]
    pub data_buffer: Vec<u8>,
}

#[cfg(feature = "serde")]
impl serde::Serialize for QduFileWrite {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut st = s.serialize_struct("QduFileWrite", 1)?;
        st.serialize_field("data_buffer_len", &self.data_buffer.len())?;
        st.end()
    }
}

impl Payload for QduFileWrite {
    fn parse(s: &[u8]) -> Result<Self, nom::Err<PError>> {
        Ok(QduFileWrite {
            data_buffer: s.to_vec(),
        })
    }

    fn encode(&self, out: &mut Vec<u8>) -> Result<(), EncodeError> {
        out.extend_from_slice(&self.data_buffer);
        Ok(())
    }
}

/// QUECTEL_REBOOT set (2 bytes).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "arbitrary", derive(proptest_derive::Arbitrary))]
pub struct QduQuectelReboot {
    pub reboot_type: QduQuectelRebootType,
}

impl Payload for QduQuectelReboot {
    fn parse(s: &[u8]) -> Result<Self, nom::Err<PError>> {
        parse_all(s, |r| {
            let (r, t) = u16le("RebootType")(r)?;
            Ok((
                r,
                QduQuectelReboot {
                    reboot_type: t.into(),
                },
            ))
        })
    }

    fn encode(&self, out: &mut Vec<u8>) -> Result<(), EncodeError> {
        out.extend_from_slice(&self.reboot_type.0.to_le_bytes());
        Ok(())
    }
}

/// QUECTEL_READ_VERSION set (2 bytes).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "arbitrary", derive(proptest_derive::Arbitrary))]
pub struct QduQuectelReadVersionReq {
    pub version_type: QduQuectelVersionType,
}

impl Payload for QduQuectelReadVersionReq {
    fn parse(s: &[u8]) -> Result<Self, nom::Err<PError>> {
        parse_all(s, |r| {
            let (r, t) = u16le("VersionType")(r)?;
            Ok((
                r,
                QduQuectelReadVersionReq {
                    version_type: t.into(),
                },
            ))
        })
    }

    fn encode(&self, out: &mut Vec<u8>) -> Result<(), EncodeError> {
        out.extend_from_slice(&self.version_type.0.to_le_bytes());
        Ok(())
    }
}

/// QUECTEL_READ_VERSION response.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "arbitrary", derive(proptest_derive::Arbitrary))]
pub struct QduQuectelVersionInfo {
    pub version_id: u32,
    #[cfg_attr(
        feature = "arbitrary",
        proptest(strategy = "crate::services::arb::text()")
    )]
    pub version: String,
}

impl Payload for QduQuectelVersionInfo {
    fn parse(s: &[u8]) -> Result<Self, nom::Err<PError>> {
        parse_all(s, |r| {
            let (r, version_id) = u32le("VersionId")(r)?;
            let (r, version) = string(s, "Version")(r)?;
            Ok((
                r,
                QduQuectelVersionInfo {
                    version_id,
                    version,
                },
            ))
        })
    }

    fn encode(&self, out: &mut Vec<u8>) -> Result<(), EncodeError> {
        let mut w = Writer::new(out, 12);
        w.u32(self.version_id);
        w.string("Version", &self.version, None)
    }
}

empty_request!(
    /// UPDATE_SESSION query.
    QduUpdateSessionQuery, QDU, cid::UPDATE_SESSION, QUERY, QduUpdateSessionInfo
);
impl_request!(
    QduUpdateSessionReq,
    QDU,
    cid::UPDATE_SESSION,
    SET,
    QduUpdateSessionInfo
);
impl_request!(QduFileOpenReq, QDU, cid::FILE_OPEN, SET, QduFileOpenInfo);
impl_request!(QduFileWrite, QDU, cid::FILE_WRITE, SET, Empty);
impl_request!(QduQuectelReboot, QDU, cid::QUECTEL_REBOOT, SET, Empty);
impl_request!(
    QduQuectelReadVersionReq,
    QDU,
    cid::QUECTEL_READ_VERSION,
    SET,
    QduQuectelVersionInfo
);

payload_table! {
    /// Every QDU payload.
    pub enum Any {
        Empty(Empty) = [(1, Query), (2, Query), (3, Response), (4, Response)],
        QduUpdateSessionReq(QduUpdateSessionReq) = [(1, Set)],
        QduUpdateSessionInfo(QduUpdateSessionInfo) = [(1, Response)],
        QduFileOpenReq(QduFileOpenReq) = [(2, Set)],
        QduFileOpenInfo(QduFileOpenInfo) = [(2, Response)],
        QduFileWrite(QduFileWrite) = [(3, Set)],
        QduQuectelReboot(QduQuectelReboot) = [(4, Set)],
        QduQuectelReadVersionReq(QduQuectelReadVersionReq) = [(7, Set)],
        QduQuectelVersionInfo(QduQuectelVersionInfo) = [(7, Response)],
    }
}
