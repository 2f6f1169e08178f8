//! The D-Bus contract shared by the daemon and its clients: bus and interface
//! names, error names, shared types and client proxies. Filled in by the
//! D-Bus work; for now only the names every part agrees on.

/// The well-known bus name (ModemManager's, so existing clients work unchanged).
pub const BUS_NAME: &str = "org.freedesktop.ModemManager1";
/// The manager object path.
pub const MANAGER_PATH: &str = "/org/freedesktop/ModemManager1";
