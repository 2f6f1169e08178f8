//! Canonical XML 1.0 (W3C REC-xml-c14n-20010315) and Exclusive XML
//! Canonicalization 1.0 (W3C REC-xml-exc-c14n-20020718), with and without
//! comments: the four `CanonicalizationMethod`s the provisioning signature
//! schema allows (windows-operator-formats.md §1.10).
//!
//! Only the node-sets XML-DSig needs here are supported: a whole document, or
//! the subtree of one element (the apex), either minus one excluded subtree
//! (the enveloped `Signature`). This module renders octets; it must not
//! decide anything about trust.

use std::collections::BTreeMap;

use super::tree::{Node, NodeId, Tree, XML_NS};

/// A canonicalisation algorithm.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Canonicalization {
    /// Canonical XML 1.0 (inclusive).
    C14n10 {
        /// `#WithComments` variant.
        with_comments: bool,
    },
    /// Exclusive XML Canonicalization 1.0.
    ExcC14n {
        /// `#WithComments` variant.
        with_comments: bool,
        /// `InclusiveNamespaces/@PrefixList` (`#default` written as the empty string).
        inclusive_prefixes: Vec<String>,
    },
}

/// `http://www.w3.org/TR/2001/REC-xml-c14n-20010315`.
pub const C14N10: &str = "http://www.w3.org/TR/2001/REC-xml-c14n-20010315";
/// `…#WithComments`.
pub const C14N10_COMMENTS: &str = "http://www.w3.org/TR/2001/REC-xml-c14n-20010315#WithComments";
/// `http://www.w3.org/2001/10/xml-exc-c14n#`.
pub const EXC_C14N: &str = "http://www.w3.org/2001/10/xml-exc-c14n#";
/// `…#WithComments`.
pub const EXC_C14N_COMMENTS: &str = "http://www.w3.org/2001/10/xml-exc-c14n#WithComments";

impl Canonicalization {
    /// The algorithm an XML-DSig `Algorithm` URI names, if it is one of the four.
    pub fn from_uri(uri: &str) -> Option<Self> {
        Some(match uri {
            C14N10 => Self::C14n10 {
                with_comments: false,
            },
            C14N10_COMMENTS => Self::C14n10 {
                with_comments: true,
            },
            EXC_C14N => Self::ExcC14n {
                with_comments: false,
                inclusive_prefixes: Vec::new(),
            },
            EXC_C14N_COMMENTS => Self::ExcC14n {
                with_comments: true,
                inclusive_prefixes: Vec::new(),
            },
            _ => return None,
        })
    }

    /// The algorithm's URI.
    pub fn uri(&self) -> &'static str {
        match self {
            Self::C14n10 {
                with_comments: false,
            } => C14N10,
            Self::C14n10 {
                with_comments: true,
            } => C14N10_COMMENTS,
            Self::ExcC14n {
                with_comments: false,
                ..
            } => EXC_C14N,
            Self::ExcC14n {
                with_comments: true,
                ..
            } => EXC_C14N_COMMENTS,
        }
    }

    fn with_comments(&self) -> bool {
        match self {
            Self::C14n10 { with_comments } | Self::ExcC14n { with_comments, .. } => *with_comments,
        }
    }
}

/// Which nodes to render.
#[derive(Debug, Clone, Copy)]
pub(crate) struct NodeSet {
    /// `None`: the whole document; `Some(e)`: element `e` and its descendants.
    pub apex: Option<NodeId>,
    /// An element whose whole subtree is left out.
    pub excluded: Option<NodeId>,
}

/// Canonicalises the node-set `set` of `tree` with `method`.
pub(crate) fn canonicalize(tree: &Tree, set: NodeSet, method: &Canonicalization) -> Vec<u8> {
    let mut w = Writer {
        tree,
        method,
        excluded: set.excluded,
        out: String::new(),
    };
    match set.apex {
        None => w.document(),
        Some(apex) => {
            // The apex's ancestors are outside the node-set: nothing is rendered
            // yet, and (inclusive only) their xml:* attributes are inherited.
            let inherited = match method {
                Canonicalization::C14n10 { .. } => inherited_xml_attrs(tree, apex),
                Canonicalization::ExcC14n { .. } => Vec::new(),
            };
            w.element(apex, &BTreeMap::new(), &inherited);
        }
    }
    w.out.into_bytes()
}

/// C14N 1.0 §2.4: the `xml:` attributes of omitted ancestors, nearest first
/// wins, that the apex does not set itself.
fn inherited_xml_attrs(tree: &Tree, apex: NodeId) -> Vec<(String, String)> {
    let mut found: Vec<(String, String)> = Vec::new();
    let Some(e) = tree.element(apex) else {
        return found;
    };
    let mut cur = e.parent;
    while let Some(id) = cur {
        let Some(anc) = tree.element(id) else { break };
        for a in &anc.attrs {
            if a.ns == XML_NS
                && !e.attrs.iter().any(|x| x.ns == XML_NS && x.local == a.local)
                && !found.iter().any(|(l, _)| *l == a.local)
            {
                found.push((a.local.clone(), a.value.clone()));
            }
        }
        cur = anc.parent;
    }
    found
}

struct Writer<'a> {
    tree: &'a Tree,
    method: &'a Canonicalization,
    excluded: Option<NodeId>,
    out: String,
}

impl Writer<'_> {
    fn document(&mut self) {
        let root = self.tree.root;
        let mut after_root = false;
        for &id in &self.tree.top {
            if id == root {
                self.element(root, &BTreeMap::new(), &[]);
                after_root = true;
                continue;
            }
            let rendered = match self.tree.nodes.get(id) {
                Some(Node::Comment(c)) if self.method.with_comments() => Some(comment(c)),
                Some(Node::Pi { target, data }) => Some(pi(target, data)),
                _ => None,
            };
            // C14N 1.0 §2.3: a line feed separates top-level nodes from the root.
            if let Some(text) = rendered {
                if after_root {
                    self.out.push('\n');
                    self.out.push_str(&text);
                } else {
                    self.out.push_str(&text);
                    self.out.push('\n');
                }
            }
        }
    }

    /// Renders element `id`; `rendered` holds the namespace declarations in
    /// effect in the output at its parent (prefix → URI, default under "").
    fn element(
        &mut self,
        id: NodeId,
        rendered: &BTreeMap<String, String>,
        inherited: &[(String, String)],
    ) {
        if Some(id) == self.excluded {
            return;
        }
        let tree = self.tree;
        let Some(e) = tree.element(id) else { return };
        let in_scope = tree.in_scope(id);
        let mut emit: BTreeMap<String, String> = BTreeMap::new();
        match self.method {
            Canonicalization::C14n10 { .. } => {
                for (p, u) in &in_scope {
                    if rendered.get(p) != Some(u) {
                        emit.insert(p.clone(), u.clone());
                    }
                }
                if !in_scope.contains_key("") && rendered.get("").is_some_and(|u| !u.is_empty()) {
                    emit.insert(String::new(), String::new());
                }
            }
            Canonicalization::ExcC14n {
                inclusive_prefixes, ..
            } => {
                // Exc-C14N §3: visibly utilised prefixes, plus the PrefixList
                // ones treated as in Canonical XML.
                let mut prefixes: Vec<&str> = vec![e.prefix.as_str()];
                prefixes.extend(
                    e.attrs
                        .iter()
                        .filter(|a| !a.prefix.is_empty())
                        .map(|a| a.prefix.as_str()),
                );
                prefixes.extend(
                    inclusive_prefixes
                        .iter()
                        .map(String::as_str)
                        .filter(|p| p.is_empty() || in_scope.contains_key(*p)),
                );
                for p in prefixes {
                    if p == "xml" {
                        continue;
                    }
                    let uri = in_scope.get(p).map_or("", String::as_str);
                    let shown = rendered.get(p).map_or("", String::as_str);
                    if uri != shown {
                        emit.insert(p.to_owned(), uri.to_owned());
                    }
                }
            }
        }
        let qname = e.qname();
        self.out.push('<');
        self.out.push_str(&qname);
        for (p, u) in &emit {
            if p.is_empty() {
                self.out.push_str(" xmlns=\"");
            } else {
                self.out.push_str(" xmlns:");
                self.out.push_str(p);
                self.out.push_str("=\"");
            }
            escape_attr(&mut self.out, u);
            self.out.push('"');
        }
        let mut attrs: Vec<(&str, &str, String, &str)> = e
            .attrs
            .iter()
            .map(|a| (a.ns.as_str(), a.local.as_str(), a.qname(), a.value.as_str()))
            .collect();
        for (local, value) in inherited {
            attrs.push((
                XML_NS,
                local.as_str(),
                format!("xml:{local}"),
                value.as_str(),
            ));
        }
        // C14N §2.2: attributes sorted by namespace URI, then local name;
        // unqualified ones (empty URI) first.
        attrs.sort_by(|a, b| (a.0, a.1).cmp(&(b.0, b.1)));
        for (_, _, name, value) in &attrs {
            self.out.push(' ');
            self.out.push_str(name);
            self.out.push_str("=\"");
            escape_attr(&mut self.out, value);
            self.out.push('"');
        }
        self.out.push('>');
        let mut now_rendered = rendered.clone();
        now_rendered.extend(emit);
        for &c in &e.children {
            match tree.nodes.get(c) {
                Some(Node::Element(_)) => self.element(c, &now_rendered, &[]),
                Some(Node::Text(t)) => escape_text(&mut self.out, t),
                Some(Node::Comment(t)) if self.method.with_comments() => {
                    self.out.push_str(&comment(t))
                }
                Some(Node::Pi { target, data }) => self.out.push_str(&pi(target, data)),
                _ => {}
            }
        }
        self.out.push_str("</");
        self.out.push_str(&qname);
        self.out.push('>');
    }
}

fn comment(body: &str) -> String {
    format!("<!--{body}-->")
}

fn pi(target: &str, data: &str) -> String {
    if data.is_empty() {
        format!("<?{target}?>")
    } else {
        format!("<?{target} {data}?>")
    }
}

/// C14N §2.3 text nodes: `&`, `<`, `>` and CR as references.
fn escape_text(out: &mut String, s: &str) {
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\r' => out.push_str("&#xD;"),
            _ => out.push(c),
        }
    }
}

/// C14N §2.3 attribute values: `&`, `<`, `"`, TAB, LF and CR as references.
fn escape_attr(out: &mut String, s: &str) {
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '"' => out.push_str("&quot;"),
            '\t' => out.push_str("&#x9;"),
            '\n' => out.push_str("&#xA;"),
            '\r' => out.push_str("&#xD;"),
            _ => out.push(c),
        }
    }
}
