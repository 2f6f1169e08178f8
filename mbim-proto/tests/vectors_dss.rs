//! DSS service vectors (MBIM 1.0 §10.5.41).

mod common;

use common::check_vector;
use mbim_proto::services::dss::*;
use mbim_proto::services::{Decoded, Empty};

#[test]
fn connect_set_activates_a_session() {
    check_vector(
        "dss_1_set_activate.hex",
        Decoded::Dss(Any::SetDssConnect(SetDssConnect {
            device_service_id: mbim_proto::Uuid::parse("6fd4ff4b-3b3e-4e2c-8bd1-0123456789ab")
                .unwrap(),
            dss_session_id: 0,
            dss_link_state: DssLinkState::ACTIVATE,
        })),
    );
}

#[test]
fn connect_response_is_empty() {
    check_vector("dss_1_response_empty.hex", Decoded::Dss(Any::Empty(Empty)));
}
