//! `mbcli` subcommands, one module each (argument struct + `run`).

pub mod apn;
pub mod client;
pub mod decode;
pub mod raw;
pub mod sim;
pub mod sms;
pub mod usage;
