//! SMS TPDUs of TS 23.040 §9.2.2: SMS-DELIVER, SMS-SUBMIT and
//! SMS-STATUS-REPORT, decoded to typed values and encoded back, with the SMSC
//! address prefix that MBIM `MBIM_SMS_PDU_RECORD` and AT `+CMGR` (TS 27.005
//! §3.1 PDU mode) put in front.
//!
//! Decoding never panics and reports the failing TP field and octet offset.
//! TP-MTI is read in the direction a host sees: 00 DELIVER, 01 SUBMIT (a
//! stored outgoing message), 10 STATUS-REPORT. SMS-COMMAND, SUBMIT-REPORT and
//! DELIVER-REPORT are not handled. No storage or reassembly here.

use super::address::Address;
use super::dcs::DataCodingScheme;
use super::error::{EncodeError, PduError, Reader};
use super::timestamp::{Timestamp, ValidityPeriod};
use super::udh::UserData;

/// A PDU as a modem delivers it: SMSC address, then the TPDU.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    /// The service centre address; `None` is the zero-length form ("use
    /// the default SMSC").
    pub smsc: Option<Address>,
    /// The transfer-layer PDU.
    pub tpdu: Tpdu,
}

impl Message {
    /// Decode an SMSC-prefixed PDU. Trailing octets after the user data are
    /// ignored (some modems pad records).
    pub fn decode(pdu: &[u8]) -> Result<Self, PduError> {
        let mut r = Reader::new(pdu, 0);
        let smsc = Address::decode_smsc(&mut r, "SMSC")?;
        let tpdu = Tpdu::decode_from(&mut r)?;
        Ok(Message { smsc, tpdu })
    }

    /// Encode with the SMSC prefix.
    pub fn encode(&self) -> Result<Vec<u8>, EncodeError> {
        let mut out = Vec::with_capacity(176);
        Address::encode_smsc(self.smsc.as_ref(), &mut out, "SMSC")?;
        self.tpdu.encode_into(&mut out)?;
        Ok(out)
    }

    /// Octets of the TPDU alone (what AT+CMGS's length counts).
    pub fn tpdu_len(&self) -> Result<usize, EncodeError> {
        Ok(self.tpdu.encode()?.len())
    }
}

/// The TPDU kinds a host sees.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Tpdu {
    /// SMS-DELIVER (TP-MTI 00): a received message.
    Deliver(Deliver),
    /// SMS-SUBMIT (TP-MTI 01): an outgoing message.
    Submit(Submit),
    /// SMS-STATUS-REPORT (TP-MTI 10): a delivery report.
    StatusReport(StatusReport),
}

impl Tpdu {
    /// Decode a TPDU without SMSC prefix.
    pub fn decode(tpdu: &[u8]) -> Result<Self, PduError> {
        Self::decode_from(&mut Reader::new(tpdu, 0))
    }

    fn decode_from(r: &mut Reader<'_>) -> Result<Self, PduError> {
        let at = r.offset();
        let first = r.u8("TP-MTI")?;
        match first & 0x03 {
            0b00 => Deliver::decode(first, r).map(Tpdu::Deliver),
            0b01 => Submit::decode(first, r).map(Tpdu::Submit),
            0b10 => StatusReport::decode(first, r).map(Tpdu::StatusReport),
            _ => Err(PduError::Invalid {
                field: "TP-MTI",
                offset: at,
                value: u32::from(first & 0x03),
                reason: "reserved message type",
            }),
        }
    }

    /// Encode without SMSC prefix.
    pub fn encode(&self) -> Result<Vec<u8>, EncodeError> {
        let mut out = Vec::with_capacity(175);
        self.encode_into(&mut out)?;
        Ok(out)
    }

    fn encode_into(&self, out: &mut Vec<u8>) -> Result<(), EncodeError> {
        match self {
            Tpdu::Deliver(d) => d.encode(out),
            Tpdu::Submit(s) => s.encode(out),
            Tpdu::StatusReport(s) => s.encode(out),
        }
    }

    /// Name of the PDU type as TS 23.040 spells it.
    pub fn type_name(&self) -> &'static str {
        match self {
            Tpdu::Deliver(_) => "SMS-DELIVER",
            Tpdu::Submit(_) => "SMS-SUBMIT",
            Tpdu::StatusReport(_) => "SMS-STATUS-REPORT",
        }
    }

    /// The user data, if the PDU has any.
    pub fn user_data(&self) -> Option<&UserData> {
        match self {
            Tpdu::Deliver(d) => Some(&d.user_data),
            Tpdu::Submit(s) => Some(&s.user_data),
            Tpdu::StatusReport(s) => s.user_data.as_ref(),
        }
    }

    /// The coding scheme in force for the user data.
    pub fn data_coding_scheme(&self) -> Option<DataCodingScheme> {
        match self {
            Tpdu::Deliver(d) => Some(d.data_coding_scheme),
            Tpdu::Submit(s) => Some(s.data_coding_scheme),
            Tpdu::StatusReport(s) => s.data_coding_scheme,
        }
    }
}

const MMS_BIT: u8 = 0x04; // set = no more messages waiting (TP-MMS is inverted)
const LP_BIT: u8 = 0x08;
const SRI_BIT: u8 = 0x20; // TP-SRI / TP-SRR / TP-SRQ share bit 5
const UDHI_BIT: u8 = 0x40;
const RP_BIT: u8 = 0x80;
const RD_BIT: u8 = 0x04;

fn flag(first: u8, bit: u8) -> bool {
    first & bit != 0
}

fn bit(set: bool, bit: u8) -> u8 {
    if set { bit } else { 0 }
}

/// SMS-DELIVER (TS 23.040 §9.2.2.1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Deliver {
    /// TP-MMS: more messages are waiting in the SC.
    pub more_messages_to_send: bool,
    /// TP-LP: loop prevention (message was forwarded).
    pub loop_prevention: bool,
    /// TP-SRI: the sender asked for a status report.
    pub status_report_indication: bool,
    /// TP-RP: reply path set.
    pub reply_path: bool,
    /// TP-OA: the sender.
    pub originating_address: Address,
    /// TP-PID.
    pub protocol_identifier: u8,
    /// TP-DCS.
    pub data_coding_scheme: DataCodingScheme,
    /// TP-SCTS: when the SC received the message.
    pub service_centre_time_stamp: Timestamp,
    /// TP-UDL/TP-UD.
    pub user_data: UserData,
}

impl Deliver {
    fn decode(first: u8, r: &mut Reader<'_>) -> Result<Self, PduError> {
        let originating_address = Address::decode_tp(r, "TP-OA")?;
        let protocol_identifier = r.u8("TP-PID")?;
        let data_coding_scheme = DataCodingScheme(r.u8("TP-DCS")?);
        let service_centre_time_stamp = Timestamp::decode(r, "TP-SCTS")?;
        let user_data = UserData::decode(r, data_coding_scheme, flag(first, UDHI_BIT))?;
        Ok(Deliver {
            more_messages_to_send: !flag(first, MMS_BIT),
            loop_prevention: flag(first, LP_BIT),
            status_report_indication: flag(first, SRI_BIT),
            reply_path: flag(first, RP_BIT),
            originating_address,
            protocol_identifier,
            data_coding_scheme,
            service_centre_time_stamp,
            user_data,
        })
    }

    fn encode(&self, out: &mut Vec<u8>) -> Result<(), EncodeError> {
        let first_at = out.len();
        out.push(
            bit(!self.more_messages_to_send, MMS_BIT)
                | bit(self.loop_prevention, LP_BIT)
                | bit(self.status_report_indication, SRI_BIT)
                | bit(self.reply_path, RP_BIT),
        );
        self.originating_address.encode_tp(out, "TP-OA")?;
        out.push(self.protocol_identifier);
        out.push(self.data_coding_scheme.0);
        self.service_centre_time_stamp.encode(out, "TP-SCTS")?;
        if self.user_data.encode(self.data_coding_scheme, out)? {
            out[first_at] |= UDHI_BIT;
        }
        Ok(())
    }
}

/// SMS-SUBMIT (TS 23.040 §9.2.2.2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Submit {
    /// TP-RD: the SC should reject a duplicate.
    pub reject_duplicates: bool,
    /// TP-SRR: a status report is requested.
    pub status_report_request: bool,
    /// TP-RP: reply path set.
    pub reply_path: bool,
    /// TP-MR (0 lets the modem choose, as it does for MBIM and AT sends).
    pub message_reference: u8,
    /// TP-DA: the recipient.
    pub destination_address: Address,
    /// TP-PID.
    pub protocol_identifier: u8,
    /// TP-DCS.
    pub data_coding_scheme: DataCodingScheme,
    /// TP-VP in the format TP-VPF gives; `None` is TP-VPF 00.
    pub validity_period: Option<ValidityPeriod>,
    /// TP-UDL/TP-UD.
    pub user_data: UserData,
}

impl Submit {
    /// A plain submit of `user_data` to `to` with no validity, report or
    /// reference, coded with `dcs`.
    pub fn new(to: Address, data_coding_scheme: DataCodingScheme, user_data: UserData) -> Self {
        Submit {
            reject_duplicates: false,
            status_report_request: false,
            reply_path: false,
            message_reference: 0,
            destination_address: to,
            protocol_identifier: 0,
            data_coding_scheme,
            validity_period: None,
            user_data,
        }
    }

    fn decode(first: u8, r: &mut Reader<'_>) -> Result<Self, PduError> {
        let message_reference = r.u8("TP-MR")?;
        let destination_address = Address::decode_tp(r, "TP-DA")?;
        let protocol_identifier = r.u8("TP-PID")?;
        let data_coding_scheme = DataCodingScheme(r.u8("TP-DCS")?);
        let validity_period = ValidityPeriod::decode(first >> 3, r, "TP-VP")?;
        let user_data = UserData::decode(r, data_coding_scheme, flag(first, UDHI_BIT))?;
        Ok(Submit {
            reject_duplicates: flag(first, RD_BIT),
            status_report_request: flag(first, SRI_BIT),
            reply_path: flag(first, RP_BIT),
            message_reference,
            destination_address,
            protocol_identifier,
            data_coding_scheme,
            validity_period,
            user_data,
        })
    }

    fn encode(&self, out: &mut Vec<u8>) -> Result<(), EncodeError> {
        let first_at = out.len();
        let vpf = self.validity_period.as_ref().map_or(0, ValidityPeriod::vpf);
        out.push(
            0b01 | bit(self.reject_duplicates, RD_BIT)
                | vpf << 3
                | bit(self.status_report_request, SRI_BIT)
                | bit(self.reply_path, RP_BIT),
        );
        out.push(self.message_reference);
        self.destination_address.encode_tp(out, "TP-DA")?;
        out.push(self.protocol_identifier);
        out.push(self.data_coding_scheme.0);
        if let Some(vp) = &self.validity_period {
            vp.encode(out, "TP-VP")?;
        }
        if self.user_data.encode(self.data_coding_scheme, out)? {
            out[first_at] |= UDHI_BIT;
        }
        Ok(())
    }
}

/// TP-Status (TS 23.040 §9.2.3.15): an open value with its meaning.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Status(pub u8);

impl Status {
    /// 0x00: received by the recipient.
    pub const RECEIVED: Self = Self(0x00);

    /// Broad outcome: "completed", "temporary error, still trying",
    /// "permanent error" or "temporary error, gave up".
    pub fn category(self) -> &'static str {
        match self.0 & 0x60 {
            0x00 => "completed",
            0x20 => "temporary error, SC still trying",
            0x40 => "permanent error, SC not trying",
            _ => "temporary error, SC not trying",
        }
    }

    /// Whether the message reached the recipient (0x00..=0x1F).
    pub fn delivered(self) -> bool {
        self.0 < 0x20
    }

    /// The spec's wording for the defined values.
    pub fn description(self) -> &'static str {
        match self.0 {
            0x00 => "received by the SME",
            0x01 => "forwarded by the SC to the SME, delivery unconfirmed",
            0x02 => "replaced by the SC",
            0x20 => "congestion",
            0x21 => "SME busy",
            0x22 => "no response from SME",
            0x23 => "service rejected",
            0x24 => "quality of service not available",
            0x25 => "error in SME",
            0x40 => "remote procedure error",
            0x41 => "incompatible destination",
            0x42 => "connection rejected by SME",
            0x43 => "not obtainable",
            0x44 => "quality of service not available",
            0x45 => "no interworking available",
            0x46 => "SM validity period expired",
            0x47 => "SM deleted by originating SME",
            0x48 => "SM deleted by SC administration",
            0x49 => "SM does not exist",
            0x60 => "congestion",
            0x61 => "SME busy",
            0x62 => "no response from SME",
            0x63 => "service rejected",
            0x64 => "quality of service not available",
            0x65 => "error in SME",
            _ => "reserved or SC specific",
        }
    }
}

/// SMS-STATUS-REPORT (TS 23.040 §9.2.2.3).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusReport {
    /// TP-MMS: more messages are waiting in the SC.
    pub more_messages_to_send: bool,
    /// TP-LP: loop prevention.
    pub loop_prevention: bool,
    /// TP-SRQ: reports on an SMS-COMMAND (true) rather than an SMS-SUBMIT.
    pub status_report_qualifier: bool,
    /// TP-MR of the submit this reports on.
    pub message_reference: u8,
    /// TP-RA: the recipient of that submit.
    pub recipient_address: Address,
    /// TP-SCTS: when the SC received the submit.
    pub service_centre_time_stamp: Timestamp,
    /// TP-DT: when the status was reached (delivery or last attempt).
    pub discharge_time: Timestamp,
    /// TP-ST.
    pub status: Status,
    /// TP-PID, if TP-PI says it is present.
    pub protocol_identifier: Option<u8>,
    /// TP-DCS, if TP-PI says it is present.
    pub data_coding_scheme: Option<DataCodingScheme>,
    /// TP-UDL/TP-UD, if TP-PI says they are present (coded per TP-DCS,
    /// or GSM 7-bit when TP-DCS is absent).
    pub user_data: Option<UserData>,
}

const PI_PID: u8 = 0x01;
const PI_DCS: u8 = 0x02;
const PI_UDL: u8 = 0x04;
const PI_EXTENSION: u8 = 0x80;

impl StatusReport {
    fn decode(first: u8, r: &mut Reader<'_>) -> Result<Self, PduError> {
        let message_reference = r.u8("TP-MR")?;
        let recipient_address = Address::decode_tp(r, "TP-RA")?;
        let service_centre_time_stamp = Timestamp::decode(r, "TP-SCTS")?;
        let discharge_time = Timestamp::decode(r, "TP-DT")?;
        let status = Status(r.u8("TP-ST")?);
        // TP-PI is optional; with it absent nothing else follows.
        let mut pi = 0;
        if r.remaining() > 0 {
            pi = r.u8("TP-PI")?;
            // Further TP-PI octets (extension bit) carry nothing we know.
            let mut ext = pi;
            while ext & PI_EXTENSION != 0 {
                ext = r.u8("TP-PI")?;
            }
        }
        let protocol_identifier = if pi & PI_PID != 0 {
            Some(r.u8("TP-PID")?)
        } else {
            None
        };
        let data_coding_scheme = if pi & PI_DCS != 0 {
            Some(DataCodingScheme(r.u8("TP-DCS")?))
        } else {
            None
        };
        let user_data = if pi & PI_UDL != 0 {
            Some(UserData::decode(
                r,
                data_coding_scheme.unwrap_or_default(),
                flag(first, UDHI_BIT),
            )?)
        } else {
            None
        };
        Ok(StatusReport {
            more_messages_to_send: !flag(first, MMS_BIT),
            loop_prevention: flag(first, LP_BIT),
            status_report_qualifier: flag(first, SRI_BIT),
            message_reference,
            recipient_address,
            service_centre_time_stamp,
            discharge_time,
            status,
            protocol_identifier,
            data_coding_scheme,
            user_data,
        })
    }

    fn encode(&self, out: &mut Vec<u8>) -> Result<(), EncodeError> {
        let first_at = out.len();
        out.push(
            0b10 | bit(!self.more_messages_to_send, MMS_BIT)
                | bit(self.loop_prevention, LP_BIT)
                | bit(self.status_report_qualifier, SRI_BIT),
        );
        out.push(self.message_reference);
        self.recipient_address.encode_tp(out, "TP-RA")?;
        self.service_centre_time_stamp.encode(out, "TP-SCTS")?;
        self.discharge_time.encode(out, "TP-DT")?;
        out.push(self.status.0);
        let pi = bit(self.protocol_identifier.is_some(), PI_PID)
            | bit(self.data_coding_scheme.is_some(), PI_DCS)
            | bit(self.user_data.is_some(), PI_UDL);
        if pi != 0 {
            out.push(pi);
        }
        if let Some(p) = self.protocol_identifier {
            out.push(p);
        }
        if let Some(d) = self.data_coding_scheme {
            out.push(d.0);
        }
        if let Some(ud) = &self.user_data
            && ud.encode(self.data_coding_scheme.unwrap_or_default(), out)?
        {
            out[first_at] |= UDHI_BIT;
        }
        Ok(())
    }
}

/// Robustness check used by the `sms_pdu_decode` fuzz target and its corpus
/// replay test: feed `data` to every decoder (SMSC-prefixed message, bare
/// TPDU, USSD with the first octet as DCS) and, for each PDU that decodes,
/// require that it encodes again and decodes to the same value. Returns a
/// description of the first violation.
pub fn check_decoders(data: &[u8]) -> Result<(), String> {
    if let Ok(m) = Message::decode(data) {
        let again = m
            .encode()
            .map_err(|e| format!("decoded message does not re-encode: {e}: {m:?}"))?;
        let m2 = Message::decode(&again)
            .map_err(|e| format!("re-encoded message does not decode: {e}: {m:?}"))?;
        if m2 != m {
            return Err(format!("message changed on re-encode: {m:?} -> {m2:?}"));
        }
    }
    if let Ok(t) = Tpdu::decode(data) {
        let again = t
            .encode()
            .map_err(|e| format!("decoded TPDU does not re-encode: {e}: {t:?}"))?;
        let t2 = Tpdu::decode(&again)
            .map_err(|e| format!("re-encoded TPDU does not decode: {e}: {t:?}"))?;
        if t2 != t {
            return Err(format!("TPDU changed on re-encode: {t:?} -> {t2:?}"));
        }
    }
    if let Some((&dcs, rest)) = data.split_first() {
        let _ = super::ussd::decode(super::dcs::CbsDataCodingScheme(dcs), rest);
    }
    Ok(())
}
