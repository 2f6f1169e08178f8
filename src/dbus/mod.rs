//! The ModemManager1-compatible D-Bus layer (modemmanager-api.md). The
//! objects hold only a modem's `ModemHandle` and path bookkeeping
//! ([`modem::ModemCtx`]); everything published is computed in [`view`] from
//! the handle's state snapshot, and [`modem::ModemCtx::sync`] is the one
//! place that emits property changes and state transitions. Nothing here
//! talks MBIM directly: methods go through `modem::ops`.

pub mod actions;
pub mod errors;
pub mod ext_connection;
pub mod ext_data_usage;
pub mod ext_location;
pub mod ext_metadata;
pub mod ext_operator_messages;
pub mod ext_provisioning;
pub mod ext_time;
pub mod flows;
pub mod messaging;
pub mod modem;
pub mod objects;
pub mod policy;
pub mod root;
pub mod settings;
pub mod ussd;
pub mod view;

pub use modem::{Counters, ModemCtx};
pub use policy::Policy;
pub use root::{ManagerIface, ManagerRequest, ObjectManagerIface, Registry};
