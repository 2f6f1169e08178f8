//! MS Voice Extensions vectors: NITZ (windows-operator-formats.md §7.2).

mod common;

use common::check_vector;
use mbim_proto::services::basic_connect::DataClass;
use mbim_proto::services::{Decoded, Empty, ms_voice_extensions};

#[test]
fn nitz_response_and_indication() {
    use ms_voice_extensions::*;
    check_vector(
        "ms_voice_extensions_10_query_empty.hex",
        Decoded::MsVoiceExtensions(Any::Empty(Empty)),
    );
    let m = check_vector(
        "ms_voice_extensions_10_response_cet.hex",
        Decoded::MsVoiceExtensions(Any::NitzInfo(NitzInfo {
            year: 2026,
            month: 11,
            day: 25,
            hour: 14,
            minute: 30,
            second: 5,
            time_zone_offset_minutes: 60,
            daylight_saving_time_offset_minutes: 0,
            data_class: DataClass::LTE,
        })),
    );
    assert!(matches!(m, mbim_proto::Message::CommandDone(_)));
    let west = NitzInfo {
        year: 2026,
        month: 3,
        day: 8,
        hour: 7,
        minute: 0,
        second: 59,
        time_zone_offset_minutes: (-300i32) as u32,
        daylight_saving_time_offset_minutes: 60,
        data_class: DataClass::UMTS,
    };
    check_vector(
        "ms_voice_extensions_10_indication_negative_offset.hex",
        Decoded::MsVoiceExtensions(Any::NitzInfo(west)),
    );
    assert_eq!(west.time_zone_offset(), Some(-300));
    let unknown = NitzInfo {
        time_zone_offset_minutes: u32::MAX,
        ..west
    };
    assert_eq!(unknown.time_zone_offset(), None);
}
