//! `mbcli sim --pty-link PATH [--scenario FILE]`: run the simulated modem as a
//! device file that any MBIM client can open, until stopped (Ctrl-C/SIGTERM).

use crate::sim::device::Device;
use crate::sim::pty::{Pty, serve_pty};
use crate::sim::runner::RunEnd;
use crate::sim::scenario::Scenario;
use anyhow::Context as _;
use clap::Args;
use std::io::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

/// Arguments of `mbcli sim`.
#[derive(Args, Debug)]
pub struct SimArgs {
    /// Symlink to create, pointing at the simulator's pty (e.g. /tmp/mbim-sim0).
    #[arg(long, value_name = "PATH")]
    pub pty_link: PathBuf,
    /// Scenario file (TOML); the built-in hot-SIM scenario if omitted.
    #[arg(long, value_name = "FILE")]
    pub scenario: Option<PathBuf>,
}

/// Run `mbcli sim`.
pub fn run(args: SimArgs) -> anyhow::Result<ExitCode> {
    let scenario = match &args.scenario {
        Some(p) => Scenario::load(p)?,
        None => Scenario::builtin(),
    };
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("starting the tokio runtime")?;
    rt.block_on(async move {
        let mut pty = Pty::open().context("opening a pseudo-terminal")?;
        pty.link(&args.pty_link)
            .with_context(|| format!("creating {}", args.pty_link.display()))?;
        println!("{}", args.pty_link.display());
        std::io::stdout().flush()?;
        tracing::info!(pty = %pty.path().display(), "simulated modem ready");
        let mut device = Device::new(scenario);
        // Keep the sender alive: run-time control is for in-process users.
        let (_control_tx, mut control) = tokio::sync::mpsc::unbounded_channel();
        let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())?;
        let end = tokio::select! {
            r = serve_pty(&mut pty, &mut device, &mut control, None) => r?,
            _ = tokio::signal::ctrl_c() => RunEnd::Stopped,
            _ = term.recv() => RunEnd::Stopped,
        };
        if end == RunEnd::Unplugged {
            eprintln!("mbcli sim: device unplugged (fault injection)");
        }
        Ok(ExitCode::SUCCESS)
    })
}
