//! `mbcli sms ...`: SMS commands that need no daemon: `mbcli sms decode
//! PDU-HEX [--json]`, which prints an SMS PDU (as MBIM/AT deliver it, SMSC
//! prefix first) field by field, and `mbcli sms rules-check FILE --text ...`,
//! which tests operator-message rules offline. The list/read/send/delete commands that talk to the daemon join the
//! same [`SmsCommand`] enum later.
//!
//! Glue only: all decoding is `mbimd::messaging`.

use crate::messaging::pdu::{Message, Tpdu};
use crate::messaging::udh::{InformationElement, UserDataBody};
use crate::messaging::{Address, DataCodingScheme, PduError, Timestamp, UserData};
use anyhow::Context;
use clap::{Args, Subcommand};
use serde_json::{Value, json};
use std::io::Read;
use std::process::ExitCode;

/// Arguments of `mbcli sms`.
#[derive(Args, Debug)]
pub struct SmsArgs {
    /// What to do.
    #[command(subcommand)]
    pub command: SmsCommand,
}

/// `mbcli sms` subcommands.
#[derive(Subcommand, Debug)]
pub enum SmsCommand {
    /// Decode an SMS PDU (hex) field by field: type, text, addresses, SMSC,
    /// timestamps, alphabet, concatenation, ports, status report.
    Decode(SmsDecodeArgs),
    /// Load an operator-message rule file (provisioning `Messages` XML) and
    /// show which rule a text matches and what it extracts. Exit status 1
    /// when no rule matches; 2 when the file is invalid.
    RulesCheck(RulesCheckArgs),
    #[command(flatten)]
    Daemon(super::client::SmsDaemonCommand),
}

/// Arguments of `mbcli sms rules-check`.
#[derive(Args, Debug)]
pub struct RulesCheckArgs {
    /// The rule file.
    #[arg(value_name = "FILE")]
    pub file: std::path::PathBuf,
    /// The decoded message text.
    #[arg(long)]
    pub text: String,
    /// SMS sender as received (`+` for international); omit with `--ussd`.
    #[arg(long, conflicts_with = "ussd")]
    pub sender: Option<String>,
    /// Message class of the SMS (0 for flash messages).
    #[arg(long)]
    pub class: Option<u8>,
    /// Treat the text as a network-initiated USSD.
    #[arg(long)]
    pub ussd: bool,
}

/// Arguments of `mbcli sms decode`.
#[derive(Args, Debug)]
pub struct SmsDecodeArgs {
    /// PDU as hex, SMSC address first (as MBIM and AT+CMGR give it), or `-`
    /// to read it from stdin.
    #[arg(value_name = "PDU-HEX")]
    pub pdu: String,
    /// Print JSON instead of one field per line.
    #[arg(long)]
    pub json: bool,
    /// The hex is a bare TPDU with no SMSC prefix.
    #[arg(long)]
    pub tpdu: bool,
}

/// Run `mbcli sms`.
pub fn run(args: SmsArgs) -> anyhow::Result<ExitCode> {
    match args.command {
        SmsCommand::Decode(a) => run_decode(a),
        SmsCommand::RulesCheck(a) => run_rules_check(a),
        SmsCommand::Daemon(c) => super::client::run_sms(c),
    }
}

fn run_rules_check(args: RulesCheckArgs) -> anyhow::Result<ExitCode> {
    use crate::messaging::rules::{Bearer, RuleSet};
    let set = match RuleSet::load(&args.file) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("mbcli: {e}");
            return Ok(ExitCode::from(2));
        }
    };
    let bearer = if args.ussd {
        Bearer::Ussd
    } else {
        Bearer::Sms {
            sender: args.sender.as_deref().unwrap_or(""),
            class: args.class,
        }
    };
    let Some(m) = set.classify(&bearer, &args.text) else {
        println!("no rule matches ({} rules): a plain message", set.len());
        return Ok(ExitCode::from(1));
    };
    println!("rule      {}", m.rule_id.as_deref().unwrap_or("-"));
    println!("silent    {}", m.silent);
    // Debug of the values lists every field, set or not.
    println!("values    {:#?}", m.values);
    Ok(ExitCode::SUCCESS)
}

fn run_decode(args: SmsDecodeArgs) -> anyhow::Result<ExitCode> {
    let text = if args.pdu == "-" {
        let mut s = String::new();
        std::io::stdin()
            .read_to_string(&mut s)
            .context("reading stdin")?;
        s
    } else {
        args.pdu
    };
    let bytes = mbim_proto::hex::decode(&text).context("PDU-HEX")?;
    let fields = decode_fields(&bytes, args.tpdu).map_err(|e| anyhow::anyhow!("bad PDU: {e}"))?;
    if args.json {
        let obj: serde_json::Map<String, Value> =
            fields.into_iter().map(|(k, v)| (k.to_owned(), v)).collect();
        println!("{}", serde_json::to_string_pretty(&Value::Object(obj))?);
    } else {
        for (k, v) in fields {
            let v = match v {
                Value::String(s) => s,
                Value::Null => "-".to_owned(),
                other => other.to_string(),
            };
            println!("{k:<26} {v}");
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Decode `pdu` and list its fields in display order: snake_case name and
/// value (the same names are the JSON keys).
pub fn decode_fields(pdu: &[u8], bare_tpdu: bool) -> Result<Vec<(&'static str, Value)>, PduError> {
    let (smsc, tpdu) = if bare_tpdu {
        (None, Tpdu::decode(pdu)?)
    } else {
        let m = Message::decode(pdu)?;
        (Some(m.smsc), m.tpdu)
    };
    let mut f: Vec<(&'static str, Value)> = vec![("pdu_type", json!(tpdu.type_name()))];
    if let Some(smsc) = smsc {
        f.push((
            "smsc",
            smsc.as_ref().map_or(Value::Null, |a| json!(a.to_string())),
        ));
        if let Some(a) = &smsc {
            f.push(("smsc_type", json!(address_type(a))));
        }
    }
    match &tpdu {
        Tpdu::Deliver(d) => {
            f.push(("sender", json!(d.originating_address.to_string())));
            f.push(("sender_type", json!(address_type(&d.originating_address))));
            f.push(("timestamp", json!(d.service_centre_time_stamp.to_string())));
            push_zone(&mut f, "timezone", &d.service_centre_time_stamp);
            f.push(("more_messages_to_send", json!(d.more_messages_to_send)));
            f.push((
                "status_report_indication",
                json!(d.status_report_indication),
            ));
            f.push(("reply_path", json!(d.reply_path)));
            f.push(("loop_prevention", json!(d.loop_prevention)));
            f.push(("protocol_identifier", json!(d.protocol_identifier)));
            push_dcs(&mut f, d.data_coding_scheme);
            push_user_data(&mut f, &d.user_data);
        }
        Tpdu::Submit(s) => {
            f.push(("recipient", json!(s.destination_address.to_string())));
            f.push((
                "recipient_type",
                json!(address_type(&s.destination_address)),
            ));
            f.push(("message_reference", json!(s.message_reference)));
            f.push(("status_report_request", json!(s.status_report_request)));
            f.push(("reject_duplicates", json!(s.reject_duplicates)));
            f.push(("reply_path", json!(s.reply_path)));
            f.push(("protocol_identifier", json!(s.protocol_identifier)));
            f.push((
                "validity",
                s.validity_period
                    .as_ref()
                    .map_or(Value::Null, |v| json!(v.to_string())),
            ));
            f.push((
                "validity_seconds",
                s.validity_period
                    .as_ref()
                    .and_then(|v| v.duration_seconds())
                    .map_or(Value::Null, |v| json!(v)),
            ));
            push_dcs(&mut f, s.data_coding_scheme);
            push_user_data(&mut f, &s.user_data);
        }
        Tpdu::StatusReport(r) => {
            f.push(("recipient", json!(r.recipient_address.to_string())));
            f.push(("recipient_type", json!(address_type(&r.recipient_address))));
            f.push(("message_reference", json!(r.message_reference)));
            f.push(("timestamp", json!(r.service_centre_time_stamp.to_string())));
            push_zone(&mut f, "timezone", &r.service_centre_time_stamp);
            f.push(("discharge_time", json!(r.discharge_time.to_string())));
            f.push(("status", json!(r.status.0)));
            f.push(("status_description", json!(r.status.description())));
            f.push(("status_category", json!(r.status.category())));
            f.push(("delivered", json!(r.status.delivered())));
            f.push((
                "status_report_qualifier",
                json!(if r.status_report_qualifier {
                    "SMS-COMMAND"
                } else {
                    "SMS-SUBMIT"
                }),
            ));
            f.push(("more_messages_to_send", json!(r.more_messages_to_send)));
            f.push((
                "protocol_identifier",
                r.protocol_identifier.map_or(Value::Null, |p| json!(p)),
            ));
            if let Some(d) = r.data_coding_scheme {
                push_dcs(&mut f, d);
            }
            if let Some(ud) = &r.user_data {
                push_user_data(&mut f, ud);
            }
        }
    }
    Ok(f)
}

fn address_type(a: &Address) -> String {
    format!(
        "{} (TON {}, NPI {})",
        a.type_of_number.name(),
        a.type_of_number.bits(),
        a.numbering_plan.0
    )
}

fn push_zone(f: &mut Vec<(&'static str, Value)>, key: &'static str, t: &Timestamp) {
    let m = t.offset_minutes();
    let sign = if m < 0 { '-' } else { '+' };
    let a = m.unsigned_abs();
    f.push((key, json!(format!("UTC{sign}{:02}:{:02}", a / 60, a % 60))));
}

fn push_dcs(f: &mut Vec<(&'static str, Value)>, d: DataCodingScheme) {
    f.push(("data_coding_scheme", json!(format!("{:#04x}", d.0))));
    f.push(("alphabet", json!(d.alphabet().name())));
    f.push((
        "message_class",
        d.class().map_or(Value::Null, |c| json!(c.number())),
    ));
    f.push(("compressed", json!(d.compressed())));
    if let Some(mw) = d.message_waiting() {
        let kind = ["voicemail", "fax", "email", "other"][usize::from(mw.kind & 3)];
        f.push((
            "message_waiting",
            json!(format!(
                "{kind} {}{}",
                if mw.active { "active" } else { "inactive" },
                if mw.discard { ", discard" } else { "" }
            )),
        ));
    }
}

fn push_user_data(f: &mut Vec<(&'static str, Value)>, ud: &UserData) {
    if let Some(h) = &ud.header {
        let elements: Vec<Value> = h
            .elements
            .iter()
            .map(|e| match e {
                InformationElement::Concat(c) => json!({
                    "type": "concatenation",
                    "reference": c.reference.value(),
                    "reference_bits": c.reference.bits(),
                    "part": c.sequence,
                    "total": c.total,
                }),
                InformationElement::Ports {
                    destination,
                    originator,
                    wide,
                } => json!({
                    "type": "application-ports",
                    "destination": destination,
                    "originator": originator,
                    "port_bits": if *wide { 16 } else { 8 },
                }),
                InformationElement::Other { iei, data } => json!({
                    "type": "other",
                    "iei": iei,
                    "data": mbim_proto::hex::encode(data),
                }),
            })
            .collect();
        f.push(("user_data_header", Value::Array(elements)));
        if let Some(c) = h.concat() {
            f.push(("concat_reference", json!(c.reference.value())));
            f.push(("concat_reference_bits", json!(c.reference.bits())));
            f.push(("concat_part", json!(c.sequence)));
            f.push(("concat_total", json!(c.total)));
        }
        if let Some((d, o)) = h.ports() {
            f.push(("destination_port", json!(d)));
            f.push(("originator_port", json!(o)));
        }
    }
    match &ud.body {
        UserDataBody::Text(t) => f.push(("text", json!(t))),
        UserDataBody::Data(d) => f.push(("data", json!(mbim_proto::hex::encode(d)))),
    }
}
