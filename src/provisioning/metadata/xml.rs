//! A small element tree built from quick-xml events, for the service-metadata
//! files. The files are tiny (a few KiB), so a tree makes the typed parsers
//! simple and lets every error name the element, line and column.
//!
//! It must not resolve DTDs or external entities: a `<!DOCTYPE` is refused,
//! and only the five predefined entities and character references are
//! expanded. Depth and element count are bounded so hostile input cannot
//! exhaust memory or the stack.

use super::error::MetadataError;
use quick_xml::NsReader;
use quick_xml::events::{BytesStart, Event};
use quick_xml::name::ResolveResult;

/// Deepest element nesting accepted.
const MAX_DEPTH: usize = 64;
/// Most elements accepted in one file.
const MAX_ELEMENTS: usize = 20_000;

/// A position in a file (1-based).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Pos {
    /// Line, from 1.
    pub line: usize,
    /// Column in characters, from 1.
    pub column: usize,
}

/// One element.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Element {
    /// Local name (no prefix).
    pub name: String,
    /// Namespace URI, if bound.
    pub ns: Option<String>,
    /// Attributes by local name, in document order (namespace declarations left out).
    pub attrs: Vec<(String, String)>,
    /// Child elements in order.
    pub children: Vec<Element>,
    /// Text content directly inside (entities resolved, not trimmed).
    pub text: String,
    /// Where the start tag begins.
    pub pos: Pos,
}

impl Element {
    /// The value of attribute `name`.
    pub fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// A parsed file: its name (for errors) and root element.
#[derive(Debug, Clone)]
pub struct Document {
    /// File name used in errors.
    pub file: String,
    /// The root element.
    pub root: Element,
}

impl Document {
    /// An error at `e` in this file.
    pub fn error(&self, e: &Element, message: impl Into<String>) -> MetadataError {
        MetadataError::Parse {
            file: self.file.clone(),
            element: e.name.clone(),
            line: e.pos.line,
            column: e.pos.column,
            message: message.into(),
        }
    }
}

/// Decode file bytes to text: UTF-8 (with or without BOM) or UTF-16 with a
/// BOM (Windows tools write both).
pub fn decode_bytes(file: &str, bytes: &[u8]) -> Result<String, MetadataError> {
    let bad = |m: &str| MetadataError::Parse {
        file: file.to_owned(),
        element: String::new(),
        line: 1,
        column: 1,
        message: m.to_owned(),
    };
    if let Some(rest) = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]) {
        return String::from_utf8(rest.to_vec()).map_err(|_| bad("not valid UTF-8"));
    }
    let utf16 = |rest: &[u8], le: bool| -> Result<String, MetadataError> {
        if !rest.len().is_multiple_of(2) {
            return Err(bad("odd number of bytes in UTF-16 text"));
        }
        let units: Vec<u16> = rest
            .chunks_exact(2)
            .map(|c| {
                if le {
                    u16::from_le_bytes([c[0], c[1]])
                } else {
                    u16::from_be_bytes([c[0], c[1]])
                }
            })
            .collect();
        String::from_utf16(&units).map_err(|_| bad("not valid UTF-16"))
    };
    if let Some(rest) = bytes.strip_prefix(&[0xFF, 0xFE]) {
        return utf16(rest, true);
    }
    if let Some(rest) = bytes.strip_prefix(&[0xFE, 0xFF]) {
        return utf16(rest, false);
    }
    String::from_utf8(bytes.to_vec()).map_err(|_| bad("not valid UTF-8 (and no UTF-16 BOM)"))
}

fn pos_of(xml: &str, offset: u64) -> Pos {
    let offset = usize::try_from(offset).unwrap_or(usize::MAX).min(xml.len());
    let mut cut = offset;
    while cut > 0 && !xml.is_char_boundary(cut) {
        cut -= 1;
    }
    let before = &xml[..cut];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    Pos { line, column }
}

/// Parse `xml` into a tree. `file` names the file in errors.
pub fn parse(file: &str, xml: &str) -> Result<Document, MetadataError> {
    let err = |offset: u64, element: &str, message: String| {
        let p = pos_of(xml, offset);
        MetadataError::Parse {
            file: file.to_owned(),
            element: element.to_owned(),
            line: p.line,
            column: p.column,
            message,
        }
    };
    let mut reader = NsReader::from_str(xml);
    let mut stack: Vec<Element> = Vec::new();
    let mut root: Option<Element> = None;
    let mut count = 0usize;
    loop {
        // Skip whitespace so the recorded offset is the `<` of a tag.
        let mut at = reader.buffer_position();
        let rest = xml
            .get(usize::try_from(at).unwrap_or(usize::MAX)..)
            .unwrap_or("");
        at += (rest.len() - rest.trim_start().len()) as u64;
        let current = stack.last().map(|e| e.name.clone()).unwrap_or_default();
        let (ns, ev) = match reader.read_resolved_event() {
            Ok((ns, ev)) => (ns_string(&ns), ev),
            Err(e) => return Err(err(reader.error_position(), &current, e.to_string())),
        };
        match ev {
            Event::Start(s) | Event::Empty(s) if root.is_some() => {
                let _ = s;
                return Err(err(at, "", "content after the root element".into()));
            }
            Event::Start(s) => {
                count += 1;
                if stack.len() >= MAX_DEPTH || count > MAX_ELEMENTS {
                    return Err(err(at, &current, "document too deep or too large".into()));
                }
                stack.push(element(&s, ns, pos_of(xml, at)).map_err(|m| err(at, &current, m))?);
            }
            Event::Empty(s) => {
                count += 1;
                if stack.len() >= MAX_DEPTH || count > MAX_ELEMENTS {
                    return Err(err(at, &current, "document too deep or too large".into()));
                }
                let e = element(&s, ns, pos_of(xml, at)).map_err(|m| err(at, &current, m))?;
                match stack.last_mut() {
                    Some(parent) => parent.children.push(e),
                    None => root = Some(e),
                }
            }
            Event::End(_) => {
                let Some(done) = stack.pop() else {
                    return Err(err(at, "", "unexpected end tag".into()));
                };
                match stack.last_mut() {
                    Some(parent) => parent.children.push(done),
                    None => root = Some(done),
                }
            }
            Event::Text(t) => {
                let s = t.xml10_content();
                match stack.last_mut() {
                    Some(e) => e.text.push_str(&s),
                    None if s.trim().is_empty() => {}
                    None => return Err(err(at, "", "text outside the root element".into())),
                }
            }
            Event::CData(t) => {
                let s = t.xml10_content();
                if let Some(e) = stack.last_mut() {
                    e.text.push_str(&s);
                }
            }
            Event::GeneralRef(r) => {
                let name = r.xml10_content();
                let value = if let Ok(Some(c)) = r.resolve_char_ref() {
                    c.to_string()
                } else if let Some(v) = quick_xml::escape::resolve_predefined_entity(&name) {
                    v.to_owned()
                } else {
                    return Err(err(at, &current, format!("unknown entity &{name};")));
                };
                if let Some(e) = stack.last_mut() {
                    e.text.push_str(&value);
                }
            }
            Event::DocType(_) => {
                return Err(err(at, "", "DOCTYPE is not allowed".into()));
            }
            Event::Eof => break,
            Event::Decl(_) | Event::PI(_) | Event::Comment(_) => {}
        }
    }
    if let Some(open) = stack.last() {
        return Err(MetadataError::Parse {
            file: file.to_owned(),
            element: open.name.clone(),
            line: open.pos.line,
            column: open.pos.column,
            message: "element is not closed".into(),
        });
    }
    let root = root.ok_or_else(|| err(0, "", "no root element".into()))?;
    Ok(Document {
        file: file.to_owned(),
        root,
    })
}

fn ns_string(ns: &ResolveResult<'_>) -> Option<String> {
    match ns {
        ResolveResult::Bound(n) => Some(n.into_inner().to_owned()),
        _ => None,
    }
}

fn element(s: &BytesStart<'_>, ns: Option<String>, pos: Pos) -> Result<Element, String> {
    let name = s.local_name().as_ref().to_owned();
    let mut attrs = Vec::new();
    for a in s.attributes() {
        let a = a.map_err(|e| format!("bad attribute in <{name}>: {e}"))?;
        let key = a.key.as_ref();
        if key == "xmlns" || key.starts_with("xmlns:") {
            continue;
        }
        let local = a.key.local_name().as_ref().to_owned();
        let value = a
            .normalized_value(quick_xml::XmlVersion::Implicit1_0)
            .map_err(|e| format!("bad attribute {local} in <{name}>: {e}"))?
            .into_owned();
        attrs.push((local, value));
    }
    Ok(Element {
        name,
        ns,
        attrs,
        children: Vec::new(),
        text: String::new(),
        pos,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_and_namespaces_are_recorded() {
        let d = parse(
            "t.xml",
            "<?xml version=\"1.0\"?>\n<a xmlns=\"urn:x\">\n  <b k=\"v\">t&amp;x</b>\n</a>",
        )
        .unwrap();
        assert_eq!(d.root.name, "a");
        assert_eq!(d.root.ns.as_deref(), Some("urn:x"));
        let b = &d.root.children[0];
        assert_eq!((b.pos.line, b.pos.column), (3, 3));
        assert_eq!(b.attr("k"), Some("v"));
        assert_eq!(b.text, "t&x");
    }

    #[test]
    fn doctype_and_unclosed_elements_are_refused() {
        let e = parse("t.xml", "<!DOCTYPE a [<!ENTITY x \"y\">]><a/>").unwrap_err();
        assert!(e.to_string().contains("DOCTYPE"), "{e}");
        let e = parse("t.xml", "<a>\n<b>").unwrap_err();
        assert!(e.to_string().contains("t.xml:"), "{e}");
    }

    #[test]
    fn utf16_with_bom_decodes() {
        let mut b = vec![0xFF, 0xFE];
        for u in "<a/>".encode_utf16() {
            b.extend(u.to_le_bytes());
        }
        assert_eq!(decode_bytes("x", &b).unwrap(), "<a/>");
    }
}
