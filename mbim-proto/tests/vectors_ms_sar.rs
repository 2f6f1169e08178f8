//! MS SAR vectors (windows-operator-formats.md §7.2; libmbim 1.28 layouts).

mod common;

use common::check_vector;
use mbim_proto::services::ms_sar::*;
use mbim_proto::services::{Decoded, Empty};

fn d(a: Any) -> Decoded {
    Decoded::MsSar(a)
}

#[test]
fn config_set_lists_back_off_per_antenna() {
    check_vector("ms_sar_1_query_empty.hex", d(Any::Empty(Empty)));
    check_vector(
        "ms_sar_1_set_os_two_antennas.hex",
        d(Any::SetSarConfig(SetSarConfig {
            mode: SarControlMode::OS,
            backoff_state: SarBackoffState::ENABLED,
            config_states: vec![
                SarConfigState {
                    antenna_index: 0,
                    backoff_index: 2,
                },
                SarConfigState {
                    antenna_index: 1,
                    backoff_index: 3,
                },
            ],
        })),
    );
}

#[test]
fn config_response_reports_wifi_integration_and_all_antennas() {
    check_vector(
        "ms_sar_1_response_device_all_antennas.hex",
        d(Any::SarConfig(SarConfig {
            mode: SarControlMode::DEVICE,
            backoff_state: SarBackoffState::ENABLED,
            wifi_integration: SarWifiHardwareState::NOT_INTEGRATED,
            config_states: vec![SarConfigState {
                antenna_index: u32::MAX,
                backoff_index: 4,
            }],
        })),
    );
}

#[test]
fn transmission_status_set_response_and_indication() {
    check_vector("ms_sar_2_query_empty.hex", d(Any::Empty(Empty)));
    check_vector(
        "ms_sar_2_set_enable_60s.hex",
        d(Any::SetTransmissionStatus(SetTransmissionStatus {
            channel_notification: TransmissionNotificationStatus::ENABLED,
            hysteresis_timer: 60,
        })),
    );
    check_vector(
        "ms_sar_2_response_active.hex",
        d(Any::TransmissionStatusInfo(TransmissionStatusInfo {
            channel_notification: TransmissionNotificationStatus::ENABLED,
            transmission_status: TransmissionState::ACTIVE,
            hysteresis_timer: 60,
        })),
    );
    check_vector(
        "ms_sar_2_indication_inactive.hex",
        d(Any::TransmissionStatusInfo(TransmissionStatusInfo {
            channel_notification: TransmissionNotificationStatus::ENABLED,
            transmission_status: TransmissionState::INACTIVE,
            hysteresis_timer: 60,
        })),
    );
}
