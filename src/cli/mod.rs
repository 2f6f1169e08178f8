//! `mbcli` subcommands, one module each (argument struct + `run`).

pub mod apn;
pub mod client;
pub mod connection;
pub mod decode;
pub mod metadata;
pub mod provision;
pub mod raw;
pub mod sim;
pub mod sms;
pub mod usage;
