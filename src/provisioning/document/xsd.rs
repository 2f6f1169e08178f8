//! The XML Schema machinery the section modules share: a validation context
//! that collects errors with their position, a cursor that walks a
//! `xs:sequence` of child elements, wildcard (`xs:any`) handling, and the
//! built-in simple types with the facets the CarrierControl schemas use
//! (XML Schema 1.0 Part 2: lexical spaces, `whiteSpace`, lengths in
//! characters, ranges, the schema regex classes `\w` and `\d`).
//!
//! It knows no element of the CarrierControl schema itself.
use crate::calendar::{days_from_civil, is_leap};

use super::DocError;
use super::tree::{Node, XSI, is_xml_space, line_column};
use std::collections::HashSet;

/// `xs:any` processing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Process {
    /// The element must have a global declaration (XSD default).
    Strict,
    /// Validate when a declaration exists, else skip (children laxly).
    Lax,
}

/// Validation state: the document text (for positions) and the errors so far.
#[derive(Debug)]
pub struct Ctx<'a> {
    /// The document.
    pub xml: &'a str,
    /// Errors in document order of discovery.
    pub errors: Vec<DocError>,
    /// `xs:ID` values seen.
    ids: HashSet<String>,
}

impl<'a> Ctx<'a> {
    /// A context for `xml`.
    pub fn new(xml: &'a str) -> Self {
        Ctx {
            xml,
            errors: Vec::new(),
            ids: HashSet::new(),
        }
    }

    /// Record an error at `node`'s start tag.
    pub fn err(&mut self, node: &Node, message: impl Into<String>) {
        let (line, column) = line_column(self.xml, node.span.start);
        self.errors.push(DocError {
            line,
            column,
            element: node.name.clone(),
            message: message.into(),
        });
    }

    /// Check that `node` carries only the unqualified attributes `allowed`
    /// (plus `xsi:schemaLocation`-style hints).
    pub fn attrs(&mut self, node: &Node, allowed: &[&str]) {
        for a in &node.attrs {
            let ok = match a.ns.as_deref() {
                None => allowed.contains(&a.name.as_str()),
                Some(XSI) => matches!(
                    a.name.as_str(),
                    "schemaLocation" | "noNamespaceSchemaLocation"
                ),
                Some(_) => false,
            };
            if !ok {
                let q = match &a.ns {
                    Some(ns) => format!("{{{ns}}}{}", a.name),
                    None => a.name.clone(),
                };
                self.err(
                    node,
                    format!("attribute {q} is not allowed on {}", node.name),
                );
            }
        }
    }

    /// Element-only content: no character data besides white space.
    pub fn element_only(&mut self, node: &Node) {
        if node.has_text() {
            self.err(node, format!("{} must not contain text", node.name));
        }
    }

    /// Simple content: no child elements; the raw text.
    pub fn simple<'n>(&mut self, node: &'n Node) -> &'n str {
        if let Some(c) = node.children.first() {
            self.err(c, format!("{} must contain text only", node.name));
        }
        &node.text
    }

    /// An empty element (attributes only).
    pub fn empty(&mut self, node: &Node) {
        self.element_only(node);
        if let Some(c) = node.children.first() {
            self.err(c, format!("{} must be empty", node.name));
        }
    }

    /// A cursor over `node`'s children (element-only content is checked).
    pub fn seq<'n>(&mut self, node: &'n Node) -> Seq<'n> {
        self.element_only(node);
        Seq::mixed(node)
    }

    /// An `xs:ID` attribute value: an NCName, unique in the document.
    pub fn id(&mut self, node: &Node, value: &str) {
        let v = collapse(value);
        if !is_ncname(&v) {
            self.err(node, format!("Id {v:?} is not an NCName"));
        } else if !self.ids.insert(v.clone()) {
            self.err(node, format!("Id {v:?} is used twice"));
        }
    }

    /// A simple value failed its type: record `what` with the value.
    pub fn bad_value(&mut self, node: &Node, what: &str, value: &str) {
        self.err(node, format!("{value:?} is not a valid {what}"));
    }
}

/// Walks an element's children as an `xs:sequence`.
#[derive(Debug)]
pub struct Seq<'n> {
    parent: &'n Node,
    i: usize,
}

impl<'n> Seq<'n> {
    /// A cursor that does not check for text (mixed content).
    pub fn mixed(parent: &'n Node) -> Self {
        Seq { parent, i: 0 }
    }

    /// The next child, not consumed.
    pub fn peek(&self) -> Option<&'n Node> {
        self.parent.children.get(self.i)
    }

    /// Take the next child, whatever it is.
    pub fn take(&mut self) -> Option<&'n Node> {
        let n = self.peek()?;
        self.i += 1;
        Some(n)
    }

    /// Take the next child if it is `{ns}name`.
    pub fn opt(&mut self, ns: &str, name: &str) -> Option<&'n Node> {
        self.opt_any(&[ns], name)
    }

    /// Take the next child if its name is `name` in one of `ns`.
    pub fn opt_any(&mut self, ns: &[&str], name: &str) -> Option<&'n Node> {
        let n = self.peek()?;
        if n.name == name && ns.iter().any(|x| n.ns.as_deref() == Some(*x)) {
            self.i += 1;
            Some(n)
        } else {
            None
        }
    }

    /// Take the required child `{ns}name`, or record what is wrong.
    pub fn req(&mut self, cx: &mut Ctx<'_>, ns: &str, name: &str) -> Option<&'n Node> {
        self.req_any(cx, &[ns], name)
    }

    /// [`Seq::req`] accepting the name in any of `ns`.
    pub fn req_any(&mut self, cx: &mut Ctx<'_>, ns: &[&str], name: &str) -> Option<&'n Node> {
        if let Some(n) = self.opt_any(ns, name) {
            return Some(n);
        }
        self.missing(cx, name);
        None
    }

    /// Record that `name` was expected here.
    pub fn missing(&mut self, cx: &mut Ctx<'_>, name: &str) {
        match self.peek() {
            Some(n) => cx.err(n, format!("unexpected element {}; expected {name}", n.name)),
            None => cx.err(
                self.parent,
                format!(
                    "{} is missing the required element {name}",
                    self.parent.name
                ),
            ),
        }
    }

    /// Take every consecutive child `{ns}name`.
    pub fn many(&mut self, ns: &str, name: &str) -> Vec<&'n Node> {
        let mut v = Vec::new();
        while let Some(n) = self.opt(ns, name) {
            v.push(n);
        }
        v
    }

    /// Take `min..=max` consecutive `{ns}name` children, recording a count error.
    pub fn count(
        &mut self,
        cx: &mut Ctx<'_>,
        ns: &str,
        name: &str,
        min: usize,
        max: usize,
    ) -> Vec<&'n Node> {
        let v = self.many(ns, name);
        if v.len() < min {
            self.missing(cx, name);
        } else if v.len() > max
            && let Some(extra) = v.get(max)
        {
            cx.err(
                extra,
                format!(
                    "at most {max} {name} elements are allowed in {}",
                    self.parent.name
                ),
            );
        }
        v
    }

    /// Take every consecutive child in a namespace other than `target` (an
    /// `xs:any namespace="##other"` particle) and process it.
    pub fn others(
        &mut self,
        cx: &mut Ctx<'_>,
        target: &str,
        process: Process,
        global: GlobalFn,
    ) -> Vec<&'n Node> {
        let mut v = Vec::new();
        while let Some(n) = self.peek() {
            match n.ns.as_deref() {
                Some(ns) if ns != target => {
                    self.i += 1;
                    wildcard(cx, n, process, global);
                    v.push(n);
                }
                _ => break,
            }
        }
        v
    }

    /// Take every consecutive child in a namespace other than `target`
    /// without processing it (the caller converts the ones it knows and
    /// hands the rest to [`wildcard`]).
    pub fn take_others(&mut self, target: &str) -> Vec<&'n Node> {
        let mut v = Vec::new();
        while let Some(n) = self.peek() {
            match n.ns.as_deref() {
                Some(ns) if ns != target => {
                    self.i += 1;
                    v.push(n);
                }
                _ => break,
            }
        }
        v
    }

    /// Every child consumed; anything left is an error.
    pub fn end(self, cx: &mut Ctx<'_>) {
        if let Some(n) = self.peek() {
            let where_ = match &n.ns {
                Some(ns) => format!(" (namespace {ns})"),
                None => " (no namespace)".to_owned(),
            };
            cx.err(
                n,
                format!(
                    "unexpected element {}{where_} in {}",
                    n.name, self.parent.name
                ),
            );
        }
    }
}

/// Validates a global element declaration if one exists for `node`; returns
/// false when no declaration is known.
pub type GlobalFn = fn(&mut Ctx<'_>, &Node) -> bool;

/// Process an element matched by a wildcard.
pub fn wildcard(cx: &mut Ctx<'_>, node: &Node, process: Process, global: GlobalFn) {
    if global(cx, node) {
        return;
    }
    match process {
        Process::Strict => {
            let ns = node.ns.as_deref().unwrap_or("");
            cx.err(
                node,
                format!(
                    "no declaration for {{{ns}}}{} (required by a strict wildcard)",
                    node.name
                ),
            );
        }
        Process::Lax => {
            // Lax assessment continues into the children: a known element
            // deeper down is still validated.
            for c in &node.children {
                wildcard(cx, c, Process::Lax, global);
            }
        }
    }
}

// ---------------------------------------------------------------------------
// Simple types
// ---------------------------------------------------------------------------

/// `whiteSpace="collapse"`.
pub fn collapse(s: &str) -> String {
    s.split(is_xml_space)
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// `whiteSpace="replace"` (normalizedString without a collapse facet).
pub fn replace(s: &str) -> String {
    s.chars()
        .map(|c| if is_xml_space(c) { ' ' } else { c })
        .collect()
}

fn char_len(s: &str) -> usize {
    s.chars().count()
}

/// A string-derived value with `minLength`/`maxLength` (characters), after
/// the given white-space processing. `None` (and an error) when it fails.
pub fn string(
    cx: &mut Ctx<'_>,
    node: &Node,
    raw: &str,
    ws: WhiteSpace,
    min: usize,
    max: usize,
) -> Option<String> {
    let v = match ws {
        WhiteSpace::Preserve => raw.to_owned(),
        WhiteSpace::Replace => replace(raw),
        WhiteSpace::Collapse => collapse(raw),
    };
    let n = char_len(&v);
    if n < min || n > max {
        let range = if max == usize::MAX {
            format!("at least {min}")
        } else {
            format!("{min}…{max}")
        };
        cx.err(node, format!("{v:?} has {n} characters; {range} allowed"));
        return None;
    }
    Some(v)
}

/// White-space processing of a simple type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WhiteSpace {
    /// `xs:string`.
    Preserve,
    /// `xs:normalizedString`.
    Replace,
    /// `xs:token` and everything derived from it or with `collapse`.
    Collapse,
}

/// The text of a simple-content element as `xs:string` with lengths.
pub fn text_string(cx: &mut Ctx<'_>, node: &Node, min: usize, max: usize) -> Option<String> {
    let raw = cx.simple(node).to_owned();
    string(cx, node, &raw, WhiteSpace::Preserve, min, max)
}

/// The text as `xs:token` (collapsed) with lengths.
pub fn text_token(cx: &mut Ctx<'_>, node: &Node, min: usize, max: usize) -> Option<String> {
    let raw = cx.simple(node).to_owned();
    string(cx, node, &raw, WhiteSpace::Collapse, min, max)
}

/// `base:NameType`: normalizedString, collapse, 1…255.
pub fn name_type(cx: &mut Ctx<'_>, node: &Node) -> Option<String> {
    text_token(cx, node, 1, 255)
}

/// An integer lexical value (`[+-]?[0-9]+`, collapsed): the value, saturated
/// to the i128 range.
pub fn integer_value(s: &str) -> Option<i128> {
    let v = collapse(s);
    let (neg, digits) = match v.as_bytes().first() {
        Some(b'-') => (true, &v[1..]),
        Some(b'+') => (false, &v[1..]),
        _ => (false, v.as_str()),
    };
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let mut n: i128 = 0;
    for b in digits.bytes() {
        n = n.saturating_mul(10).saturating_add(i128::from(b - b'0'));
    }
    Some(if neg { -n } else { n })
}

/// An integer in `min..=max` (the type's lexical space is `xs:integer`).
pub fn integer_in(
    cx: &mut Ctx<'_>,
    node: &Node,
    raw: &str,
    type_name: &str,
    min: i128,
    max: i128,
) -> Option<i128> {
    match integer_value(raw) {
        Some(v) if (min..=max).contains(&v) => Some(v),
        Some(v) => {
            let hi = if max == i128::MAX {
                "…".to_owned()
            } else {
                format!("…{max}")
            };
            cx.err(
                node,
                format!(
                    "{}: {v} is out of range ({type_name}, {min}{hi})",
                    node.name
                ),
            );
            None
        }
        None => {
            cx.bad_value(node, type_name, raw);
            None
        }
    }
}

/// Element text as an integer in `min..=max`.
pub fn text_integer(
    cx: &mut Ctx<'_>,
    node: &Node,
    type_name: &str,
    min: i128,
    max: i128,
) -> Option<i128> {
    let raw = cx.simple(node).to_owned();
    integer_in(cx, node, &raw, type_name, min, max)
}

/// `xs:boolean`.
pub fn boolean_value(s: &str) -> Option<bool> {
    match collapse(s).as_str() {
        "true" | "1" => Some(true),
        "false" | "0" => Some(false),
        _ => None,
    }
}

/// An `xs:boolean` from `raw`, recording an error when invalid.
pub fn boolean(cx: &mut Ctx<'_>, node: &Node, raw: &str) -> Option<bool> {
    let b = boolean_value(raw);
    if b.is_none() {
        cx.bad_value(node, "xs:boolean", raw);
    }
    b
}

/// Element text as `xs:boolean`.
pub fn text_boolean(cx: &mut Ctx<'_>, node: &Node) -> Option<bool> {
    let raw = cx.simple(node).to_owned();
    boolean(cx, node, &raw)
}

/// Optional boolean attribute with a default.
pub fn attr_boolean(cx: &mut Ctx<'_>, node: &Node, name: &str, default: bool) -> bool {
    match node.attr(name) {
        Some(v) => boolean(cx, node, v).unwrap_or(default),
        None => default,
    }
}

/// Optional integer attribute in `min..=max`, with a default.
pub fn attr_integer(
    cx: &mut Ctx<'_>,
    node: &Node,
    name: &str,
    type_name: &str,
    min: i128,
    max: i128,
) -> Option<i128> {
    let v = node.attr(name)?;
    integer_in(cx, node, v, type_name, min, max)
}

/// `xs:hexBinary`: the octets.
pub fn hex_value(s: &str) -> Option<Vec<u8>> {
    let v = collapse(s);
    if !v.len().is_multiple_of(2) {
        return None;
    }
    v.as_bytes()
        .chunks(2)
        .map(|p| {
            let h = |c: u8| (c as char).to_digit(16);
            Some((h(p[0])? * 16 + h(p[1])?) as u8)
        })
        .collect()
}

/// `xs:base64Binary` (RFC 2045 alphabet, canonical padding; white space
/// ignored as the type's lexical space allows).
pub fn base64_value(s: &str) -> Option<Vec<u8>> {
    let chars: Vec<u8> = s.bytes().filter(|b| !b" \t\r\n".contains(b)).collect();
    if !chars.len().is_multiple_of(4) {
        return None;
    }
    let val = |c: u8| -> Option<u32> {
        Some(match c {
            b'A'..=b'Z' => u32::from(c - b'A'),
            b'a'..=b'z' => u32::from(c - b'a') + 26,
            b'0'..=b'9' => u32::from(c - b'0') + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        })
    };
    let mut out = Vec::with_capacity(chars.len() / 4 * 3);
    let quads = chars.len() / 4;
    for (qi, q) in chars.chunks(4).enumerate() {
        let last = qi + 1 == quads;
        let pad = q.iter().rev().take_while(|c| **c == b'=').count();
        if pad > 2 || (pad > 0 && !last) {
            return None;
        }
        let mut n = 0u32;
        for (i, c) in q.iter().enumerate() {
            let v = if i >= 4 - pad { 0 } else { val(*c)? };
            n = (n << 6) | v;
        }
        // Canonical padding: the bits dropped by the padding must be zero
        // (XSD's B04/B16 productions).
        if (pad == 1 && n & 0xff != 0) || (pad == 2 && n & 0xffff != 0) {
            return None;
        }
        let bytes = [(n >> 16) as u8, (n >> 8) as u8, n as u8];
        out.extend_from_slice(&bytes[..3 - pad]);
    }
    Some(out)
}

/// Element text as `xs:base64Binary`.
pub fn text_base64(cx: &mut Ctx<'_>, node: &Node) -> Option<Vec<u8>> {
    let raw = cx.simple(node).to_owned();
    let v = base64_value(&raw);
    if v.is_none() {
        cx.bad_value(node, "xs:base64Binary", raw.trim());
    }
    v
}

/// An `xs:duration` value.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Duration {
    /// Negative duration.
    pub negative: bool,
    /// Years and months, as months.
    pub months: u64,
    /// Days, hours, minutes and seconds, as seconds.
    pub seconds: f64,
}

impl Duration {
    /// Smallest number of seconds the duration can mean (months count as
    /// 28 days), signed.
    pub fn min_seconds(&self) -> f64 {
        let s = self.months as f64 * 28.0 * 86_400.0 + self.seconds;
        if self.negative { -s } else { s }
    }

    /// Whether this is exactly zero.
    pub fn is_zero(&self) -> bool {
        self.months == 0 && self.seconds == 0.0
    }

    /// As std duration (negative → zero; months as 30 days).
    pub fn to_std(&self) -> std::time::Duration {
        if self.negative {
            return std::time::Duration::ZERO;
        }
        let s = self.months as f64 * 30.0 * 86_400.0 + self.seconds;
        std::time::Duration::try_from_secs_f64(s).unwrap_or(std::time::Duration::MAX)
    }
}

/// Parse `xs:duration` (`-?PnYnMnDTnHnMnS`).
pub fn duration_value(s: &str) -> Option<Duration> {
    let v = collapse(s);
    let (negative, rest) = match v.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, v.as_str()),
    };
    let rest = rest.strip_prefix('P')?;
    let (date, time) = match rest.split_once('T') {
        Some((d, t)) => {
            if t.is_empty() {
                return None;
            }
            (d, Some(t))
        }
        None => (rest, None),
    };
    let mut d = Duration {
        negative,
        ..Duration::default()
    };
    let date_n = duration_part(&mut d, date, false)?;
    let time_n = match time {
        Some(t) => {
            let n = duration_part(&mut d, t, true)?;
            if n == 0 {
                return None;
            }
            n
        }
        None => 0,
    };
    (date_n + time_n > 0).then_some(d)
}

/// Parse the date (`YMD`) or time (`HMS`) part of a duration into `d`;
/// the number of components read.
fn duration_part(d: &mut Duration, part: &str, time: bool) -> Option<usize> {
    let order: [char; 3] = if time {
        ['H', 'M', 'S']
    } else {
        ['Y', 'M', 'D']
    };
    let mut rest = part;
    let mut idx = 0;
    let mut count = 0;
    while !rest.is_empty() {
        let end = rest.find(|c: char| !(c.is_ascii_digit() || c == '.'))?;
        let (num, tail) = rest.split_at(end);
        let des = tail.chars().next()?;
        let pos = order.iter().position(|c| *c == des)?;
        if pos < idx || num.is_empty() {
            return None;
        }
        idx = pos + 1;
        if num.contains('.') {
            if !(time && des == 'S') {
                return None;
            }
            let (a, b) = num.split_once('.')?;
            if a.is_empty() || b.contains('.') {
                return None;
            }
        }
        let n: f64 = num.parse().ok()?;
        let whole = || num.parse::<u64>().ok();
        match (time, des) {
            (false, 'Y') => d.months = d.months.checked_add(whole()?.checked_mul(12)?)?,
            (false, 'M') => d.months = d.months.checked_add(whole()?)?,
            (false, 'D') => d.seconds += whole()? as f64 * 86_400.0,
            (true, 'H') => d.seconds += whole()? as f64 * 3_600.0,
            (true, 'M') => d.seconds += whole()? as f64 * 60.0,
            (true, 'S') => d.seconds += n,
            _ => return None,
        }
        count += 1;
        rest = &tail[des.len_utf8()..];
    }
    Some(count)
}

/// An `xs:dateTime` value, normalised to UTC when it has a zone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct DateTime {
    /// Seconds since 1970-01-01T00:00:00 (zone applied when given).
    pub unix: i64,
    /// Whether the lexical value had a time zone.
    pub has_zone: bool,
}

fn two(s: &str) -> Option<u32> {
    (s.len() == 2 && s.bytes().all(|b| b.is_ascii_digit()))
        .then(|| s.parse().ok())
        .flatten()
}

/// Parse `xs:dateTime` (`-?YYYY-MM-DDThh:mm:ss(.s+)?(Z|±hh:mm)?`).
pub fn datetime_value(s: &str) -> Option<DateTime> {
    let v = collapse(s);
    let (neg, body) = match v.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, v.as_str()),
    };
    let (date, time) = body.split_once('T')?;
    let mut dp = date.splitn(3, '-');
    let (ys, ms, ds) = (dp.next()?, dp.next()?, dp.next()?);
    if ys.len() < 4
        || !ys.bytes().all(|b| b.is_ascii_digit())
        || (ys.len() > 4 && ys.starts_with('0'))
    {
        return None;
    }
    let year: i64 = ys.parse().ok()?;
    if year == 0 {
        return None;
    }
    let year = if neg { -year } else { year };
    let (month, day) = (two(ms)?, two(ds)?);
    let mdays = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap(if year < 0 { year + 1 } else { year }) => 29,
        2 => 28,
        _ => return None,
    };
    if day == 0 || day > mdays {
        return None;
    }
    // Split off the zone.
    let (clock, zone) = if let Some(c) = time.strip_suffix('Z') {
        (c, Some(0i64))
    } else if time.len() > 6 && matches!(time.as_bytes()[time.len() - 6], b'+' | b'-') {
        let (c, z) = time.split_at(time.len() - 6);
        let sign = if z.starts_with('-') { -1 } else { 1 };
        let (zh, zm) = z[1..].split_once(':')?;
        let (zh, zm) = (two(zh)?, two(zm)?);
        if zm > 59 || zh > 14 || (zh == 14 && zm != 0) {
            return None;
        }
        (c, Some(sign * i64::from(zh * 60 + zm)))
    } else {
        (time, None)
    };
    let mut cp = clock.splitn(3, ':');
    let (hs, mins, ss) = (cp.next()?, cp.next()?, cp.next()?);
    let (hour, minute) = (two(hs)?, two(mins)?);
    let (sec_int, frac) = match ss.split_once('.') {
        Some((a, f)) => {
            if f.is_empty() || !f.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            (a, f)
        }
        None => (ss, ""),
    };
    let second = two(sec_int)?;
    let frac_zero = frac.bytes().all(|b| b == b'0');
    if minute > 59
        || second > 59
        || hour > 24
        || (hour == 24 && (minute != 0 || second != 0 || !frac_zero))
    {
        return None;
    }
    let days = days_from_civil(year, month, day);
    let mut unix = days * 86_400 + i64::from(hour * 3600 + minute * 60 + second);
    if let Some(z) = zone {
        unix -= z * 60;
    }
    Some(DateTime {
        unix,
        has_zone: zone.is_some(),
    })
}

/// XML Schema `\w`: any character except punctuation, separators and
/// "other" (control, format, unassigned, private use, surrogates).
pub fn is_schema_word_char(c: char) -> bool {
    use std::sync::LazyLock;
    static NOT_WORD: LazyLock<Option<regex::Regex>> =
        LazyLock::new(|| regex::Regex::new(r"^[\p{P}\p{Z}\p{C}]$").ok());
    let mut b = [0u8; 4];
    NOT_WORD
        .as_ref()
        .is_some_and(|r| !r.is_match(c.encode_utf8(&mut b)))
}

/// XML Schema `\d`: a Unicode decimal digit (`\p{Nd}`).
pub fn is_schema_digit(c: char) -> bool {
    use std::sync::LazyLock;
    static DIGIT: LazyLock<Option<regex::Regex>> =
        LazyLock::new(|| regex::Regex::new(r"^\p{Nd}$").ok());
    let mut b = [0u8; 4];
    DIGIT
        .as_ref()
        .is_some_and(|r| r.is_match(c.encode_utf8(&mut b)))
}

/// An XML NCName (ASCII-leaning check: letters, digits, `_ - .`, not
/// starting with a digit, `-` or `.`; non-ASCII letters allowed).
pub fn is_ncname(s: &str) -> bool {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) if c == '_' || c.is_alphabetic() => {}
        _ => return false,
    }
    chars.all(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '.' | '\u{b7}'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_follow_the_lexical_rules() {
        assert_eq!(duration_value("PT10S").unwrap().seconds, 10.0);
        assert_eq!(duration_value("P1DT1H").unwrap().seconds, 90_000.0);
        assert_eq!(duration_value("P1M").unwrap().months, 1);
        assert!(duration_value("-PT1S").unwrap().negative);
        assert_eq!(duration_value("PT1.5S").unwrap().seconds, 1.5);
        for bad in [
            "P", "PT", "P1H", "PT1D", "1D", "P1.5D", "PT1S1M", "P-1D", "", "PT1M1M",
        ] {
            assert!(duration_value(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn datetimes_check_calendar_and_zone() {
        let a = datetime_value("2025-01-12T08:30:00Z").unwrap();
        assert_eq!(a.unix, 1_736_670_600);
        let b = datetime_value("2025-01-12T09:30:00+01:00").unwrap();
        assert_eq!(a.unix, b.unix);
        assert!(datetime_value("2024-02-29T00:00:00").is_some());
        for bad in [
            "2025-02-29T00:00:00Z",
            "2025-13-01T00:00:00Z",
            "2025-01-01T24:00:01Z",
            "2025-01-01 00:00:00Z",
            "2025-01-01T00:00:00+15:00",
            "0000-01-01T00:00:00Z",
            "25-01-01T00:00:00Z",
        ] {
            assert!(datetime_value(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn base64_requires_canonical_padding() {
        assert_eq!(base64_value("KjIyOA==").unwrap(), b"*228");
        assert_eq!(base64_value("").unwrap(), b"");
        assert!(base64_value("KjIyOB==").is_none());
        assert!(base64_value("KjI").is_none());
        assert!(base64_value("Kj=yOA==").is_none());
        assert!(base64_value("@@@@").is_none());
    }

    #[test]
    fn schema_word_class_takes_symbols_but_not_punctuation() {
        assert!(is_schema_word_char('a'));
        assert!(is_schema_word_char('7'));
        assert!(is_schema_word_char('+'));
        assert!(!is_schema_word_char('-'));
        assert!(!is_schema_word_char('_'));
        assert!(!is_schema_word_char(' '));
        assert!(is_schema_digit('٣'));
    }
}
