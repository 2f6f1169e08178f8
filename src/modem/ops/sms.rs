//! SMS storage on the modem (MBIM SMS service, PDU format only, as MM uses it):
//! list, read one, send a PDU, delete. Decoding PDUs is `crate::messaging`'s job.

use crate::modem::{ModemHandle, OperationError};
use mbim_proto::services::RawBytes;
use mbim_proto::services::sms::{
    SetSmsDelete, SmsFlag, SmsFormat, SmsPduRecord, SmsReadReq, SmsReceiveInfo, SmsSend, SmsSendPdu,
};
use std::time::Duration;

/// Sending waits for the network (MM allows minutes; 60 s is plenty for MBIM).
pub const SEND_TIMEOUT: Duration = Duration::from_secs(60);

fn pdu_records(info: SmsReceiveInfo) -> Result<Vec<SmsPduRecord>, OperationError> {
    match info {
        SmsReceiveInfo::Pdu(v) => Ok(v),
        _ => Err(OperationError::Unsupported(
            "the modem returned CDMA-format SMS".into(),
        )),
    }
}

/// Every stored message.
pub async fn list(h: &ModemHandle) -> Result<Vec<SmsPduRecord>, OperationError> {
    let req = SmsReadReq {
        format: SmsFormat::PDU,
        flag: SmsFlag::ALL_MESSAGES,
        message_index: 0,
    };
    pdu_records(h.request(&req).await?)
}

/// One stored message by index.
pub async fn read(h: &ModemHandle, index: u32) -> Result<Option<SmsPduRecord>, OperationError> {
    let req = SmsReadReq {
        format: SmsFormat::PDU,
        flag: SmsFlag::INDEX,
        message_index: index,
    };
    Ok(pdu_records(h.request(&req).await?)?
        .into_iter()
        .find(|r| r.message_index == index))
}

/// Send one SMS-SUBMIT PDU (with its SMSC prefix); returns the message reference.
pub async fn send_pdu(h: &ModemHandle, pdu: Vec<u8>) -> Result<u32, OperationError> {
    if pdu.is_empty() || pdu.len() > 183 {
        return Err(OperationError::InvalidArgument(
            "a PDU is 1 to 183 bytes".into(),
        ));
    }
    let _op = h.operation().await;
    let req = SmsSend::Pdu(SmsSendPdu {
        pdu_data: RawBytes(pdu),
    });
    Ok(h.request_with_timeout(&req, Some(SEND_TIMEOUT))
        .await?
        .message_reference)
}

/// Delete one message, or all with `None`.
pub async fn delete(h: &ModemHandle, index: Option<u32>) -> Result<(), OperationError> {
    let req = match index {
        Some(i) => SetSmsDelete {
            flag: SmsFlag::INDEX,
            message_index: i,
        },
        None => SetSmsDelete {
            flag: SmsFlag::ALL_MESSAGES,
            message_index: 0,
        },
    };
    h.request(&req).await?;
    Ok(())
}
