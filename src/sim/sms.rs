//! The simulated SMS service (MBIM 1.0 §10.5.23–27): a PDU-format message
//! store seeded from the scenario, read / send / delete / store status, and
//! the MESSAGE_STORE_STATUS indication when a message arrives. CDMA format
//! is not simulated (SMS_FORMAT_NOT_SUPPORTED). PDUs are stored as given;
//! this module does not interpret them.

use super::modem::{Modem, Reply, StoredSms, invalid};
use mbim_proto::Status;
use mbim_proto::services::Payload;
use mbim_proto::services::sms::{
    SetSmsConfiguration, SetSmsDelete, SmsConfigurationInfo, SmsFlag, SmsFormat, SmsMessageStatus,
    SmsPduRecord, SmsReadReq, SmsReceiveInfo, SmsSend, SmsSendInfo, SmsStatusFlag, SmsStatusInfo,
    SmsStorageState, cid,
};
use mbim_proto::services::{Empty, RawBytes};
use mbim_proto::uuid::SMS;

/// SMS CIDs the simulator answers.
pub(super) const CIDS: &[u32] = &[
    cid::CONFIGURATION,
    cid::READ,
    cid::SEND,
    cid::DELETE,
    cid::MESSAGE_STORE_STATUS,
];

fn wire_status(s: &str) -> SmsMessageStatus {
    match s {
        "old" | "read" => SmsMessageStatus::OLD,
        "draft" => SmsMessageStatus::DRAFT,
        "sent" => SmsMessageStatus::SENT,
        _ => SmsMessageStatus::NEW,
    }
}

/// Whether a stored message is selected by a READ/DELETE flag and index.
fn selected(m: &StoredSms, flag: SmsFlag, index: u32) -> bool {
    let st = wire_status(&m.status);
    match flag {
        SmsFlag::ALL_MESSAGES => true,
        SmsFlag::INDEX => m.index == index,
        SmsFlag::NEW => st == SmsMessageStatus::NEW,
        SmsFlag::OLD => st == SmsMessageStatus::OLD,
        SmsFlag::SENT => st == SmsMessageStatus::SENT,
        SmsFlag::DRAFT => st == SmsMessageStatus::DRAFT,
        _ => false,
    }
}

impl Modem {
    pub(super) fn sms(&mut self, c: u32, set: bool, buf: &[u8]) -> Reply {
        if let Err(s) = self.sim_gate() {
            return Reply::status(s);
        }
        match (c, set) {
            (cid::CONFIGURATION, false) => Reply::ok(&self.sms_configuration()),
            (cid::CONFIGURATION, true) => match SetSmsConfiguration::decode(buf) {
                Ok(req) if req.format == SmsFormat::PDU => Reply::ok(&self.sms_configuration()),
                Ok(_) => Reply::status(Status::SMS_FORMAT_NOT_SUPPORTED),
                Err(_) => invalid(),
            },
            (cid::READ, false) => match SmsReadReq::decode(buf) {
                Ok(req) => self.sms_read(req),
                Err(_) => invalid(),
            },
            (cid::SEND, true) => match SmsSend::decode(buf) {
                Ok(SmsSend::Pdu(_)) => {
                    if !self.is_registered() {
                        return Reply::status(Status::NOT_REGISTERED);
                    }
                    self.sms_reference = (self.sms_reference + 1) % 256;
                    Reply::ok(&SmsSendInfo {
                        message_reference: self.sms_reference,
                    })
                }
                Ok(_) => Reply::status(Status::SMS_FORMAT_NOT_SUPPORTED),
                Err(_) => invalid(),
            },
            (cid::DELETE, true) => match SetSmsDelete::decode(buf) {
                Ok(req) => {
                    if req.flag == SmsFlag::INDEX
                        && !self.sms_store.iter().any(|m| m.index == req.message_index)
                    {
                        return Reply::status(Status::INVALID_MEMORY_INDEX);
                    }
                    self.sms_store
                        .retain(|m| !selected(m, req.flag, req.message_index));
                    Reply::ok(&Empty)
                }
                Err(_) => invalid(),
            },
            (cid::MESSAGE_STORE_STATUS, false) => Reply::ok(&self.sms_status(0)),
            _ => Reply::status(Status::NO_DEVICE_SUPPORT),
        }
    }

    fn sms_configuration(&self) -> SmsConfigurationInfo {
        SmsConfigurationInfo {
            sms_storage_state: SmsStorageState::INITIALIZED,
            format: SmsFormat::PDU,
            max_messages: self.scenario.sim.sms_capacity,
            cdma_short_message_size: 0,
            sc_address: self.scenario.sim.smsc.clone(),
        }
    }

    fn sms_read(&mut self, req: SmsReadReq) -> Reply {
        if req.format != SmsFormat::PDU {
            return Reply::status(Status::SMS_FORMAT_NOT_SUPPORTED);
        }
        if req.flag == SmsFlag::INDEX
            && !self.sms_store.iter().any(|m| m.index == req.message_index)
        {
            return Reply::status(Status::INVALID_MEMORY_INDEX);
        }
        let mut records = Vec::new();
        for m in self.sms_store.iter_mut() {
            if selected(m, req.flag, req.message_index) {
                records.push(SmsPduRecord {
                    message_index: m.index,
                    message_status: wire_status(&m.status),
                    pdu_data: RawBytes(m.pdu.clone()),
                });
                // Reading a new message makes it old, as on a real SIM.
                if m.status == "new" {
                    m.status = "old".into();
                }
            }
        }
        Reply::ok(&SmsReceiveInfo::Pdu(records))
    }

    fn sms_status(&self, new_index: u32) -> SmsStatusInfo {
        let mut flag = SmsStatusFlag::NONE;
        if self.sms_store.iter().any(|m| m.status == "new") {
            flag |= SmsStatusFlag::NEW_MESSAGE;
        }
        if self.sms_store.len() as u32 >= self.scenario.sim.sms_capacity {
            flag |= SmsStatusFlag::MESSAGE_STORE_FULL;
        }
        SmsStatusInfo {
            flag,
            message_index: new_index,
        }
    }

    /// A message arrives from the network: store it and announce it.
    pub(super) fn sms_arrived(&mut self, pdu: Vec<u8>) {
        if self.sms_store.len() as u32 >= self.scenario.sim.sms_capacity {
            // The network keeps it; the host only learns the store is full.
            let st = self.sms_status(0);
            self.notify_on(SMS, cid::MESSAGE_STORE_STATUS, &st);
            return;
        }
        let index = self.sms_store.iter().map(|s| s.index).max().unwrap_or(0) + 1;
        self.sms_store.push(StoredSms {
            index,
            status: "new".into(),
            pdu,
        });
        let st = self.sms_status(index);
        self.notify_on(SMS, cid::MESSAGE_STORE_STATUS, &st);
    }
}
