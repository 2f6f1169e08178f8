//! SMS PDU codec (TS 23.040 / TS 23.038): spec rules, hand-built vectors in
//! both directions, error reporting, round-trip properties, text splitting,
//! USSD packing, and the `mbcli sms decode` command.
//!
//! Hand-built vectors were assembled field by field (annotated below) with an
//! independent packer that reproduces the widely published "hellohello"
//! GSM 7-bit vector; they are not outputs of the code under test.

use mbimd::messaging::concat::part_capacity;
use mbimd::messaging::gsm7;
use mbimd::messaging::pdu::check_decoders;
use mbimd::messaging::udh::InformationElement;
use mbimd::messaging::ussd;
use mbimd::messaging::*;
use proptest::prelude::*;
use std::process::Command;

fn hex(s: &str) -> Vec<u8> {
    mbim_proto::hex::decode(s).unwrap()
}

fn decode(s: &str) -> Message {
    Message::decode(&hex(s)).unwrap_or_else(|e| panic!("{s}: {e}"))
}

/// Decodes, and encodes back to exactly the same octets.
fn both_ways(s: &str) -> Message {
    let m = decode(s);
    assert_eq!(
        mbim_proto::hex::encode(&m.encode().unwrap()),
        s.to_lowercase(),
        "re-encoding {m:?}"
    );
    m
}

fn deliver(m: &Message) -> &Deliver {
    match &m.tpdu {
        Tpdu::Deliver(d) => d,
        other => panic!("not a deliver: {other:?}"),
    }
}

fn text(ud: &UserData) -> &str {
    ud.body_text().expect("text body")
}

// ---- TS 23.038 rules ----------------------------------------------------

#[test]
fn packing_puts_eight_septets_in_seven_octets_lsb_first() {
    // TS 23.038 §6.1.2.1.1: septet 1 fills bits 0-6 of octet 1, septet 2
    // starts at bit 7 of octet 1, ... septet 8 fills bits 1-7 of octet 7.
    let septets = [0x7F, 0, 0, 0, 0, 0, 0, 0x7F];
    assert_eq!(gsm7::pack(&septets, 0), vec![0x7F, 0, 0, 0, 0, 0, 0xFE]);
    let septets = [0, 0x01, 0, 0, 0, 0, 0, 0];
    assert_eq!(gsm7::pack(&septets, 0)[0], 0x80);
}

#[test]
fn hellohello_packs_to_the_published_vector() {
    assert_eq!(
        gsm7::pack_text("hellohello", "t").unwrap(),
        hex("E8329BFD4697D9EC37")
    );
    assert_eq!(
        gsm7::from_septets(&gsm7::unpack(&hex("E8329BFD4697D9EC37"), 0, 10)),
        "hellohello"
    );
}

#[test]
fn extension_characters_take_an_escape_and_a_septet() {
    // TS 23.038 §6.2.1.1: € is 0x1B 0x65, [ is 0x1B 0x3C, ] is 0x1B 0x3E.
    assert_eq!(
        gsm7::to_septets("€[x]", "t").unwrap(),
        vec![0x1B, 0x65, 0x1B, 0x3C, 0x78, 0x1B, 0x3E]
    );
    assert_eq!(gsm7::septet_len("{}|~^\\\u{0C}"), Some(14));
    assert_eq!(gsm7::septet_len("€"), Some(2));
    assert_eq!(gsm7::septet_len("😀"), None);
}

#[test]
fn escape_before_an_unknown_septet_shows_the_default_character() {
    // TS 23.038 §6.2.1.1 note: show the default-table character instead.
    assert_eq!(gsm7::from_septets(&[0x1B, 0x41, 0x1B, 0x65]), "A€");
}

#[test]
fn dcs_groups_select_the_alphabet_and_class() {
    // TS 23.038 §4.
    assert_eq!(DataCodingScheme(0x00).alphabet(), Alphabet::Gsm7);
    assert_eq!(DataCodingScheme(0x04).alphabet(), Alphabet::EightBit);
    assert_eq!(DataCodingScheme(0x08).alphabet(), Alphabet::Ucs2);
    assert_eq!(
        DataCodingScheme(0x0C).alphabet(),
        Alphabet::Gsm7,
        "reserved"
    );
    assert_eq!(DataCodingScheme(0x00).class(), None);
    assert_eq!(DataCodingScheme(0x10).class(), Some(MessageClass::Class0));
    assert_eq!(DataCodingScheme(0x19).alphabet(), Alphabet::Ucs2);
    assert_eq!(DataCodingScheme(0x19).class(), Some(MessageClass::Class1));
    assert!(DataCodingScheme(0x20).compressed());
    assert!(DataCodingScheme(0x40).automatic_deletion());
    assert_eq!(DataCodingScheme(0xF5).alphabet(), Alphabet::EightBit);
    assert_eq!(DataCodingScheme(0xF5).class(), Some(MessageClass::Class1));
    assert_eq!(DataCodingScheme(0xF2).alphabet(), Alphabet::Gsm7);
    assert_eq!(DataCodingScheme(0xE8).alphabet(), Alphabet::Ucs2);
    let mw = DataCodingScheme(0xC8).message_waiting().unwrap();
    assert!(mw.discard && mw.active && mw.kind == 0);
    assert!(!DataCodingScheme(0xD0).message_waiting().unwrap().active);
}

// ---- TS 23.040 rules ----------------------------------------------------

#[test]
fn relative_validity_follows_the_four_ranges() {
    // TS 23.040 §9.2.3.12.1.
    let m = ValidityPeriod::relative_minutes;
    assert_eq!(m(0), 5);
    assert_eq!(m(143), 12 * 60);
    assert_eq!(m(144), 12 * 60 + 30);
    assert_eq!(m(167), 24 * 60);
    assert_eq!(m(168), 2 * 24 * 60);
    assert_eq!(m(196), 30 * 24 * 60);
    assert_eq!(m(197), 5 * 7 * 24 * 60);
    assert_eq!(m(255), 63 * 7 * 24 * 60);
    assert_eq!(
        ValidityPeriod::relative_from_minutes(24 * 60),
        ValidityPeriod::Relative(167)
    );
    assert_eq!(
        ValidityPeriod::relative_from_minutes(6),
        ValidityPeriod::Relative(1)
    );
}

#[test]
fn enhanced_validity_formats_are_parsed() {
    // TS 23.040 §9.2.3.12.3: 001 relative octet, 010 seconds, 011 HH MM SS.
    assert_eq!(
        ValidityPeriod::Enhanced([0x01, 167, 0, 0, 0, 0, 0]).duration_seconds(),
        Some(86_400)
    );
    assert_eq!(
        ValidityPeriod::Enhanced([0x42, 90, 0, 0, 0, 0, 0]).duration_seconds(),
        Some(90)
    );
    assert!(ValidityPeriod::enhanced_single_shot(&[
        0x42, 90, 0, 0, 0, 0, 0
    ]));
    // 01:30:15 as swapped semi-octets.
    assert_eq!(
        ValidityPeriod::Enhanced([0x03, 0x10, 0x03, 0x51, 0, 0, 0]).duration_seconds(),
        Some(3600 + 30 * 60 + 15)
    );
    assert_eq!(
        ValidityPeriod::Enhanced([0x00, 0, 0, 0, 0, 0, 0]).duration_seconds(),
        None
    );
}

// ---- hand-built vectors -------------------------------------------------

/// SMSC +447785016005 | DELIVER, no more msgs | OA alphanumeric "Operator"
/// (14 semi-octets, TOA D0) | PID 0 | DCS 0 | SCTS 24-03-15 13:45:30 +1h
/// (4 quarters = 0x40) | UDL 13 "Plan 80% used".
const ALNUM_GSM7: &str =
    "0791447758100650040ED04F78591EA6BFE50000423051315403400D5076D80DC2C14AA0FABC4C06";

#[test]
fn alphanumeric_sender_gsm7_deliver() {
    let m = both_ways(ALNUM_GSM7);
    assert_eq!(m.smsc.as_ref().unwrap().to_string(), "+447785016005");
    let d = deliver(&m);
    assert_eq!(
        d.originating_address.type_of_number,
        TypeOfNumber::Alphanumeric
    );
    assert_eq!(d.originating_address.to_string(), "Operator");
    assert!(!d.more_messages_to_send);
    assert_eq!(d.data_coding_scheme.alphabet(), Alphabet::Gsm7);
    assert_eq!(text(&d.user_data), "Plan 80% used");
    assert_eq!(
        d.service_centre_time_stamp.to_string(),
        "2024-03-15T13:45:30+01:00"
    );
}

/// No SMSC | DELIVER with SRI | OA national 0612345678 (TOA A1) | DCS 08 |
/// SCTS 23-12-31 23:59:59 -3h (12 quarters, sign bit: 0x29) | UDL 10
/// "Hi 😀" as UTF-16BE with a surrogate pair.
const UCS2_EMOJI: &str = "00240AA160214365870008322113329595290A004800690020D83DDE00";

#[test]
fn ucs2_emoji_deliver_with_negative_zone() {
    let m = both_ways(UCS2_EMOJI);
    assert_eq!(m.smsc, None);
    let d = deliver(&m);
    assert!(d.status_report_indication);
    assert_eq!(d.originating_address.type_of_number, TypeOfNumber::National);
    assert_eq!(d.originating_address.to_string(), "0612345678");
    assert_eq!(d.data_coding_scheme.alphabet(), Alphabet::Ucs2);
    assert_eq!(text(&d.user_data), "Hi 😀");
    assert_eq!(d.service_centre_time_stamp.tz_quarters, -12);
    assert_eq!(
        d.service_centre_time_stamp.to_string(),
        "2023-12-31T23:59:59-03:00"
    );
}

/// SMSC | DELIVER with UDHI | OA +33612345678 | DCS 0 | SCTS +0 | UDL 15
/// septets: UDH 05 00 03 2A 02 01 (7 septets incl. 1 fill bit) + "Part one".
const CONCAT8_GSM7: &str =
    "0791447758100650440B913316325476F80000521020304050000F0500032A0201A061391DF4769701";

#[test]
fn concat_with_8_bit_reference_and_fill_bit() {
    let m = both_ways(CONCAT8_GSM7);
    let d = deliver(&m);
    assert_eq!(d.originating_address.to_string(), "+33612345678");
    let c = d.user_data.concat().unwrap();
    assert_eq!(c.reference, ConcatReference::Eight(0x2A));
    assert_eq!((c.sequence, c.total), (1, 2));
    assert_eq!(text(&d.user_data), "Part one");
}

/// As above but DCS 08, SCTS +05:30 (22 quarters = 0x22) and UDL 19: UDH
/// 06 08 04 12 34 03 03 (16-bit reference 0x1234, part 3 of 3) + "Привет".
const CONCAT16_UCS2: &str =
    "0791447758100650440B913316325476F80008521020304050221306080412340303041F04400438043204350442";

#[test]
fn concat_with_16_bit_reference_in_ucs2_and_positive_zone() {
    let m = both_ways(CONCAT16_UCS2);
    let d = deliver(&m);
    let c = d.user_data.concat().unwrap();
    assert_eq!(c.reference, ConcatReference::Sixteen(0x1234));
    assert_eq!((c.sequence, c.total), (3, 3));
    assert_eq!(text(&d.user_data), "Привет");
    assert_eq!(d.service_centre_time_stamp.offset_minutes(), 5 * 60 + 30);
}

/// SMSC | STATUS-REPORT (0x06: MTI 10, no more msgs) | MR 2A | RA
/// +491711234567 | SCTS 24-06-01 10:00:00 +2h | DT 10:00:05 +2h | ST 00.
const STATUS_DELIVERED: &str = "0791447758100650062A0C91947111325476426010010000804260100100508000";

#[test]
fn status_report_delivered() {
    let m = both_ways(STATUS_DELIVERED);
    let Tpdu::StatusReport(r) = &m.tpdu else {
        panic!("{m:?}")
    };
    assert_eq!(r.message_reference, 0x2A);
    assert_eq!(r.recipient_address.to_string(), "+491711234567");
    assert_eq!(r.status, Status::RECEIVED);
    assert!(r.status.delivered());
    assert_eq!(r.discharge_time.to_string(), "2024-06-01T10:00:05+02:00");
    assert_eq!(r.user_data, None);
}

/// No SMSC | STATUS-REPORT | MR 2B | RA +491711234567 | SCTS/DT -05:45
/// (23 quarters: 0x3A) | ST 46 (validity expired) | PI 06 (DCS, UDL) | DCS 0
/// | UDL 17 "Your plan expires".
const STATUS_EXPIRED_WITH_TEXT: &str =
    "00062B0C919471113254764260100100003A4260300100003A46060011D9775D0E82B3C36E50190F4FCBCB73";

#[test]
fn status_report_with_parameter_indicator_and_text() {
    let m = both_ways(STATUS_EXPIRED_WITH_TEXT);
    let Tpdu::StatusReport(r) = &m.tpdu else {
        panic!("{m:?}")
    };
    assert_eq!(r.status, Status(0x46));
    assert!(!r.status.delivered());
    assert_eq!(r.status.description(), "SM validity period expired");
    assert_eq!(r.service_centre_time_stamp.tz_quarters, -23);
    assert_eq!(r.protocol_identifier, None);
    assert_eq!(r.data_coding_scheme, Some(DataCodingScheme(0)));
    assert_eq!(text(r.user_data.as_ref().unwrap()), "Your plan expires");
}

/// No SMSC | SUBMIT (0x11: MTI 01, VPF relative) | MR 0 | DA +33612345678 |
/// PID 0 | DCS 0 | VP A7 (24 h) | UDL 7 septets "€[x]".
const SUBMIT_EXTENSION: &str = "0011000B913316325476F80000A7079BF28687DFF800";

#[test]
fn submit_with_relative_validity_and_extension_characters() {
    let m = both_ways(SUBMIT_EXTENSION);
    let Tpdu::Submit(s) = &m.tpdu else {
        panic!("{m:?}")
    };
    assert_eq!(s.destination_address, Address::international("33612345678"));
    assert_eq!(s.validity_period, Some(ValidityPeriod::Relative(0xA7)));
    assert_eq!(s.validity_period.unwrap().duration_seconds(), Some(86_400));
    assert_eq!(text(&s.user_data), "€[x]");
}

/// SMSC | DELIVER with UDHI | DCS F5 (8-bit, class 1) | UDL 13: UDH
/// 06 05 04 0B84 23F0 (ports 2948 <- 9200, WAP push) + 6 data octets.
const EIGHT_BIT_PORTS: &str =
    "0791447758100650400B913316325476F800F5521020304050000D0605040B8423F0010603BEAF84";

#[test]
fn eight_bit_data_with_16_bit_ports() {
    let m = both_ways(EIGHT_BIT_PORTS);
    let d = deliver(&m);
    assert_eq!(d.data_coding_scheme.alphabet(), Alphabet::EightBit);
    assert_eq!(d.data_coding_scheme.class(), Some(MessageClass::Class1));
    let h = d.user_data.header.as_ref().unwrap();
    assert_eq!(h.ports(), Some((2948, 9200)));
    assert_eq!(d.user_data.body, UserDataBody::Data(hex("010603BEAF84")));
}

#[test]
fn the_classic_how_are_you_deliver_decodes() {
    // A widely published SMS-DELIVER; its TZ octet 0x08 is "-0" quarters.
    let m = decode("07911326040000F0040B911346610089F60000208062917314080CC8F71D14969741F977FD07");
    assert_eq!(m.smsc.as_ref().unwrap().to_string(), "+31624000000");
    let d = deliver(&m);
    assert_eq!(d.originating_address.to_string(), "+31641600986");
    assert_eq!(text(&d.user_data), "How are you?");
    assert_eq!(d.service_centre_time_stamp.offset_minutes(), 0);
}

#[test]
fn submit_with_absolute_and_enhanced_validity_round_trips() {
    let ts = Timestamp {
        year: 26,
        month: 11,
        day: 25,
        hour: 15,
        minute: 45,
        second: 0,
        tz_quarters: -20,
    };
    for vp in [
        ValidityPeriod::Absolute(ts),
        ValidityPeriod::Enhanced([0x43, 0x10, 0x03, 0x51, 0, 0, 0]),
    ] {
        let mut s = Submit::new(
            Address::from_user("+4915112345678"),
            DataCodingScheme::GSM7,
            UserData::text("hi"),
        );
        s.validity_period = Some(vp);
        let m = Message {
            smsc: None,
            tpdu: Tpdu::Submit(s),
        };
        let bytes = m.encode().unwrap();
        // TP-VPF in bits 4..3 of the first TPDU octet.
        assert_eq!((bytes[1] >> 3) & 3, vp.vpf());
        assert_eq!(Message::decode(&bytes).unwrap(), m);
    }
}

// ---- errors -------------------------------------------------------------

fn err(s: &str) -> PduError {
    Message::decode(&hex(s)).expect_err(s)
}

#[test]
fn truncated_sender_names_tp_oa_and_its_offset() {
    // SMSC 8 octets, first octet at 8, OA length at 9, cut inside the value.
    let e = err("0791447758100650040B913316");
    assert_eq!(e.field(), "TP-OA");
    assert!(matches!(e, PduError::Truncated { .. }));
    assert!(e.to_string().contains("TP-OA at octet"), "{e}");
}

#[test]
fn user_data_length_beyond_160_septets_names_tp_udl() {
    let mut b = hex(ALNUM_GSM7);
    let udl_at = 8 + 1 + 2 + 7 + 2 + 7;
    b[udl_at] = 161;
    let e = Message::decode(&b).unwrap_err();
    assert_eq!((e.field(), e.offset()), ("TP-UDL", udl_at));
}

#[test]
fn user_data_shorter_than_udl_names_tp_ud() {
    let s = &ALNUM_GSM7[..ALNUM_GSM7.len() - 4];
    assert_eq!(err(s).field(), "TP-UD");
}

#[test]
fn reserved_message_type_names_tp_mti() {
    assert_eq!(err("0003").field(), "TP-MTI");
}

#[test]
fn non_decimal_timestamp_names_tp_scts() {
    let mut b = hex(ALNUM_GSM7);
    b[8 + 1 + 2 + 7 + 2 + 1] = 0xA0; // month with a tens digit of 10
    let e = Message::decode(&b).unwrap_err();
    assert_eq!(e.field(), "TP-SCTS");
}

#[test]
fn header_element_overrunning_udhl_names_tp_udh() {
    // CONCAT8 with the element length 03 changed to 09.
    let s = CONCAT8_GSM7.replace("0500032A", "0500092A");
    assert_eq!(err(&s).field(), "TP-UDH");
}

#[test]
fn empty_input_names_the_smsc() {
    assert_eq!(err("").field(), "SMSC");
}

#[test]
fn encoding_refuses_text_outside_gsm7_under_a_gsm7_dcs() {
    let s = Submit::new(
        Address::international("1"),
        DataCodingScheme::GSM7,
        UserData::text("😀"),
    );
    let e = Tpdu::Submit(s).encode().unwrap_err();
    assert!(matches!(e, EncodeError::NotGsm7 { ch: '😀', .. }), "{e}");
}

// ---- splitting ----------------------------------------------------------

#[test]
fn split_follows_the_160_153_and_70_67_rules() {
    let r8 = ConcatReference::Eight(7);
    assert_eq!(part_capacity(Alphabet::Gsm7, None), 160);
    assert_eq!(part_capacity(Alphabet::Gsm7, Some(r8)), 153);
    assert_eq!(
        part_capacity(Alphabet::Gsm7, Some(ConcatReference::Sixteen(7))),
        152
    );
    assert_eq!(part_capacity(Alphabet::Ucs2, None), 70);
    assert_eq!(part_capacity(Alphabet::Ucs2, Some(r8)), 67);
    assert_eq!(
        part_capacity(Alphabet::Ucs2, Some(ConcatReference::Sixteen(7))),
        66
    );

    assert_eq!(split_text(&"a".repeat(160), r8).unwrap().parts.len(), 1);
    let s = split_text(&"a".repeat(161), r8).unwrap();
    assert_eq!(s.parts.len(), 2);
    assert_eq!(text(&s.parts[0]).len(), 153);
    assert_eq!(split_text(&"я".repeat(70), r8).unwrap().parts.len(), 1);
    let s = split_text(&"я".repeat(71), r8).unwrap();
    assert_eq!(s.data_coding_scheme, DataCodingScheme::UCS2);
    assert_eq!(text(&s.parts[0]).chars().count(), 67);
}

#[test]
fn split_never_cuts_an_escape_sequence_or_surrogate_pair() {
    let r8 = ConcatReference::Eight(1);
    // 152 'a' then '€' (2 septets) then more: the escape sequence cannot
    // straddle septets 153/154, so '€' opens part 2.
    let t = format!("{}€{}", "a".repeat(152), "b".repeat(10));
    let s = split_text(&t, r8).unwrap();
    assert_eq!(text(&s.parts[0]), "a".repeat(152));
    assert_eq!(text(&s.parts[1]), format!("€{}", "b".repeat(10)));
    // 66 'я' then an emoji (2 units) then more: the pair goes whole to part 2.
    let t = format!("{}😀{}", "я".repeat(66), "я".repeat(10));
    let s = split_text(&t, r8).unwrap();
    assert_eq!(text(&s.parts[0]), "я".repeat(66));
    assert!(text(&s.parts[1]).starts_with('😀'));
    assert_eq!(reassemble_text(&s.parts).unwrap(), t);
}

#[test]
fn reassembly_refuses_a_missing_part() {
    let s = split_text(&"x".repeat(400), ConcatReference::Sixteen(0xBEEF)).unwrap();
    assert_eq!(s.parts.len(), 3);
    let e = reassemble_text(&[s.parts[0].clone(), s.parts[2].clone()]).unwrap_err();
    assert_eq!(e, ReassemblyError::Incomplete { total: 3 });
}

// ---- USSD ---------------------------------------------------------------

#[test]
fn ussd_pads_seven_spare_bits_with_cr() {
    // TS 23.038 §6.1.2.3.1: 7 characters leave 7 spare bits: CR goes there.
    let packed = ussd::pack_gsm7("*100*1#").unwrap();
    assert_eq!(packed.len(), 7);
    assert_eq!(packed[6] >> 1, 0x0D);
    assert_eq!(ussd::unpack_gsm7(&packed), "*100*1#");
    // Without the rule the same octets with zero padding read as a trailing '@'.
    let mut zero = packed.clone();
    zero[6] &= 0x01;
    assert_eq!(ussd::unpack_gsm7(&zero), "*100*1#@");
}

#[test]
fn ussd_wanted_cr_on_an_octet_boundary_gets_a_second_cr() {
    let t = "1234567\r";
    let packed = ussd::pack_gsm7(t).unwrap();
    assert_eq!(packed.len(), 8, "9 septets");
    // The receiver performs CR twice; the wanted one is not lost.
    assert_eq!(ussd::unpack_gsm7(&packed), "1234567\r\r");
}

#[test]
fn ussd_chooses_gsm7_or_ucs2_by_content() {
    let u = ussd::encode("*101#").unwrap();
    assert_eq!(u.data_coding_scheme, CbsDataCodingScheme::GSM7);
    assert_eq!(
        ussd::decode(u.data_coding_scheme, &u.data).unwrap(),
        "*101#"
    );
    let u = ussd::encode("Баланс 😀").unwrap();
    assert_eq!(u.data_coding_scheme.alphabet(), Alphabet::Ucs2);
    assert_eq!(
        ussd::decode(u.data_coding_scheme, &u.data).unwrap(),
        "Баланс 😀"
    );
}

#[test]
fn ussd_language_prefix_is_dropped() {
    // DCS 0x10: "en\r" then the text, all GSM 7-bit.
    let data = gsm7::pack_text("en\rHello", "t").unwrap();
    assert_eq!(
        ussd::decode(CbsDataCodingScheme(0x10), &data).unwrap(),
        "Hello"
    );
    assert!(
        ussd::decode(CbsDataCodingScheme(0x44), &[1, 2]).is_err(),
        "8-bit"
    );
}

// ---- properties ---------------------------------------------------------

const GSM_BASIC: &str = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";
const GSM_EXT: &str = "\u{0C}^{}\\[~]|€";

fn gsm_char() -> impl Strategy<Value = char> {
    let basic: Vec<char> = GSM_BASIC.chars().collect();
    let ext: Vec<char> = GSM_EXT.chars().collect();
    prop_oneof![4 => proptest::sample::select(basic), 1 => proptest::sample::select(ext)]
}

fn gsm_text(max: usize) -> impl Strategy<Value = String> {
    proptest::collection::vec(gsm_char(), 0..=max).prop_map(|v| v.into_iter().collect())
}

fn any_text(max: usize) -> impl Strategy<Value = String> {
    let c = prop_oneof![
        gsm_char(),
        any::<char>(),
        proptest::sample::select(vec!['😀', '🇩', 'я', '中'])
    ];
    proptest::collection::vec(c, 0..=max).prop_map(|v| v.into_iter().collect())
}

fn digits(max: usize) -> impl Strategy<Value = String> {
    proptest::collection::vec(
        proptest::sample::select("0123456789*#abc".chars().collect::<Vec<_>>()),
        0..=max,
    )
    .prop_map(|v| v.into_iter().collect())
}

fn numeric_address() -> impl Strategy<Value = Address> {
    (0u8..8, 0u8..16, digits(20))
        .prop_filter("alphanumeric has its own strategy", |(t, _, _)| *t != 5)
        .prop_map(|(t, n, value)| Address {
            type_of_number: TypeOfNumber::from_bits(t),
            numbering_plan: NumberingPlan(n),
            value,
        })
}

fn tp_address() -> impl Strategy<Value = Address> {
    let basic: Vec<char> = GSM_BASIC.chars().collect();
    let alnum = proptest::collection::vec(proptest::sample::select(basic), 0..=11)
        .prop_map(|v| Address::alphanumeric(&v.into_iter().collect::<String>()));
    prop_oneof![numeric_address(), alnum]
}

fn timestamp() -> impl Strategy<Value = Timestamp> {
    (
        0u8..100,
        1u8..13,
        1u8..32,
        0u8..24,
        0u8..60,
        0u8..60,
        -79i8..=79,
    )
        .prop_map(
            |(year, month, day, hour, minute, second, tz_quarters)| Timestamp {
                year,
                month,
                day,
                hour,
                minute,
                second,
                tz_quarters,
            },
        )
}

fn element() -> impl Strategy<Value = InformationElement> {
    let concat =
        (any::<bool>(), any::<u16>(), 1u8..=255, any::<u8>()).prop_map(|(wide, r, total, s)| {
            InformationElement::Concat(Concat {
                reference: if wide {
                    ConcatReference::Sixteen(r)
                } else {
                    ConcatReference::Eight(r as u8)
                },
                total,
                sequence: s % total + 1,
            })
        });
    let ports = (any::<bool>(), any::<u16>(), any::<u16>()).prop_map(|(wide, d, o)| {
        InformationElement::Ports {
            destination: if wide { d } else { d & 0xFF },
            originator: if wide { o } else { o & 0xFF },
            wide,
        }
    });
    let other = (any::<u8>(), proptest::collection::vec(any::<u8>(), 0..6))
        .prop_filter("known IEIs decode to typed elements", |(i, _)| {
            ![0u8, 4, 5, 8].contains(i)
        })
        .prop_map(|(iei, data)| InformationElement::Other { iei, data });
    prop_oneof![concat, ports, other]
}

fn header() -> impl Strategy<Value = Option<UserDataHeader>> {
    proptest::option::of(
        proptest::collection::vec(element(), 0..3).prop_map(|elements| UserDataHeader { elements }),
    )
}

/// User data that fits the alphabet `dcs` selects.
fn user_data(dcs: DataCodingScheme) -> BoxedStrategy<UserData> {
    let body: BoxedStrategy<UserDataBody> =
        if dcs.compressed() || dcs.alphabet() == Alphabet::EightBit {
            proptest::collection::vec(any::<u8>(), 0..100)
                .prop_map(UserDataBody::Data)
                .boxed()
        } else if dcs.alphabet() == Alphabet::Gsm7 {
            gsm_text(60).prop_map(UserDataBody::Text).boxed()
        } else {
            any_text(25).prop_map(UserDataBody::Text).boxed()
        };
    (header(), body)
        .prop_map(|(header, body)| UserData { header, body })
        .boxed()
}

fn dcs_and_user_data() -> impl Strategy<Value = (DataCodingScheme, UserData)> {
    any::<u8>().prop_flat_map(|d| {
        let dcs = DataCodingScheme(d);
        (Just(dcs), user_data(dcs))
    })
}

fn deliver_strategy() -> impl Strategy<Value = Tpdu> {
    (
        any::<[bool; 4]>(),
        tp_address(),
        any::<u8>(),
        dcs_and_user_data(),
        timestamp(),
    )
        .prop_map(
            |(f, originating_address, protocol_identifier, (data_coding_scheme, user_data), ts)| {
                Tpdu::Deliver(Deliver {
                    more_messages_to_send: f[0],
                    loop_prevention: f[1],
                    status_report_indication: f[2],
                    reply_path: f[3],
                    originating_address,
                    protocol_identifier,
                    data_coding_scheme,
                    service_centre_time_stamp: ts,
                    user_data,
                })
            },
        )
}

fn validity() -> impl Strategy<Value = Option<ValidityPeriod>> {
    proptest::option::of(prop_oneof![
        any::<u8>().prop_map(ValidityPeriod::Relative),
        timestamp().prop_map(ValidityPeriod::Absolute),
        any::<[u8; 7]>().prop_map(ValidityPeriod::Enhanced),
    ])
}

fn submit_strategy() -> impl Strategy<Value = Tpdu> {
    (
        any::<[bool; 3]>(),
        any::<u8>(),
        tp_address(),
        any::<u8>(),
        dcs_and_user_data(),
        validity(),
    )
        .prop_map(
            |(
                f,
                message_reference,
                destination_address,
                protocol_identifier,
                (data_coding_scheme, user_data),
                validity_period,
            )| {
                Tpdu::Submit(Submit {
                    reject_duplicates: f[0],
                    status_report_request: f[1],
                    reply_path: f[2],
                    message_reference,
                    destination_address,
                    protocol_identifier,
                    data_coding_scheme,
                    validity_period,
                    user_data,
                })
            },
        )
}

fn status_report_strategy() -> impl Strategy<Value = Tpdu> {
    let optional = (
        proptest::option::of(any::<u8>()),
        proptest::option::of(any::<u8>()),
    )
        .prop_flat_map(|(pid, dcs)| {
            let dcs = dcs.map(DataCodingScheme);
            (
                Just(pid),
                Just(dcs),
                proptest::option::of(user_data(dcs.unwrap_or_default())),
            )
        });
    (
        any::<[bool; 3]>(),
        any::<u8>(),
        tp_address(),
        timestamp(),
        timestamp(),
        any::<u8>(),
        optional,
    )
        .prop_map(
            |(f, message_reference, recipient_address, scts, dt, st, (pid, dcs, ud))| {
                Tpdu::StatusReport(StatusReport {
                    more_messages_to_send: f[0],
                    loop_prevention: f[1],
                    status_report_qualifier: f[2],
                    message_reference,
                    recipient_address,
                    service_centre_time_stamp: scts,
                    discharge_time: dt,
                    status: Status(st),
                    protocol_identifier: pid,
                    data_coding_scheme: dcs,
                    user_data: ud,
                })
            },
        )
}

fn message_strategy() -> impl Strategy<Value = Message> {
    (
        proptest::option::of(numeric_address()),
        prop_oneof![
            deliver_strategy(),
            submit_strategy(),
            status_report_strategy()
        ],
    )
        .prop_map(|(smsc, tpdu)| Message { smsc, tpdu })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn decode_of_encode_is_identity(m in message_strategy()) {
        let bytes = m.encode().unwrap();
        prop_assert_eq!(Message::decode(&bytes).unwrap(), m);
    }

    #[test]
    fn split_then_reassemble_gives_the_text_back(
        t in prop_oneof![gsm_text(500), any_text(300)],
        wide in any::<bool>(),
        r in any::<u16>(),
    ) {
        let reference = if wide { ConcatReference::Sixteen(r) } else { ConcatReference::Eight(r as u8) };
        let split = split_text(&t, reference).unwrap();
        let alphabet = split.data_coding_scheme.alphabet();
        prop_assert_eq!(alphabet == Alphabet::Gsm7, gsm7::is_gsm7(&t));
        let mut decoded = Vec::new();
        for ud in &split.parts {
            // Every part must fit in one SUBMIT and decode back.
            let s = Submit::new(Address::international("4912345"), split.data_coding_scheme, ud.clone());
            let bytes = Tpdu::Submit(s).encode().unwrap();
            let Tpdu::Submit(back) = Tpdu::decode(&bytes).unwrap() else { unreachable!() };
            decoded.push(back.user_data);
        }
        let cap = part_capacity(alphabet, if split.parts.len() > 1 { Some(reference) } else { None });
        let units = |s: &str| if alphabet == Alphabet::Gsm7 { gsm7::septet_len(s).unwrap() } else { s.encode_utf16().count() };
        for w in split.parts.windows(2) {
            // Greedy: the next part's first character would not have fitted.
            let (a, b) = (text(&w[0]), text(&w[1]));
            let next: String = b.chars().take(1).collect();
            prop_assert!(units(a) <= cap && units(a) + units(&next) > cap);
        }
        prop_assert_eq!(reassemble_text(&decoded).unwrap(), t);
    }

    #[test]
    fn ussd_gsm7_unpack_of_pack_keeps_the_text(t in gsm_text(90)) {
        let back = ussd::unpack_gsm7(&ussd::pack_gsm7(&t).unwrap());
        // The only change allowed is the doubled CR of §6.1.2.3.1.
        prop_assert!(back == t || (t.ends_with('\r') && back == format!("{t}\r")), "{:?} -> {:?}", t, back);
    }

    #[test]
    fn decoders_never_panic_and_reencode_stably(data in proptest::collection::vec(any::<u8>(), 0..200)) {
        check_decoders(&data).map_err(TestCaseError::fail)?;
    }

    #[test]
    fn mutated_valid_pdus_reencode_stably(i in 0usize..8, pos in any::<usize>(), v in any::<u8>()) {
        let mut b = hex([ALNUM_GSM7, UCS2_EMOJI, CONCAT8_GSM7, CONCAT16_UCS2, STATUS_DELIVERED,
            STATUS_EXPIRED_WITH_TEXT, SUBMIT_EXTENSION, EIGHT_BIT_PORTS][i]);
        let p = pos % b.len();
        b[p] = v;
        check_decoders(&b).map_err(TestCaseError::fail)?;
    }
}

// ---- mbcli sms decode ---------------------------------------------------

fn mbcli(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_mbcli"))
        .args(args)
        .output()
        .unwrap()
}

#[test]
fn cli_prints_every_field_of_a_concatenated_deliver() {
    let out = mbcli(&["sms", "decode", CONCAT8_GSM7]);
    assert!(out.status.success(), "{out:?}");
    let s = String::from_utf8(out.stdout).unwrap();
    for want in [
        "SMS-DELIVER",
        "+447785016005",
        "+33612345678",
        "2025-01-02T03:04:05+00:00",
        "gsm7",
        "Part one",
        "concat_reference           42",
        "concat_part                1",
        "concat_total               2",
    ] {
        assert!(s.contains(want), "missing {want:?} in\n{s}");
    }
}

#[test]
fn cli_json_has_the_fields() {
    let out = mbcli(&["sms", "decode", "--json", UCS2_EMOJI]);
    assert!(out.status.success(), "{out:?}");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["pdu_type"], "SMS-DELIVER");
    assert_eq!(v["text"], "Hi 😀");
    assert_eq!(v["sender"], "0612345678");
    assert_eq!(v["alphabet"], "ucs2");
    assert_eq!(v["timestamp"], "2023-12-31T23:59:59-03:00");
    assert_eq!(v["smsc"], serde_json::Value::Null);

    let out = mbcli(&["sms", "decode", "--json", STATUS_EXPIRED_WITH_TEXT]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["pdu_type"], "SMS-STATUS-REPORT");
    assert_eq!(v["status"], 0x46);
    assert_eq!(v["delivered"], false);
    assert_eq!(v["message_reference"], 0x2B);

    let out = mbcli(&["sms", "decode", "--json", EIGHT_BIT_PORTS]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["destination_port"], 2948);
    assert_eq!(v["originator_port"], 9200);
    assert_eq!(v["data"], "010603beaf84");
    assert_eq!(v["message_class"], 1);
}

#[test]
fn cli_reports_a_bad_pdu_by_field_and_fails() {
    let out = mbcli(&["sms", "decode", "0791447758100650040B913316"]);
    assert!(!out.status.success());
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains("TP-OA"), "{err}");
    assert!(out.stdout.is_empty());
}

#[test]
fn cli_decodes_a_bare_tpdu_with_validity() {
    let tpdu = &SUBMIT_EXTENSION[2..]; // drop the "00" SMSC prefix
    let out = mbcli(&["sms", "decode", "--tpdu", "--json", tpdu]);
    assert!(out.status.success(), "{out:?}");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["pdu_type"], "SMS-SUBMIT");
    assert_eq!(v["recipient"], "+33612345678");
    assert_eq!(v["validity_seconds"], 86_400);
    assert_eq!(v["text"], "€[x]");
    assert!(v.get("smsc").is_none(), "a bare TPDU has no SMSC field");
}
