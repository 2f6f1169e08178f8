//! `mbcli`: the mbimd command-line tool. Subcommands live in `mbimd::cli::*`,
//! one module each; this file only parses arguments and dispatches.

use clap::{Parser, Subcommand};
use std::process::ExitCode;

#[derive(Parser, Debug)]
#[command(
    name = "mbcli",
    version,
    about = "Talk to mbimd, MBIM devices and MBIM data"
)]
struct Cli {
    #[command(subcommand)]
    command: Cmd,
}

#[derive(Subcommand, Debug)]
enum Cmd {
    /// Decode MBIM messages (hex) field by field, like a protocol dissector.
    Decode(mbimd::cli::decode::DecodeArgs),
    /// Talk MBIM to a device directly, without the daemon (like mbimcli).
    Raw(mbimd::cli::raw::RawArgs),
    /// Run a simulated MBIM modem on a pseudo-terminal (for mbimcli and tests).
    Sim(mbimd::cli::sim::SimArgs),
    /// SMS: decode PDUs; list/read/send/delete through the daemon.
    Sms(mbimd::cli::sms::SmsArgs),
    /// The APN database: import files, list, look up a SIM's APNs.
    Apn(mbimd::cli::apn::ApnArgs),
    /// Provisioning documents: validate offline, apply, show.
    Provision(mbimd::cli::provision::ProvisionArgs),
    /// Hardware IDs of a SIM (our MBAE-OSS scheme) for service metadata.
    Hwids(mbimd::cli::apn::HwidsArgs),
    /// Service metadata: install a package, show what matches a SIM.
    Metadata(mbimd::cli::metadata::MetadataArgs),
    /// Data usage: plan, used/limit, cost, next cycle; `history` per day.
    Usage(mbimd::cli::usage::UsageArgs),
    #[command(flatten)]
    Client(mbimd::cli::client::ClientCommand),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let r = match cli.command {
        Cmd::Decode(a) => mbimd::cli::decode::run(a),
        Cmd::Raw(a) => mbimd::cli::raw::run(a),
        Cmd::Sim(a) => mbimd::cli::sim::run(a),
        Cmd::Sms(a) => mbimd::cli::sms::run(a),
        Cmd::Apn(a) => mbimd::cli::apn::run(a),
        Cmd::Provision(a) => mbimd::cli::provision::run(a),
        Cmd::Hwids(a) => mbimd::cli::apn::run_hwids(a),
        Cmd::Metadata(a) => mbimd::cli::metadata::run(a),
        Cmd::Usage(a) => mbimd::cli::usage::run(a),
        Cmd::Client(c) => mbimd::cli::client::run(c),
    };
    match r {
        Ok(code) => code,
        Err(e) => {
            eprintln!("mbcli: {e:#}");
            ExitCode::from(1)
        }
    }
}
