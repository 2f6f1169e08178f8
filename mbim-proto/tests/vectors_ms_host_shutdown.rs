//! MS Host Shutdown vectors: NOTIFY and PRESHUTDOWN (windows-operator-formats.md §7.2).

mod common;

use common::check_vector;
use mbim_proto::services::{Decoded, Empty, ms_host_shutdown};

#[test]
fn host_shutdown_notify_and_preshutdown_are_empty() {
    use ms_host_shutdown::*;
    for name in [
        "ms_host_shutdown_1_set_empty.hex",
        "ms_host_shutdown_1_response_empty.hex",
        "ms_host_shutdown_2_set_empty.hex",
        "ms_host_shutdown_2_response_empty.hex",
    ] {
        check_vector(name, Decoded::MsHostShutdown(Any::Empty(Empty)));
    }
    assert_eq!(
        mbim_proto::services::cid_name(&mbim_proto::uuid::MS_HOST_SHUTDOWN, cid::PRESHUTDOWN),
        Some("preshutdown")
    );
}
