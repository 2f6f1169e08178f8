//! AT&T device service vectors (libmbim 1.28 `atds` layouts).

mod common;

use common::check_vector;
use mbim_proto::services::atds::*;
use mbim_proto::services::basic_connect::{
    CellularClass, DataClass, NwError, ProviderState, RegisterMode, RegisterState, RegistrationFlag,
};
use mbim_proto::services::{Decoded, Empty};

fn d(a: Any) -> Decoded {
    Decoded::Atds(a)
}

#[test]
fn queries_are_empty() {
    for c in [1, 2, 3, 4, 9] {
        let name = match c {
            1 => "atds_1_query_empty.hex",
            2 => "atds_2_query_empty.hex",
            3 => "atds_3_query_empty.hex",
            4 => "atds_4_query_empty.hex",
            _ => "atds_9_query_empty.hex",
        };
        check_vector(name, d(Any::Empty(Empty)));
    }
}

#[test]
fn signal_and_location_responses() {
    check_vector(
        "atds_1_response_lte.hex",
        d(Any::AtdsSignal(AtdsSignal {
            rssi: 20,
            error_rate: 99,
            rscp: 255,
            ecno: 255,
            rsrq: 20,
            rsrp: 50,
            rssnr: 25,
        })),
    );
    check_vector(
        "atds_2_response_cell.hex",
        d(Any::AtdsLocation(AtdsLocation {
            lac: 0x1234,
            tac: 0xabcd,
            cell_id: 0x0a1b_2c3d,
        })),
    );
}

#[test]
fn operators_response_lists_providers() {
    check_vector(
        "atds_3_response_two.hex",
        d(Any::AtdsOperators(AtdsOperators {
            providers: vec![
                AtdsProvider {
                    provider_id: "26201".into(),
                    provider_state: ProviderState::HOME
                        | ProviderState::VISIBLE
                        | ProviderState::REGISTERED,
                    provider_name: "Telekom".into(),
                    plmn_mode: AtdsProviderPlmnMode::LTE,
                    rssi: 25,
                    error_rate: 0,
                },
                AtdsProvider {
                    provider_id: "26202".into(),
                    provider_state: ProviderState::VISIBLE,
                    provider_name: "Vodafone.de".into(),
                    plmn_mode: AtdsProviderPlmnMode::UTRAN,
                    rssi: 12,
                    error_rate: 99,
                },
            ],
        })),
    );
}

#[test]
fn rat_set_and_response() {
    check_vector(
        "atds_4_set_lte_only.hex",
        d(Any::AtdsRat(AtdsRat {
            mode: AtdsRatMode::ONLY_4G,
        })),
    );
    check_vector(
        "atds_4_response_automatic.hex",
        d(Any::AtdsRat(AtdsRat {
            mode: AtdsRatMode::AUTOMATIC,
        })),
    );
}

#[test]
fn register_state_response() {
    check_vector(
        "atds_9_response_home.hex",
        d(Any::AtdsRegisterState(AtdsRegisterState {
            nw_error: NwError::NONE,
            register_state: RegisterState::HOME,
            register_mode: RegisterMode::AUTOMATIC,
            available_data_classes: DataClass::LTE,
            current_cellular_class: CellularClass::GSM,
            provider_id: "26201".into(),
            provider_name: "Telekom".into(),
            roaming_text: String::new(),
            registration_flag: RegistrationFlag::NONE,
        })),
    );
}
