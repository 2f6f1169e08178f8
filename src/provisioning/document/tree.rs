//! The document as a small element tree with namespaces resolved and byte
//! offsets kept, read in one streaming pass of quick-xml's `NsReader`.
//!
//! Only well-formedness is decided here (plus our limits: no DOCTYPE, no
//! entities beyond the predefined ones and character references, bounded
//! size and depth); every schema rule lives in the section modules. Nothing
//! here knows the CarrierControl schema.

use super::DocError;
use quick_xml::events::{BytesStart, Event};
use quick_xml::name::ResolveResult;
use std::ops::Range;

/// Largest document accepted (10 000 WLAN v2 SSIDs fit comfortably).
pub const MAX_DOCUMENT_BYTES: usize = 8 << 20;
/// Deepest element nesting accepted.
pub const MAX_DEPTH: usize = 64;

/// The XML Schema instance namespace (`xsi:schemaLocation`).
pub const XSI: &str = "http://www.w3.org/2001/XMLSchema-instance";

/// One attribute, namespace resolved (unprefixed attributes have none).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attr {
    /// Namespace URI of a prefixed attribute.
    pub ns: Option<String>,
    /// Local name.
    pub name: String,
    /// Normalised value (XML 1.0 attribute-value normalisation).
    pub value: String,
}

/// One element.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Node {
    /// Namespace URI (`None`: no namespace).
    pub ns: Option<String>,
    /// Local name.
    pub name: String,
    /// Attributes except namespace declarations.
    pub attrs: Vec<Attr>,
    /// Child elements in document order.
    pub children: Vec<Node>,
    /// The element's own character data (text, CDATA and references),
    /// concatenated; line ends normalised.
    pub text: String,
    /// Bytes of the whole element, `<` of the start tag to `>` of the end tag.
    pub span: Range<usize>,
}

impl Node {
    /// The value of the unqualified attribute `name`.
    pub fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|a| a.ns.is_none() && a.name == name)
            .map(|a| a.value.as_str())
    }

    /// Whether this element is `{ns}name`.
    pub fn is(&self, ns: &str, name: &str) -> bool {
        self.ns.as_deref() == Some(ns) && self.name == name
    }

    /// Whether the element has character data other than white space.
    pub fn has_text(&self) -> bool {
        self.text.chars().any(|c| !is_xml_space(c))
    }
}

/// XML white space (S production).
pub fn is_xml_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\r')
}

/// 1-based line and column (in characters) of byte `offset` in `xml`.
pub fn line_column(xml: &str, offset: usize) -> (usize, usize) {
    let mut offset = offset.min(xml.len());
    while !xml.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &xml[..offset];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

fn error(xml: &str, offset: usize, element: &str, message: impl Into<String>) -> DocError {
    let (line, column) = line_column(xml, offset);
    DocError {
        line,
        column,
        element: element.to_owned(),
        message: message.into(),
    }
}

fn namespace(
    xml: &str,
    at: usize,
    r: ResolveResult<'_>,
    what: &str,
) -> Result<Option<String>, DocError> {
    match r {
        ResolveResult::Bound(ns) => Ok(Some(ns.as_ref().to_owned())),
        ResolveResult::Unbound => Ok(None),
        ResolveResult::Unknown(p) => Err(error(
            xml,
            at,
            what,
            format!("namespace prefix {p:?} is not declared"),
        )),
    }
}

/// Parse `xml` into its root element.
pub fn build(xml: &str) -> Result<Node, DocError> {
    if xml.len() > MAX_DOCUMENT_BYTES {
        return Err(error(
            xml,
            0,
            "",
            format!("document is larger than {MAX_DOCUMENT_BYTES} bytes"),
        ));
    }
    let mut r = quick_xml::NsReader::from_str(xml);
    r.config_mut().trim_text(false);
    r.config_mut().check_comments = true;
    let mut stack: Vec<Node> = Vec::new();
    let mut root: Option<Node> = None;
    loop {
        let at = usize::try_from(r.buffer_position()).unwrap_or(usize::MAX);
        let event = match r.read_resolved_event() {
            Ok((ns, ev)) => {
                let ev = ev.into_owned();
                let ns = match &ev {
                    Event::Start(e) | Event::Empty(e) => {
                        let local = e.local_name().as_ref().to_owned();
                        Some(namespace(xml, at, ns, &local)?)
                    }
                    _ => None,
                };
                (ns, ev)
            }
            Err(e) => {
                let at = usize::try_from(r.error_position()).unwrap_or(usize::MAX);
                let el = stack.last().map_or("", |n| n.name.as_str()).to_owned();
                return Err(error(xml, at, &el, format!("not well-formed XML: {e}")));
            }
        };
        let end = usize::try_from(r.buffer_position()).unwrap_or(usize::MAX);
        match event {
            (Some(ns), Event::Start(e)) => {
                let node = start_node(xml, &r, ns, &e, at)?;
                if stack.len() >= MAX_DEPTH {
                    return Err(error(xml, at, &node.name, "elements nested too deeply"));
                }
                if root.is_some() {
                    return Err(error(xml, at, &node.name, "content after the root element"));
                }
                stack.push(node);
            }
            (Some(ns), Event::Empty(e)) => {
                let mut node = start_node(xml, &r, ns, &e, at)?;
                node.span.end = end;
                attach(xml, &mut stack, &mut root, node, at)?;
            }
            (_, Event::End(_)) => {
                let Some(mut node) = stack.pop() else {
                    return Err(error(xml, at, "", "end tag without a start tag"));
                };
                node.span.end = end;
                attach(xml, &mut stack, &mut root, node, at)?;
            }
            (_, Event::Text(t)) => {
                let text = t.xml10_content();
                match stack.last_mut() {
                    Some(n) => n.text.push_str(&text),
                    None if text.chars().all(is_xml_space) => {}
                    None => return Err(error(xml, at, "", "text outside the root element")),
                }
            }
            (_, Event::CData(t)) => match stack.last_mut() {
                Some(n) => n.text.push_str(&t.xml10_content()),
                None => return Err(error(xml, at, "", "CDATA outside the root element")),
            },
            (_, Event::GeneralRef(g)) => {
                let name = g.xml10_content().into_owned();
                let resolved = match g.resolve_char_ref() {
                    Ok(Some(c)) => c.to_string(),
                    Ok(None) => match quick_xml::escape::resolve_predefined_entity(&name) {
                        Some(v) => v.to_owned(),
                        None => {
                            return Err(error(
                                xml,
                                at,
                                stack.last().map_or("", |n| n.name.as_str()),
                                format!("unknown entity &{name};"),
                            ));
                        }
                    },
                    Err(e) => {
                        return Err(error(
                            xml,
                            at,
                            stack.last().map_or("", |n| n.name.as_str()),
                            format!("bad character reference &{name};: {e}"),
                        ));
                    }
                };
                match stack.last_mut() {
                    Some(n) => n.text.push_str(&resolved),
                    None => return Err(error(xml, at, "", "reference outside the root element")),
                }
            }
            (_, Event::DocType(_)) => {
                // A DTD could declare entities and defaults the schema does
                // not know about; provisioning documents never carry one.
                return Err(error(xml, at, "", "a DOCTYPE is not allowed"));
            }
            (_, Event::Eof) => break,
            // Declaration, comments, processing instructions.
            _ => {}
        }
    }
    if let Some(open) = stack.last() {
        return Err(error(
            xml,
            open.span.start,
            &open.name,
            format!("element {} is not closed", open.name),
        ));
    }
    root.ok_or_else(|| error(xml, xml.len(), "", "the document has no root element"))
}

fn attach(
    xml: &str,
    stack: &mut [Node],
    root: &mut Option<Node>,
    node: Node,
    at: usize,
) -> Result<(), DocError> {
    match stack.last_mut() {
        Some(parent) => parent.children.push(node),
        None if root.is_none() => *root = Some(node),
        None => return Err(error(xml, at, &node.name, "content after the root element")),
    }
    Ok(())
}

fn start_node(
    xml: &str,
    r: &quick_xml::NsReader<&[u8]>,
    ns: Option<String>,
    e: &BytesStart<'_>,
    at: usize,
) -> Result<Node, DocError> {
    let name = e.local_name().as_ref().to_owned();
    let mut attrs = Vec::new();
    for a in e.attributes() {
        let a = a.map_err(|err| error(xml, at, &name, format!("bad attribute: {err}")))?;
        if a.key.as_namespace_binding().is_some() {
            continue;
        }
        let (res, local) = r.resolver().resolve_attribute(a.key);
        let ans = namespace(xml, at, res, &name)?;
        let value = a
            .normalized_value(quick_xml::XmlVersion::Implicit1_0)
            .map_err(|err| {
                error(
                    xml,
                    at,
                    &name,
                    format!("bad value of attribute {}: {err}", local.as_ref()),
                )
            })?
            .into_owned();
        attrs.push(Attr {
            ns: ans,
            name: local.as_ref().to_owned(),
            value,
        });
    }
    Ok(Node {
        ns,
        name,
        attrs,
        children: Vec::new(),
        text: String::new(),
        span: at..at,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn namespaces_resolve_through_prefixes_and_defaults() {
        let x = r#"<a xmlns="urn:a" xmlns:b="urn:b"><b:c k="1" b:j="2">t&amp;<![CDATA[<x>]]></b:c><d/></a>"#;
        let n = build(x).unwrap();
        assert_eq!(n.ns.as_deref(), Some("urn:a"));
        let c = &n.children[0];
        assert!(c.is("urn:b", "c"));
        assert_eq!(c.text, "t&<x>");
        assert_eq!(c.attr("k"), Some("1"));
        assert_eq!(c.attrs[1].ns.as_deref(), Some("urn:b"));
        assert_eq!(
            &x[c.span.clone()],
            r#"<b:c k="1" b:j="2">t&amp;<![CDATA[<x>]]></b:c>"#
        );
        assert_eq!(&x[n.children[1].span.clone()], "<d/>");
    }

    #[test]
    fn malformed_input_names_the_line() {
        let e = build("<a>\n<b></a>").unwrap_err();
        assert_eq!(e.line, 2);
        assert!(build("<!DOCTYPE a><a/>").is_err());
        assert!(build("<a>&foo;</a>").is_err());
        assert!(build("<p:a/>").is_err());
        assert!(build("").is_err());
        assert!(build("<a/><b/>").is_err());
    }
}
