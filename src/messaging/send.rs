//! Sending a text: record it in the store, split it into SMS-SUBMIT parts
//! (TS 23.040 §9.2.2.2, concatenation §9.2.3.24.1), send each part through
//! the modem, and keep the TP-MR the modem returns so that a later
//! SMS-STATUS-REPORT (matched by the ingest pipeline) updates the message's
//! delivery state.
//!
//! States follow ModemManager's `MMSmsState`: `sending` while parts go out,
//! `sent` when all went, back to `stored` when a part failed (the text stays
//! in the store and may be sent again). No events are published here; the
//! D-Bus layer reflects the returned state.

use super::address::Address;
use super::concat::split_text;
use super::error::EncodeError;
use super::pdu::{Message, Submit, Tpdu};
use super::store::{NewSent, SmsStore, StoreError};
use super::udh::ConcatReference;
use crate::modem::ops::sms;
use crate::modem::{ModemHandle, OperationError};

/// Why a send failed.
#[derive(Debug, thiserror::Error)]
pub enum SendError {
    /// The text or number cannot be coded.
    #[error("cannot encode the message: {0}")]
    Encode(#[from] EncodeError),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The modem refused a part (`sent` parts before it are gone).
    #[error("sending part {part} of {total} failed: {source}")]
    Modem {
        /// 1-based part that failed.
        part: usize,
        /// Parts in the message.
        total: usize,
        /// The modem's error.
        source: OperationError,
        /// Store id of the message (state `stored`).
        message_id: i64,
    },
}

/// A text to send.
#[derive(Debug, Clone)]
pub struct OutgoingText<'a> {
    /// Modem identity (as the ingest pipeline uses it).
    pub modem: &'a str,
    /// Recipient as the user wrote it (`+` for international).
    pub number: &'a str,
    /// The text.
    pub text: &'a str,
    /// Ask for delivery reports (TP-SRR).
    pub delivery_report: bool,
    /// Now (Unix ms).
    pub now_ms: i64,
}

/// What was sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SentMessage {
    /// Store id.
    pub message_id: i64,
    /// TP-MR of each part as the modem reported it.
    pub message_references: Vec<u8>,
}

/// Build the SMSC-prefixed SUBMIT PDUs for `text` (default SMSC). The
/// concatenation reference is `reference`.
pub fn submit_pdus(
    number: &str,
    text: &str,
    delivery_report: bool,
    reference: u8,
) -> Result<Vec<Vec<u8>>, EncodeError> {
    let split = split_text(text, ConcatReference::Eight(reference))?;
    let to = Address::from_user(number);
    split
        .parts
        .into_iter()
        .map(|ud| {
            let mut s = Submit::new(to.clone(), split.data_coding_scheme, ud);
            s.status_report_request = delivery_report;
            Message {
                smsc: None,
                tpdu: Tpdu::Submit(s),
            }
            .encode()
        })
        .collect()
}

/// What [`store_text`] / [`send_text`] record for `out`, after checking
/// that it encodes (an unencodable text never reaches the store).
fn record<'a>(out: &OutgoingText<'a>) -> Result<NewSent<'a>, SendError> {
    let probe = submit_pdus(out.number, out.text, out.delivery_report, 0)?;
    Ok(NewSent {
        modem: out.modem,
        number: out.number,
        text: out.text,
        parts_total: u8::try_from(probe.len()).unwrap_or(u8::MAX),
        delivery_report_requested: out.delivery_report,
        created_ms: out.now_ms,
    })
}

/// Record `out` without sending it (state `stored`); returns its store id,
/// for a later [`send_stored`].
pub async fn store_text(store: &SmsStore, out: &OutgoingText<'_>) -> Result<i64, SendError> {
    let new = record(out)?;
    Ok(store.insert_stored(&new).await?)
}

/// Record and send `out`.
pub async fn send_text(
    h: &ModemHandle,
    store: &SmsStore,
    out: &OutgoingText<'_>,
) -> Result<SentMessage, SendError> {
    let new = record(out)?;
    let message_id = store.insert_sent(&new).await?;
    send_parts(h, store, message_id, out).await
}

/// Send the message `message_id` recorded earlier by [`store_text`] with the
/// text `out` (state `sending`, then `sent`, or back to `stored`).
pub async fn send_stored(
    h: &ModemHandle,
    store: &SmsStore,
    message_id: i64,
    out: &OutgoingText<'_>,
) -> Result<SentMessage, SendError> {
    record(out)?;
    store.set_sent_state(message_id, "sending", None).await?;
    send_parts(h, store, message_id, out).await
}

async fn send_parts(
    h: &ModemHandle,
    store: &SmsStore,
    message_id: i64,
    out: &OutgoingText<'_>,
) -> Result<SentMessage, SendError> {
    // The row id makes a reference that differs between consecutive
    // messages and survives restarts.
    let reference = u8::try_from(message_id.rem_euclid(256)).unwrap_or(0);
    let pdus = submit_pdus(out.number, out.text, out.delivery_report, reference)?;
    let total = pdus.len();
    let mut refs = Vec::with_capacity(total);
    for (i, pdu) in pdus.into_iter().enumerate() {
        match sms::send_pdu(h, pdu).await {
            // MBIM carries TP-MR in a u32; only the low octet is the TP-MR.
            Ok(mr) => refs.push((mr & 0xFF) as u8),
            Err(source) => {
                store.set_sent_state(message_id, "stored", None).await?;
                return Err(SendError::Modem {
                    part: i + 1,
                    total,
                    source,
                    message_id,
                });
            }
        }
    }
    store
        .set_sent_state(message_id, "sent", refs.last().copied())
        .await?;
    Ok(SentMessage {
        message_id,
        message_references: refs,
    })
}
