//! SMS, USSD, Auth and DSS against the simulator with our own host
//! (mbimcli has no SMS or USSD commands). In-process, paused time.

mod common;

use common::{Got, Host, scenario, start};
use mbim_proto::Status;
use mbim_proto::message::Message;
use mbim_proto::services::auth::{AkaAuthReq, SimAuthReq};
use mbim_proto::services::basic_connect::DeviceServicesQuery;
use mbim_proto::services::dss::{DssLinkState, SetDssConnect};
use mbim_proto::services::sms::{
    SetSmsDelete, SmsConfigurationQuery, SmsFlag, SmsFormat, SmsMessageStatus,
    SmsMessageStoreStatusQuery, SmsReadReq, SmsReceiveInfo, SmsSend, SmsSendPdu, SmsStatusFlag,
    SmsStatusInfo,
};
use mbim_proto::services::ussd::{SetUssd, UssdAction, UssdResponse, UssdSessionState};
use mbim_proto::services::{Payload, RawBytes};
use mbim_proto::uuid;
use mbimd::sim::scenario::EventKind;

const STORED_PDU: &str =
    "07911326040000F0040B911346610089F60000208062917314080CC8F71D14969741F977FD07";
const NEW_PDU: &str = "0001000B915121551532F400000CC8F79D9C07E54F61363B04";

fn hex(s: &str) -> Vec<u8> {
    mbim_proto::hex::decode(s).unwrap()
}

fn read(flag: SmsFlag, message_index: u32) -> SmsReadReq {
    SmsReadReq {
        format: SmsFormat::PDU,
        flag,
        message_index,
    }
}

fn pdus(info: SmsReceiveInfo) -> Vec<(u32, SmsMessageStatus, Vec<u8>)> {
    let SmsReceiveInfo::Pdu(records) = info else {
        panic!("CDMA records")
    };
    records
        .into_iter()
        .map(|r| (r.message_index, r.message_status, r.pdu_data.0))
        .collect()
}

#[tokio::test(start_paused = true)]
async fn device_services_list_sms_ussd_auth_and_dss() {
    let (mut host, handle) = start(scenario(""));
    host.open().await;
    let info = host.call(&DeviceServicesQuery).await;
    let ids: Vec<_> = info
        .device_services
        .iter()
        .map(|s| s.device_service_id)
        .collect();
    for svc in [
        uuid::BASIC_CONNECT,
        uuid::SMS,
        uuid::USSD,
        uuid::AUTH,
        uuid::DSS,
    ] {
        assert!(ids.contains(&svc), "{svc} missing");
    }
    assert!(!ids.contains(&uuid::PHONEBOOK));
    assert_eq!(info.max_dss_sessions, 1);
    handle.stop().await.unwrap();
}

#[tokio::test(start_paused = true)]
async fn sms_store_reads_marks_old_deletes_and_reports_status() {
    let (mut host, handle) = start(scenario(&format!(
        "[sim]\nsmsc = \"+491710760000\"\n[[sms]]\npdu = \"{STORED_PDU}\"\n[[sms]]\npdu = \"{NEW_PDU}\"\nstatus = \"old\"\n"
    )));
    host.open().await;
    let cfg = host.call(&SmsConfigurationQuery).await;
    assert_eq!(cfg.sc_address, "+491710760000");
    assert_eq!(cfg.format, SmsFormat::PDU);

    let st = host.call(&SmsMessageStoreStatusQuery).await;
    assert!(st.flag.contains(SmsStatusFlag::NEW_MESSAGE));

    let all = pdus(host.call(&read(SmsFlag::ALL_MESSAGES, 0)).await);
    assert_eq!(
        all,
        [
            (1, SmsMessageStatus::NEW, hex(STORED_PDU)),
            (2, SmsMessageStatus::OLD, hex(NEW_PDU))
        ]
    );
    // Reading made message 1 old.
    assert!(pdus(host.call(&read(SmsFlag::NEW, 0)).await).is_empty());
    let st = host.call(&SmsMessageStoreStatusQuery).await;
    assert!(!st.flag.contains(SmsStatusFlag::NEW_MESSAGE));
    assert_eq!(
        host.status_of(&read(SmsFlag::INDEX, 9)).await,
        Status::INVALID_MEMORY_INDEX
    );
    host.call(&SetSmsDelete {
        flag: SmsFlag::INDEX,
        message_index: 1,
    })
    .await;
    let left = pdus(host.call(&read(SmsFlag::ALL_MESSAGES, 0)).await);
    assert_eq!(left.len(), 1);
    assert_eq!(left[0].0, 2);
    assert_eq!(
        host.status_of(&read(SmsFlag::ALL_MESSAGES, 0)).await,
        Status::SUCCESS
    );
    handle.stop().await.unwrap();
}

#[tokio::test(start_paused = true)]
async fn arriving_sms_is_stored_and_announced() {
    let (mut host, handle) = start(scenario(""));
    host.open().await;
    handle.trigger(EventKind::Sms { pdu: hex(NEW_PDU) });
    let Message::IndicateStatus(i) = host.message().await else {
        panic!()
    };
    assert_eq!(i.service, uuid::SMS);
    assert_eq!(i.cid, 5);
    let st = SmsStatusInfo::decode(&i.information_buffer).unwrap();
    assert!(st.flag.contains(SmsStatusFlag::NEW_MESSAGE));
    assert_eq!(st.message_index, 1);
    let got = pdus(host.call(&read(SmsFlag::INDEX, 1)).await);
    assert_eq!(got, [(1, SmsMessageStatus::NEW, hex(NEW_PDU))]);
    handle.stop().await.unwrap();
}

#[tokio::test(start_paused = true)]
async fn sms_send_returns_increasing_references() {
    let (mut host, handle) = start(scenario(""));
    host.open().await;
    let send = SmsSend::Pdu(SmsSendPdu {
        pdu_data: RawBytes(hex(NEW_PDU)),
    });
    let a = host.call(&send).await.message_reference;
    let b = host.call(&send).await.message_reference;
    assert_eq!(b, a + 1);
    handle.stop().await.unwrap();
}

fn ussd(action: UssdAction, text: &str) -> SetUssd {
    SetUssd {
        ussd_action: action,
        ussd_data_coding_scheme: 0x0f,
        ussd_payload: RawBytes(pack(text)),
    }
}

/// GSM 7-bit packing for test requests (TS 23.038 §6.1.2.3.1), written
/// independently of the simulator's.
fn pack(text: &str) -> Vec<u8> {
    let mut bits: u32 = 0;
    let mut n = 0;
    let mut out = Vec::new();
    let mut septets = text.as_bytes().to_vec();
    // Seven spare bits at the end are filled with CR (§6.1.2.3.1).
    if septets.len() % 8 == 7 {
        septets.push(b'\r');
    }
    for c in septets {
        // Digits, '*', '#' and ASCII letters have their ASCII value in GSM 7-bit.
        bits |= u32::from(c & 0x7f) << n;
        n += 7;
        while n >= 8 {
            out.push(bits as u8);
            bits >>= 8;
            n -= 8;
        }
    }
    if n > 0 {
        out.push(bits as u8);
    }
    out
}

#[tokio::test(start_paused = true)]
async fn ussd_scripts_answer_and_keep_sessions() {
    let (mut host, handle) = start(scenario(
        r#"
        [[ussd]]
        request = "*100#"
        reply = "Balance 5.00 EUR"
        [[ussd]]
        request = "*200#"
        reply = "1 Data 2 Voice"
        more = true
        [[ussd]]
        request = "1"
        reply = "Data: 2 GB left"
        "#,
    ));
    host.open().await;
    let r = host.call(&ussd(UssdAction::INITIATE, "*100#")).await;
    assert_eq!(r.ussd_response, UssdResponse::NO_ACTION_REQUIRED);
    assert_eq!(r.ussd_session_state, UssdSessionState::NEW_SESSION);
    assert_eq!(r.ussd_data_coding_scheme, 0x0f);
    assert_eq!(r.ussd_payload.0, pack("Balance 5.00 EUR"));

    assert_eq!(
        host.status_of(&ussd(UssdAction::CONTINUE, "1")).await,
        Status::OPERATION_NOT_ALLOWED
    );
    let r = host.call(&ussd(UssdAction::INITIATE, "*200#")).await;
    assert_eq!(r.ussd_response, UssdResponse::ACTION_REQUIRED);
    let r = host.call(&ussd(UssdAction::CONTINUE, "1")).await;
    assert_eq!(r.ussd_session_state, UssdSessionState::EXISTING_SESSION);
    assert_eq!(r.ussd_payload.0, pack("Data: 2 GB left"));
    let r = host.call(&ussd(UssdAction::INITIATE, "*999#")).await;
    assert_eq!(r.ussd_response, UssdResponse::OPERATION_NOT_SUPPORTED);
    // UCS-2 requests get UCS-2 replies.
    let ucs2: Vec<u8> = "*100#".encode_utf16().flat_map(u16::to_be_bytes).collect();
    let r = host
        .call(&SetUssd {
            ussd_action: UssdAction::INITIATE,
            ussd_data_coding_scheme: 0x48,
            ussd_payload: RawBytes(ucs2),
        })
        .await;
    let want: Vec<u8> = "Balance 5.00 EUR"
        .encode_utf16()
        .flat_map(u16::to_be_bytes)
        .collect();
    assert_eq!(r.ussd_payload.0, want);
    handle.stop().await.unwrap();
}

#[tokio::test(start_paused = true)]
async fn auth_answers_follow_the_documented_stand_in() {
    let (mut host, handle) = start(scenario(""));
    host.open().await;
    let rand: [u8; 16] = core::array::from_fn(|i| i as u8 + 1);
    let autn = [0x5a; 16];
    let r = host.call(&AkaAuthReq { rand, autn }).await;
    assert_eq!(r.res_len, 8);
    assert_eq!(&r.res[..8], &rand[..8]);
    let mut ik = rand;
    ik.reverse();
    assert_eq!(r.ik, ik);
    assert_eq!(
        host.status_of(&AkaAuthReq {
            rand,
            autn: [0; 16]
        })
        .await,
        Status::AUTH_INCORRECT_AUTN
    );
    let r = host
        .call(&SimAuthReq {
            rand1: rand,
            rand2: [9; 16],
            rand3: [0; 16],
            n: 2,
        })
        .await;
    assert_eq!(r.n, 2);
    assert_eq!(r.sres1, u32::from_le_bytes([1, 2, 3, 4]));
    assert_eq!(r.kc2, u64::from_le_bytes([9; 8]));
    handle.stop().await.unwrap();
}

#[tokio::test(start_paused = true)]
async fn auth_and_sms_need_an_unlocked_sim() {
    let (mut host, handle) = start(scenario("[sim]\nlock = \"pin\"\n"));
    host.open().await;
    assert_eq!(
        host.status_of(&AkaAuthReq {
            rand: [1; 16],
            autn: [1; 16]
        })
        .await,
        Status::PIN_REQUIRED
    );
    assert_eq!(
        host.status_of(&SmsConfigurationQuery).await,
        Status::PIN_REQUIRED
    );
    handle.stop().await.unwrap();
}

#[tokio::test(start_paused = true)]
async fn dss_sessions_open_close_and_are_limited() {
    let (mut host, handle) = start(scenario(""));
    host.open().await;
    let dss = |id, state| SetDssConnect {
        device_service_id: uuid::DSS,
        dss_session_id: id,
        dss_link_state: state,
    };
    assert_eq!(
        host.status_of(&dss(1, DssLinkState::ACTIVATE)).await,
        Status::SUCCESS
    );
    assert_eq!(
        host.status_of(&dss(2, DssLinkState::ACTIVATE)).await,
        Status::DSS_INSTANCE_LIMIT
    );
    assert_eq!(
        host.status_of(&dss(1, DssLinkState::DEACTIVATE)).await,
        Status::SUCCESS
    );
    assert_eq!(
        host.status_of(&dss(1, DssLinkState::DEACTIVATE)).await,
        Status::CONTEXT_NOT_ACTIVATED
    );
    assert!(matches!(host.piece().await, Got::Nothing));
    let _: &mut Host = &mut host;
    handle.stop().await.unwrap();
}
