//! Quectel vectors: RADIO_STATE with its FCC-lock state.

mod common;

use common::check_vector;
use mbim_proto::services::{Decoded, Empty, quectel};

#[test]
fn quectel_radio_state_reports_fcc_lock() {
    use quectel::*;
    check_vector(
        "quectel_1_query_empty.hex",
        Decoded::Quectel(Any::Empty(Empty)),
    );
    check_vector(
        "quectel_1_set_on.hex",
        Decoded::Quectel(Any::QuectelRadioState(QuectelRadioState {
            radio_state: QuectelRadioSwitchState::ON,
        })),
    );
    check_vector(
        "quectel_1_response_fcc_locked.hex",
        Decoded::Quectel(Any::QuectelRadioState(QuectelRadioState {
            radio_state: QuectelRadioSwitchState::FCC_LOCKED,
        })),
    );
}
