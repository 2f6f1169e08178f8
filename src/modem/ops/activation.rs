//! Service activation: MBIM_CID_SERVICE_ACTIVATION (MBIM 1.0 §10.5.14), the
//! carrier-specific data of a provisioning document's `ServiceActivation`
//! sent to the device as-is (windows-operator-formats.md §1.4: our mapping of
//! Windows' vendor-specific set). This module does not interpret the data.

use crate::modem::{ModemHandle, OperationError};
use mbim_proto::services::RawBytes;
use mbim_proto::services::basic_connect::{ServiceActivationInfo, SetServiceActivation};

/// Send `carrier_data` in a SERVICE_ACTIVATION set. A failure status from
/// the device comes back as [`OperationError::Request`] (its information
/// buffer holds the `ServiceActivationInfo` with the network error, if the
/// device sent one).
pub async fn service_activation(
    h: &ModemHandle,
    carrier_data: &[u8],
) -> Result<ServiceActivationInfo, OperationError> {
    let _op = h.operation().await;
    Ok(h.request(&SetServiceActivation {
        vendor_specific_buffer: RawBytes(carrier_data.to_vec()),
    })
    .await?)
}
