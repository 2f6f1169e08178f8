//! `mbcli metadata install PATH` and `mbcli metadata show [--json]`: service
//! metadata through the daemon (`org.mbimd.Modem1.ServiceMetadata`), or
//! offline on a state directory with `--state-dir DIR` (install, and show
//! for a SIM given by `--imsi`/`--iccid`/`--provider`).
//!
//! Glue only: packages are handled by `provisioning::metadata`.

use super::client::{ClientArgs, connect, pick, to_json};
use crate::provisioning::metadata::store::parse_order;
use crate::provisioning::metadata::{MatchConfig, MetadataStore};
use anyhow::Context;
use apn_db::lookup::Identity;
use clap::{Args, Subcommand};
use dbus_interfaces::names::{BUS_NAME, IFACE_MBIMD_SERVICE_METADATA};
use serde_json::{Map, Value};
use std::path::PathBuf;
use std::process::ExitCode;

/// Arguments of `mbcli metadata`.
#[derive(Args, Debug)]
pub struct MetadataArgs {
    /// What to do.
    #[command(subcommand)]
    pub command: MetadataCommand,
}

/// Offline options.
#[derive(Args, Debug, Clone)]
pub struct OfflineArgs {
    /// Work on this state directory (`<DIR>/metadata`) without the daemon.
    #[arg(long)]
    pub state_dir: Option<PathBuf>,
    /// HWID match order for offline `show`.
    #[arg(long, default_value = "iccid,imsi,sid,provider")]
    pub match_order: String,
    /// Branding locale for offline `show`.
    #[arg(long)]
    pub locale: Option<String>,
}

/// `mbcli metadata` subcommands.
#[derive(Subcommand, Debug)]
pub enum MetadataCommand {
    /// Install a service-metadata package (directory or `.devicemetadata-ms`).
    Install {
        #[command(flatten)]
        c: ClientArgs,
        #[command(flatten)]
        o: OfflineArgs,
        /// The package.
        path: PathBuf,
    },
    /// Show the service metadata matched to a modem's SIM (or, offline,
    /// to the SIM given by --imsi/--iccid/--provider).
    Show {
        #[command(flatten)]
        c: ClientArgs,
        #[command(flatten)]
        o: OfflineArgs,
        #[arg(long)]
        imsi: Option<String>,
        #[arg(long)]
        iccid: Option<String>,
        #[arg(long)]
        provider: Option<String>,
    },
}

fn offline_store(o: &OfflineArgs, dir: &std::path::Path) -> anyhow::Result<MetadataStore> {
    let config = MatchConfig {
        order: parse_order(&o.match_order).map_err(anyhow::Error::msg)?,
        locale: o
            .locale
            .clone()
            .or_else(crate::provisioning::metadata::package::environment_locale),
    };
    MetadataStore::open(dir, config).with_context(|| format!("state directory {}", dir.display()))
}

/// Run `mbcli metadata`.
pub fn run(a: MetadataArgs) -> anyhow::Result<ExitCode> {
    match a.command {
        MetadataCommand::Install { c, o, path } => {
            if let Some(dir) = &o.state_dir {
                let store = offline_store(&o, dir)?;
                return match store.install(&path) {
                    Ok(e) => {
                        if c.json {
                            println!("{}", serde_json::to_string_pretty(&e)?);
                        } else {
                            println!(
                                "installed {} ({}, {})",
                                e.id, e.service_provider, e.last_modified_date
                            );
                        }
                        Ok(ExitCode::SUCCESS)
                    }
                    Err(e) => {
                        eprintln!("mbcli: {e}");
                        Ok(ExitCode::from(2))
                    }
                };
            }
            let abs =
                std::fs::canonicalize(&path).with_context(|| format!("{}", path.display()))?;
            block_on(async {
                let conn = connect(&c).await?;
                let (p, _) = pick(&conn, c.modem.as_deref()).await?;
                let proxy =
                    zbus::Proxy::new(&conn, BUS_NAME, p.as_str(), IFACE_MBIMD_SERVICE_METADATA)
                        .await?;
                let r: Result<String, zbus::Error> = proxy
                    .call("InstallServiceMetadata", &(abs.to_string_lossy().as_ref(),))
                    .await;
                match r {
                    Ok(id) => {
                        if c.json {
                            println!("{}", serde_json::json!({ "id": id }));
                        } else {
                            println!("installed {id}");
                        }
                        Ok(ExitCode::SUCCESS)
                    }
                    Err(e) => {
                        eprintln!("mbcli: {e}");
                        Ok(ExitCode::from(2))
                    }
                }
            })
        }
        MetadataCommand::Show {
            c,
            o,
            imsi,
            iccid,
            provider,
        } => {
            if let Some(dir) = &o.state_dir {
                let store = offline_store(&o, dir)?;
                let id = Identity {
                    imsi,
                    iccid,
                    provider_name: provider,
                    ..Identity::default()
                };
                let Some(m) = store.for_identity(&id) else {
                    eprintln!("mbcli: no installed service metadata matches this SIM");
                    return Ok(ExitCode::from(2));
                };
                if c.json {
                    println!("{}", serde_json::to_string_pretty(&m)?);
                } else {
                    let v = serde_json::to_value(&m)?;
                    print_table(v.as_object().cloned().unwrap_or_default());
                }
                return Ok(ExitCode::SUCCESS);
            }
            block_on(async {
                let conn = connect(&c).await?;
                let (_, ifaces) = pick(&conn, c.modem.as_deref()).await?;
                let props = ifaces
                    .get(IFACE_MBIMD_SERVICE_METADATA)
                    .context("the daemon does not serve org.mbimd.Modem1.ServiceMetadata")?;
                let mut keys: Vec<&String> = props.keys().collect();
                keys.sort();
                let obj: Map<String, Value> = keys
                    .into_iter()
                    .map(|k| (k.clone(), to_json(&props[k])))
                    .collect();
                if c.json {
                    println!("{}", serde_json::to_string_pretty(&Value::Object(obj))?);
                } else {
                    print_table(obj);
                }
                Ok(ExitCode::SUCCESS)
            })
        }
    }
}

fn print_table(obj: Map<String, Value>) {
    for (k, v) in obj {
        let text = match v {
            Value::String(s) => s,
            Value::Null => "--".into(),
            other => other.to_string(),
        };
        println!("{k:>28}: {text}");
    }
}

fn block_on<F: std::future::Future<Output = anyhow::Result<ExitCode>>>(
    f: F,
) -> anyhow::Result<ExitCode> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?
        .block_on(f)
}
