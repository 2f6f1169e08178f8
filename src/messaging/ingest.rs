//! The no-loss SMS pipeline for one modem, and the messaging events the
//! D-Bus layer publishes.
//!
//! For every received PDU the order is: read from the modem → commit to
//! the [`SmsStore`] (one transaction, idempotent on the PDU octets) →
//! delete from the modem → publish. A crash after the commit and before the
//! delete leaves the PDU on the modem; at the next start the READ ALL finds
//! it, the store reports it as a duplicate, and it is deleted without a
//! second message. A crash after the delete and before the publish leaves
//! the message marked unannounced; it is published at the next start. So
//! storage is exactly-once and events are at-least-once.
//!
//! Reads: READ ALL at start (and after a reopen, a lagged event stream, a
//! store-full status, an SMS CONFIGURATION or SUBSCRIBER_READY_STATUS
//! indication — the SIM or SMS storage became ready); READ by index on a MESSAGE_STORE_STATUS indication
//! with NEW_MESSAGE; class-0 messages arriving in a READ indication (not
//! stored on the modem, so nothing to delete). Stored outgoing messages
//! (SMS-SUBMIT drafts/sent) on the modem are left alone.
//!
//! Multipart messages assemble in the store, so parts persist across reads
//! and restarts and may come in any order. A message whose parts are still
//! missing [`IngestConfig::multipart_timeout`] after its first part was read
//! (default [`DEFAULT_MULTIPART_TIMEOUT`], 24 h: a service centre's retry
//! schedule delivers remaining parts within hours, and ModemManager, which
//! has no timeout, shows the parts forever) is delivered with the text that
//! arrived and `complete == false`. A part arriving after that starts a new
//! message.
//!
//! Network-initiated USSD (USSD indications) is classified by the same
//! rules and published as [`MessagingEvent::IncomingUssd`] or an operator
//! notification; an indication ending the session (terminated by the
//! network, timed out, refused) as [`MessagingEvent::UssdSessionEnded`].
//! USSD sessions started by the host are not handled here (a modem that
//! also indicates the reply to a host request makes it look
//! network-initiated; the D-Bus layer ignores those while its request is
//! pending).
//!
//! Classification marks a message `operator` (private) only for a silent
//! rule; a `Silent="false"` match is stored and published as a plain SMS
//! too, with its rule id.
//!
//! This module owns no D-Bus objects; it publishes on a tokio broadcast
//! channel.

pub use super::live_rules::Rules;
use super::pdu::{Message, Tpdu};
use super::rules::{Bearer, OperatorValues, RuleMatch, RuleSet};
use super::store::{NewPart, PartBody, PartConcat, SmsStore, StoreError, StoredMessage};
use super::udh::{ConcatReference, UserDataBody};
use crate::modem::ops::sms;
use crate::modem::{ModemEvent, ModemHandle};
use mbim_proto::services::Payload;
use mbim_proto::services::sms::{SmsReceiveInfo, SmsStatusFlag, SmsStatusInfo, cid as sms_cid};
use mbim_proto::services::ussd::{UssdInfo, UssdResponse, cid as ussd_cid};
use mbim_proto::uuid;
use std::time::{Duration, SystemTime};
use tokio::sync::broadcast;
use tokio::task::JoinHandle;
use tokio::time::Instant;

/// Default wait for missing parts of a multipart message.
pub const DEFAULT_MULTIPART_TIMEOUT: Duration = Duration::from_secs(24 * 60 * 60);

/// A received SMS for the public `Messaging.Added` / `org.mbimd` signals.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IncomingSms {
    /// Store id of the message.
    pub message_id: i64,
    /// Modem identity.
    pub modem: String,
    /// The sender as displayed.
    pub sender: String,
    /// Joined text (None for data messages).
    pub text: Option<String>,
    /// Joined 8-bit data.
    pub data: Option<Vec<u8>>,
    /// SC timestamp, ISO 8601.
    pub scts: Option<String>,
    /// Message class.
    pub class: Option<u8>,
    /// All parts arrived (false: timed out with parts missing).
    pub complete: bool,
    /// Parts that arrived.
    pub parts_received: u8,
    /// Parts announced in the header.
    pub parts_total: u8,
}

/// Where an operator notification came from (Windows
/// `NetworkOperatorEventMessageType` Gsm / Ussd).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NotificationBearer {
    /// An SMS.
    Sms,
    /// Network-initiated USSD.
    Ussd,
}

/// A message recognised by an operator rule.
#[derive(Debug, Clone, PartialEq)]
pub struct OperatorNotification {
    /// Modem identity.
    pub modem: String,
    /// SMS or USSD.
    pub bearer: NotificationBearer,
    /// The store id (SMS only).
    pub message_id: Option<i64>,
    /// The SMS sender.
    pub sender: Option<String>,
    /// `Message@RuleId` of the rule.
    pub rule_id: Option<String>,
    /// The rule says the message also goes to normal SMS clients
    /// (`Silent="false"`); an [`IncomingSms`] follows in that case.
    pub visible: bool,
    /// Extracted figures.
    pub values: OperatorValues,
    /// The decoded text.
    pub text: String,
}

/// A network-initiated USSD that matched no rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IncomingUssd {
    /// Modem identity.
    pub modem: String,
    /// The decoded text.
    pub text: String,
    /// The network expects an answer (MM `network-request` vs `network-notification`).
    pub request: bool,
}

/// A delivery report for a sent message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeliveryReport {
    /// Modem identity.
    pub modem: String,
    /// The sent message, if its TP-MR matched one.
    pub message_id: Option<i64>,
    /// TP-MR.
    pub message_reference: u8,
    /// TP-ST.
    pub status: u8,
    /// TP-DT (when the SMSC discharged the message), ISO 8601.
    pub discharge_time: String,
}

/// What the messaging engine publishes.
#[derive(Debug, Clone, PartialEq)]
pub enum MessagingEvent {
    /// A public SMS (complete, or timed out incomplete).
    IncomingSms(IncomingSms),
    /// A public network-initiated USSD.
    IncomingUssd(IncomingUssd),
    /// An operator message (not also published as SMS/USSD unless `visible`).
    OperatorNotification(OperatorNotification),
    /// A status report arrived.
    DeliveryReport(DeliveryReport),
    /// The network ended a USSD session, or it failed (a USSD indication
    /// with a response other than "no action required" / "action
    /// required"); carries the modem identity.
    UssdSessionEnded(String),
}

/// Wall-clock milliseconds that advance with tokio's clock (so paused-time
/// tests move them; in production it is the wall clock at start plus
/// monotonic time since).
#[derive(Debug, Clone, Copy)]
pub struct Clock {
    base_ms: i64,
    start: Instant,
}

impl Clock {
    /// Starting now at the system time.
    pub fn system() -> Self {
        let ms = SystemTime::now()
            .duration_since(SystemTime::UNIX_EPOCH)
            .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX));
        Self::starting_at(ms)
    }

    /// Starting now at `base_ms`.
    pub fn starting_at(base_ms: i64) -> Self {
        Clock {
            base_ms,
            start: Instant::now(),
        }
    }

    /// Unix milliseconds now.
    pub fn now_ms(&self) -> i64 {
        let elapsed = i64::try_from(self.start.elapsed().as_millis()).unwrap_or(i64::MAX);
        self.base_ms.saturating_add(elapsed)
    }
}

/// Pipeline settings.
#[derive(Debug, Clone)]
pub struct IngestConfig {
    /// Stable modem identity the store keys on (IMSI, else device id).
    pub modem: String,
    /// Wait for missing parts.
    pub multipart_timeout: Duration,
    /// Fault injection for tests: stop with [`IngestError::InjectedCrash`]
    /// right after the Nth part commit (1-based), before deleting it from
    /// the modem.
    pub crash_after_commits: Option<usize>,
}

impl IngestConfig {
    /// Defaults for `modem`.
    pub fn new(modem: impl Into<String>) -> Self {
        IngestConfig {
            modem: modem.into(),
            multipart_timeout: DEFAULT_MULTIPART_TIMEOUT,
            crash_after_commits: None,
        }
    }
}

/// Why the pipeline stopped.
#[derive(Debug, thiserror::Error)]
pub enum IngestError {
    /// The store failed (the modem's copy was kept).
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The test-only crash point was reached.
    #[error("injected crash after commit")]
    InjectedCrash,
}

/// The pipeline for one modem.
#[derive(Debug)]
pub struct Ingest {
    handle: ModemHandle,
    store: SmsStore,
    rules: Rules,
    events: broadcast::Sender<MessagingEvent>,
    config: IngestConfig,
    clock: Clock,
    commits: usize,
}

/// The events for a network-initiated USSD indication: an operator
/// notification when a rule with a `USSDBearer` matches (followed by the
/// public event when the rule is not silent), else the public event.
pub fn classify_network_ussd(
    rules: &RuleSet,
    modem: &str,
    u: &UssdInfo,
) -> Result<Vec<MessagingEvent>, super::error::PduError> {
    if u.ussd_response != UssdResponse::NO_ACTION_REQUIRED
        && u.ussd_response != UssdResponse::ACTION_REQUIRED
    {
        return Ok(vec![MessagingEvent::UssdSessionEnded(modem.to_owned())]);
    }
    let text = super::ussd_session::decode_payload(u)?;
    let public = |text: String| {
        MessagingEvent::IncomingUssd(IncomingUssd {
            modem: modem.to_owned(),
            text,
            request: u.ussd_response == UssdResponse::ACTION_REQUIRED,
        })
    };
    Ok(match rules.classify(&Bearer::Ussd, &text) {
        Some(m) => {
            let visible = !m.silent;
            let mut v = vec![MessagingEvent::OperatorNotification(OperatorNotification {
                modem: modem.to_owned(),
                bearer: NotificationBearer::Ussd,
                message_id: None,
                sender: None,
                rule_id: m.rule_id,
                visible,
                values: m.values,
                text: text.clone(),
            })];
            if visible {
                v.push(public(text));
            }
            v
        }
        None => vec![public(text)],
    })
}

/// Decode one PDU into what the store keeps; `None` for outgoing PDUs.
pub fn decode_part(pdu: &[u8]) -> Option<PartBody> {
    let msg = match Message::decode(pdu) {
        Ok(m) => m,
        Err(e) => {
            return Some(PartBody::Undecodable {
                error: e.to_string(),
            });
        }
    };
    match msg.tpdu {
        Tpdu::Deliver(d) => {
            let concat = d.user_data.concat().map(|c| PartConcat {
                reference: c.reference.value(),
                reference_bits: match c.reference {
                    ConcatReference::Eight(_) => 8,
                    ConcatReference::Sixteen(_) => 16,
                },
                total: c.total,
                sequence: c.sequence,
            });
            let (text, data) = match d.user_data.body {
                UserDataBody::Text(t) => (Some(t), None),
                UserDataBody::Data(b) => (None, Some(b)),
            };
            Some(PartBody::Deliver {
                sender: d.originating_address.to_string(),
                scts: d.service_centre_time_stamp.to_string(),
                class: d.data_coding_scheme.class().map(|c| c.number()),
                concat,
                text,
                data,
            })
        }
        Tpdu::StatusReport(s) => Some(PartBody::StatusReport {
            message_reference: s.message_reference,
            recipient: s.recipient_address.to_string(),
            status: s.status.0,
            discharge_time: s.discharge_time.to_string(),
        }),
        Tpdu::Submit(_) => None,
    }
}

impl Ingest {
    /// A pipeline over `handle`, storing in `store`, classifying with
    /// `rules`, publishing on `events`.
    pub fn new(
        handle: ModemHandle,
        store: SmsStore,
        rules: Rules,
        events: broadcast::Sender<MessagingEvent>,
        config: IngestConfig,
    ) -> Self {
        Ingest {
            handle,
            store,
            rules,
            events,
            config,
            clock: Clock::system(),
            commits: 0,
        }
    }

    /// Use `clock` instead of the system clock.
    pub fn with_clock(mut self, clock: Clock) -> Self {
        self.clock = clock;
        self
    }

    /// Run on the current runtime.
    pub fn spawn(self) -> JoinHandle<Result<(), IngestError>> {
        tokio::spawn(self.run())
    }

    /// Run until the modem goes away (Ok) or an injected crash (Err).
    pub async fn run(mut self) -> Result<(), IngestError> {
        // Subscribe before the first READ ALL so no arrival falls between.
        let mut events = self.handle.events();
        self.announce_pending().await?;
        self.expire().await?;
        self.read_all().await?;
        loop {
            let deadline = self.next_deadline().await?;
            let sleep = async {
                match deadline {
                    Some(d) => tokio::time::sleep_until(d).await,
                    None => std::future::pending().await,
                }
            };
            tokio::select! {
                ev = events.recv() => match ev {
                    Ok(ModemEvent::Indication { service, cid, information_buffer }) => {
                        self.indication(service, cid, &information_buffer).await?;
                    }
                    Ok(ModemEvent::Ready { reopened: true }) => self.read_all().await?,
                    Ok(ModemEvent::Removed { .. }) => return Ok(()),
                    Ok(_) => {}
                    Err(broadcast::error::RecvError::Lagged(n)) => {
                        tracing::warn!(modem = %self.config.modem, "missed {n} modem events; re-reading the SMS store");
                        self.read_all().await?;
                    }
                    Err(broadcast::error::RecvError::Closed) => return Ok(()),
                },
                () = sleep => self.expire().await?,
            }
        }
    }

    async fn next_deadline(&self) -> Result<Option<Instant>, IngestError> {
        let Some(oldest) = self.store.oldest_assembling(&self.config.modem).await? else {
            return Ok(None);
        };
        let timeout_ms =
            i64::try_from(self.config.multipart_timeout.as_millis()).unwrap_or(i64::MAX);
        let due_in = oldest
            .saturating_add(timeout_ms)
            .saturating_sub(self.clock.now_ms())
            .max(0);
        Ok(Some(
            Instant::now() + Duration::from_millis(u64::try_from(due_in).unwrap_or(0)),
        ))
    }

    async fn expire(&mut self) -> Result<(), IngestError> {
        let now = self.clock.now_ms();
        let timeout_ms =
            i64::try_from(self.config.multipart_timeout.as_millis()).unwrap_or(i64::MAX);
        let done = self
            .store
            .expire_assembling(&self.config.modem, now.saturating_sub(timeout_ms), now)
            .await?;
        if !done.is_empty() {
            tracing::info!(modem = %self.config.modem, ?done, "multipart messages timed out incomplete");
            self.announce_pending().await?;
        }
        Ok(())
    }

    async fn indication(
        &mut self,
        service: mbim_proto::Uuid,
        cid: u32,
        info: &[u8],
    ) -> Result<(), IngestError> {
        let service = uuid::canonical(service);
        if service == uuid::SMS && cid == sms_cid::MESSAGE_STORE_STATUS {
            let Ok(st) = SmsStatusInfo::decode(info) else {
                return self.read_all().await;
            };
            if st.flag.contains(SmsStatusFlag::MESSAGE_STORE_FULL) || st.message_index == 0 {
                // Full, or no index given: sweep everything.
                return self.read_all().await;
            }
            if st.flag.contains(SmsStatusFlag::NEW_MESSAGE) {
                match sms::read(&self.handle, st.message_index).await {
                    Ok(Some(r)) => self.record(Some(r.message_index), &r.pdu_data.0).await?,
                    Ok(None) => {}
                    Err(e) => {
                        tracing::warn!(modem = %self.config.modem, index = st.message_index, "SMS read failed: {e}; sweeping");
                        self.read_all().await?;
                    }
                }
            }
        } else if (service == uuid::SMS && cid == sms_cid::CONFIGURATION)
            || (service == uuid::BASIC_CONNECT
                && cid == mbim_proto::services::basic_connect::cid::SUBSCRIBER_READY_STATUS)
        {
            // The SIM became ready or the SMS storage was initialised: a
            // READ ALL at start may have been refused, so sweep again
            // (idempotent when nothing changed).
            return self.read_all().await;
        } else if service == uuid::SMS && cid == sms_cid::READ {
            // Class-0 (flash) messages are pushed, not stored (MBIM §10.5.26).
            if let Ok(SmsReceiveInfo::Pdu(records)) = SmsReceiveInfo::decode(info) {
                for r in records {
                    let index = (r.message_index != 0).then_some(r.message_index);
                    self.record(index, &r.pdu_data.0).await?;
                }
            }
        } else if service == uuid::USSD
            && cid == ussd_cid::USSD
            && let Ok(u) = UssdInfo::decode(info)
        {
            self.network_ussd(&u);
        }
        Ok(())
    }

    fn network_ussd(&self, u: &UssdInfo) {
        match classify_network_ussd(&self.rules.current(), &self.config.modem, u) {
            Ok(events) => events.into_iter().for_each(|e| self.publish(e)),
            Err(e) => tracing::warn!(modem = %self.config.modem, "undecodable network USSD: {e}"),
        }
    }

    fn publish(&self, ev: MessagingEvent) {
        // No subscriber is not an error: the store has the message.
        let _ = self.events.send(ev);
    }

    async fn read_all(&mut self) -> Result<(), IngestError> {
        let records = match sms::list(&self.handle).await {
            Ok(r) => r,
            Err(e) => {
                tracing::warn!(modem = %self.config.modem, "SMS READ ALL failed: {e}");
                return Ok(());
            }
        };
        for r in records {
            self.record(Some(r.message_index), &r.pdu_data.0).await?;
        }
        Ok(())
    }

    /// Commit, then delete, then publish one PDU.
    async fn record(&mut self, index: Option<u32>, pdu: &[u8]) -> Result<(), IngestError> {
        let Some(body) = decode_part(pdu) else {
            return Ok(()); // an outgoing message stored on the modem
        };
        let part = NewPart {
            modem: &self.config.modem,
            pdu,
            storage_index: index,
            received_ms: self.clock.now_ms(),
            body,
        };
        let outcome = match self.store.insert_part(&part).await {
            Ok(o) => o,
            Err(e) => {
                // Keep the modem's copy; the next sweep retries.
                tracing::error!(modem = %self.config.modem, ?index, "SMS store failed: {e}");
                return Ok(());
            }
        };
        self.commits += 1;
        if self.config.crash_after_commits == Some(self.commits) {
            return Err(IngestError::InjectedCrash);
        }
        if let Some(i) = index
            && let Err(e) = sms::delete(&self.handle, Some(i)).await
        {
            tracing::warn!(modem = %self.config.modem, index = i, "SMS delete failed: {e}");
        }
        if outcome.duplicate {
            tracing::debug!(modem = %self.config.modem, ?index, "SMS part already stored");
        }
        if outcome.delivery_report_id.is_some()
            && let PartBody::StatusReport {
                message_reference,
                status,
                discharge_time,
                ..
            } = part.body
        {
            self.publish(MessagingEvent::DeliveryReport(DeliveryReport {
                modem: self.config.modem.clone(),
                message_id: outcome.message_id,
                message_reference,
                status,
                discharge_time,
            }));
        }
        if outcome.completed || outcome.duplicate {
            self.announce_pending().await?;
        }
        Ok(())
    }

    /// Publish every finished message not yet published, then mark it.
    async fn announce_pending(&mut self) -> Result<(), IngestError> {
        for m in self.store.unannounced(&self.config.modem).await? {
            let rule = match (&m.text, m.received) {
                (Some(text), true) => self.rules.current().classify(
                    &Bearer::Sms {
                        sender: &m.number,
                        class: m.class,
                    },
                    text,
                ),
                _ => None,
            };
            // `kind` says who sees the message: a silent operator message
            // is private ("operator"); a `Silent="false"` match is public
            // ("sms") and keeps its rule id.
            let kind = if rule.as_ref().is_some_and(|r| r.silent) {
                "operator"
            } else {
                "sms"
            };
            let rule_id = rule.as_ref().and_then(|r| r.rule_id.clone());
            self.announce(&m, rule);
            self.store
                .mark_announced(m.id, kind, rule_id.as_deref())
                .await?;
        }
        Ok(())
    }

    fn announce(&self, m: &StoredMessage, rule: Option<RuleMatch>) {
        let visible = match rule {
            Some(r) => {
                let visible = !r.silent;
                self.publish(MessagingEvent::OperatorNotification(OperatorNotification {
                    modem: m.modem.clone(),
                    bearer: NotificationBearer::Sms,
                    message_id: Some(m.id),
                    sender: Some(m.number.clone()),
                    rule_id: r.rule_id,
                    visible,
                    values: r.values,
                    text: m.text.clone().unwrap_or_default(),
                }));
                visible
            }
            None => true,
        };
        if visible {
            self.publish(MessagingEvent::IncomingSms(IncomingSms {
                message_id: m.id,
                modem: m.modem.clone(),
                sender: m.number.clone(),
                text: m.text.clone(),
                data: m.data.clone(),
                scts: m.scts.clone(),
                class: m.class,
                complete: m.assembly == super::store::Assembly::Complete,
                parts_received: m.parts_received,
                parts_total: m.parts_total,
            }));
        }
    }
}
