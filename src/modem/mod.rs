//! One tokio actor per modem ([`actor`]), its cloneable [`handle`], the
//! published [`state`] and events, and the multi-step [`ops`] built on typed
//! requests. Sequencing follows ModemManager's MBIM plugin where it matters to
//! clients (modemmanager-api.md §8).

pub mod actor;
pub mod error;
pub mod handle;
pub mod ops;
pub mod state;

pub use actor::{ActorConfig, ActorExit};
pub use error::{OperationError, RequestError};
pub use handle::{ModemHandle, spawn};
pub use state::{Link, ModemEvent, ModemState};
