//! SIM PIN operations (PIN set): unlock, enable, disable, change, PUK.

use crate::modem::{ModemHandle, OperationError};
use mbim_proto::services::basic_connect::{PinInfo, PinOperation, PinType, SetPin};

/// A PIN action.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PinAction {
    /// Enter PIN1 to unlock.
    Unlock { pin: String },
    /// Turn the PIN1 lock on.
    Enable { pin: String },
    /// Turn the PIN1 lock off.
    Disable { pin: String },
    /// Change PIN1.
    Change { old: String, new: String },
    /// Unblock with PUK1 and set a new PIN1.
    Puk { puk: String, new_pin: String },
}

fn check_digits(what: &str, s: &str) -> Result<(), OperationError> {
    if s.len() < 4 || s.len() > 16 || !s.bytes().all(|b| b.is_ascii_digit()) {
        return Err(OperationError::InvalidArgument(format!(
            "{what} must be 4 to 16 digits"
        )));
    }
    Ok(())
}

/// Perform a PIN action; returns the modem's PIN state afterwards.
pub async fn pin(h: &ModemHandle, action: PinAction) -> Result<PinInfo, OperationError> {
    let _op = h.operation().await;
    let req = match &action {
        PinAction::Unlock { pin } => {
            check_digits("PIN", pin)?;
            SetPin {
                pin_type: PinType::PIN1,
                pin_operation: PinOperation::ENTER,
                pin: pin.clone(),
                new_pin: String::new(),
            }
        }
        PinAction::Enable { pin } => {
            check_digits("PIN", pin)?;
            SetPin {
                pin_type: PinType::PIN1,
                pin_operation: PinOperation::ENABLE,
                pin: pin.clone(),
                new_pin: String::new(),
            }
        }
        PinAction::Disable { pin } => {
            check_digits("PIN", pin)?;
            SetPin {
                pin_type: PinType::PIN1,
                pin_operation: PinOperation::DISABLE,
                pin: pin.clone(),
                new_pin: String::new(),
            }
        }
        PinAction::Change { old, new } => {
            check_digits("PIN", old)?;
            check_digits("new PIN", new)?;
            SetPin {
                pin_type: PinType::PIN1,
                pin_operation: PinOperation::CHANGE,
                pin: old.clone(),
                new_pin: new.clone(),
            }
        }
        PinAction::Puk { puk, new_pin } => {
            check_digits("PUK", puk)?;
            check_digits("new PIN", new_pin)?;
            SetPin {
                pin_type: PinType::PUK1,
                pin_operation: PinOperation::ENTER,
                pin: puk.clone(),
                new_pin: new_pin.clone(),
            }
        }
    };
    Ok(h.request(&req).await?)
}
