//! The D-Bus contract shared by the daemon and its clients: bus and interface
//! names ([`names`]), ModemManager's enum values ([`enums`]), error names
//! ([`error`]) and client proxies ([`proxies`]).
//!
//! Everything follows ModemManager 1.20's API (modemmanager-api.md §1–§5) so
//! that existing clients (NetworkManager, `mmcli`, applets) work unchanged.
//! This crate holds no daemon logic and never talks to a modem.

pub mod enums;
pub mod error;
pub mod names;
pub mod proxies;

pub use error::MmError;
pub use names::{BUS_NAME, MANAGER_PATH};

/// A D-Bus `a{sv}` dictionary as received or sent.
pub type Dict = std::collections::HashMap<String, zbus::OwnedVariant>;
