//! `mbcli` subcommands, one module each (argument struct + `run`).

pub mod decode;
pub mod raw;
pub mod sim;
