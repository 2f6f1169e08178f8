//! `mbcli` subcommands, one module each (argument struct + `run`).

pub mod client;
pub mod decode;
pub mod raw;
pub mod sim;
