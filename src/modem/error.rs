//! Errors of the modem layer: [`RequestError`] for one MBIM request,
//! [`OperationError`] for multi-step operations built from requests.

use mbim_proto::session::TransactionFailure;
use mbim_proto::{DecodeError, EncodeError, ProtocolErrorCode, Status, Uuid};

/// Why one MBIM request failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RequestError {
    /// No response before the deadline.
    #[error("{} CID {cid}: no response in time", service_name(service))]
    Timeout { service: Uuid, cid: u32 },
    /// The device answered with a failure status (the buffer may hold details,
    /// e.g. CONNECT's NwError).
    #[error("the modem answered {status}")]
    Status {
        status: Status,
        information_buffer: Vec<u8>,
    },
    /// FUNCTION_ERROR from the device.
    #[error("the modem reported a protocol error: {0}")]
    Function(ProtocolErrorCode),
    /// The response could not be decoded.
    #[error("malformed response: {0}")]
    Decode(DecodeError),
    /// The request could not be encoded.
    #[error("cannot encode the request: {0}")]
    Encode(EncodeError),
    /// Reassembly failed, or the response did not match the request.
    #[error("{0}")]
    Transaction(TransactionFailure),
    /// The MBIM function is not open and could not be opened.
    #[error("the modem is not open")]
    NotOpen,
    /// The function was reset (NotOpened) while the request was pending; it is
    /// being reopened.
    #[error("the modem was reset while the request was pending")]
    Reset,
    /// Too many consecutive timeouts: the modem is marked unresponsive.
    #[error("the modem is not responding")]
    Unresponsive,
    /// The device is gone (unplugged, or the actor stopped).
    #[error("the modem is gone")]
    ModemGone,
}

fn service_name(u: &Uuid) -> String {
    mbim_proto::uuid::name(u)
        .map(str::to_string)
        .unwrap_or_else(|| u.to_string())
}

impl RequestError {
    /// The device status, when the failure is a status.
    pub fn status(&self) -> Option<Status> {
        match self {
            RequestError::Status { status, .. } => Some(*status),
            _ => None,
        }
    }
}

/// Why a multi-step operation failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OperationError {
    #[error("no SIM card")]
    SimMissing,
    #[error("the SIM is locked ({0})")]
    SimLocked(mbim_proto::services::basic_connect::PinType),
    #[error("not registered to a network")]
    NotRegistered,
    #[error("no APN given and none could be chosen")]
    NoApn,
    #[error("another operation is in progress")]
    Busy,
    #[error("cancelled")]
    Cancelled,
    #[error("not supported by this modem: {0}")]
    Unsupported(String),
    #[error("not possible in the current state: {0}")]
    WrongState(String),
    #[error("invalid argument: {0}")]
    InvalidArgument(String),
    #[error(transparent)]
    Request(#[from] RequestError),
}
