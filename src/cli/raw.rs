//! `mbcli raw --device PATH <command>`: talk MBIM to a device directly, without
//! the daemon (like `mbimcli`). It opens the device with the same modem actor
//! the daemon uses, runs one command, closes the function and exits.

use crate::modem::{self, ActorConfig, ModemHandle, OperationError, ops};
use crate::transport::cdc_wdm::CdcWdm;
use anyhow::Context;
use clap::{Args, Subcommand, ValueEnum};
use mbim_proto::services::basic_connect::{
    AuthProtocol, ContextIpType, DeviceCapsQuery, PacketServiceQuery, PinListQuery, PinQuery,
    RadioStateQuery, RegisterStateQuery, SignalStateQuery, SubscriberReadyStatusQuery,
};
use mbim_proto::services::{ExtendedVersion, Kind, decode_payload};
use mbim_proto::{CommandType, Uuid};
use serde_json::{Value, json};
use std::process::ExitCode;
use std::time::Duration;

/// Arguments of `mbcli raw`.
#[derive(Args, Debug)]
pub struct RawArgs {
    /// The MBIM control device (`/dev/cdc-wdm0`, `/dev/wwan0mbim0`, or a simulator pty link).
    #[arg(long, short = 'd')]
    pub device: String,
    /// Print JSON instead of text.
    #[arg(long, global = true)]
    pub json: bool,
    /// Seconds to wait for each response.
    #[arg(long, default_value_t = 30, global = true)]
    pub timeout: u64,
    /// Log MBIM traffic and state changes to stderr.
    #[arg(long, short = 'v', global = true)]
    pub verbose: bool,
    /// Show IMSI, ICCID, IMEI, phone numbers and credentials in logs.
    #[arg(long, global = true)]
    pub log_personal_info: bool,
    /// Negotiate this MBIMEx version when the device offers it (1.0 = none).
    #[arg(long, default_value = "1.0", global = true)]
    pub mbimex: String,
    #[command(subcommand)]
    pub command: RawCommand,
}

/// IP type for `connect`.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum IpTypeArg {
    Ipv4,
    Ipv6,
    Ipv4v6,
}

/// Authentication for `connect`.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum AuthArg {
    None,
    Pap,
    Chap,
    Mschapv2,
}

/// `mbcli raw` commands.
#[derive(Subcommand, Debug)]
pub enum RawCommand {
    /// Device capabilities (DEVICE_CAPS).
    Caps,
    /// Subscriber, radio, registration, signal and packet-service state.
    Status,
    /// PIN state, or a PIN action.
    Pin {
        #[command(subcommand)]
        action: Option<PinCommand>,
    },
    /// Register automatically, or to `--operator MCCMNC`.
    Register {
        #[arg(long)]
        operator: Option<String>,
    },
    /// Scan for visible networks.
    Scan,
    /// Attach to packet service.
    Attach,
    /// Detach from packet service.
    Detach,
    /// Activate a data session.
    Connect {
        #[arg(long)]
        apn: String,
        #[arg(long, default_value = "")]
        user: String,
        #[arg(long, default_value = "")]
        password: String,
        #[arg(long, value_enum)]
        auth: Option<AuthArg>,
        #[arg(long, value_enum, default_value = "ipv4v6")]
        ip_type: IpTypeArg,
        #[arg(long, default_value_t = 0)]
        session: u32,
    },
    /// Deactivate a data session.
    Disconnect {
        #[arg(long, default_value_t = 0)]
        session: u32,
    },
    /// IP configuration of a session.
    Ip {
        #[arg(long, default_value_t = 0)]
        session: u32,
    },
    /// SMS stored on the modem.
    Sms {
        #[command(subcommand)]
        action: RawSmsCommand,
    },
    /// Send a USSD request (or `--respond` in a session, or `--cancel`) and print the reply.
    Ussd {
        /// The request, e.g. `*100#`.
        text: Option<String>,
        /// Answer a network menu in an open session.
        #[arg(long)]
        respond: bool,
        /// End the USSD session.
        #[arg(long)]
        cancel: bool,
    },
    /// Any request: SERVICE (name or UUID), CID, optional payload hex.
    Request {
        service: String,
        cid: u32,
        hex: Option<String>,
        /// Send a set instead of a query.
        #[arg(long)]
        set: bool,
    },
}

/// SMS actions on the modem's storage.
#[derive(Subcommand, Debug)]
pub enum RawSmsCommand {
    /// Every stored message, decoded.
    List,
    /// Send a text (split into parts when long).
    Send {
        /// Recipient number (`+4915...`).
        #[arg(long)]
        to: String,
        text: String,
    },
    /// Delete one message by index, or all.
    Delete {
        #[arg(long, conflicts_with = "all")]
        index: Option<u32>,
        #[arg(long)]
        all: bool,
    },
}

/// PIN actions.
#[derive(Subcommand, Debug)]
pub enum PinCommand {
    Unlock { pin: String },
    Enable { pin: String },
    Disable { pin: String },
    Change { old: String, new: String },
    Puk { puk: String, new_pin: String },
}

fn to_json<T: serde::Serialize>(v: &T) -> Value {
    serde_json::to_value(v).unwrap_or(Value::Null)
}

fn print(json_out: bool, title: &str, v: &Value) {
    if json_out {
        println!("{}", serde_json::to_string_pretty(v).unwrap_or_default());
    } else {
        println!("{title}:");
        print_value(v, 1);
    }
}

fn print_value(v: &Value, depth: usize) {
    let pad = "  ".repeat(depth);
    match v {
        Value::Object(m) => {
            for (k, x) in m {
                match x {
                    Value::Object(_) => {
                        println!("{pad}{k}:");
                        print_value(x, depth + 1);
                    }
                    Value::Array(a) if a.iter().any(|e| e.is_object()) => {
                        println!("{pad}{k}: ({} entries)", a.len());
                        for (i, e) in a.iter().enumerate() {
                            println!("{pad}  [{i}]");
                            print_value(e, depth + 2);
                        }
                    }
                    other => println!("{pad}{k}: {}", scalar(other)),
                }
            }
        }
        other => println!("{pad}{}", scalar(other)),
    }
}

fn scalar(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Array(a) => a.iter().map(scalar).collect::<Vec<_>>().join(", "),
        Value::Null => "-".into(),
        other => other.to_string(),
    }
}

fn parse_mbimex(s: &str) -> anyhow::Result<ExtendedVersion> {
    Ok(match s {
        "1" | "1.0" => ExtendedVersion::V1,
        "2" | "2.0" => ExtendedVersion::V2,
        "3" | "3.0" => ExtendedVersion::V3,
        "4" | "4.0" => ExtendedVersion::V4,
        _ => anyhow::bail!("unsupported MBIMEx version {s:?}"),
    })
}

/// Run `mbcli raw`.
pub fn run(args: RawArgs) -> anyhow::Result<ExitCode> {
    mbim_proto::personal::set_show_personal_info(args.log_personal_info);
    if args.verbose {
        let _ = tracing_subscriber::fmt()
            .with_writer(std::io::stderr)
            .with_env_filter(tracing_subscriber::EnvFilter::new("debug"))
            .try_init();
    }
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("starting the runtime")?;
    rt.block_on(run_async(args))
}

async fn run_async(args: RawArgs) -> anyhow::Result<ExitCode> {
    let dev = CdcWdm::open(&args.device)?;
    let timeout = Duration::from_secs(args.timeout.max(1));
    let config = ActorConfig {
        name: args.device.clone(),
        max_control_transfer: dev.max_control_transfer(),
        request_timeout: timeout,
        open_attempts: ((args.timeout / 5).max(1)) as u32,
        mbimex: parse_mbimex(&args.mbimex)?,
        ..ActorConfig::default()
    };
    let (h, join) = modem::spawn(dev, config);
    h.ready()
        .await
        .with_context(|| format!("{}: the MBIM function did not open", args.device))?;
    let r = command(&h, &args).await;
    h.shutdown().await;
    let _ = join.await;
    match r {
        Ok(()) => Ok(ExitCode::SUCCESS),
        Err(e) => {
            eprintln!("mbcli raw: {e}");
            Ok(ExitCode::from(1))
        }
    }
}

async fn command(h: &ModemHandle, args: &RawArgs) -> Result<(), OperationError> {
    let j = args.json;
    match &args.command {
        RawCommand::Caps => {
            let caps = h.request(&DeviceCapsQuery).await?;
            print(j, "Device capabilities", &to_json(&caps));
        }
        RawCommand::Status => {
            let mut v = serde_json::Map::new();
            let sub = h.request(&SubscriberReadyStatusQuery).await;
            v.insert("subscriber".into(), result_json(sub));
            v.insert(
                "radio".into(),
                result_json(h.request(&RadioStateQuery).await),
            );
            v.insert(
                "registration".into(),
                result_json(h.request(&RegisterStateQuery).await),
            );
            v.insert(
                "signal".into(),
                result_json(h.request(&SignalStateQuery).await),
            );
            v.insert(
                "packet_service".into(),
                result_json(h.request(&PacketServiceQuery).await),
            );
            print(j, "Status", &Value::Object(v));
        }
        RawCommand::Pin { action: None } => {
            let mut v = serde_json::Map::new();
            v.insert("pin".into(), result_json(h.request(&PinQuery).await));
            v.insert(
                "pin_list".into(),
                result_json(h.request(&PinListQuery).await),
            );
            print(j, "PIN", &Value::Object(v));
        }
        RawCommand::Pin { action: Some(a) } => {
            let action = match a {
                PinCommand::Unlock { pin } => ops::PinAction::Unlock { pin: pin.clone() },
                PinCommand::Enable { pin } => ops::PinAction::Enable { pin: pin.clone() },
                PinCommand::Disable { pin } => ops::PinAction::Disable { pin: pin.clone() },
                PinCommand::Change { old, new } => ops::PinAction::Change {
                    old: old.clone(),
                    new: new.clone(),
                },
                PinCommand::Puk { puk, new_pin } => ops::PinAction::Puk {
                    puk: puk.clone(),
                    new_pin: new_pin.clone(),
                },
            };
            let info = ops::pin(h, action).await?;
            print(j, "PIN", &to_json(&info));
        }
        RawCommand::Register { operator } => {
            let info = match operator {
                Some(op) => ops::register_manual(h, op).await?,
                None => ops::register_automatic(h).await?,
            };
            print(j, "Registration", &to_json(&info));
        }
        RawCommand::Scan => {
            let list = ops::scan(h).await?;
            print(
                j,
                "Visible networks",
                &json!({ "providers": to_json(&list) }),
            );
        }
        RawCommand::Attach => print(j, "Packet service", &to_json(&ops::attach(h).await?)),
        RawCommand::Detach => print(j, "Packet service", &to_json(&ops::detach(h).await?)),
        RawCommand::Connect {
            apn,
            user,
            password,
            auth,
            ip_type,
            session,
        } => {
            let params = ops::ConnectParams {
                session_id: *session,
                apn: apn.clone(),
                user: user.clone(),
                password: password.clone(),
                auth: auth.map(|a| match a {
                    AuthArg::None => AuthProtocol::NONE,
                    AuthArg::Pap => AuthProtocol::PAP,
                    AuthArg::Chap => AuthProtocol::CHAP,
                    AuthArg::Mschapv2 => AuthProtocol::MSCHAPV2,
                }),
                ip_type: match ip_type {
                    IpTypeArg::Ipv4 => ContextIpType::IPV4,
                    IpTypeArg::Ipv6 => ContextIpType::IPV6,
                    IpTypeArg::Ipv4v6 => ContextIpType::IPV4V6,
                },
                ..ops::ConnectParams::default()
            };
            let r = ops::connect(h, &params).await?;
            print(
                j,
                "Connected",
                &json!({ "connect": to_json(&r.connect), "ip": to_json(&r.ip) }),
            );
        }
        RawCommand::Disconnect { session } => {
            print(
                j,
                "Disconnected",
                &to_json(&ops::disconnect(h, *session).await?),
            );
        }
        RawCommand::Ip { session } => {
            print(
                j,
                "IP configuration",
                &to_json(&ops::ip_configuration(h, *session).await?),
            );
        }
        RawCommand::Sms { action } => match action {
            RawSmsCommand::List => {
                let records = ops::sms::list(h).await?;
                let messages: Vec<Value> = records
                    .iter()
                    .map(|r| {
                        let mut v = json!({
                            "index": r.message_index,
                            "status": r.message_status.to_string(),
                            "pdu": mbim_proto::hex::encode(&r.pdu_data.0),
                        });
                        match crate::messaging::pdu::Message::decode(&r.pdu_data.0) {
                            Ok(m) => {
                                if let crate::messaging::pdu::Tpdu::Deliver(d) = &m.tpdu {
                                    v["sender"] = json!(d.originating_address.to_string());
                                    v["timestamp"] = json!(d.service_centre_time_stamp.to_string());
                                }
                                if let Some(t) = m.tpdu.user_data().and_then(|u| u.body_text()) {
                                    v["text"] = json!(t);
                                }
                            }
                            Err(e) => v["error"] = json!(e.to_string()),
                        }
                        v
                    })
                    .collect();
                print(j, "SMS", &json!({ "messages": messages }));
            }
            RawSmsCommand::Send { to, text } => {
                let reference = (std::process::id() & 0xff) as u8;
                let pdus = crate::messaging::send::submit_pdus(to, text, false, reference)
                    .map_err(|e| OperationError::InvalidArgument(e.to_string()))?;
                let mut refs = Vec::new();
                for p in pdus {
                    refs.push(ops::sms::send_pdu(h, p).await?);
                }
                print(
                    j,
                    "Sent",
                    &json!({ "parts": refs.len(), "message_references": refs }),
                );
            }
            RawSmsCommand::Delete { index, all } => {
                if index.is_none() && !all {
                    return Err(OperationError::InvalidArgument(
                        "give --index N or --all".into(),
                    ));
                }
                ops::sms::delete(h, *index).await?;
                print(j, "Deleted", &json!({ "index": index, "all": all }));
            }
        },
        RawCommand::Ussd {
            text,
            respond,
            cancel,
        } => {
            use mbim_proto::services::ussd::UssdAction;
            let (action, dcs, payload) = if *cancel {
                (UssdAction::CANCEL, 0, Vec::new())
            } else {
                let t = text
                    .as_deref()
                    .ok_or_else(|| OperationError::InvalidArgument("give the USSD text".into()))?;
                let coded = crate::messaging::ussd::encode(t)
                    .map_err(|e| OperationError::InvalidArgument(e.to_string()))?;
                let action = if *respond {
                    UssdAction::CONTINUE
                } else {
                    UssdAction::INITIATE
                };
                (action, u32::from(coded.data_coding_scheme.0), coded.data)
            };
            let info = ops::ussd::ussd(h, action, dcs, payload).await?;
            let text = crate::messaging::ussd::decode(
                crate::messaging::CbsDataCodingScheme(info.ussd_data_coding_scheme as u8),
                &info.ussd_payload.0,
            );
            let mut v = json!({
                "response": info.ussd_response.to_string(),
                "session_state": info.ussd_session_state.to_string(),
            });
            match text {
                Ok(t) => v["text"] = json!(t),
                Err(e) => v["text_error"] = json!(e.to_string()),
            }
            print(j, "USSD", &v);
        }
        RawCommand::Request {
            service,
            cid,
            hex,
            set,
        } => {
            let svc = mbim_proto::uuid::by_name(service)
                .or_else(|| Uuid::parse(service))
                .ok_or_else(|| {
                    OperationError::InvalidArgument(format!("unknown service {service:?}"))
                })?;
            let payload = match hex {
                Some(h) => mbim_proto::hex::decode(h)
                    .map_err(|e| OperationError::InvalidArgument(e.to_string()))?,
                None => Vec::new(),
            };
            let ct = if *set {
                CommandType::SET
            } else {
                CommandType::QUERY
            };
            let info = h.request_raw(svc, *cid, ct, payload, None).await?;
            let decoded = decode_payload(&svc, *cid, Kind::Response, h.state().version, &info);
            let v = json!({
                "service": mbim_proto::uuid::name(&svc).unwrap_or("unknown"),
                "cid": cid,
                "information_buffer": mbim_proto::hex::encode(&info),
                "decoded": match decoded { Ok(d) => to_json(&d), Err(e) => json!({"error": e.to_string()}) },
            });
            print(j, "Response", &v);
        }
    }
    Ok(())
}

fn result_json<T: serde::Serialize>(r: Result<T, crate::modem::RequestError>) -> Value {
    match r {
        Ok(v) => to_json(&v),
        Err(e) => json!({ "error": e.to_string() }),
    }
}
