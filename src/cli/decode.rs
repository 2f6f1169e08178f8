//! `mbcli decode [HEX | -] [--json]`: dissect MBIM messages.

use clap::Args;
use std::process::ExitCode;

/// Arguments of `mbcli decode`.
#[derive(Args, Debug)]
pub struct DecodeArgs {
    /// Hex bytes of one or more messages, or `-` (default) to read stdin.
    pub hex: Option<String>,
    /// Print JSON instead of the field-by-field text.
    #[arg(long)]
    pub json: bool,
}

/// Run `mbcli decode`.
pub fn run(_args: DecodeArgs) -> anyhow::Result<ExitCode> {
    anyhow::bail!("not implemented yet")
}
