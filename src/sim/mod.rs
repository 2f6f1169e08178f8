//! The simulated MBIM modem: run and test mbimd (and any MBIM client) with no
//! hardware.
//!
//! * [`scenario`] — the TOML description of a modem, with a built-in default;
//! * [`modem`] — radio, SIM and network state, and the Basic Connect
//!   handlers (SMS, USSD, Auth, DSS, Phonebook, MS Basic Connect
//!   Extensions and MS Voice Extensions' NITZ in private sibling modules; the MBIMEx 2.0/3.0 layouts of
//!   Basic Connect in `mbimex`);
//! * [`device`] — the sans-I/O MBIM function (open state, framing,
//!   fragmentation, subscribe list, indications, fault injection);
//! * [`fault`] — what can be made to go wrong, and when;
//! * [`runner`] — the tokio loop over any byte stream (in-process duplex);
//! * [`pty`] — a raw pseudo-terminal device file for outside clients.
//!
//! Everything MBIM goes through `mbim_proto`'s public API; the simulator
//! holds no codec of its own.

mod auth;
pub mod device;
mod dss;
pub mod fault;
mod mbimex;
pub mod modem;
mod ms_bce;
mod phonebook;
pub mod pty;
pub mod runner;
pub mod scenario;
mod sms;
mod uicc;
mod ussd;
mod voice;

pub use device::{Device, DeviceEvent, Transmit};
pub use fault::{Fault, FaultRule, Trigger};
pub use runner::{Control, RunEnd, SimControl, SimHandle, spawn_duplex};
pub use scenario::{Scenario, ScenarioError};
