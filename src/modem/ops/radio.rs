//! Enable / disable: the software radio switch (RADIO_STATE set).

use crate::modem::{ModemHandle, OperationError};
use mbim_proto::services::basic_connect::{RadioStateInfo, RadioSwitchState, SetRadioState};

/// Switch the radio on or off; returns the resulting state. A hardware switch
/// that is off makes "on" impossible, which is reported as `WrongState`.
pub async fn set_radio(h: &ModemHandle, on: bool) -> Result<RadioStateInfo, OperationError> {
    let _op = h.operation().await;
    let want = if on {
        RadioSwitchState::ON
    } else {
        RadioSwitchState::OFF
    };
    let info = h.request(&SetRadioState { radio_state: want }).await?;
    if on && info.hw_radio_state == RadioSwitchState::OFF {
        return Err(OperationError::WrongState(
            "the hardware radio switch is off".into(),
        ));
    }
    Ok(info)
}
