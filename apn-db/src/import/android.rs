//! Parser for Android `apns-conf.xml` (`<apns version="8">`, one empty
//! `<apn …/>` per record; LineageOS and AOSP files).
//!
//! Follows how AOSP's TelephonyProvider reads the file (apn-data.md §2.1):
//! `type` tokens are trimmed and lower-cased, an empty or missing `type`
//! means every type, unknown tokens are ignored for matching but kept in the
//! row's `extra` and reported; `mvno_type` is kept only together with
//! `mvno_match_data`; `protocol` defaults to nothing (the caller's default);
//! `carrier_enabled="false"` rows are stored but never offered. Quirks seen in
//! real files (§2.2): empty attribute values are "absent", `apn=""` and a
//! missing `apn` are the empty APN, exact duplicates are kept (the lookup
//! merges identical settings), character references and `&amp;` are
//! unescaped, spaces around `=` are legal XML, `IPV4` is read as `IP`,
//! `mvno_type="IMSI"` is case-insensitive, unknown attributes (`mtusize`) go
//! to `extra`, a 1-digit MNC is kept as written.

use super::{Cursor, Parsed, Warning, attributes, resolve_ref};
use crate::error::ParseError;
use crate::model::{ApnRow, Auth, IpType, MvnoType, Purpose, Purposes, SourceKind, is_digits};
use quick_xml::Reader;
use quick_xml::events::{BytesStart, Event};
use std::path::Path;

/// Parse `apns-conf.xml` bytes.
pub fn parse(data: &[u8], file: &Path) -> Result<Parsed, ParseError> {
    let mut r = Reader::from_reader(data);
    let mut cur = Cursor::new(data, file);
    let mut out = Parsed {
        kind: Some(SourceKind::Android),
        ..Parsed::default()
    };
    let mut stack: Vec<String> = Vec::new();
    loop {
        let pos = cur.skip_ws(r.buffer_position());
        let ev = match r.read_event() {
            Ok(ev) => ev,
            Err(e) => return Err(cur.xml_error(&r, e)),
        };
        match ev {
            Event::Start(e) => {
                let name = element(&e, pos, &stack, &mut cur, &mut out)?;
                stack.push(name);
            }
            Event::Empty(e) => {
                element(&e, pos, &stack, &mut cur, &mut out)?;
            }
            Event::End(_) => {
                stack.pop();
            }
            Event::GeneralRef(g) => {
                if let Err(reason) = resolve_ref(&g) {
                    return Err(cur.error(pos, reason));
                }
            }
            Event::Eof => {
                if let Some(open) = stack.last() {
                    return Err(cur.error(pos, format!("unexpected end of file inside <{open}>")));
                }
                break;
            }
            _ => {}
        }
    }
    out.counts.warnings = out.warnings.len() as u64;
    Ok(out)
}

/// Handle an opening (or empty) element; returns its local name.
fn element(
    e: &BytesStart<'_>,
    pos: u64,
    stack: &[String],
    cur: &mut Cursor<'_>,
    out: &mut Parsed,
) -> Result<String, ParseError> {
    let name = e.local_name().as_ref().to_owned();
    if stack.is_empty() && name != "apns" {
        return Err(cur.error(pos, format!("root element is <{name}>, expected <apns>")));
    }
    if name == "apn" && stack.last().map(String::as_str) == Some("apns") {
        record(e, pos, cur, out)?;
    }
    Ok(name)
}

fn record(
    e: &BytesStart<'_>,
    pos: u64,
    cur: &mut Cursor<'_>,
    out: &mut Parsed,
) -> Result<(), ParseError> {
    let attrs = attributes(e).map_err(|reason| cur.error(pos, reason))?;
    let line = cur.line(pos);
    let warn = |out: &mut Parsed, message: String| out.warnings.push(Warning { line, message });
    out.counts.apns += 1;
    let mut row = ApnRow {
        enabled: true,
        types_explicit: false,
        purposes: Purposes::ALL,
        ..ApnRow::default()
    };
    let mut extra: Vec<String> = Vec::new();
    let mut mvno_type: Option<String> = None;
    let mut mvno_data: Option<String> = None;
    let nonempty = |v: &str| (!v.trim().is_empty()).then(|| v.to_owned());
    for (k, v) in &attrs {
        match k.as_str() {
            "carrier" => row.provider = v.trim().to_owned(),
            "mcc" => row.mcc = nonempty(v).map(|s| s.trim().to_owned()),
            "mnc" => row.mnc = nonempty(v).map(|s| s.trim().to_owned()),
            "apn" => {
                row.apn = v.trim().to_owned();
            }
            "type" => {
                row.types_raw = Some(v.clone());
                let (p, explicit, unknown) = android_types(v);
                row.purposes = p;
                row.types_explicit = explicit;
                if !unknown.is_empty() {
                    warn(
                        out,
                        format!(
                            "unknown type token(s) {}; ignored for matching",
                            unknown.join(",")
                        ),
                    );
                    extra.push(format!("unknown_types={}", unknown.join(",")));
                }
            }
            "mvno_type" => mvno_type = nonempty(v),
            "mvno_match_data" => mvno_data = nonempty(v),
            "protocol" | "roaming_protocol" => {
                if let Some(v) = nonempty(v) {
                    let t = IpType::from_android(&v);
                    if t.is_none() {
                        warn(out, format!("{k}=\"{v}\" unknown; ignored"));
                        extra.push(format!("{k}={v}"));
                    }
                    if k == "protocol" {
                        row.ip_type = t;
                    } else {
                        row.roaming_ip_type = t;
                    }
                }
            }
            "authtype" => {
                row.auth = match v.trim() {
                    "0" => Some(Auth::None),
                    "1" => Some(Auth::Pap),
                    "2" => Some(Auth::Chap),
                    "3" => Some(Auth::PapChap),
                    "" | "-1" => None,
                    other => {
                        warn(out, format!("authtype=\"{other}\" unknown; ignored"));
                        None
                    }
                }
            }
            "user" => row.username = nonempty(v),
            "password" => row.password = nonempty(v),
            "proxy" => row.proxy = nonempty(v),
            "port" => row.port = nonempty(v),
            "mmsc" => row.mmsc = nonempty(v),
            "mmsproxy" => row.mmsproxy = nonempty(v),
            "mmsport" => row.mmsport = nonempty(v),
            "carrier_id" => match v.trim().parse::<i64>() {
                Ok(id) => row.carrier_id = Some(id),
                Err(_) => {
                    warn(out, format!("carrier_id=\"{v}\" is not a number; ignored"));
                    extra.push(format!("carrier_id={v}"));
                }
            },
            "network_type_bitmask" => match network_bitmask(v) {
                Some(b) => row.network_types = Some(b),
                None => {
                    warn(
                        out,
                        format!("network_type_bitmask=\"{v}\" unreadable; ignored"),
                    );
                    extra.push(format!("{k}={v}"));
                }
            },
            "carrier_enabled" => row.enabled = !v.trim().eq_ignore_ascii_case("false"),
            _ => {
                if !v.is_empty() {
                    extra.push(format!("{k}={v}"));
                }
            }
        }
    }
    match (&row.mcc, &row.mnc) {
        (Some(mcc), Some(mnc)) => {
            if !is_digits(mcc, 3, 3) {
                return Err(cur.error(pos, format!("mcc \"{mcc}\" is not 3 digits")));
            }
            if !is_digits(mnc, 1, 3) {
                return Err(cur.error(pos, format!("mnc \"{mnc}\" is not 1 to 3 digits")));
            }
            if mnc.len() == 1 {
                warn(out, format!("1-digit mnc \"{mnc}\" kept as written"));
            }
        }
        _ => {
            warn(out, "record without mcc/mnc; found by name only".into());
            row.mcc = None;
            row.mnc = None;
        }
    }
    match (mvno_type, mvno_data) {
        (Some(t), Some(d)) => match MvnoType::from_name(&t) {
            Some(t) => {
                row.mvno = Some((t, d.trim().to_owned()));
                out.counts.mvno_rows += 1;
            }
            None => {
                warn(
                    out,
                    format!("mvno_type=\"{t}\" unknown; row treated as an MVNO that never matches"),
                );
                extra.push(format!("mvno_type={t}"));
                // Android drops rows whose MVNO type it cannot evaluate from
                // the MNO set too; keep it out of both by disabling it.
                row.enabled = false;
            }
        },
        (Some(t), None) => extra.push(format!("mvno_type={t}")),
        _ => {}
    }
    if !row.enabled {
        extra.push("carrier_enabled=false".into());
    }
    row.extra = (!extra.is_empty()).then(|| extra.join("\n"));
    row.record = out.counts.apns as i64 - 1;
    row.seq = out.rows.len() as i64;
    if row.mcc.is_some() {
        out.counts.rows += 1;
    } else {
        out.counts.rows_without_plmn += 1;
    }
    out.rows.push(row);
    Ok(())
}

/// Android `type` → (purposes, explicit, unknown tokens). Empty = all types,
/// like `ApnSetting.getApnTypesBitmaskFromString`.
pub(crate) fn android_types(v: &str) -> (Purposes, bool, Vec<String>) {
    let mut p = Purposes::default();
    let mut unknown = Vec::new();
    let mut any = false;
    let mut star = false;
    for tok in v.split(',') {
        let tok = tok.trim().to_ascii_lowercase();
        if tok.is_empty() {
            continue;
        }
        any = true;
        match tok.as_str() {
            "*" => star = true,
            "default" => p.insert(Purpose::Internet),
            // Known Android types that map to nothing MBIM needs.
            "oem_paid" | "oem_private" => {}
            other => match Purpose::from_name(other)
                .filter(|p| *p != Purpose::Wap && *p != Purpose::Internet)
            {
                Some(x) => p.insert(x),
                None => unknown.push(other.to_owned()),
            },
        }
    }
    if !any || star {
        return (Purposes::ALL, false, unknown);
    }
    (p, true, unknown)
}

/// `13|20` → bit set with bit (n-1) for network type n (TelephonyManager).
fn network_bitmask(v: &str) -> Option<i64> {
    let mut b = 0i64;
    for t in v.split('|') {
        let t = t.trim();
        if t.is_empty() {
            continue;
        }
        let n: u32 = t.parse().ok()?;
        if n == 0 {
            continue;
        }
        b |= 1i64.checked_shl(n.checked_sub(1)?)?;
    }
    Some(b)
}
