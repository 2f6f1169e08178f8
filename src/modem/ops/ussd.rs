//! USSD sessions (MBIM USSD service): initiate, respond, cancel. Payloads are
//! already coded per their data coding scheme (packing is `crate::messaging`'s job).

use crate::modem::{ModemHandle, OperationError};
use mbim_proto::services::RawBytes;
use mbim_proto::services::ussd::{SetUssd, UssdAction, UssdInfo};
use std::time::Duration;

/// The network may take a while to answer a USSD request.
pub const USSD_TIMEOUT: Duration = Duration::from_secs(60);

/// Send a USSD request (`Initiate` or `Continue`) or cancel the session.
pub async fn ussd(
    h: &ModemHandle,
    action: UssdAction,
    data_coding_scheme: u32,
    payload: Vec<u8>,
) -> Result<UssdInfo, OperationError> {
    if payload.len() > 160 {
        return Err(OperationError::InvalidArgument(
            "a USSD payload is at most 160 bytes".into(),
        ));
    }
    let _op = h.operation().await;
    let req = SetUssd {
        ussd_action: action,
        ussd_data_coding_scheme: data_coding_scheme,
        ussd_payload: RawBytes(payload),
    };
    Ok(h.request_with_timeout(&req, Some(USSD_TIMEOUT)).await?)
}
