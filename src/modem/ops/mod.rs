//! Multi-step modem operations as plain async functions over a
//! [`ModemHandle`](super::ModemHandle). Each takes the handle's operation lock
//! so that operations run one at a time (single requests do not queue).

pub mod activation;
pub mod connect;
pub mod init;
pub mod nitz;
pub mod radio;
pub mod register;
pub mod signal;
pub mod sim;
pub mod sms;
pub mod uicc_files;
pub mod ussd;

pub use activation::service_activation;
pub use connect::{
    ConnectParams, ConnectResult, attach, connect, detach, disconnect, ip_configuration,
};
pub use init::{Initialized, initialize};
pub use radio::set_radio;
pub use register::{register_automatic, register_manual, scan};
pub use sim::{PinAction, pin};
