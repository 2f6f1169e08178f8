//! Parser for mobile-broadband-provider-info `serviceproviders.xml`, format
//! 2.0, both the Debian 20230416 DTD and the newer upstream one (which adds
//! `<gid1>`, `<cbs>`, `<emergency-numbers>`, `<mmsattachmentsize>`).
//!
//! Quirks handled (apn-data.md §1.3): the DOCTYPE is never resolved (1);
//! predefined entities in text (2); comments, including commented-out markup,
//! are skipped by the tokenizer (3); several `<name>`s, the one without
//! `xml:lang` is the default (4); missing usage/plan/mmsc are kept as absent
//! (5); APN values are trimmed (6); providers without network-id are kept
//! with no MCC/MNC and findable by name (7); duplicate network-ids inside one
//! provider are stored once (8); the parent `<country>` is stored but never
//! used as a key (9); MCC/MNC stay strings (10); GID1 is kept as written and
//! compared case-insensitively as a prefix by the lookup (11); every
//! network-id of a provider gets its rows, unlike `apns-conf.xsl` (12).

use super::{Cursor, Parsed, Warning, attr, attributes, resolve_ref};
use crate::error::ParseError;
use crate::model::{ApnRow, Auth, CdmaRow, MvnoType, Purpose, Purposes, SourceKind, is_digits};
use quick_xml::Reader;
use quick_xml::events::{BytesStart, Event};
use std::path::Path;

#[derive(Default)]
struct ApnB {
    value: String,
    usage: Option<String>,
    plans: Vec<String>,
    name: Option<String>,
    alt_name: Option<String>,
    username: Option<String>,
    password: Option<String>,
    auth: Option<Auth>,
    dns: Vec<String>,
    gateway: Option<String>,
    mmsc: Option<String>,
    mmsproxy: Option<String>,
    extra: Vec<String>,
}

#[derive(Default)]
struct CdmaB {
    username: Option<String>,
    password: Option<String>,
    dns: Vec<String>,
    sids: Vec<i64>,
}

#[derive(Default)]
struct ProvB {
    line: u64,
    primary: Option<bool>,
    name: Option<String>,
    alt_name: Option<String>,
    network_ids: Vec<(String, String)>,
    gid1: Option<String>,
    apns: Vec<ApnB>,
    cdma: Option<CdmaB>,
}

struct State<'a> {
    cur: Cursor<'a>,
    out: Parsed,
    stack: Vec<String>,
    text: String,
    name_lang: Option<String>,
    country: Option<String>,
    prov: Option<ProvB>,
    apn: Option<ApnB>,
    record: i64,
}

/// Parse `serviceproviders.xml` bytes.
pub fn parse(data: &[u8], file: &Path) -> Result<Parsed, ParseError> {
    let mut r = Reader::from_reader(data);
    let mut st = State {
        cur: Cursor::new(data, file),
        out: Parsed {
            kind: Some(SourceKind::Mbpi),
            ..Parsed::default()
        },
        stack: Vec::new(),
        text: String::new(),
        name_lang: None,
        country: None,
        prov: None,
        apn: None,
        record: 0,
    };
    loop {
        let pos = st.cur.skip_ws(r.buffer_position());
        let ev = match r.read_event() {
            Ok(ev) => ev,
            Err(e) => return Err(st.cur.xml_error(&r, e)),
        };
        match ev {
            Event::Start(e) => st.start(&e, pos)?,
            Event::Empty(e) => {
                st.start(&e, pos)?;
                st.end(pos)?;
            }
            Event::End(_) => st.end(pos)?,
            Event::Text(t) => st.text.push_str(&t.xml10_content()),
            Event::CData(t) => st.text.push_str(&t),
            Event::GeneralRef(g) => match resolve_ref(&g) {
                Ok(s) => st.text.push_str(&s),
                Err(reason) => return Err(st.cur.error(pos, reason)),
            },
            Event::Eof => {
                if let Some(open) = st.stack.last() {
                    let reason = format!("unexpected end of file inside <{open}>");
                    return Err(st.cur.error(pos, reason));
                }
                break;
            }
            Event::Comment(_) | Event::Decl(_) | Event::PI(_) | Event::DocType(_) => {}
        }
    }
    let mut out = st.out;
    out.counts.warnings = out.warnings.len() as u64;
    Ok(out)
}

impl State<'_> {
    fn warn(&mut self, pos: u64, message: String) {
        let line = self.cur.line(pos);
        self.out.warnings.push(Warning { line, message });
    }

    fn parent(&self) -> Option<&str> {
        // The element being closed is the last one; its parent precedes it.
        self.stack.iter().rev().nth(1).map(String::as_str)
    }

    fn start(&mut self, e: &BytesStart<'_>, pos: u64) -> Result<(), ParseError> {
        let name = e.local_name().as_ref().to_owned();
        let attrs = attributes(e).map_err(|reason| self.cur.error(pos, reason))?;
        self.text.clear();
        let line = self.cur.line(pos);
        if self.stack.is_empty() && name != "serviceproviders" {
            return Err(self.cur.error(
                pos,
                format!("root element is <{name}>, expected <serviceproviders>"),
            ));
        }
        match name.as_str() {
            "country" => {
                self.out.counts.countries += 1;
                self.country = attr(&attrs, "code").map(|c| c.trim().to_ascii_lowercase());
            }
            "provider" => {
                self.out.counts.providers += 1;
                let primary = match attr(&attrs, "primary") {
                    Some("true") => Some(true),
                    Some("false") => Some(false),
                    Some(other) => {
                        let m = format!("provider primary=\"{other}\" is not true/false; ignored");
                        self.warn(pos, m);
                        None
                    }
                    None => None,
                };
                self.prov = Some(ProvB {
                    line,
                    primary,
                    ..ProvB::default()
                });
            }
            "network-id" => {
                let (Some(mcc), Some(mnc)) = (attr(&attrs, "mcc"), attr(&attrs, "mnc")) else {
                    return Err(self.cur.error(pos, "network-id without mcc and mnc".into()));
                };
                let (mcc, mnc) = (mcc.trim().to_owned(), mnc.trim().to_owned());
                if !is_digits(&mcc, 3, 3) {
                    return Err(self
                        .cur
                        .error(pos, format!("network-id mcc \"{mcc}\" is not 3 digits")));
                }
                if !is_digits(&mnc, 2, 3) {
                    return Err(self.cur.error(
                        pos,
                        format!("network-id mnc \"{mnc}\" is not 2 or 3 digits"),
                    ));
                }
                self.out.counts.network_ids += 1;
                let key = (mcc, mnc);
                let dup = self
                    .prov
                    .as_ref()
                    .is_some_and(|p| p.network_ids.contains(&key));
                if dup {
                    let m = format!(
                        "duplicate network-id {}-{} in one provider; stored once",
                        key.0, key.1
                    );
                    self.warn(pos, m);
                } else if let Some(p) = self.prov.as_mut() {
                    p.network_ids.push(key);
                }
            }
            "apn" => {
                let Some(value) = attr(&attrs, "value") else {
                    return Err(self.cur.error(pos, "apn without value attribute".into()));
                };
                self.out.counts.apns += 1;
                let trimmed = value.trim().to_owned();
                if trimmed != value {
                    self.warn(
                        pos,
                        format!("apn value {value:?} has surrounding whitespace; trimmed"),
                    );
                }
                self.apn = Some(ApnB {
                    value: trimmed,
                    ..ApnB::default()
                });
            }
            "usage" => {
                if let (Some(a), Some(t)) = (self.apn.as_mut(), attr(&attrs, "type")) {
                    a.usage = Some(t.trim().to_owned());
                }
            }
            "plan" => {
                if let (Some(a), Some(t)) = (self.apn.as_mut(), attr(&attrs, "type")) {
                    a.plans.push(t.trim().to_owned());
                }
            }
            "authentication" => {
                let m = attr(&attrs, "method").map(|m| m.trim().to_ascii_lowercase());
                let auth = match m.as_deref() {
                    Some("chap") => Some(Auth::Chap),
                    Some("pap") => Some(Auth::Pap),
                    Some("none") => Some(Auth::None),
                    other => {
                        let m = format!("authentication method {other:?} unknown; ignored");
                        self.warn(pos, m);
                        None
                    }
                };
                if let Some(a) = self.apn.as_mut() {
                    a.auth = auth;
                }
            }
            "cdma" => {
                if let Some(p) = self.prov.as_mut() {
                    p.cdma = Some(CdmaB::default());
                }
            }
            "sid" => {
                let v = attr(&attrs, "value").map(str::trim).unwrap_or("");
                let Ok(sid) = v.parse::<i64>() else {
                    return Err(self
                        .cur
                        .error(pos, format!("sid value \"{v}\" is not a number")));
                };
                if !(0..=32767).contains(&sid) {
                    return Err(self
                        .cur
                        .error(pos, format!("sid value {sid} is out of range 0..=32767")));
                }
                self.out.counts.cdma_sids += 1;
                if let Some(c) = self.prov.as_mut().and_then(|p| p.cdma.as_mut()) {
                    c.sids.push(sid);
                }
            }
            "name" => {
                self.name_lang = attr(&attrs, "xml:lang").map(str::to_owned);
            }
            _ => {}
        }
        self.stack.push(name);
        Ok(())
    }

    fn end(&mut self, pos: u64) -> Result<(), ParseError> {
        let text = std::mem::take(&mut self.text).trim().to_owned();
        let parent = self.parent().map(str::to_owned);
        let Some(name) = self.stack.last().cloned() else {
            return Err(self
                .cur
                .error(pos, "closing tag without an open element".into()));
        };
        let some = |t: &str| (!t.is_empty()).then(|| t.to_owned());
        match (name.as_str(), parent.as_deref()) {
            ("name", Some("provider")) => {
                let lang = self.name_lang.take();
                if let Some(p) = self.prov.as_mut() {
                    match lang {
                        None if p.name.is_none() => p.name = some(&text),
                        Some(_) if p.alt_name.is_none() => p.alt_name = some(&text),
                        _ => {}
                    }
                }
            }
            ("name", Some("apn")) => {
                let lang = self.name_lang.take();
                if let Some(a) = self.apn.as_mut() {
                    match lang {
                        None if a.name.is_none() => a.name = some(&text),
                        Some(_) if a.alt_name.is_none() => a.alt_name = some(&text),
                        _ => {}
                    }
                }
            }
            ("gid1", _) => {
                if let Some(p) = self.prov.as_mut() {
                    p.gid1 = some(&text);
                }
            }
            (
                field @ ("username" | "password" | "dns" | "gateway" | "mmsc" | "mmsproxy"),
                Some("apn"),
            ) => {
                if let Some(a) = self.apn.as_mut() {
                    match field {
                        "username" => a.username = some(&text),
                        "password" => a.password = some(&text),
                        "dns" => a.dns.extend(some(&text)),
                        "gateway" => a.gateway = some(&text),
                        "mmsc" => a.mmsc = some(&text),
                        _ => a.mmsproxy = some(&text),
                    }
                }
            }
            ("mmsattachmentsize", Some("apn")) => {
                if let Some(a) = self.apn.as_mut() {
                    a.extra.push(format!("mmsattachmentsize={text}"));
                }
            }
            (field @ ("username" | "password" | "dns"), Some("cdma")) => {
                if let Some(c) = self.prov.as_mut().and_then(|p| p.cdma.as_mut()) {
                    match field {
                        "username" => c.username = some(&text),
                        "password" => c.password = some(&text),
                        _ => c.dns.extend(some(&text)),
                    }
                }
            }
            ("apn", _) => {
                if let (Some(a), Some(p)) = (self.apn.take(), self.prov.as_mut()) {
                    p.apns.push(a);
                }
            }
            ("provider", _) => {
                if let Some(p) = self.prov.take() {
                    self.emit(p);
                }
            }
            _ => {}
        }
        self.stack.pop();
        Ok(())
    }

    fn emit(&mut self, p: ProvB) {
        let provider = p.name.clone().or(p.alt_name.clone()).unwrap_or_default();
        let mvno = p.gid1.as_ref().map(|g| (MvnoType::Gid1, g.clone()));
        if p.network_ids.is_empty() && !p.apns.is_empty() {
            let m =
                format!("provider {provider:?} has no network-id; its APNs are found by name only");
            self.out.warnings.push(Warning {
                line: p.line,
                message: m,
            });
        }
        for a in &p.apns {
            let record = self.record;
            self.record += 1;
            let (purposes, explicit) = usage_purposes(a.usage.as_deref());
            if a.usage.is_some() && explicit && purposes == Purposes::default() {
                let m = format!("apn {:?}: usage {:?} unknown", a.value, a.usage);
                self.out.warnings.push(Warning {
                    line: p.line,
                    message: m,
                });
            }
            let plmns: Vec<(Option<String>, Option<String>)> = if p.network_ids.is_empty() {
                vec![(None, None)]
            } else {
                p.network_ids
                    .iter()
                    .map(|(c, n)| (Some(c.clone()), Some(n.clone())))
                    .collect()
            };
            let mut extra = a.extra.clone();
            if let Some(alt) = &a.alt_name {
                extra.push(format!("name_alt={alt}"));
            }
            if let Some(alt) = &p.alt_name {
                extra.push(format!("provider_alt={alt}"));
            }
            for (mcc, mnc) in plmns {
                let seq = self.out.rows.len() as i64;
                if mcc.is_some() {
                    self.out.counts.rows += 1;
                } else {
                    self.out.counts.rows_without_plmn += 1;
                }
                if mvno.is_some() {
                    self.out.counts.mvno_rows += 1;
                }
                self.out.rows.push(ApnRow {
                    seq,
                    record,
                    mcc,
                    mnc,
                    country: self.country.clone(),
                    provider: provider.clone(),
                    primary: p.primary,
                    apn: a.value.clone(),
                    name: a.name.clone().or(a.alt_name.clone()),
                    purposes,
                    types_explicit: explicit,
                    types_raw: a.usage.clone(),
                    plan: (!a.plans.is_empty()).then(|| a.plans.join(",")),
                    username: a.username.clone(),
                    password: a.password.clone(),
                    auth: a.auth,
                    ip_type: None,
                    roaming_ip_type: None,
                    mvno: mvno.clone(),
                    carrier_id: None,
                    network_types: None,
                    enabled: true,
                    mmsc: a.mmsc.clone(),
                    mmsproxy: a.mmsproxy.clone(),
                    mmsport: None,
                    proxy: None,
                    port: None,
                    dns: (!a.dns.is_empty()).then(|| a.dns.join(",")),
                    gateway: a.gateway.clone(),
                    extra: (!extra.is_empty()).then(|| extra.join("\n")),
                });
            }
        }
        if let Some(c) = p.cdma {
            for sid in c.sids {
                let seq = self.out.cdma.len() as i64;
                self.out.cdma.push(CdmaRow {
                    seq,
                    sid,
                    provider: provider.clone(),
                    country: self.country.clone(),
                    username: c.username.clone(),
                    password: c.password.clone(),
                    dns: (!c.dns.is_empty()).then(|| c.dns.join(",")),
                });
            }
        }
    }
}

/// MBPI `<usage type>` → purposes. Returns (purposes, explicit): an APN with
/// no usage serves everything by default (explicit = false), like Android's
/// untyped APNs; an unknown usage serves nothing.
pub(crate) fn usage_purposes(usage: Option<&str>) -> (Purposes, bool) {
    let mut p = Purposes::default();
    match usage {
        None | Some("") => return (Purposes::ALL, false),
        Some("internet") => p.insert(Purpose::Internet),
        Some("mms") => p.insert(Purpose::Mms),
        Some("wap") => p.insert(Purpose::Wap),
        Some("ia") => p.insert(Purpose::Ia),
        Some("mms-internet-hipri") => {
            p.insert(Purpose::Mms);
            p.insert(Purpose::Internet);
            p.insert(Purpose::Hipri);
        }
        Some("mms-internet-hipri-fota") => {
            p.insert(Purpose::Mms);
            p.insert(Purpose::Internet);
            p.insert(Purpose::Hipri);
            p.insert(Purpose::Fota);
        }
        Some(_) => {}
    }
    (p, true)
}
