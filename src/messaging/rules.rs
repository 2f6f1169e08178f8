//! Operator-message rules (windows-operator-formats.md §1.6): the
//! provisioning `Messages` element, which decides whether an incoming SMS or
//! network-initiated USSD is an operator (administrative) message and
//! extracts plan figures from it.
//!
//! * Loading: [`RuleSet::from_xml`] accepts a `Messages` element (any
//!   namespace prefix, alone or anywhere inside a larger provisioning
//!   document). Errors name the line and column.
//! * Regex dialect: Windows evaluates `Pattern` with an ECMAScript-like
//!   engine; the JavaScript match-all idiom `[^]` is rewritten to `[\s\S]`
//!   (the `regex` crate rejects it). Other ECMAScript-only constructs
//!   (lookaround, backreferences) are rejected with the position of the
//!   `Pattern` element. The pattern is searched for anywhere in the text
//!   (as ECMAScript `RegExp.exec` does); the first matching rule wins.
//! * Fields: the documented `Fields` children with 1-based `Group` numbers;
//!   as an mbimd extension, named groups `usage`, `usage_unit`, `limit`,
//!   `limit_unit`, `expiry` and `roaming` in the pattern fill the same
//!   values when no `Fields` child does (Windows has no expiry or roaming
//!   field).
//! * Usage inference when `Usage` is absent: percentage × limit, then
//!   overage + limit, then overage-percentage × limit + limit. The fourth
//!   documented formula is dimensionally inconsistent and is not applied.
//!
//! Lenient where the documents disagree (§10): `RuleId` accepted; `Locale`
//! in both `en-US` and `English_United States.1252` forms;
//! `UsageTimestamp` `%b` month names accepted; `UsageTimestamp` is not
//! required when `Usage*` fields exist. This module only matches text; it
//! does no I/O besides [`RuleSet::load`], and publishes nothing.

use quick_xml::events::{BytesStart, Event};
use regex::Regex;
use std::path::Path;

/// A rule file could not be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{source_name}:{line}:{column}: {message}")]
pub struct RuleError {
    /// File name (or `<string>`).
    pub source_name: String,
    /// 1-based line.
    pub line: usize,
    /// 1-based column (in characters).
    pub column: usize,
    /// What is wrong.
    pub message: String,
}

/// Which bearer a message came on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Bearer<'a> {
    /// An SMS from `sender` (displayed form, `+` for international), with
    /// its message class if the DCS gives one.
    Sms {
        /// The originating address.
        sender: &'a str,
        /// TS 23.038 message class.
        class: Option<u8>,
    },
    /// A network-initiated USSD notification or request.
    Ussd,
}

/// Cost class of the plan (`PlanType`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PlanType {
    /// No incremental cost.
    Unrestricted,
    /// Quota already paid for.
    Fixed,
    /// Billed per use.
    Variable,
}

/// A date/time read by a `UsageTimestamp` format; fields the format lacks
/// are `None` (the year: "the most recent occurrence", for the consumer to resolve).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RuleTimestamp {
    /// Four-digit year.
    pub year: Option<u16>,
    /// 1..=12.
    pub month: u8,
    /// 1..=31.
    pub day: u8,
    /// 0..=23.
    pub hour: u8,
    /// 0..=59.
    pub minute: u8,
    /// 0..=59.
    pub second: u8,
}

/// Values extracted from an operator message. Byte figures already have the
/// unit multiplier applied.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct OperatorValues {
    /// Bytes used against the limit (given or inferred).
    pub usage_bytes: Option<u64>,
    /// Percent of the limit used.
    pub usage_percentage: Option<f64>,
    /// Bytes beyond the limit.
    pub usage_overage_bytes: Option<u64>,
    /// Percent beyond the limit.
    pub usage_overage_percentage: Option<f64>,
    /// When the usage figure was valid.
    pub usage_timestamp: Option<RuleTimestamp>,
    /// The plan limit in bytes.
    pub data_limit_bytes: Option<u64>,
    /// Over the cap.
    pub over_data_limit: Option<bool>,
    /// Network congested: defer low-priority transfers.
    pub congested: Option<bool>,
    /// Re-fetch provisioning at the next maintenance window.
    pub refresh_provisioning: Option<bool>,
    /// Subscription activated: connect now.
    pub activation_complete: Option<bool>,
    /// Effective downlink speed (bits/s after unit).
    pub inbound_bandwidth: Option<u64>,
    /// Effective uplink speed.
    pub outbound_bandwidth: Option<u64>,
    /// Cost class.
    pub plan_type: Option<PlanType>,
    /// Plan expiry as written in the message (named group `expiry`).
    pub expiry: Option<String>,
    /// Roaming flag (named group `roaming` took part in the match).
    pub roaming: Option<bool>,
}

/// A matched rule.
#[derive(Debug, Clone, PartialEq)]
pub struct RuleMatch {
    /// `Message@RuleId`.
    pub rule_id: Option<String>,
    /// `Message@Silent`: hide from SMS clients.
    pub silent: bool,
    /// What was extracted.
    pub values: OperatorValues,
}

#[derive(Debug, Clone)]
struct SmsBearer {
    sender: Option<String>,
    class_zero_only: bool,
}

#[derive(Debug, Clone, Copy)]
struct NumberField {
    group: usize,
    unit_group: Option<usize>,
    default_unit: u64,
}

#[derive(Debug, Clone)]
struct BoolField {
    group: Option<usize>,
    true_token: Option<String>,
    false_token: Option<String>,
    default: bool,
}

#[derive(Debug, Clone)]
struct PlanTypeField {
    group: Option<usize>,
    default: Option<PlanType>,
    tokens: Vec<(PlanType, Vec<String>)>,
}

#[derive(Debug, Clone)]
struct TimestampField {
    group: usize,
    format: String,
    am: String,
    pm: String,
}

#[derive(Debug, Clone, Default)]
struct Fields {
    usage: Option<NumberField>,
    usage_percentage: Option<usize>,
    usage_overage: Option<NumberField>,
    usage_overage_percentage: Option<usize>,
    usage_timestamp: Option<TimestampField>,
    data_limit: Option<NumberField>,
    over_data_limit: Option<BoolField>,
    congested: Option<BoolField>,
    refresh_provisioning: Option<BoolField>,
    activation_complete: Option<BoolField>,
    inbound_bandwidth: Option<NumberField>,
    outbound_bandwidth: Option<NumberField>,
    plan_type: Option<PlanTypeField>,
}

/// One `Message` rule.
#[derive(Debug, Clone)]
pub struct Rule {
    rule_id: Option<String>,
    silent: bool,
    sms: Vec<SmsBearer>,
    ussd: bool,
    pattern: Regex,
    decimal_comma: bool,
    units: Vec<(String, u64)>,
    fields: Fields,
}

/// An ordered set of rules (first match wins).
#[derive(Debug, Clone, Default)]
pub struct RuleSet {
    rules: Vec<Rule>,
    /// The document the rules were read from, kept so a holder can persist
    /// exactly what was loaded.
    xml: Option<std::sync::Arc<str>>,
}

impl RuleSet {
    /// No rules: nothing is an operator message.
    pub fn empty() -> Self {
        Self::default()
    }

    /// Number of rules.
    pub fn len(&self) -> usize {
        self.rules.len()
    }

    /// Whether there are no rules.
    pub fn is_empty(&self) -> bool {
        self.rules.is_empty()
    }

    /// The rule ids in order (`None` for rules without one).
    pub fn rule_ids(&self) -> Vec<Option<String>> {
        self.rules.iter().map(|r| r.rule_id.clone()).collect()
    }

    /// The XML the rules were parsed from (`None` for [`RuleSet::empty`]).
    pub fn xml(&self) -> Option<&str> {
        self.xml.as_deref()
    }

    /// Load a rule file.
    pub fn load(path: &Path) -> Result<Self, RuleError> {
        let name = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|e| RuleError {
            source_name: name.clone(),
            line: 0,
            column: 0,
            message: e.to_string(),
        })?;
        Self::from_xml(&text, &name)
    }

    /// Parse the first `Messages` element in `xml`.
    pub fn from_xml(xml: &str, source_name: &str) -> Result<Self, RuleError> {
        let mut set = Parser {
            xml,
            source_name,
            reader: quick_xml::Reader::from_str(xml),
        }
        .parse()?;
        set.xml = Some(std::sync::Arc::from(xml));
        Ok(set)
    }

    /// Find the first rule whose bearer and pattern match.
    pub fn classify(&self, bearer: &Bearer<'_>, text: &str) -> Option<RuleMatch> {
        self.rules.iter().find_map(|r| r.apply(bearer, text))
    }
}

impl Rule {
    fn bearer_matches(&self, bearer: &Bearer<'_>) -> bool {
        match bearer {
            Bearer::Ussd => self.ussd,
            Bearer::Sms { sender, class } => self.sms.iter().any(|b| {
                b.sender.as_deref().is_none_or(|s| s == *sender)
                    && (!b.class_zero_only || *class == Some(0))
            }),
        }
    }

    fn apply(&self, bearer: &Bearer<'_>, text: &str) -> Option<RuleMatch> {
        if !self.bearer_matches(bearer) {
            return None;
        }
        let caps = self.pattern.captures(text)?;
        let group = |g: usize| caps.get(g).map(|m| m.as_str());
        let named = |n: &str| caps.name(n).map(|m| m.as_str());
        let f = &self.fields;
        let number = |nf: &Option<NumberField>| {
            nf.and_then(|nf| {
                let v = self.parse_number(group(nf.group)?)?;
                let unit = nf
                    .unit_group
                    .and_then(group)
                    .and_then(|u| self.unit(u))
                    .unwrap_or(nf.default_unit);
                to_bytes(v, unit)
            })
        };
        let percent = |g: &Option<usize>| g.and_then(|g| self.parse_number(group(g)?));
        let boolean = |bf: &Option<BoolField>| {
            bf.as_ref().map(|bf| {
                let t = bf.group.and_then(group).map(str::trim);
                match t {
                    Some(t) if bf.true_token.as_deref().is_some_and(|x| x == t) => true,
                    Some(t) if bf.false_token.as_deref().is_some_and(|x| x == t) => false,
                    // With a group but no tokens, the group taking part is "true".
                    Some(t) if bf.true_token.is_none() && bf.false_token.is_none() => !t.is_empty(),
                    _ => bf.default,
                }
            })
        };
        let named_number = |value: &str, unit: &str| {
            let v = self.parse_number(named(value)?)?;
            let unit = named(unit).and_then(|u| self.unit(u)).unwrap_or(1);
            to_bytes(v, unit)
        };
        let mut values = OperatorValues {
            usage_bytes: number(&f.usage).or_else(|| named_number("usage", "usage_unit")),
            usage_percentage: percent(&f.usage_percentage),
            usage_overage_bytes: number(&f.usage_overage),
            usage_overage_percentage: percent(&f.usage_overage_percentage),
            usage_timestamp: f
                .usage_timestamp
                .as_ref()
                .and_then(|t| parse_timestamp(group(t.group)?, &t.format, &t.am, &t.pm)),
            data_limit_bytes: number(&f.data_limit).or_else(|| named_number("limit", "limit_unit")),
            over_data_limit: boolean(&f.over_data_limit),
            congested: boolean(&f.congested),
            refresh_provisioning: boolean(&f.refresh_provisioning),
            activation_complete: boolean(&f.activation_complete),
            inbound_bandwidth: number(&f.inbound_bandwidth),
            outbound_bandwidth: number(&f.outbound_bandwidth),
            plan_type: f.plan_type.as_ref().and_then(|p| {
                let t = p.group.and_then(group).map(str::trim);
                t.and_then(|t| {
                    p.tokens
                        .iter()
                        .find(|(_, toks)| toks.iter().any(|x| x == t))
                        .map(|(k, _)| *k)
                })
                .or(p.default)
            }),
            expiry: named("expiry").map(str::to_owned),
            roaming: self
                .pattern
                .capture_names()
                .any(|n| n == Some("roaming"))
                .then(|| caps.name("roaming").is_some()),
        };
        if values.usage_bytes.is_none()
            && let Some(limit) = values.data_limit_bytes
        {
            let limit_f = limit as f64;
            values.usage_bytes = values
                .usage_percentage
                .map(|p| (p / 100.0 * limit_f) as u64)
                .or_else(|| values.usage_overage_bytes.map(|o| o.saturating_add(limit)))
                .or_else(|| {
                    values
                        .usage_overage_percentage
                        .map(|p| (p / 100.0 * limit_f) as u64 + limit)
                });
        }
        Some(RuleMatch {
            rule_id: self.rule_id.clone(),
            silent: self.silent,
            values,
        })
    }

    /// Parse a number per the rule's locale: thousands separators dropped,
    /// the locale's decimal separator honoured.
    fn parse_number(&self, s: &str) -> Option<f64> {
        let (decimal, thousands) = if self.decimal_comma {
            (',', ['.', ' ', '\u{a0}'])
        } else {
            ('.', [',', ' ', '\u{a0}'])
        };
        let cleaned: String = s
            .trim()
            .chars()
            .filter(|c| !thousands.contains(c))
            .map(|c| if c == decimal { '.' } else { c })
            .collect();
        cleaned.parse::<f64>().ok().filter(|v| v.is_finite())
    }

    fn unit(&self, token: &str) -> Option<u64> {
        let t = token.trim();
        self.units.iter().find(|(k, _)| k == t).map(|(_, m)| *m)
    }
}

fn to_bytes(v: f64, unit: u64) -> Option<u64> {
    let b = v * unit as f64;
    (b >= 0.0 && b < u64::MAX as f64).then_some(b.round() as u64)
}

const MONTHS: [&str; 12] = [
    "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
];

/// Read `text` with a `UsageTimestamp` format (strftime subset, `%#x` =
/// without leading zeros, `%b` month abbreviation as an extension).
fn parse_timestamp(text: &str, format: &str, am: &str, pm: &str) -> Option<RuleTimestamp> {
    let mut t = RuleTimestamp::default();
    let mut rest = text.trim();
    let mut fmt = format.chars().peekable();
    let mut pm_flag: Option<bool> = None;
    let mut hour12 = false;
    let digits = |rest: &mut &str, max: usize| -> Option<u32> {
        let n = rest
            .char_indices()
            .take(max)
            .take_while(|(_, c)| c.is_ascii_digit())
            .count();
        if n == 0 {
            return None;
        }
        let (d, r) = rest.split_at(n);
        *rest = r;
        d.parse().ok()
    };
    while let Some(c) = fmt.next() {
        if c != '%' {
            if c.is_whitespace() {
                rest = rest.trim_start();
            } else {
                rest = rest.strip_prefix(c)?;
            }
            continue;
        }
        if fmt.peek() == Some(&'#') {
            fmt.next();
        }
        let spec = fmt.next()?;
        match spec {
            'd' => t.day = u8::try_from(digits(&mut rest, 2)?).ok()?,
            'm' => t.month = u8::try_from(digits(&mut rest, 2)?).ok()?,
            'H' => t.hour = u8::try_from(digits(&mut rest, 2)?).ok()?,
            'I' => {
                t.hour = u8::try_from(digits(&mut rest, 2)?).ok()?;
                hour12 = true;
            }
            'M' => t.minute = u8::try_from(digits(&mut rest, 2)?).ok()?,
            'S' => t.second = u8::try_from(digits(&mut rest, 2)?).ok()?,
            'y' => t.year = Some(2000 + u16::try_from(digits(&mut rest, 2)?).ok()?),
            'Y' => t.year = Some(u16::try_from(digits(&mut rest, 4)?).ok()?),
            'p' => {
                let up = rest.to_uppercase();
                if !am.is_empty() && up.starts_with(&am.to_uppercase()) {
                    pm_flag = Some(false);
                    rest = rest.get(am.len()..)?;
                } else if !pm.is_empty() && up.starts_with(&pm.to_uppercase()) {
                    pm_flag = Some(true);
                    rest = rest.get(pm.len()..)?;
                } else {
                    return None;
                }
            }
            'b' => {
                let head: String = rest.chars().take(3).collect::<String>().to_lowercase();
                let m = MONTHS.iter().position(|x| *x == head)?;
                t.month = u8::try_from(m + 1).ok()?;
                rest = rest.trim_start_matches(|c: char| c.is_alphabetic());
            }
            '%' => rest = rest.strip_prefix('%')?,
            _ => return None,
        }
    }
    if hour12 {
        if !(1..=12).contains(&t.hour) {
            return None;
        }
        t.hour %= 12;
        if pm_flag == Some(true) {
            t.hour += 12;
        }
    }
    let valid = (1..=12).contains(&t.month)
        && (1..=31).contains(&t.day)
        && t.hour < 24
        && t.minute < 60
        && t.second < 60;
    valid.then_some(t)
}

/// Rewrite ECMAScript-only syntax the `regex` crate lacks: `[^]` (any
/// character, newlines included) becomes `[\s\S]`.
pub fn translate_ecmascript(pattern: &str) -> String {
    let mut out = String::with_capacity(pattern.len() + 8);
    let mut chars = pattern.chars().peekable();
    let mut in_class = false;
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                out.push(c);
                if let Some(n) = chars.next() {
                    out.push(n);
                }
            }
            '[' if !in_class => {
                let mut look = chars.clone();
                if look.next() == Some('^') && look.next() == Some(']') {
                    chars.next();
                    chars.next();
                    out.push_str(r"[\s\S]");
                } else {
                    in_class = true;
                    out.push(c);
                    // A `]` right after `[` or `[^` is literal in the regex crate.
                    if chars.peek() == Some(&'^') {
                        out.push('^');
                        chars.next();
                    }
                    if chars.peek() == Some(&']') {
                        out.push_str(r"\]");
                        chars.next();
                    }
                }
            }
            ']' if in_class => {
                in_class = false;
                out.push(c);
            }
            _ => out.push(c),
        }
    }
    out
}

fn unit_multiplier(name: &str) -> Option<u64> {
    Some(match name {
        "None" => 1,
        "K" => 1_000,
        "M" => 1_000_000,
        "G" => 1_000_000_000,
        "T" => 1_000_000_000_000,
        "Ki" => 1 << 10,
        "Mi" => 1 << 20,
        "Gi" => 1 << 30,
        "Ti" => 1 << 40,
        _ => return None,
    })
}

/// Locales whose decimal separator is a comma (language part of `en-US`
/// or of the C-runtime form `German_Germany.1252`).
fn decimal_comma(locale: &str) -> bool {
    let lang = locale
        .split(['-', '_', '.'])
        .next()
        .unwrap_or("")
        .to_lowercase();
    matches!(
        lang.as_str(),
        "de" | "german"
            | "fr"
            | "french"
            | "es"
            | "spanish"
            | "it"
            | "italian"
            | "pt"
            | "portuguese"
            | "nl"
            | "dutch"
            | "ru"
            | "russian"
            | "pl"
            | "polish"
            | "sv"
            | "swedish"
            | "da"
            | "danish"
            | "fi"
            | "finnish"
            | "nb"
            | "no"
            | "norwegian"
            | "cs"
            | "czech"
            | "tr"
            | "turkish"
            | "id"
            | "indonesian"
            | "vi"
            | "vietnamese"
    )
}

struct Parser<'a> {
    xml: &'a str,
    source_name: &'a str,
    reader: quick_xml::Reader<&'a [u8]>,
}

#[derive(Default)]
struct MessageBuilder {
    at: usize,
    rule_id: Option<String>,
    silent: bool,
    sms: Vec<SmsBearer>,
    ussd: bool,
    pattern: Option<(String, usize)>,
    locale: Option<String>,
    units: Vec<(String, u64)>,
    fields: Fields,
}

impl<'a> Parser<'a> {
    fn error_at(&self, offset: usize, message: impl Into<String>) -> RuleError {
        let offset = offset.min(self.xml.len());
        let before = self.xml.get(..offset).unwrap_or(self.xml);
        let line = before.matches('\n').count() + 1;
        let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
        RuleError {
            source_name: self.source_name.to_owned(),
            line,
            column,
            message: message.into(),
        }
    }

    fn pos(&self) -> usize {
        usize::try_from(self.reader.buffer_position()).unwrap_or(usize::MAX)
    }

    fn attrs(&self, e: &BytesStart<'_>, at: usize) -> Result<Vec<(String, String)>, RuleError> {
        e.attributes()
            .map(|a| {
                let a = a.map_err(|err| self.error_at(at, format!("bad attribute: {err}")))?;
                let key = a.key.local_name().as_ref().to_owned();
                let value = a
                    .normalized_value(quick_xml::XmlVersion::Implicit1_0)
                    .map_err(|err| self.error_at(at, format!("bad attribute {key}: {err}")))?
                    .into_owned();
                Ok((key, value))
            })
            .collect()
    }

    fn parse(mut self) -> Result<RuleSet, RuleError> {
        // Find <Messages>.
        loop {
            let at = self.pos();
            match self.reader.read_event() {
                Ok(Event::Start(e)) if e.local_name().as_ref() == "Messages" => break,
                Ok(Event::Empty(e)) if e.local_name().as_ref() == "Messages" => {
                    return Err(self.error_at(at, "Messages needs at least one Message"));
                }
                Ok(Event::Eof) => return Err(self.error_at(at, "no Messages element")),
                Ok(_) => {}
                Err(e) => return Err(self.error_at(self.err_pos(), e.to_string())),
            }
        }
        let mut rules = Vec::new();
        loop {
            let at = self.pos();
            match self.reader.read_event() {
                Ok(Event::Start(e)) if e.local_name().as_ref() == "Message" => {
                    let b = self.message_start(&e, at)?;
                    rules.push(self.message_body(b)?);
                }
                Ok(Event::Empty(e)) if e.local_name().as_ref() == "Message" => {
                    return Err(self.error_at(at, "Message needs a bearer and a Pattern"));
                }
                Ok(Event::Start(e) | Event::Empty(e)) => {
                    let name = e.local_name().as_ref().to_owned();
                    return Err(self.error_at(at, format!("unexpected element {name} in Messages")));
                }
                Ok(Event::End(_)) => break,
                Ok(Event::Eof) => return Err(self.error_at(at, "Messages is not closed")),
                Ok(_) => {}
                Err(e) => return Err(self.error_at(self.err_pos(), e.to_string())),
            }
        }
        if rules.is_empty() {
            return Err(self.error_at(self.pos(), "Messages needs at least one Message"));
        }
        Ok(RuleSet { rules, xml: None })
    }

    fn err_pos(&self) -> usize {
        usize::try_from(self.reader.error_position()).unwrap_or(usize::MAX)
    }

    fn message_start(&self, e: &BytesStart<'_>, at: usize) -> Result<MessageBuilder, RuleError> {
        let mut b = MessageBuilder {
            at,
            silent: true,
            ..MessageBuilder::default()
        };
        for (k, v) in self.attrs(e, at)? {
            match k.as_str() {
                "Silent" => b.silent = self.boolean(&v, at, "Silent")?,
                "RuleId" => b.rule_id = Some(v),
                _ => {}
            }
        }
        Ok(b)
    }

    fn boolean(&self, v: &str, at: usize, what: &str) -> Result<bool, RuleError> {
        match v.trim() {
            "true" | "1" => Ok(true),
            "false" | "0" => Ok(false),
            _ => Err(self.error_at(at, format!("{what}: {v:?} is not a boolean"))),
        }
    }

    fn group(&self, v: &str, at: usize, what: &str) -> Result<usize, RuleError> {
        v.trim()
            .parse::<usize>()
            .ok()
            .filter(|g| *g >= 1)
            .ok_or_else(|| self.error_at(at, format!("{what}: {v:?} is not a group number (1…)")))
    }

    /// Text content up to the end of the current element (entities resolved).
    fn text_until_end(&mut self, at: usize) -> Result<String, RuleError> {
        let mut s = String::new();
        loop {
            match self.reader.read_event() {
                Ok(Event::Text(t)) => s.push_str(&t.xml10_content()),
                Ok(Event::CData(t)) => s.push_str(&t.xml10_content()),
                Ok(Event::GeneralRef(r)) => {
                    let name = r.xml10_content();
                    if let Ok(Some(c)) = r.resolve_char_ref() {
                        s.push(c);
                    } else if let Some(v) = quick_xml::escape::resolve_predefined_entity(&name) {
                        s.push_str(v);
                    } else {
                        return Err(self.error_at(at, format!("unknown entity &{name};")));
                    }
                }
                Ok(Event::Comment(_)) => {}
                Ok(Event::End(_)) => return Ok(s),
                Ok(Event::Eof) => return Err(self.error_at(at, "element is not closed")),
                Ok(_) => return Err(self.error_at(at, "element must contain text only")),
                Err(e) => return Err(self.error_at(self.err_pos(), e.to_string())),
            }
        }
    }

    fn message_body(&mut self, mut b: MessageBuilder) -> Result<Rule, RuleError> {
        loop {
            let at = self.pos();
            let (e, empty) = match self.reader.read_event() {
                Ok(Event::Start(e)) => (e.into_owned(), false),
                Ok(Event::Empty(e)) => (e.into_owned(), true),
                Ok(Event::End(_)) => break,
                Ok(Event::Eof) => return Err(self.error_at(at, "Message is not closed")),
                Ok(_) => continue,
                Err(e) => return Err(self.error_at(self.err_pos(), e.to_string())),
            };
            let name = e.local_name().as_ref().to_owned();
            let attrs = self.attrs(&e, at)?;
            match name.as_str() {
                "SMSBearer" => {
                    let mut sb = SmsBearer {
                        sender: None,
                        class_zero_only: true,
                    };
                    for (k, v) in attrs {
                        match k.as_str() {
                            "Sender" => sb.sender = Some(v.trim().to_owned()),
                            "ClassZeroOnly" => {
                                sb.class_zero_only = self.boolean(&v, at, "ClassZeroOnly")?
                            }
                            _ => {}
                        }
                    }
                    b.sms.push(sb);
                }
                "USSDBearer" => b.ussd = true,
                "Pattern" | "Locale" => {
                    let text = if empty {
                        String::new()
                    } else {
                        self.text_until_end(at)?
                    };
                    if name == "Pattern" {
                        b.pattern = Some((text, at));
                    } else {
                        b.locale = Some(text.trim().to_owned());
                    }
                    continue;
                }
                "Units" => {
                    for (k, v) in attrs {
                        let m = unit_multiplier(&k).ok_or_else(|| {
                            self.error_at(at, format!("Units: unknown unit attribute {k}"))
                        })?;
                        for tok in v.split_whitespace() {
                            b.units.push((tok.to_owned(), m));
                        }
                    }
                }
                "Fields" => {
                    if !empty {
                        self.fields(&mut b.fields)?;
                    }
                    continue;
                }
                other => {
                    return Err(self.error_at(at, format!("unexpected element {other} in Message")));
                }
            }
            if !empty {
                self.skip_to_end(at)?;
            }
        }
        let Some((source, pat_at)) = b.pattern else {
            return Err(self.error_at(b.at, "Message has no Pattern"));
        };
        if b.sms.is_empty() && !b.ussd {
            return Err(self.error_at(b.at, "Message has no SMSBearer or USSDBearer"));
        }
        let pattern = Regex::new(&translate_ecmascript(&source))
            .map_err(|e| self.error_at(pat_at, format!("Pattern does not compile: {e}")))?;
        let groups = pattern.captures_len() - 1;
        let check = |g: Option<usize>, what: &str| match g {
            Some(g) if g > groups => Err(self.error_at(
                b.at,
                format!("{what} refers to group {g}; the Pattern has {groups}"),
            )),
            _ => Ok(()),
        };
        let f = &b.fields;
        for (nf, what) in [
            (&f.usage, "Usage"),
            (&f.usage_overage, "UsageOverage"),
            (&f.data_limit, "DataLimit"),
            (&f.inbound_bandwidth, "InboundBandwidth"),
            (&f.outbound_bandwidth, "OutboundBandwidth"),
        ] {
            if let Some(nf) = nf {
                check(Some(nf.group), what)?;
                check(nf.unit_group, what)?;
            }
        }
        check(f.usage_percentage, "UsagePercentage")?;
        check(f.usage_overage_percentage, "UsageOveragePercentage")?;
        check(
            f.usage_timestamp.as_ref().map(|t| t.group),
            "UsageTimestamp",
        )?;
        for (bf, what) in [
            (&f.over_data_limit, "OverDataLimit"),
            (&f.congested, "Congested"),
            (&f.refresh_provisioning, "RefreshProvisioning"),
            (&f.activation_complete, "ActivationComplete"),
        ] {
            check(bf.as_ref().and_then(|b| b.group), what)?;
        }
        check(f.plan_type.as_ref().and_then(|p| p.group), "PlanType")?;
        Ok(Rule {
            rule_id: b.rule_id,
            silent: b.silent,
            sms: b.sms,
            ussd: b.ussd,
            pattern,
            decimal_comma: b.locale.as_deref().is_some_and(decimal_comma),
            units: b.units,
            fields: b.fields,
        })
    }

    fn skip_to_end(&mut self, at: usize) -> Result<(), RuleError> {
        let mut depth = 0usize;
        loop {
            match self.reader.read_event() {
                Ok(Event::Start(_)) => depth += 1,
                Ok(Event::End(_)) if depth == 0 => return Ok(()),
                Ok(Event::End(_)) => depth -= 1,
                Ok(Event::Eof) => return Err(self.error_at(at, "element is not closed")),
                Ok(_) => {}
                Err(e) => return Err(self.error_at(self.err_pos(), e.to_string())),
            }
        }
    }

    fn fields(&mut self, f: &mut Fields) -> Result<(), RuleError> {
        loop {
            let at = self.pos();
            let (e, empty) = match self.reader.read_event() {
                Ok(Event::Start(e)) => (e.into_owned(), false),
                Ok(Event::Empty(e)) => (e.into_owned(), true),
                Ok(Event::End(_)) => return Ok(()),
                Ok(Event::Eof) => return Err(self.error_at(at, "Fields is not closed")),
                Ok(_) => continue,
                Err(e) => return Err(self.error_at(self.err_pos(), e.to_string())),
            };
            let name = e.local_name().as_ref().to_owned();
            let attrs = self.attrs(&e, at)?;
            let get = |k: &str| attrs.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
            let req_group = |what: &str| {
                get("Group")
                    .ok_or_else(|| self.error_at(at, format!("{what} needs a Group attribute")))
                    .and_then(|g| self.group(g, at, what))
            };
            let opt_group = |what: &str| get("Group").map(|g| self.group(g, at, what)).transpose();
            let number = |what: &str| -> Result<NumberField, RuleError> {
                Ok(NumberField {
                    group: req_group(what)?,
                    unit_group: get("UnitGroup")
                        .map(|g| self.group(g, at, "UnitGroup"))
                        .transpose()?,
                    default_unit: match get("DefaultUnit") {
                        None => 1,
                        Some(u) => unit_multiplier(u.trim()).ok_or_else(|| {
                            self.error_at(at, format!("{what}: unknown DefaultUnit {u:?}"))
                        })?,
                    },
                })
            };
            let boolean = |what: &str| -> Result<BoolField, RuleError> {
                Ok(BoolField {
                    group: opt_group(what)?,
                    true_token: get("TrueToken").map(|s| s.trim().to_owned()),
                    false_token: get("FalseToken").map(|s| s.trim().to_owned()),
                    default: get("Default")
                        .map(|d| self.boolean(d, at, "Default"))
                        .transpose()?
                        .unwrap_or(false),
                })
            };
            match name.as_str() {
                "Usage" => f.usage = Some(number(&name)?),
                "UsageOverage" => f.usage_overage = Some(number(&name)?),
                "DataLimit" => f.data_limit = Some(number(&name)?),
                "InboundBandwidth" => f.inbound_bandwidth = Some(number(&name)?),
                "OutboundBandwidth" => f.outbound_bandwidth = Some(number(&name)?),
                "UsagePercentage" => f.usage_percentage = Some(req_group(&name)?),
                "UsageOveragePercentage" => f.usage_overage_percentage = Some(req_group(&name)?),
                "UsageTimestamp" => {
                    f.usage_timestamp = Some(TimestampField {
                        group: req_group(&name)?,
                        format: get("Format")
                            .ok_or_else(|| {
                                self.error_at(at, "UsageTimestamp needs a Format attribute")
                            })?
                            .to_owned(),
                        am: get("AmToken").unwrap_or("AM").to_owned(),
                        pm: get("PmToken").unwrap_or("PM").to_owned(),
                    })
                }
                "OverDataLimit" => f.over_data_limit = Some(boolean(&name)?),
                "Congested" => f.congested = Some(boolean(&name)?),
                "RefreshProvisioning" => f.refresh_provisioning = Some(boolean(&name)?),
                "ActivationComplete" => f.activation_complete = Some(boolean(&name)?),
                "PlanType" => {
                    let plan = |s: &str| match s.trim() {
                        "Unrestricted" => Ok(PlanType::Unrestricted),
                        "Fixed" => Ok(PlanType::Fixed),
                        "Variable" => Ok(PlanType::Variable),
                        other => Err(self.error_at(at, format!("unknown PlanType {other:?}"))),
                    };
                    let toks = |k: &str| {
                        get(k)
                            .map(|v| v.split_whitespace().map(str::to_owned).collect())
                            .unwrap_or_default()
                    };
                    f.plan_type = Some(PlanTypeField {
                        group: opt_group(&name)?,
                        default: get("Default").map(plan).transpose()?,
                        tokens: vec![
                            (PlanType::Unrestricted, toks("UnrestrictedTokens")),
                            (PlanType::Fixed, toks("FixedTokens")),
                            (PlanType::Variable, toks("VariableTokens")),
                        ],
                    });
                }
                other => {
                    return Err(self.error_at(at, format!("unknown field {other}")));
                }
            }
            if !empty {
                self.skip_to_end(at)?;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn javascript_match_all_is_rewritten_outside_classes_only() {
        assert_eq!(translate_ecmascript("a[^]*b"), r"a[\s\S]*b");
        assert_eq!(translate_ecmascript(r"\[^]"), r"\[^]");
        assert_eq!(translate_ecmascript("[^a]x"), "[^a]x");
        assert!(Regex::new(&translate_ecmascript("[^]*Balance[^]*")).is_ok());
    }

    #[test]
    fn timestamp_formats_read_12_hour_clock_and_month_names() {
        let t = parse_timestamp("11/25 3:07 PM", "%m/%d %#I:%M %p", "AM", "PM").unwrap();
        assert_eq!(
            (t.month, t.day, t.hour, t.minute, t.year),
            (11, 25, 15, 7, None)
        );
        let t = parse_timestamp("05 Dec 2026", "%d %b %Y", "AM", "PM").unwrap();
        assert_eq!((t.month, t.day, t.year), (12, 5, Some(2026)));
        assert!(parse_timestamp("13/40", "%m/%d", "AM", "PM").is_none());
    }

    #[test]
    fn german_locale_reads_decimal_commas() {
        assert!(decimal_comma("de-DE"));
        assert!(decimal_comma("German_Germany.1252"));
        assert!(!decimal_comma("English_United States.1252"));
    }
}
