//! The daemon's SQLite SMS store: every received PDU ("part") exactly as the
//! modem gave it, the messages assembled from parts, sent messages and their
//! delivery reports.
//!
//! The store is the point of no loss: [`SmsStore::insert_part`] commits a part
//! (and its effect on assembly) in one transaction, and the caller deletes the
//! PDU from the modem only afterwards. The insert is idempotent on
//! `(modem, PDU octets)`: a PDU seen again — read twice, or still on the
//! modem after a crash between commit and delete — returns the existing part
//! and changes nothing. Two distinct messages with identical octets (same
//! sender, SC timestamp to the second, concatenation reference and text) are
//! indistinguishable and are kept once, which is the intended de-duplication
//! of network retransmissions.
//!
//! This module does no modem I/O, decodes no PDUs (callers pass decoded
//! fields along with the raw octets) and publishes no events. Times are Unix
//! milliseconds supplied by the caller.

use sqlx::sqlite::{SqliteConnectOptions, SqlitePool, SqlitePoolOptions, SqliteRow};
use sqlx::{Row, Sqlite, Transaction};
use std::path::Path;
use std::str::FromStr;

/// Schema migrations, applied in order; `PRAGMA user_version` records the last.
const MIGRATIONS: &[(i64, &str)] = &[(
    1,
    r#"
CREATE TABLE message (
    id INTEGER PRIMARY KEY,
    modem TEXT NOT NULL,
    -- 'received' or 'sent'
    direction TEXT NOT NULL,
    -- sender (received) or recipient (sent), as displayed (+ for international)
    number TEXT NOT NULL,
    text TEXT,
    data BLOB,
    -- TP-SCTS, ISO 8601 with zone
    scts TEXT,
    class INTEGER,
    concat_ref INTEGER,
    concat_ref_bits INTEGER,
    parts_total INTEGER NOT NULL,
    -- 'assembling', 'complete', 'incomplete' (timed out with parts missing)
    assembly TEXT NOT NULL,
    -- MM SmsState names: 'receiving', 'received', 'stored', 'sending', 'sent'
    state TEXT NOT NULL,
    first_seen_ms INTEGER NOT NULL,
    completed_ms INTEGER,
    -- 'sms' (public; rule_id set when a Silent="false" operator rule matched) or
    -- 'operator' (a silent operator rule matched: private); NULL until published
    kind TEXT,
    rule_id TEXT,
    -- whether the incoming event was published (re-published after a crash otherwise)
    announced INTEGER NOT NULL DEFAULT 0,
    -- sent messages: TP-MR of the last part and whether a report was asked for
    message_reference INTEGER,
    delivery_report_requested INTEGER NOT NULL DEFAULT 0,
    -- TP-ST of the latest delivery report
    delivery_state INTEGER
);
CREATE INDEX message_assembling ON message (modem, assembly, number, concat_ref);

CREATE TABLE part (
    id INTEGER PRIMARY KEY,
    modem TEXT NOT NULL,
    pdu BLOB NOT NULL,
    storage_index INTEGER,
    received_ms INTEGER NOT NULL,
    -- 'deliver', 'status-report', 'undecodable'
    pdu_type TEXT NOT NULL,
    sender TEXT,
    concat_ref INTEGER,
    concat_ref_bits INTEGER,
    concat_total INTEGER,
    concat_seq INTEGER,
    body_text TEXT,
    body_data BLOB,
    decode_error TEXT,
    message_id INTEGER REFERENCES message (id) ON DELETE SET NULL,
    UNIQUE (modem, pdu)
);
CREATE INDEX part_message ON part (message_id);

CREATE TABLE delivery_report (
    id INTEGER PRIMARY KEY,
    modem TEXT NOT NULL,
    part_id INTEGER NOT NULL REFERENCES part (id),
    message_id INTEGER REFERENCES message (id) ON DELETE SET NULL,
    message_reference INTEGER NOT NULL,
    recipient TEXT NOT NULL,
    status INTEGER NOT NULL,
    discharge_time TEXT NOT NULL,
    received_ms INTEGER NOT NULL
);
"#,
)];

/// Newest schema this code knows.
pub const SCHEMA_VERSION: i64 = 1;

/// Store failures.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// SQLite said no.
    #[error("SMS store: {0}")]
    Sqlite(#[from] sqlx::Error),
    /// The file was written by a newer mbimd.
    #[error("SMS store schema version {found} is newer than this mbimd supports ({supported})")]
    SchemaTooNew {
        /// Version in the file.
        found: i64,
        /// Newest known here.
        supported: i64,
    },
}

/// Concatenation fields of a part (TS 23.040 §9.2.3.24.1/.8).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PartConcat {
    /// The reference shared by all parts.
    pub reference: u16,
    /// 8 or 16.
    pub reference_bits: u8,
    /// Number of parts.
    pub total: u8,
    /// This part's number, 1-based.
    pub sequence: u8,
}

/// What a received PDU turned out to be.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PartBody {
    /// An SMS-DELIVER.
    Deliver {
        /// Originating address as displayed.
        sender: String,
        /// TP-SCTS, ISO 8601.
        scts: String,
        /// Message class, if the DCS gives one.
        class: Option<u8>,
        /// Concatenation, if the message is one part of several.
        concat: Option<PartConcat>,
        /// The decoded text of this part (GSM 7-bit / UCS-2).
        text: Option<String>,
        /// The octets of this part (8-bit / compressed data).
        data: Option<Vec<u8>>,
    },
    /// An SMS-STATUS-REPORT.
    StatusReport {
        /// TP-MR of the submit it reports on.
        message_reference: u8,
        /// TP-RA as displayed.
        recipient: String,
        /// TP-ST.
        status: u8,
        /// TP-DT, ISO 8601.
        discharge_time: String,
    },
    /// The PDU did not decode; kept raw so nothing is lost.
    Undecodable {
        /// The decoder's error.
        error: String,
    },
}

/// A received PDU to commit.
#[derive(Debug, Clone)]
pub struct NewPart<'a> {
    /// Which modem (its stable identity, e.g. IMSI or device id).
    pub modem: &'a str,
    /// The PDU with SMSC prefix, as read.
    pub pdu: &'a [u8],
    /// Index in the modem's store (`None` for class-0 messages that were never stored).
    pub storage_index: Option<u32>,
    /// When it was read.
    pub received_ms: i64,
    /// Decoded fields.
    pub body: PartBody,
}

/// Result of [`SmsStore::insert_part`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PartOutcome {
    /// The part's row id.
    pub part_id: i64,
    /// Whether the PDU was already in the store (nothing changed).
    pub duplicate: bool,
    /// The message the part belongs to (deliver parts).
    pub message_id: Option<i64>,
    /// The message became complete with this part.
    pub completed: bool,
    /// The delivery report row (status-report parts).
    pub delivery_report_id: Option<i64>,
}

/// Assembly state of a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Assembly {
    /// Parts still missing, waiting.
    Assembling,
    /// All parts present.
    Complete,
    /// Timed out with parts missing; text is what arrived.
    Incomplete,
}

impl Assembly {
    fn as_str(self) -> &'static str {
        match self {
            Assembly::Assembling => "assembling",
            Assembly::Complete => "complete",
            Assembly::Incomplete => "incomplete",
        }
    }

    fn parse(s: &str) -> Self {
        match s {
            "complete" => Assembly::Complete,
            "incomplete" => Assembly::Incomplete,
            _ => Assembly::Assembling,
        }
    }
}

/// A message row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredMessage {
    /// Row id (stable; the D-Bus object path can use it).
    pub id: i64,
    /// Modem identity.
    pub modem: String,
    /// `true` for received, `false` for sent/stored outgoing.
    pub received: bool,
    /// Sender (received) or recipient (sent).
    pub number: String,
    /// Joined text of the parts present (None for data messages or while assembling).
    pub text: Option<String>,
    /// Joined data of 8-bit parts.
    pub data: Option<Vec<u8>>,
    /// TP-SCTS of the first part, ISO 8601.
    pub scts: Option<String>,
    /// Message class.
    pub class: Option<u8>,
    /// Parts expected.
    pub parts_total: u8,
    /// Parts present.
    pub parts_received: u8,
    /// Assembly state.
    pub assembly: Assembly,
    /// ModemManager `MMSmsState` name.
    pub state: String,
    /// First part seen (Unix ms).
    pub first_seen_ms: i64,
    /// `"sms"`, `"operator"`, or `None` before classification.
    pub kind: Option<String>,
    /// The operator rule that matched.
    pub rule_id: Option<String>,
    /// Whether the incoming event was published.
    pub announced: bool,
    /// TP-MR (sent messages).
    pub message_reference: Option<u8>,
    /// TP-ST of the latest delivery report (sent messages).
    pub delivery_state: Option<u8>,
    /// Whether delivery reports were requested (sent messages).
    pub delivery_report_requested: bool,
    /// TP-DT of the latest delivery report, ISO 8601 (sent messages).
    pub discharge_time: Option<String>,
}

/// A part row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredPart {
    /// Row id.
    pub id: i64,
    /// The raw PDU.
    pub pdu: Vec<u8>,
    /// Index it had on the modem.
    pub storage_index: Option<u32>,
    /// When it was read (Unix ms).
    pub received_ms: i64,
    /// Concatenation sequence number.
    pub sequence: Option<u8>,
    /// Decoder error, for undecodable PDUs.
    pub decode_error: Option<String>,
}

/// An outgoing message to record.
#[derive(Debug, Clone)]
pub struct NewSent<'a> {
    /// Modem identity.
    pub modem: &'a str,
    /// Recipient as the user gave it.
    pub number: &'a str,
    /// The text.
    pub text: &'a str,
    /// Number of PDUs it was split into.
    pub parts_total: u8,
    /// Whether delivery reports were requested.
    pub delivery_report_requested: bool,
    /// When (Unix ms).
    pub created_ms: i64,
}

/// The SQLite SMS store.
#[derive(Debug, Clone)]
pub struct SmsStore {
    pool: SqlitePool,
}

fn message_from_row(r: &SqliteRow) -> Result<StoredMessage, sqlx::Error> {
    let opt_u8 = |v: Option<i64>| v.and_then(|x| u8::try_from(x).ok());
    Ok(StoredMessage {
        id: r.try_get("id")?,
        modem: r.try_get("modem")?,
        received: r.try_get::<String, _>("direction")? == "received",
        number: r.try_get("number")?,
        text: r.try_get("text")?,
        data: r.try_get("data")?,
        scts: r.try_get("scts")?,
        class: opt_u8(r.try_get("class")?),
        parts_total: opt_u8(Some(r.try_get("parts_total")?)).unwrap_or(1),
        parts_received: opt_u8(Some(r.try_get("parts_received")?)).unwrap_or(0),
        assembly: Assembly::parse(&r.try_get::<String, _>("assembly")?),
        state: r.try_get("state")?,
        first_seen_ms: r.try_get("first_seen_ms")?,
        kind: r.try_get("kind")?,
        rule_id: r.try_get("rule_id")?,
        announced: r.try_get::<i64, _>("announced")? != 0,
        message_reference: opt_u8(r.try_get("message_reference")?),
        delivery_state: opt_u8(r.try_get("delivery_state")?),
        delivery_report_requested: r.try_get::<i64, _>("delivery_report_requested")? != 0,
        discharge_time: r.try_get("discharge_time")?,
    })
}

const MESSAGE_COLUMNS: &str = "m.*, (SELECT count(*) FROM part p WHERE p.message_id = m.id) \
     AS parts_received, (SELECT d.discharge_time FROM delivery_report d WHERE d.message_id = m.id \
     ORDER BY d.id DESC LIMIT 1) AS discharge_time";

impl SmsStore {
    /// Open (creating if needed) the store at `path` and migrate it.
    pub async fn open(path: &Path) -> Result<Self, StoreError> {
        let opts = SqliteConnectOptions::new()
            .filename(path)
            .create_if_missing(true)
            .foreign_keys(true)
            // WAL + FULL sync: a committed part survives power loss, which
            // is what makes deleting it from the modem safe.
            .journal_mode(sqlx::sqlite::SqliteJournalMode::Wal)
            .synchronous(sqlx::sqlite::SqliteSynchronous::Full);
        Self::open_with(opts).await
    }

    /// An in-memory store (tests, tools).
    pub async fn open_in_memory() -> Result<Self, StoreError> {
        let opts = SqliteConnectOptions::from_str("sqlite::memory:")?.foreign_keys(true);
        Self::open_with(opts).await
    }

    async fn open_with(opts: SqliteConnectOptions) -> Result<Self, StoreError> {
        // One connection: writes are few and must serialise anyway.
        let pool = SqlitePoolOptions::new()
            .max_connections(1)
            .connect_with(opts)
            .await?;
        let store = SmsStore { pool };
        store.migrate().await?;
        Ok(store)
    }

    /// Close the pool (waits for the connection to be returned).
    pub async fn close(&self) {
        self.pool.close().await;
    }

    async fn migrate(&self) -> Result<(), StoreError> {
        let current: i64 = sqlx::query_scalar("PRAGMA user_version")
            .fetch_one(&self.pool)
            .await?;
        if current > SCHEMA_VERSION {
            return Err(StoreError::SchemaTooNew {
                found: current,
                supported: SCHEMA_VERSION,
            });
        }
        for (version, sql) in MIGRATIONS {
            if *version <= current {
                continue;
            }
            let mut tx = self.pool.begin().await?;
            sqlx::raw_sql(*sql).execute(&mut *tx).await?;
            sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
                "PRAGMA user_version = {version}"
            )))
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
        }
        Ok(())
    }

    /// Commit one received PDU and its effect on message assembly, in one
    /// transaction. Idempotent on `(modem, pdu)`.
    pub async fn insert_part(&self, part: &NewPart<'_>) -> Result<PartOutcome, StoreError> {
        let mut tx = self.pool.begin().await?;
        let (pdu_type, sender, concat, text, data, error) = match &part.body {
            PartBody::Deliver {
                sender,
                concat,
                text,
                data,
                ..
            } => (
                "deliver",
                Some(sender.as_str()),
                *concat,
                text.as_deref(),
                data.as_deref(),
                None,
            ),
            PartBody::StatusReport { .. } => ("status-report", None, None, None, None, None),
            PartBody::Undecodable { error } => {
                ("undecodable", None, None, None, None, Some(error.as_str()))
            }
        };
        let inserted = sqlx::query(
            "INSERT OR IGNORE INTO part (modem, pdu, storage_index, received_ms, pdu_type, \
             sender, concat_ref, concat_ref_bits, concat_total, concat_seq, body_text, \
             body_data, decode_error) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(part.modem)
        .bind(part.pdu)
        .bind(part.storage_index.map(i64::from))
        .bind(part.received_ms)
        .bind(pdu_type)
        .bind(sender)
        .bind(concat.map(|c| i64::from(c.reference)))
        .bind(concat.map(|c| i64::from(c.reference_bits)))
        .bind(concat.map(|c| i64::from(c.total)))
        .bind(concat.map(|c| i64::from(c.sequence)))
        .bind(text)
        .bind(data)
        .bind(error)
        .execute(&mut *tx)
        .await?;
        if inserted.rows_affected() == 0 {
            let row = sqlx::query("SELECT id, message_id FROM part WHERE modem = ? AND pdu = ?")
                .bind(part.modem)
                .bind(part.pdu)
                .fetch_one(&mut *tx)
                .await?;
            tx.rollback().await?;
            return Ok(PartOutcome {
                part_id: row.try_get("id")?,
                duplicate: true,
                message_id: row.try_get("message_id")?,
                completed: false,
                delivery_report_id: None,
            });
        }
        let part_id = inserted.last_insert_rowid();
        let mut outcome = PartOutcome {
            part_id,
            duplicate: false,
            message_id: None,
            completed: false,
            delivery_report_id: None,
        };
        match &part.body {
            PartBody::Deliver {
                sender,
                scts,
                class,
                concat,
                ..
            } => {
                let (message_id, completed) =
                    assemble(&mut tx, part, part_id, sender, scts, *class, *concat).await?;
                outcome.message_id = Some(message_id);
                outcome.completed = completed;
            }
            PartBody::StatusReport {
                message_reference,
                recipient,
                status,
                discharge_time,
            } => {
                // The newest sent message with this TP-MR on this modem.
                let sent: Option<i64> = sqlx::query_scalar(
                    "SELECT id FROM message WHERE modem = ? AND direction = 'sent' \
                     AND message_reference = ? ORDER BY id DESC LIMIT 1",
                )
                .bind(part.modem)
                .bind(i64::from(*message_reference))
                .fetch_optional(&mut *tx)
                .await?;
                let r = sqlx::query(
                    "INSERT INTO delivery_report (modem, part_id, message_id, message_reference, \
                     recipient, status, discharge_time, received_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                )
                .bind(part.modem)
                .bind(part_id)
                .bind(sent)
                .bind(i64::from(*message_reference))
                .bind(recipient)
                .bind(i64::from(*status))
                .bind(discharge_time)
                .bind(part.received_ms)
                .execute(&mut *tx)
                .await?;
                if let Some(id) = sent {
                    sqlx::query("UPDATE message SET delivery_state = ? WHERE id = ?")
                        .bind(i64::from(*status))
                        .bind(id)
                        .execute(&mut *tx)
                        .await?;
                }
                outcome.message_id = sent;
                outcome.delivery_report_id = Some(r.last_insert_rowid());
            }
            PartBody::Undecodable { .. } => {}
        }
        tx.commit().await?;
        Ok(outcome)
    }

    /// Finish every message of `modem` still assembling whose first part was
    /// seen at or before `seen_before_ms`: join what arrived and mark it
    /// incomplete. Returns the ids finished.
    pub async fn expire_assembling(
        &self,
        modem: &str,
        seen_before_ms: i64,
        now_ms: i64,
    ) -> Result<Vec<i64>, StoreError> {
        let mut tx = self.pool.begin().await?;
        let ids: Vec<i64> = sqlx::query_scalar(
            "SELECT id FROM message WHERE modem = ? AND assembly = 'assembling' \
             AND first_seen_ms <= ? ORDER BY id",
        )
        .bind(modem)
        .bind(seen_before_ms)
        .fetch_all(&mut *tx)
        .await?;
        for id in &ids {
            finish(&mut tx, *id, Assembly::Incomplete, now_ms).await?;
        }
        tx.commit().await?;
        Ok(ids)
    }

    /// When the oldest message of `modem` still assembling was first seen.
    pub async fn oldest_assembling(&self, modem: &str) -> Result<Option<i64>, StoreError> {
        Ok(sqlx::query_scalar(
            "SELECT min(first_seen_ms) FROM message WHERE modem = ? AND assembly = 'assembling'",
        )
        .bind(modem)
        .fetch_one(&self.pool)
        .await?)
    }

    /// Finished received messages of `modem` whose event was not published yet.
    pub async fn unannounced(&self, modem: &str) -> Result<Vec<StoredMessage>, StoreError> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {MESSAGE_COLUMNS} FROM message m WHERE modem = ? AND direction = 'received' \
             AND assembly != 'assembling' AND announced = 0 ORDER BY id"
        )))
        .bind(modem)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .iter()
            .map(message_from_row)
            .collect::<Result<_, _>>()?)
    }

    /// Record that a message's event was published, and how it was classified.
    pub async fn mark_announced(
        &self,
        id: i64,
        kind: &str,
        rule_id: Option<&str>,
    ) -> Result<(), StoreError> {
        sqlx::query("UPDATE message SET announced = 1, kind = ?, rule_id = ? WHERE id = ?")
            .bind(kind)
            .bind(rule_id)
            .bind(id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// One message.
    pub async fn message(&self, id: i64) -> Result<Option<StoredMessage>, StoreError> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {MESSAGE_COLUMNS} FROM message m WHERE id = ?"
        )))
        .bind(id)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.as_ref().map(message_from_row).transpose()?)
    }

    /// All messages of `modem` in id order (what `Messaging.List` shows,
    /// after filtering out `kind == "operator"` as it sees fit).
    pub async fn messages(&self, modem: &str) -> Result<Vec<StoredMessage>, StoreError> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {MESSAGE_COLUMNS} FROM message m WHERE modem = ? ORDER BY id"
        )))
        .bind(modem)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .iter()
            .map(message_from_row)
            .collect::<Result<_, _>>()?)
    }

    /// The parts of a message in sequence order.
    pub async fn parts(&self, message_id: i64) -> Result<Vec<StoredPart>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, pdu, storage_index, received_ms, concat_seq, decode_error FROM part \
             WHERE message_id = ? ORDER BY concat_seq, id",
        )
        .bind(message_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(StoredPart {
                    id: r.try_get("id")?,
                    pdu: r.try_get("pdu")?,
                    storage_index: r
                        .try_get::<Option<i64>, _>("storage_index")?
                        .and_then(|v| u32::try_from(v).ok()),
                    received_ms: r.try_get("received_ms")?,
                    sequence: r
                        .try_get::<Option<i64>, _>("concat_seq")?
                        .and_then(|v| u8::try_from(v).ok()),
                    decode_error: r.try_get("decode_error")?,
                })
            })
            .collect::<Result<_, sqlx::Error>>()
            .map_err(Into::into)
    }

    /// Number of parts stored for `modem` (all kinds).
    pub async fn part_count(&self, modem: &str) -> Result<i64, StoreError> {
        Ok(
            sqlx::query_scalar("SELECT count(*) FROM part WHERE modem = ?")
                .bind(modem)
                .fetch_one(&self.pool)
                .await?,
        )
    }

    /// Delete a message (its parts stay as the raw record, detached, so a
    /// PDU still on the modem is not re-imported as new).
    pub async fn delete_message(&self, id: i64) -> Result<bool, StoreError> {
        let mut tx = self.pool.begin().await?;
        sqlx::query("UPDATE part SET message_id = NULL WHERE message_id = ?")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        let r = sqlx::query("DELETE FROM message WHERE id = ?")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(r.rows_affected() > 0)
    }

    /// Record an outgoing message (state `sending`); returns its id.
    pub async fn insert_sent(&self, m: &NewSent<'_>) -> Result<i64, StoreError> {
        self.insert_outgoing(m, "sending").await
    }

    /// Record an outgoing message to keep without sending it yet (state
    /// `stored`, ModemManager's `Sms.Store`); returns its id.
    pub async fn insert_stored(&self, m: &NewSent<'_>) -> Result<i64, StoreError> {
        self.insert_outgoing(m, "stored").await
    }

    async fn insert_outgoing(&self, m: &NewSent<'_>, state: &str) -> Result<i64, StoreError> {
        let r = sqlx::query(
            "INSERT INTO message (modem, direction, number, text, parts_total, assembly, state, \
             first_seen_ms, completed_ms, kind, announced, delivery_report_requested) \
             VALUES (?, 'sent', ?, ?, ?, 'complete', ?, ?, ?, 'sms', 1, ?)",
        )
        .bind(m.modem)
        .bind(m.number)
        .bind(m.text)
        .bind(i64::from(m.parts_total))
        .bind(state)
        .bind(m.created_ms)
        .bind(m.created_ms)
        .bind(i64::from(m.delivery_report_requested))
        .execute(&self.pool)
        .await?;
        Ok(r.last_insert_rowid())
    }

    /// Update an outgoing message's state (MM names: `stored`, `sending`,
    /// `sent`) and, once sent, its TP-MR (of the last part, which is the one
    /// a delivery report for the whole message refers to).
    pub async fn set_sent_state(
        &self,
        id: i64,
        state: &str,
        message_reference: Option<u8>,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE message SET state = ?, message_reference = coalesce(?, message_reference) \
             WHERE id = ?",
        )
        .bind(state)
        .bind(message_reference.map(i64::from))
        .bind(id)
        .execute(&self.pool)
        .await?;
        Ok(())
    }
}

/// Attach a deliver part to its message (creating it), completing the
/// message when the last part arrives.
async fn assemble(
    tx: &mut Transaction<'static, Sqlite>,
    part: &NewPart<'_>,
    part_id: i64,
    sender: &str,
    scts: &str,
    class: Option<u8>,
    concat: Option<PartConcat>,
) -> Result<(i64, bool), StoreError> {
    let existing: Option<i64> = match concat {
        None => None,
        // An open message with the same sender, reference and total, that
        // does not already hold this sequence number (a repeated number
        // starts a new message: the reference has wrapped).
        Some(c) => {
            sqlx::query_scalar(
                "SELECT m.id FROM message m WHERE m.modem = ? AND m.direction = 'received' \
                 AND m.assembly = 'assembling' AND m.number = ? AND m.concat_ref = ? \
                 AND m.concat_ref_bits = ? AND m.parts_total = ? AND NOT EXISTS \
                 (SELECT 1 FROM part p WHERE p.message_id = m.id AND p.concat_seq = ?) \
                 ORDER BY m.id LIMIT 1",
            )
            .bind(part.modem)
            .bind(sender)
            .bind(i64::from(c.reference))
            .bind(i64::from(c.reference_bits))
            .bind(i64::from(c.total))
            .bind(i64::from(c.sequence))
            .fetch_optional(&mut **tx)
            .await?
        }
    };
    let message_id = match existing {
        Some(id) => id,
        None => sqlx::query(
            "INSERT INTO message (modem, direction, number, scts, class, concat_ref, \
             concat_ref_bits, parts_total, assembly, state, first_seen_ms) \
             VALUES (?, 'received', ?, ?, ?, ?, ?, ?, 'assembling', 'receiving', ?)",
        )
        .bind(part.modem)
        .bind(sender)
        .bind(scts)
        .bind(class.map(i64::from))
        .bind(concat.map(|c| i64::from(c.reference)))
        .bind(concat.map(|c| i64::from(c.reference_bits)))
        .bind(concat.map_or(1, |c| i64::from(c.total)))
        .bind(part.received_ms)
        .execute(&mut **tx)
        .await?
        .last_insert_rowid(),
    };
    sqlx::query("UPDATE part SET message_id = ? WHERE id = ?")
        .bind(message_id)
        .bind(part_id)
        .execute(&mut **tx)
        .await?;
    // The SCTS of part 1 is the message's (parts can be stamped differently).
    if concat.is_some_and(|c| c.sequence == 1) {
        sqlx::query("UPDATE message SET scts = ? WHERE id = ?")
            .bind(scts)
            .bind(message_id)
            .execute(&mut **tx)
            .await?;
    }
    let (have, total): (i64, i64) = sqlx::query_as(
        "SELECT (SELECT count(*) FROM part WHERE message_id = m.id), m.parts_total \
         FROM message m WHERE m.id = ?",
    )
    .bind(message_id)
    .fetch_one(&mut **tx)
    .await?;
    let completed = have >= total;
    if completed {
        finish(tx, message_id, Assembly::Complete, part.received_ms).await?;
    }
    Ok((message_id, completed))
}

/// Join the parts present (in sequence order) into the message's text/data
/// and close its assembly.
async fn finish(
    tx: &mut Transaction<'static, Sqlite>,
    message_id: i64,
    assembly: Assembly,
    now_ms: i64,
) -> Result<(), StoreError> {
    let rows = sqlx::query(
        "SELECT body_text, body_data FROM part WHERE message_id = ? ORDER BY concat_seq, id",
    )
    .bind(message_id)
    .fetch_all(&mut **tx)
    .await?;
    let mut text: Option<String> = None;
    let mut data: Option<Vec<u8>> = None;
    for r in &rows {
        if let Some(t) = r.try_get::<Option<String>, _>("body_text")? {
            text.get_or_insert_with(String::new).push_str(&t);
        }
        if let Some(d) = r.try_get::<Option<Vec<u8>>, _>("body_data")? {
            data.get_or_insert_with(Vec::new).extend_from_slice(&d);
        }
    }
    sqlx::query(
        "UPDATE message SET text = ?, data = ?, assembly = ?, state = 'received', \
         completed_ms = ? WHERE id = ?",
    )
    .bind(text)
    .bind(data)
    .bind(assembly.as_str())
    .bind(now_ms)
    .bind(message_id)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn part<'a>(pdu: &'a [u8], seq: Option<(u8, u8)>, text: &str) -> NewPart<'a> {
        NewPart {
            modem: "m",
            pdu,
            storage_index: Some(1),
            received_ms: 1000,
            body: PartBody::Deliver {
                sender: "+1555".into(),
                scts: "2026-11-25T00:00:00+00:00".into(),
                class: None,
                concat: seq.map(|(total, sequence)| PartConcat {
                    reference: 5,
                    reference_bits: 8,
                    total,
                    sequence,
                }),
                text: Some(text.into()),
                data: None,
            },
        }
    }

    #[tokio::test]
    async fn the_same_pdu_twice_is_one_part_and_one_message() {
        let s = SmsStore::open_in_memory().await.unwrap();
        let a = s.insert_part(&part(b"pdu-a", None, "hi")).await.unwrap();
        assert!(!a.duplicate && a.completed);
        let b = s.insert_part(&part(b"pdu-a", None, "hi")).await.unwrap();
        assert!(b.duplicate && !b.completed);
        assert_eq!((b.part_id, b.message_id), (a.part_id, a.message_id));
        assert_eq!(s.messages("m").await.unwrap().len(), 1);
        assert_eq!(s.part_count("m").await.unwrap(), 1);
    }

    #[tokio::test]
    async fn a_deleted_message_is_not_recreated_by_its_pdu() {
        let s = SmsStore::open_in_memory().await.unwrap();
        let a = s.insert_part(&part(b"pdu-a", None, "hi")).await.unwrap();
        assert!(s.delete_message(a.message_id.unwrap()).await.unwrap());
        let b = s.insert_part(&part(b"pdu-a", None, "hi")).await.unwrap();
        assert!(b.duplicate);
        assert!(s.messages("m").await.unwrap().is_empty());
    }

    #[tokio::test]
    async fn a_repeated_sequence_number_starts_another_message() {
        let s = SmsStore::open_in_memory().await.unwrap();
        let a = s
            .insert_part(&part(b"1a", Some((2, 1)), "a"))
            .await
            .unwrap();
        let b = s
            .insert_part(&part(b"1b", Some((2, 1)), "b"))
            .await
            .unwrap();
        assert_ne!(a.message_id, b.message_id);
        let c = s.insert_part(&part(b"2", Some((2, 2)), "c")).await.unwrap();
        assert_eq!(c.message_id, a.message_id);
        assert!(c.completed);
        let m = s.message(a.message_id.unwrap()).await.unwrap().unwrap();
        assert_eq!(m.text.as_deref(), Some("ac"));
    }

    #[tokio::test]
    async fn a_newer_schema_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.sqlite");
        let s = SmsStore::open(&path).await.unwrap();
        sqlx::raw_sql("PRAGMA user_version = 99")
            .execute(&s.pool)
            .await
            .unwrap();
        s.close().await;
        assert!(matches!(
            SmsStore::open(&path).await,
            Err(StoreError::SchemaTooNew { found: 99, .. })
        ));
    }

    use proptest::prelude::*;

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(24))]
        #[test]
        fn parts_in_any_order_assemble_the_same_text(
            order in proptest::strategy::Just((1u8..=5).collect::<Vec<u8>>()).prop_shuffle()
        ) {
            let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
            rt.block_on(async {
                let s = SmsStore::open_in_memory().await.unwrap();
                let mut completed = Vec::new();
                for seq in &order {
                    let pdu = [*seq];
                    let text = format!("<{seq}>");
                    let o = s.insert_part(&part(&pdu, Some((5, *seq)), &text)).await.unwrap();
                    completed.push(o.completed);
                }
                prop_assert_eq!(completed.iter().filter(|c| **c).count(), 1);
                prop_assert!(*completed.last().unwrap());
                let msgs = s.messages("m").await.unwrap();
                prop_assert_eq!(msgs.len(), 1);
                prop_assert_eq!(msgs[0].text.as_deref(), Some("<1><2><3><4><5>"));
                Ok(())
            })?;
        }
    }
}
