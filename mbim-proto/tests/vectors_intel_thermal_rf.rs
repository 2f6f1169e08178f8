//! Intel thermal/RF vectors: RFIM.

mod common;

use common::check_vector;
use mbim_proto::services::{Decoded, Empty, intel_thermal_rf};

#[test]
fn rfim_set_query_response_and_indication() {
    use intel_thermal_rf::*;
    check_vector(
        "intel_thermal_rf_9_query_empty.hex",
        Decoded::IntelThermalRf(Any::Empty(Empty)),
    );
    check_vector(
        "intel_thermal_rf_9_set_activate.hex",
        Decoded::IntelThermalRf(Any::RfimActivation(RfimActivation {
            activation_state: 1,
        })),
    );
    check_vector(
        "intel_thermal_rf_9_response_two_cells.hex",
        Decoded::IntelThermalRf(Any::RfimInfo(RfimInfo {
            rfim_frequency_values: vec![
                IntelRfimFrequencyValue {
                    serving_cell_info: IntelServingCellInfo::PCELL,
                    center_frequency: 1_842_500_000,
                    bandwidth: 20_000_000,
                    rsrp: 50,
                    rsrq: 20,
                    sinr: 60,
                    rssi: 99,
                    connection_status: 1,
                },
                IntelRfimFrequencyValue {
                    serving_cell_info: IntelServingCellInfo::SCELL,
                    center_frequency: 806_000_000,
                    bandwidth: 10_000_000,
                    rsrp: 40,
                    rsrq: 15,
                    sinr: 30,
                    rssi: 99,
                    connection_status: 1,
                },
            ],
        })),
    );
    check_vector(
        "intel_thermal_rf_9_indication_radio_off.hex",
        Decoded::IntelThermalRf(Any::RfimInfo(RfimInfo {
            rfim_frequency_values: vec![IntelRfimFrequencyValue {
                serving_cell_info: IntelServingCellInfo::RADIO_OFF,
                center_frequency: 0,
                bandwidth: 0,
                rsrp: u32::MAX,
                rsrq: u32::MAX,
                sinr: u32::MAX,
                rssi: 99,
                connection_status: 0,
            }],
        })),
    );
}
