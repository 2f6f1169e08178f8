//! Streaming parsers for the two public APN formats. They turn a file's bytes
//! into [`ApnRow`]s and [`CdmaRow`]s; they do not touch the database (the
//! caller stores everything in one transaction, or nothing).
//!
//! The parsers are event-based (quick-xml, no DOM, no DTD or external entity
//! resolution) and order-agnostic inside an element. Values a stack does not
//! know are kept and reported as warnings, never a reason to reject a file;
//! what makes a lookup key wrong (a non-digit MCC, a malformed SID, broken
//! XML) rejects the whole file with its line and reason.

pub mod android;
pub mod mbpi;

use crate::error::ParseError;
use crate::model::{ApnRow, CdmaRow, SourceKind};
use quick_xml::Reader;
use quick_xml::events::{BytesRef, BytesStart, Event};
use serde::Serialize;
use std::path::Path;

/// Figures about one parsed file.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    /// `<country>` elements (MBPI).
    pub countries: u64,
    /// `<provider>` elements (MBPI).
    pub providers: u64,
    /// `<apn>` elements (both formats).
    pub apns: u64,
    /// `<network-id>` elements (MBPI), duplicates included.
    pub network_ids: u64,
    /// Rows stored: one per APN and distinct network-id of its provider
    /// (Android: one per record), excluding APNs of providers without any
    /// network-id.
    pub rows: u64,
    /// Rows kept without an MCC/MNC (findable by provider name only).
    pub rows_without_plmn: u64,
    /// CDMA `<sid>` entries (MBPI).
    pub cdma_sids: u64,
    /// Rows with an MVNO discriminator.
    pub mvno_rows: u64,
    /// Warnings (values kept but not understood, data-loss hints).
    pub warnings: u64,
}

/// Something the importer kept but could not fully map.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Warning {
    /// 1-based line.
    pub line: u64,
    /// What was odd.
    pub message: String,
}

/// The parsed content of one file.
#[derive(Debug, Clone, Default)]
pub struct Parsed {
    /// Which format it was.
    pub kind: Option<SourceKind>,
    /// The APN rows in document order.
    pub rows: Vec<ApnRow>,
    /// The CDMA SID rows in document order.
    pub cdma: Vec<CdmaRow>,
    /// Figures.
    pub counts: Counts,
    /// Warnings, in file order.
    pub warnings: Vec<Warning>,
}

/// Parse a file's bytes, detecting the format from the root element
/// (`<serviceproviders>` or `<apns>`).
pub fn parse(data: &[u8], file: &Path) -> Result<Parsed, ParseError> {
    let mut r = Reader::from_reader(data);
    let mut cur = Cursor::new(data, file);
    loop {
        let pos = r.buffer_position();
        match r.read_event() {
            Ok(Event::Start(e)) | Ok(Event::Empty(e)) => {
                let name = e.local_name();
                return match name.as_ref() {
                    "serviceproviders" => mbpi::parse(data, file),
                    "apns" => android::parse(data, file),
                    other => Err(cur.error(
                        pos,
                        format!(
                            "root element is <{}>, expected <serviceproviders> or <apns>",
                            other
                        ),
                    )),
                };
            }
            Ok(Event::Eof) => return Err(cur.error(pos, "no root element".into())),
            Ok(_) => {}
            Err(e) => return Err(cur.xml_error(&r, e)),
        }
    }
}

/// Byte offset → line, and error construction, for one file.
pub(crate) struct Cursor<'a> {
    data: &'a [u8],
    file: &'a Path,
    at: usize,
    line: u64,
}

impl<'a> Cursor<'a> {
    pub(crate) fn new(data: &'a [u8], file: &'a Path) -> Self {
        Cursor {
            data,
            file,
            at: 0,
            line: 1,
        }
    }

    /// 1-based line of byte offset `pos`. Offsets usually grow, so lines are
    /// counted incrementally.
    pub(crate) fn line(&mut self, pos: u64) -> u64 {
        let pos = usize::try_from(pos)
            .unwrap_or(usize::MAX)
            .min(self.data.len());
        if pos < self.at {
            self.at = 0;
            self.line = 1;
        }
        let nl = self.data[self.at..pos]
            .iter()
            .filter(|&&b| b == b'\n')
            .count();
        self.line += nl as u64;
        self.at = pos;
        self.line
    }

    /// Offset of the first non-whitespace byte at or after `pos` (events are
    /// reported from the end of the previous one, which may be whitespace).
    pub(crate) fn skip_ws(&self, pos: u64) -> u64 {
        let start = usize::try_from(pos)
            .unwrap_or(usize::MAX)
            .min(self.data.len());
        let n = self.data[start..]
            .iter()
            .take_while(|b| b.is_ascii_whitespace())
            .count();
        pos + n as u64
    }

    pub(crate) fn error(&mut self, pos: u64, reason: String) -> ParseError {
        let line = self.line(pos);
        ParseError {
            file: self.file.to_path_buf(),
            line,
            reason,
        }
    }

    pub(crate) fn xml_error(&mut self, r: &Reader<&[u8]>, e: quick_xml::Error) -> ParseError {
        let pos = r.error_position();
        self.error(pos, format!("XML syntax: {e}"))
    }
}

/// The text of an entity or character reference inside text content.
pub(crate) fn resolve_ref(r: &BytesRef<'_>) -> Result<String, String> {
    match r.resolve_char_ref() {
        Ok(Some(c)) => return Ok(c.to_string()),
        Ok(None) => {}
        Err(e) => return Err(format!("bad character reference: {e}")),
    }
    let name: &str = r;
    match name {
        "amp" => Ok("&".into()),
        "lt" => Ok("<".into()),
        "gt" => Ok(">".into()),
        "apos" => Ok("'".into()),
        "quot" => Ok("\"".into()),
        // External/DTD entities are never resolved (quirk 1).
        other => Err(format!("undefined entity &{other};")),
    }
}

/// All attributes of an element, unescaped, in order.
pub(crate) fn attributes(e: &BytesStart<'_>) -> Result<Vec<(String, String)>, String> {
    let mut out = Vec::new();
    for a in e.attributes() {
        let a = a.map_err(|err| format!("bad attribute: {err}"))?;
        let key = a.key.as_ref().to_owned();
        let value = a
            .normalized_value(quick_xml::XmlVersion::Implicit1_0)
            .map_err(|err| format!("attribute {key}: {err}"))?
            .into_owned();
        out.push((key, value));
    }
    Ok(out)
}

/// The value of attribute `key`, if present.
pub(crate) fn attr<'v>(attrs: &'v [(String, String)], key: &str) -> Option<&'v str> {
    attrs
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
}
