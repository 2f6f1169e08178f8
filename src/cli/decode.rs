//! `mbcli decode [HEX | -] [--json] [--mbimex V]`: dissect MBIM messages.
//!
//! Input is hex (whitespace, `:`, `,` and `#` comments ignored) holding one
//! message or a stream of several, possibly fragmented. Each message is shown
//! field by field — header, fragment header, service and CID by name, then the
//! typed payload — or as JSON with `--json`. Fragments are shown as they come
//! and the reassembled message after the last one. Bad input names the field
//! and the byte offset in the input, and the exit status is 1.

use anyhow::Context;
use clap::Args;
use mbim_proto::fragment::{Reassembled, Reassembler};
use mbim_proto::message::Header;
use mbim_proto::services::{self, ExtendedVersion, Kind};
use mbim_proto::{DecodeError, Message};
use serde_json::{Map, Value, json};
use std::io::Read;
use std::process::ExitCode;
use std::time::Instant;

/// Arguments of `mbcli decode`.
#[derive(Args, Debug)]
pub struct DecodeArgs {
    /// Hex bytes of one or more messages, or `-` (the default) to read stdin.
    pub hex: Option<String>,
    /// Print JSON (one document with a `messages` array) instead of text.
    #[arg(long)]
    pub json: bool,
    /// Decode payloads with the layouts of this MBIMEx version (1.0, 2.0, 3.0, 4.0).
    #[arg(long, default_value = "1.0", value_parser = parse_version)]
    pub mbimex: ExtendedVersion,
}

fn parse_version(s: &str) -> Result<ExtendedVersion, String> {
    match s {
        "1" | "1.0" => Ok(ExtendedVersion::V1),
        "2" | "2.0" => Ok(ExtendedVersion::V2),
        "3" | "3.0" => Ok(ExtendedVersion::V3),
        "4" | "4.0" => Ok(ExtendedVersion::V4),
        _ => Err(format!(
            "unsupported MBIMEx version {s:?} (use 1.0, 2.0, 3.0 or 4.0)"
        )),
    }
}

/// One dissected item of the input.
struct Item {
    offset: usize,
    value: Value,
}

/// A decoding failure at an absolute input offset.
#[derive(Debug, thiserror::Error)]
#[error("{field} at input offset {offset}: {reason}")]
pub struct DissectError {
    pub field: &'static str,
    pub offset: usize,
    pub reason: String,
}

impl DissectError {
    fn from_decode(base: usize, e: &DecodeError) -> Self {
        let text = e.to_string();
        // DecodeError's Display starts with "<field> at offset N: "; keep the reason.
        let reason = text
            .split_once(": ")
            .map(|(_, r)| r.to_string())
            .unwrap_or(text);
        DissectError {
            field: e.field,
            offset: base + e.offset,
            reason,
        }
    }
}

/// Dissect every message in `bytes`. Returns what was decoded before the first
/// error, and that error.
fn dissect(bytes: &[u8], version: ExtendedVersion) -> (Vec<Item>, Option<DissectError>) {
    let mut items = Vec::new();
    let mut reassembler = Reassembler::default();
    let now = Instant::now();
    let mut off = 0;
    while off < bytes.len() {
        let rest = &bytes[off..];
        let header = match Header::peek(rest) {
            Ok(h) => h,
            Err(e) => return (items, Some(DissectError::from_decode(off, &e))),
        };
        if header.message_type.name().is_none() {
            return (
                items,
                Some(DissectError {
                    field: "MessageType",
                    offset: off,
                    reason: format!("unknown message type 0x{:08x}", header.message_type.0),
                }),
            );
        }
        let len = header.message_length as usize;
        if len < header.message_type.min_length() || len > rest.len() {
            return (
                items,
                Some(DissectError {
                    field: "MessageLength",
                    offset: off + 4,
                    reason: format!(
                        "{len} bytes declared, {} available (minimum {} for {})",
                        rest.len(),
                        header.message_type.min_length(),
                        header.message_type
                    ),
                }),
            );
        }
        let piece = &rest[..len];
        let fragmented = header.message_type.is_fragmentable()
            && u32::from_le_bytes([piece[12], piece[13], piece[14], piece[15]]) > 1;
        if fragmented {
            items.push(Item {
                offset: off,
                value: fragment_value(&header, piece),
            });
        }
        match reassembler.push(now, piece) {
            Err(e) => {
                return (
                    items,
                    Some(DissectError {
                        field: "CurrentFragment",
                        offset: off + 16,
                        reason: e.to_string(),
                    }),
                );
            }
            Ok(Reassembled::Pending) => {}
            Ok(Reassembled::Complete(whole)) => {
                // Offsets inside a reassembled message refer to the rebuilt
                // message; for an unfragmented one they are input offsets.
                let base = if fragmented { 0 } else { off };
                match message_value(&whole, version) {
                    Ok(mut v) => {
                        if fragmented {
                            v["reassembled"] = Value::Bool(true);
                        }
                        items.push(Item {
                            offset: off,
                            value: v,
                        });
                    }
                    Err(e) => return (items, Some(DissectError::from_decode(base, &e))),
                }
            }
        }
        off += len;
    }
    if reassembler.outstanding() > 0 {
        return (
            items,
            Some(DissectError {
                field: "CurrentFragment",
                offset: bytes.len(),
                reason: "input ended before the last fragment".into(),
            }),
        );
    }
    (items, None)
}

fn fragment_value(h: &Header, piece: &[u8]) -> Value {
    let rd = |o: usize| u32::from_le_bytes([piece[o], piece[o + 1], piece[o + 2], piece[o + 3]]);
    json!({
        "type": h.message_type.to_string().replace('-', "_"),
        "fragment": true,
        "message_length": h.message_length,
        "transaction_id": h.transaction_id,
        "total_fragments": rd(12),
        "current_fragment": rd(16),
        "fragment_bytes": piece.len() - 20,
    })
}

/// Decode one whole message into a JSON value: header fields in wire order,
/// then the payload's structure name and fields.
fn message_value(bytes: &[u8], version: ExtendedVersion) -> Result<Value, DecodeError> {
    let m = Message::decode(bytes)?;
    let t = m.message_type();
    let mut o = Map::new();
    o.insert("type".into(), json!(t.to_string().replace('-', "_")));
    o.insert("message_length".into(), json!(bytes.len()));
    o.insert("transaction_id".into(), json!(m.transaction_id()));
    match &m {
        Message::Open {
            max_control_transfer,
            ..
        } => {
            o.insert("max_control_transfer".into(), json!(max_control_transfer));
        }
        Message::OpenDone { status, .. } | Message::CloseDone { status, .. } => {
            o.insert("status".into(), json!(status.to_string()));
        }
        Message::HostError {
            error_status_code, ..
        }
        | Message::FunctionError {
            error_status_code, ..
        } => {
            o.insert(
                "error_status_code".into(),
                json!(error_status_code.to_string()),
            );
        }
        _ => {}
    }
    if let Some((service, cid, info)) = m.payload() {
        o.insert("total_fragments".into(), json!(1));
        o.insert("current_fragment".into(), json!(0));
        o.insert("device_service_id".into(), json!(service.to_string()));
        o.insert(
            "service".into(),
            json!(mbim_proto::uuid::name(&service).unwrap_or("unknown")),
        );
        o.insert("cid".into(), json!(cid));
        o.insert(
            "cid_name".into(),
            json!(services::cid_name(&service, cid).unwrap_or("unknown")),
        );
        match &m {
            Message::Command(c) => {
                o.insert("command_type".into(), json!(c.command_type.to_string()));
            }
            Message::CommandDone(c) => {
                o.insert("status".into(), json!(c.status.to_string()));
            }
            _ => {}
        }
        o.insert("information_buffer_length".into(), json!(info.len()));
        let failed = matches!(&m, Message::CommandDone(c) if !c.status.is_success());
        match Kind::of(&m) {
            Some(kind) if !failed => {
                let payload = mbim_proto::message::decode_in_message(t, info, |b| {
                    services::decode_payload(&service, cid, kind, version, b)
                })?;
                let pv = serde_json::to_value(&payload).unwrap_or(Value::Null);
                // Decoded serialises as {service, payload: {structure, fields}}.
                let inner = pv.get("payload").cloned().unwrap_or(pv);
                match (inner.get("structure"), inner.get("fields")) {
                    (Some(st), Some(f)) if !f.is_null() => {
                        o.insert("structure".into(), st.clone());
                        o.insert("fields".into(), f.clone());
                    }
                    (Some(st), _) => {
                        o.insert("structure".into(), st.clone());
                    }
                    _ => {
                        o.insert("raw".into(), json!(mbim_proto::hex::encode(info)));
                    }
                }
            }
            _ if !info.is_empty() => {
                o.insert("raw".into(), json!(mbim_proto::hex::encode(info)));
            }
            _ => {}
        }
    }
    Ok(Value::Object(o))
}

/// Print a JSON value as an indented field list.
fn print_tree(out: &mut String, key: &str, v: &Value, depth: usize) {
    let pad = "  ".repeat(depth);
    match v {
        Value::Object(m) => {
            if !key.is_empty() {
                out.push_str(&format!("{pad}{key}:\n"));
            }
            print_object(out, m, if key.is_empty() { depth } else { depth + 1 });
        }
        Value::Array(a) if a.iter().all(|x| !x.is_object() && !x.is_array()) => {
            let parts: Vec<String> = a.iter().map(scalar).collect();
            out.push_str(&format!("{pad}{key}: [{}]\n", parts.join(", ")));
        }
        Value::Array(a) => {
            out.push_str(&format!("{pad}{key}: ({} entries)\n", a.len()));
            for (i, x) in a.iter().enumerate() {
                print_tree(out, &format!("[{i}]"), x, depth + 1);
            }
        }
        other => out.push_str(&format!("{pad}{key}: {}\n", scalar(other))),
    }
}

fn print_object(out: &mut String, m: &Map<String, Value>, depth: usize) {
    for (k, v) in m {
        print_tree(out, k, v, depth);
    }
}

fn scalar(v: &Value) -> String {
    match v {
        Value::String(s) => format!("{s:?}"),
        other => other.to_string(),
    }
}

/// Run `mbcli decode`.
pub fn run(args: DecodeArgs) -> anyhow::Result<ExitCode> {
    let text = match args.hex.as_deref() {
        None | Some("-") => {
            let mut s = String::new();
            std::io::stdin()
                .read_to_string(&mut s)
                .context("reading stdin")?;
            s
        }
        Some(h) => h.to_string(),
    };
    let bytes = mbim_proto::hex::decode(&text).context("input is not hex")?;
    if bytes.is_empty() {
        anyhow::bail!("no input bytes");
    }
    let (items, err) = dissect(&bytes, args.mbimex);
    if args.json {
        let mut doc = json!({
            "messages": items.iter().map(|i| {
                let mut v = i.value.clone();
                v["offset"] = json!(i.offset);
                v
            }).collect::<Vec<_>>(),
        });
        if let Some(e) = &err {
            doc["error"] = json!({"field": e.field, "offset": e.offset, "reason": e.reason});
        }
        println!("{}", serde_json::to_string_pretty(&doc)?);
    } else {
        let mut out = String::new();
        for (n, i) in items.iter().enumerate() {
            let ty = i.value.get("type").and_then(Value::as_str).unwrap_or("?");
            let len = i
                .value
                .get("message_length")
                .and_then(Value::as_u64)
                .unwrap_or(0);
            out.push_str(&format!(
                "message {} at offset {} ({ty}, {len} bytes)\n",
                n + 1,
                i.offset
            ));
            if let Value::Object(m) = &i.value {
                let mut m = m.clone();
                m.shift_remove("type");
                print_object(&mut out, &m, 1);
            }
        }
        print!("{out}");
    }
    match err {
        None => Ok(ExitCode::SUCCESS),
        Some(e) => {
            eprintln!("mbcli decode: error: {e}");
            Ok(ExitCode::from(1))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(s: &str) -> Vec<u8> {
        mbim_proto::hex::decode(s).unwrap()
    }

    #[test]
    fn dissects_a_stream_of_two_messages() {
        let b = hex("01000000 10000000 01000000 00100000
             01000080 10000000 01000000 00000000");
        let (items, err) = dissect(&b, ExtendedVersion::V1);
        assert!(err.is_none());
        assert_eq!(items.len(), 2);
        assert_eq!(items[1].offset, 16);
        assert_eq!(items[0].value["max_control_transfer"], 4096);
        assert_eq!(items[1].value["status"], "success");
    }

    #[test]
    fn names_field_and_input_offset_of_bad_payload() {
        // OPEN, then a DEVICE_CAPS response whose DeviceId offset points past the end.
        let mut b = hex("01000000 10000000 01000000 00100000");
        let mut info = vec![0u8; 64];
        info[40..44].copy_from_slice(&200u32.to_le_bytes()); // DeviceId offset
        info[44..48].copy_from_slice(&4u32.to_le_bytes()); // DeviceId size
        let m = Message::CommandDone(mbim_proto::CommandDone {
            transaction_id: 2,
            service: mbim_proto::uuid::BASIC_CONNECT,
            cid: 1,
            status: mbim_proto::Status::SUCCESS,
            information_buffer: info.into(),
        });
        b.extend(m.to_bytes().unwrap());
        let (items, err) = dissect(&b, ExtendedVersion::V1);
        assert_eq!(items.len(), 1);
        let e = err.expect("error");
        assert_eq!(e.field, "DeviceId");
        assert_eq!(e.offset, 16 + 48 + 40);
    }

    #[test]
    fn reports_truncated_stream() {
        let b = hex("01000000 10000000 01000000 0010");
        let (_, err) = dissect(&b, ExtendedVersion::V1);
        let e = err.expect("error");
        assert_eq!((e.field, e.offset), ("MessageLength", 4));
    }
}
