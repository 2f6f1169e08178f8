//! The XPath-style node tree that canonicalisation and signature checking walk:
//! elements with their resolved namespaces and attributes, text, comments and
//! processing instructions, in document order (XML 1.0 §2.11 line ends and
//! §3.3.3 attribute-value normalisation already applied, references expanded).
//!
//! It is built for XML-DSig only: it must not grow into a general XML API (the
//! provisioning document's own parser lives in `provisioning::document`).
//! Documents with a DTD are refused rather than half-processed: an internal
//! subset could define entities or default attributes that change the
//! canonical form, and a provisioning document has no use for one.

use quick_xml::Reader;
use quick_xml::events::{BytesStart, Event};

/// Namespace bound to the `xml` prefix (Namespaces in XML 1.0 §3).
pub(crate) const XML_NS: &str = "http://www.w3.org/XML/1998/namespace";
/// Namespace bound to the `xmlns` prefix; never declared by documents.
const XMLNS_NS: &str = "http://www.w3.org/2000/xmlns/";

/// Nesting deeper than this is refused (libxml2's default limit too); it keeps
/// the recursive canonicaliser's stack bounded.
const MAX_DEPTH: usize = 256;

/// Index of a node in [`Tree::nodes`].
pub(crate) type NodeId = usize;

/// A parsed document.
#[derive(Debug)]
pub(crate) struct Tree {
    /// Every node; elements point at their children by index.
    pub nodes: Vec<Node>,
    /// The document's children in order: comments and PIs around the root, and the root.
    pub top: Vec<NodeId>,
    /// The document element.
    pub root: NodeId,
    /// The normalised source text, kept to turn byte offsets into lines and columns.
    text: String,
}

/// One node of the tree.
#[derive(Debug)]
pub(crate) enum Node {
    Element(Element),
    /// Character data, adjacent runs (text, CDATA, references) merged.
    Text(String),
    Comment(String),
    Pi {
        target: String,
        data: String,
    },
}

/// An element with its namespace context.
#[derive(Debug)]
pub(crate) struct Element {
    pub parent: Option<NodeId>,
    /// Prefix as written; empty for none.
    pub prefix: String,
    pub local: String,
    /// Namespace URI; empty for none.
    pub ns: String,
    /// Namespace declarations written on this element: (prefix, URI); prefix
    /// empty for the default namespace, URI empty for `xmlns=""`.
    pub decls: Vec<(String, String)>,
    /// Attributes other than namespace declarations, in document order.
    pub attrs: Vec<Attr>,
    pub children: Vec<NodeId>,
    /// Byte offset of the start tag in the normalised text.
    pub offset: usize,
}

/// An attribute with its resolved namespace.
#[derive(Debug, Clone)]
pub(crate) struct Attr {
    pub prefix: String,
    pub local: String,
    /// Namespace URI; empty for unprefixed attributes.
    pub ns: String,
    /// The normalised value (references expanded).
    pub value: String,
}

impl Attr {
    /// The attribute's name as written.
    pub fn qname(&self) -> String {
        qname(&self.prefix, &self.local)
    }
}

impl Element {
    /// The element's name as written.
    pub fn qname(&self) -> String {
        qname(&self.prefix, &self.local)
    }

    /// Value of the unqualified attribute `name`.
    pub fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|a| a.ns.is_empty() && a.local == name)
            .map(|a| a.value.as_str())
    }
}

fn qname(prefix: &str, local: &str) -> String {
    if prefix.is_empty() {
        local.to_owned()
    } else {
        format!("{prefix}:{local}")
    }
}

/// Why a document could not be turned into a tree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct XmlError {
    pub line: usize,
    pub column: usize,
    pub reason: String,
}

impl Tree {
    /// The element at `id`, if `id` is one.
    pub fn element(&self, id: NodeId) -> Option<&Element> {
        match self.nodes.get(id) {
            Some(Node::Element(e)) => Some(e),
            _ => None,
        }
    }

    /// Element children of `id`, in order.
    pub fn child_elements(&self, id: NodeId) -> impl Iterator<Item = (NodeId, &Element)> + '_ {
        self.element(id)
            .map(|e| e.children.as_slice())
            .unwrap_or_default()
            .iter()
            .filter_map(|&c| self.element(c).map(|e| (c, e)))
    }

    /// Concatenated text children of `id` (what an XSD simple type sees).
    pub fn text_content(&self, id: NodeId) -> String {
        let mut out = String::new();
        if let Some(e) = self.element(id) {
            for &c in &e.children {
                if let Some(Node::Text(t)) = self.nodes.get(c) {
                    out.push_str(t);
                }
            }
        }
        out
    }

    /// Whether `id` has non-whitespace text children (element-only content
    /// models allow whitespace only).
    pub fn has_text(&self, id: NodeId) -> bool {
        self.element(id).is_some_and(|e| {
            e.children.iter().any(|&c| {
                matches!(self.nodes.get(c), Some(Node::Text(t)) if !t.chars().all(is_xml_space))
            })
        })
    }

    /// Line and column (1-based, columns in characters) of a byte offset.
    pub fn position(&self, offset: usize) -> (usize, usize) {
        position(&self.text, offset)
    }

    /// In-scope namespace bindings of element `id`: prefix → URI, the default
    /// namespace under the empty prefix and absent when there is none. The
    /// `xml` prefix is implicit and not listed.
    pub fn in_scope(&self, id: NodeId) -> std::collections::BTreeMap<String, String> {
        let mut map = std::collections::BTreeMap::new();
        let mut cur = Some(id);
        while let Some(n) = cur {
            let Some(e) = self.element(n) else { break };
            for (p, u) in &e.decls {
                if p != "xml" {
                    map.entry(p.clone()).or_insert_with(|| u.clone());
                }
            }
            cur = e.parent;
        }
        map.retain(|p, u| !(p.is_empty() && u.is_empty()));
        map
    }
}

fn is_xml_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\r')
}

fn position(text: &str, offset: usize) -> (usize, usize) {
    let upto = text.get(..offset.min(text.len())).unwrap_or(text);
    let line = upto.matches('\n').count() + 1;
    let col = upto.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, col)
}

/// Parses `bytes` (UTF-8, optional BOM) into a tree.
pub(crate) fn parse(bytes: &[u8]) -> Result<Tree, XmlError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let raw = std::str::from_utf8(bytes).map_err(|e| {
        let (line, column) = position(
            std::str::from_utf8(&bytes[..e.valid_up_to()]).unwrap_or_default(),
            e.valid_up_to(),
        );
        XmlError {
            line,
            column,
            reason: "document is not UTF-8".into(),
        }
    })?;
    // XML 1.0 §2.11: the processor sees every CR LF and lone CR as LF, before
    // anything else (character references to CR survive, as they must).
    let text = raw.replace("\r\n", "\n").replace('\r', "\n");
    let mut builder = Builder {
        nodes: Vec::new(),
        top: Vec::new(),
        root: None,
        stack: Vec::new(),
        scopes: Vec::new(),
    };
    let result = builder.run(&text);
    match result {
        Ok(()) => match builder.root {
            Some(root) => Ok(Tree {
                nodes: builder.nodes,
                top: builder.top,
                root,
                text,
            }),
            None => {
                let (line, column) = position(&text, text.len());
                Err(XmlError {
                    line,
                    column,
                    reason: "no document element".into(),
                })
            }
        },
        Err((offset, reason)) => {
            let (line, column) = position(&text, offset);
            Err(XmlError {
                line,
                column,
                reason,
            })
        }
    }
}

struct Builder {
    nodes: Vec<Node>,
    top: Vec<NodeId>,
    root: Option<NodeId>,
    /// Open elements.
    stack: Vec<NodeId>,
    /// Namespace bindings per open element (prefix, URI), innermost last.
    scopes: Vec<Vec<(String, String)>>,
}

type Failure = (usize, String);

impl Builder {
    fn run(&mut self, text: &str) -> Result<(), Failure> {
        let mut reader = Reader::from_str(text);
        let config = reader.config_mut();
        config.check_end_names = true;
        config.check_comments = true;
        config.expand_empty_elements = false;
        config.trim_text(false);
        let mut seen_decl = false;
        loop {
            let at = usize::try_from(reader.buffer_position()).unwrap_or(usize::MAX);
            let event = reader.read_event().map_err(|e| {
                let pos = usize::try_from(reader.error_position()).unwrap_or(at);
                (pos, e.to_string())
            })?;
            match event {
                Event::Decl(decl) => {
                    if seen_decl || !self.nodes.is_empty() {
                        return Err((at, "XML declaration not at the start".into()));
                    }
                    seen_decl = true;
                    let version = decl.version().map_err(|e| (at, e.to_string()))?;
                    if version.as_ref() != "1.0" {
                        return Err((at, format!("unsupported XML version {version}")));
                    }
                    if let Some(enc) = decl.encoding() {
                        let enc = enc.map_err(|e| (at, e.to_string()))?;
                        let enc = enc.to_ascii_lowercase();
                        if !matches!(enc.as_str(), "utf-8" | "utf8" | "us-ascii" | "ascii") {
                            return Err((at, format!("unsupported encoding {enc}")));
                        }
                    }
                }
                Event::DocType(_) => {
                    return Err((at, "document type declarations are not accepted".into()));
                }
                Event::Start(start) => self.open(&start, at, false)?,
                Event::Empty(start) => self.open(&start, at, true)?,
                Event::End(_) => {
                    self.stack.pop();
                    self.scopes.pop();
                }
                Event::Text(t) => {
                    let raw = t.into_inner();
                    if raw.contains("]]>") {
                        return Err((at, "']]>' in character data".into()));
                    }
                    check_chars(&raw).map_err(|r| (at, r))?;
                    self.text(&raw, at)?;
                }
                Event::CData(c) => {
                    let raw = c.into_inner();
                    check_chars(&raw).map_err(|r| (at, r))?;
                    if self.stack.is_empty() {
                        return Err((at, "CDATA outside the document element".into()));
                    }
                    self.text(&raw, at)?;
                }
                Event::GeneralRef(r) => {
                    let name = r.into_inner();
                    let c = resolve_reference(&name).map_err(|reason| (at, reason))?;
                    if self.stack.is_empty() {
                        return Err((at, "reference outside the document element".into()));
                    }
                    let mut buf = [0u8; 4];
                    self.text(c.encode_utf8(&mut buf), at)?;
                }
                Event::Comment(c) => {
                    let body = c.into_inner().into_owned();
                    check_chars(&body).map_err(|r| (at, r))?;
                    self.push(Node::Comment(body));
                }
                Event::PI(pi) => {
                    let target = pi.target().to_owned();
                    if target.eq_ignore_ascii_case("xml") {
                        return Err((at, "reserved processing-instruction target".into()));
                    }
                    // PI data starts after the whitespace that follows the target.
                    let data = pi.content().trim_start_matches(is_xml_space).to_owned();
                    check_chars(&data).map_err(|r| (at, r))?;
                    self.push(Node::Pi { target, data });
                }
                Event::Eof => {
                    if !self.stack.is_empty() {
                        return Err((at, "document ends inside an element".into()));
                    }
                    return Ok(());
                }
            }
        }
    }

    /// Appends `node` to the open element, or to the document.
    fn push(&mut self, node: Node) -> NodeId {
        let id = self.nodes.len();
        self.nodes.push(node);
        match self.stack.last() {
            Some(&parent) => {
                if let Some(Node::Element(e)) = self.nodes.get_mut(parent) {
                    e.children.push(id);
                }
            }
            None => self.top.push(id),
        }
        id
    }

    fn text(&mut self, s: &str, at: usize) -> Result<(), Failure> {
        let Some(&parent) = self.stack.last() else {
            if s.chars().all(is_xml_space) {
                return Ok(());
            }
            return Err((at, "text outside the document element".into()));
        };
        let last = match self.nodes.get(parent) {
            Some(Node::Element(e)) => e.children.last().copied(),
            _ => None,
        };
        if let Some(last) = last
            && let Some(Node::Text(t)) = self.nodes.get_mut(last)
        {
            t.push_str(s);
            return Ok(());
        }
        self.push(Node::Text(s.to_owned()));
        Ok(())
    }

    fn lookup(&self, prefix: &str) -> Option<&str> {
        if prefix == "xml" {
            return Some(XML_NS);
        }
        self.scopes
            .iter()
            .rev()
            .flat_map(|s| s.iter())
            .find(|(p, _)| p == prefix)
            .map(|(_, u)| u.as_str())
    }

    fn open(&mut self, start: &BytesStart<'_>, at: usize, empty: bool) -> Result<(), Failure> {
        if self.stack.is_empty() && self.root.is_some() {
            return Err((at, "more than one document element".into()));
        }
        if self.stack.len() >= MAX_DEPTH {
            return Err((at, format!("elements nested deeper than {MAX_DEPTH}")));
        }
        let name = start.name();
        let (prefix, local) = split_qname(name.as_ref()).map_err(|r| (at, r))?;
        let mut decls = Vec::new();
        let mut raw_attrs = Vec::new();
        for attr in start.attributes().with_checks(true) {
            let attr = attr.map_err(|e| (at, e.to_string()))?;
            let key = attr.key.as_ref();
            let value = normalize_attribute(&attr.value).map_err(|r| (at, r))?;
            if key == "xmlns" {
                if value == XML_NS || value == XMLNS_NS {
                    return Err((at, format!("{value} cannot be the default namespace")));
                }
                decls.push((String::new(), value));
            } else if let Some(p) = key.strip_prefix("xmlns:") {
                split_qname(p).map_err(|r| (at, r))?;
                if p.contains(':') || p.is_empty() {
                    return Err((at, format!("bad namespace prefix {p:?}")));
                }
                if value.is_empty() {
                    return Err((at, format!("prefix {p} cannot be undeclared in XML 1.0")));
                }
                if p == "xmlns" || (p == "xml") != (value == XML_NS) || value == XMLNS_NS {
                    return Err((at, format!("prefix {p} cannot be bound to {value}")));
                }
                decls.push((p.to_owned(), value));
            } else {
                let (ap, al) = split_qname(key).map_err(|r| (at, r))?;
                raw_attrs.push((ap, al, value));
            }
        }
        for (_, uri) in &decls {
            if !uri.is_empty() && !is_absolute_uri(uri) {
                // Canonical XML fails on relative namespace URIs (C14N 1.0 §2.4
                // note; libxml2 refuses them too), so refuse them up front.
                return Err((at, format!("relative namespace URI {uri:?}")));
            }
        }
        self.scopes.push(decls.clone());
        let ns = match self.lookup(&prefix) {
            Some(u) => u.to_owned(),
            None if prefix.is_empty() => String::new(),
            None => return Err((at, format!("unbound namespace prefix {prefix}"))),
        };
        let mut attrs: Vec<Attr> = Vec::with_capacity(raw_attrs.len());
        for (ap, al, value) in raw_attrs {
            let ans = if ap.is_empty() {
                String::new()
            } else {
                match self.lookup(&ap) {
                    Some(u) => u.to_owned(),
                    None => return Err((at, format!("unbound namespace prefix {ap}"))),
                }
            };
            if attrs.iter().any(|a| a.ns == ans && a.local == al) {
                return Err((at, format!("attribute {{{ans}}}{al} given twice")));
            }
            attrs.push(Attr {
                prefix: ap,
                local: al,
                ns: ans,
                value,
            });
        }
        let parent = self.stack.last().copied();
        let id = self.push(Node::Element(Element {
            parent,
            prefix,
            local,
            ns,
            decls,
            attrs,
            children: Vec::new(),
            offset: at,
        }));
        if parent.is_none() {
            self.root = Some(id);
        }
        if empty {
            self.scopes.pop();
        } else {
            self.stack.push(id);
        }
        Ok(())
    }
}

/// Splits `p:l` / `l`; more than one colon or an empty part is an error.
fn split_qname(name: &str) -> Result<(String, String), String> {
    let mut parts = name.split(':');
    let (a, b, rest) = (parts.next(), parts.next(), parts.next());
    match (a, b, rest) {
        (Some(l), None, _) if !l.is_empty() => Ok((String::new(), l.to_owned())),
        (Some(p), Some(l), None) if !p.is_empty() && !l.is_empty() => {
            Ok((p.to_owned(), l.to_owned()))
        }
        _ => Err(format!("bad qualified name {name:?}")),
    }
}

/// RFC 3986 absolute URI test: a scheme followed by a colon.
fn is_absolute_uri(uri: &str) -> bool {
    let Some((scheme, _)) = uri.split_once(':') else {
        return false;
    };
    let mut chars = scheme.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
}

/// XML 1.0 `Char`: refuses the C0 controls other than tab, LF, CR, and the
/// non-characters U+FFFE/U+FFFF (surrogates cannot occur in a `str`).
fn is_xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}

fn check_chars(s: &str) -> Result<(), String> {
    match s.chars().find(|&c| !is_xml_char(c)) {
        Some(c) => Err(format!(
            "character U+{:04X} is not allowed in XML",
            u32::from(c)
        )),
        None => Ok(()),
    }
}

/// The character a reference (`lt`, `#38`, `#x26`) stands for. Only the
/// predefined entities exist, since DTDs are refused.
fn resolve_reference(name: &str) -> Result<char, String> {
    let c = match name {
        "lt" => '<',
        "gt" => '>',
        "amp" => '&',
        "apos" => '\'',
        "quot" => '"',
        _ => {
            let code = if let Some(hex) = name.strip_prefix("#x") {
                u32::from_str_radix(hex, 16).ok()
            } else if let Some(dec) = name.strip_prefix('#') {
                dec.parse::<u32>().ok()
            } else {
                return Err(format!("undefined entity &{name};"));
            };
            code.and_then(char::from_u32)
                .filter(|&c| is_xml_char(c))
                .ok_or_else(|| format!("bad character reference &{name};"))?
        }
    };
    Ok(c)
}

/// XML 1.0 §3.3.3 for CDATA-typed attributes (every attribute, without a DTD):
/// literal whitespace becomes a space, references are expanded afterwards (so
/// `&#10;` stays a line feed).
fn normalize_attribute(raw: &str) -> Result<String, String> {
    let mut out = String::with_capacity(raw.len());
    let mut rest = raw;
    while let Some(i) = rest.find(['&', '<', '\t', '\n', '\r']) {
        out.push_str(&rest[..i]);
        let tail = &rest[i..];
        match tail.as_bytes().first() {
            Some(b'&') => {
                let end = tail
                    .find(';')
                    .ok_or_else(|| "unterminated reference in attribute value".to_string())?;
                out.push(resolve_reference(&tail[1..end])?);
                rest = &tail[end + 1..];
            }
            Some(b'<') => return Err("'<' in attribute value".into()),
            _ => {
                out.push(' ');
                rest = &tail[1..];
            }
        }
    }
    out.push_str(rest);
    check_chars(&out)?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn root_attr(xml: &str, name: &str) -> String {
        let t = parse(xml.as_bytes()).unwrap();
        t.element(t.root).unwrap().attr(name).unwrap().to_owned()
    }

    #[test]
    fn attribute_values_are_normalised_before_references_expand() {
        assert_eq!(root_attr("<a v=\"x&#10;y\tz\r\nw\"/>", "v"), "x\ny z w");
        assert_eq!(root_attr("<a v='&lt;&amp;&#x41;&quot;'/>", "v"), "<&A\"");
    }

    #[test]
    fn text_references_and_cdata_merge_into_one_node() {
        let t = parse(b"<a>x&amp;<![CDATA[<y>]]>&#x7A;\r\n</a>").unwrap();
        let children = &t.element(t.root).unwrap().children;
        assert_eq!(children.len(), 1);
        assert_eq!(t.text_content(t.root), "x&<y>z\n");
    }

    #[test]
    fn errors_carry_line_and_column() {
        let e = parse(b"<a>\n  <b>\n  <p:c/></b></a>").unwrap_err();
        assert_eq!((e.line, e.column), (3, 3));
        assert!(e.reason.contains("unbound"), "{}", e.reason);
    }

    #[test]
    fn dtds_undefined_entities_and_foreign_encodings_are_refused() {
        for bad in [
            &b"<!DOCTYPE a><a/>"[..],
            b"<a>&nbsp;</a>",
            b"<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><a/>",
            b"<a>\xff</a>",
            b"<a/><b/>",
            b"<a>&#1;</a>",
            b"",
        ] {
            assert!(parse(bad).is_err(), "{}", String::from_utf8_lossy(bad));
        }
    }

    #[test]
    fn a_byte_order_mark_is_skipped() {
        let t = parse(b"\xEF\xBB\xBF<a/>").unwrap();
        assert_eq!(t.element(t.root).unwrap().local, "a");
    }

    #[test]
    fn nesting_is_bounded() {
        let deep = "<a>".repeat(MAX_DEPTH + 1) + &"</a>".repeat(MAX_DEPTH + 1);
        assert!(
            parse(deep.as_bytes())
                .unwrap_err()
                .reason
                .contains("deeper")
        );
        let ok = "<a>".repeat(MAX_DEPTH) + &"</a>".repeat(MAX_DEPTH);
        assert!(parse(ok.as_bytes()).is_ok());
    }

    #[test]
    fn namespaces_resolve_through_ancestors() {
        let t =
            parse(b"<a xmlns='urn:d' xmlns:p='urn:p'><p:b q='1'><c xmlns=''/></p:b></a>").unwrap();
        let (b, be) = t.child_elements(t.root).next().unwrap();
        assert_eq!((be.ns.as_str(), be.attrs[0].ns.as_str()), ("urn:p", ""));
        let (c, ce) = t.child_elements(b).next().unwrap();
        assert_eq!(ce.ns, "");
        let scope = t.in_scope(c);
        assert_eq!(scope.get("p").map(String::as_str), Some("urn:p"));
        assert!(!scope.contains_key(""));
    }
}
