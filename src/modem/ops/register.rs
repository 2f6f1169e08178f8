//! Network registration (REGISTER_STATE set) and scanning (VISIBLE_PROVIDERS).

use crate::modem::{ModemHandle, OperationError};
use mbim_proto::services::basic_connect::{
    DataClass, Provider, RegisterAction, RegistrationStateInfo, SetRegistrationState,
    VisibleProvidersAction, VisibleProvidersReq,
};
use std::time::Duration;

/// Scans take long on real modems (MM allows 120 s).
pub const SCAN_TIMEOUT: Duration = Duration::from_secs(120);
/// Registration may take a while too.
pub const REGISTER_TIMEOUT: Duration = Duration::from_secs(60);

/// Register automatically.
pub async fn register_automatic(h: &ModemHandle) -> Result<RegistrationStateInfo, OperationError> {
    let _op = h.operation().await;
    let req = SetRegistrationState {
        provider_id: String::new(),
        register_action: RegisterAction::AUTOMATIC,
        data_class: DataClass::NONE,
    };
    Ok(h.request_v1_view_with_timeout(&req, Some(REGISTER_TIMEOUT))
        .await?)
}

/// Register manually to `operator_id` (MCC+MNC, 5 or 6 digits).
pub async fn register_manual(
    h: &ModemHandle,
    operator_id: &str,
) -> Result<RegistrationStateInfo, OperationError> {
    if !(5..=6).contains(&operator_id.len()) || !operator_id.bytes().all(|b| b.is_ascii_digit()) {
        return Err(OperationError::InvalidArgument(
            "operator id must be 5 or 6 digits (MCC+MNC)".into(),
        ));
    }
    let _op = h.operation().await;
    let req = SetRegistrationState {
        provider_id: operator_id.into(),
        register_action: RegisterAction::MANUAL,
        data_class: DataClass::NONE,
    };
    Ok(h.request_v1_view_with_timeout(&req, Some(REGISTER_TIMEOUT))
        .await?)
}

/// Scan for visible networks.
pub async fn scan(h: &ModemHandle) -> Result<Vec<Provider>, OperationError> {
    let _op = h.operation().await;
    let req = VisibleProvidersReq {
        action: VisibleProvidersAction::FULL_SCAN,
    };
    Ok(h.request_with_timeout(&req, Some(SCAN_TIMEOUT))
        .await?
        .providers)
}
