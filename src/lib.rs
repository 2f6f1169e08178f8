//! mbimd: a userspace MBIM modem manager. This library holds the daemon's
//! parts (modem actors, simulator, D-Bus layer, CLI subcommands) shared by the
//! `mbimd` and `mbcli` binaries and the end-to-end tests.

pub mod calendar;
pub mod cli;
pub mod connection;
pub mod daemon;
pub mod dbus;
pub mod discovery;
pub mod manager;
pub mod messaging;
pub mod modem;
pub mod provisioning;
pub mod sim;
pub mod transport;
pub mod usage;
