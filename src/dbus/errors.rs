//! The one mapping from the modem layer's errors to ModemManager's D-Bus
//! error names (modemmanager-api.md §5). NetworkManager turns
//! `MobileEquipment.SimPin`, `NoNetwork`, `NetworkNotAllowed`, ... into
//! device-state reasons, so MBIM statuses map to the matching 27.007 cause.

use crate::modem::{OperationError, RequestError};
use dbus_interfaces::MmError;
use mbim_proto::Status;
use mbim_proto::services::basic_connect::PinType;

/// Map a failed MBIM request.
pub fn from_request(e: &RequestError) -> MmError {
    let msg = e.to_string();
    match e {
        RequestError::Status { status, .. } => from_status(*status, msg),
        RequestError::Timeout { .. } | RequestError::Unresponsive => MmError::Retry(msg),
        RequestError::Reset => MmError::Retry(msg),
        RequestError::ModemGone | RequestError::NotOpen => MmError::WrongState(msg),
        RequestError::Function(_)
        | RequestError::Decode(_)
        | RequestError::Encode(_)
        | RequestError::Transaction(_) => MmError::Failed(msg),
    }
}

fn from_status(status: Status, msg: String) -> MmError {
    match status {
        Status::BUSY => MmError::InProgress(msg),
        Status::SIM_NOT_INSERTED => MmError::SimNotInserted(msg),
        Status::BAD_SIM => MmError::SimWrong(msg),
        Status::PIN_REQUIRED => MmError::SimPin(msg),
        Status::PIN_FAILURE => MmError::IncorrectPassword(msg),
        Status::NOT_REGISTERED | Status::PROVIDERS_NOT_FOUND => MmError::NoNetwork(msg),
        Status::PROVIDER_NOT_VISIBLE => MmError::NetworkNotAllowed(msg),
        Status::NO_DEVICE_SUPPORT | Status::CONTEXT_NOT_SUPPORTED => MmError::Unsupported(msg),
        Status::SERVICE_NOT_ACTIVATED => MmError::ServiceOptionNotSubscribed(msg),
        Status::INVALID_ACCESS_STRING => MmError::MissingOrUnknownApn(msg),
        Status::INVALID_USER_NAME_PWD => MmError::UserAuthenticationFailed(msg),
        Status::RADIO_POWER_OFF => MmError::WrongState(msg),
        Status::INVALID_PARAMETERS | Status::PARAMETER_TOO_LONG => MmError::InvalidArgs(msg),
        Status::MAX_ACTIVATED_CONTEXTS => MmError::TooMany(msg),
        Status::OPERATION_NOT_ALLOWED | Status::DENIED_POLICY => MmError::MeNotAllowed(msg),
        Status::NOT_INITIALIZED => MmError::Retry(msg),
        _ => MmError::Failed(msg),
    }
}

/// Map a failed operation.
pub fn from_operation(e: &OperationError) -> MmError {
    let msg = e.to_string();
    match e {
        OperationError::SimMissing => MmError::SimNotInserted(msg),
        OperationError::SimLocked(PinType::PUK1) => MmError::SimPuk(msg),
        OperationError::SimLocked(_) => MmError::SimPin(msg),
        OperationError::NotRegistered => MmError::NoNetwork(msg),
        OperationError::NoApn => MmError::MissingOrUnknownApn(msg),
        OperationError::Busy => MmError::InProgress(msg),
        OperationError::Cancelled => MmError::Cancelled(msg),
        OperationError::Unsupported(_) => MmError::Unsupported(msg),
        OperationError::WrongState(_) => MmError::WrongState(msg),
        OperationError::InvalidArgument(_) => MmError::InvalidArgs(msg),
        OperationError::Request(r) => from_request(r),
    }
}

impl From<OperationError> for MmError {
    fn from(e: OperationError) -> Self {
        from_operation(&e)
    }
}
