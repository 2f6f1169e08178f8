//! The provisioning store (`<state-dir>/provisioning.sqlite`): what applied
//! documents configured, per account (`CarrierId` + `SubscriberId`):
//! default, purchase, additional-PDP and tethering profiles (with app lists
//! and the device limit), plans, operator-message rules, Wi-Fi hotspot
//! profiles, network metadata, trusted certificates, refresh settings and
//! the activation action with its state (`pending`, then how it ended) and
//! the time of the last refresh.
//!
//! Applying a document is one transaction: every element is checked first
//! (an `AssociatedPlan` must name a plan of the document or of the account);
//! if one fails, nothing is written and the result document carries the
//! failing element's code, the others `E_ABORT`. Section semantics follow
//! windows-operator-formats.md §1.5–1.9: a present `WLANProfiles` is the
//! complete set (empty deletes all); present profiles, rules, branding,
//! certificates, refresh settings and extension blocks replace the stored
//! ones; plans are merged by name (a `Usage`-only plan updates usage).
//!
//! It also answers the APN resolver ([`ProvisionedSettings`] implements
//! `apn_db::resolver::ProvisioningSource`). Schema versions are applied by
//! `PRAGMA user_version`. This module does no modem or bus I/O.

use super::document::mbn_profiles::{CarrierMbnProfile, Context};
use super::document::{CarrierProvisioning, SignatureVerdict};
use super::result::{Outcome, ProvisioningResult, hresult};
use crate::messaging::rules::RuleSet;
use apn_db::lookup::Identity;
use apn_db::model::{Auth, Purpose};
use apn_db::resolver::{ProvisioningSource, Settings};
use serde_json::{Value, json};
use sqlx::sqlite::{SqliteConnectOptions, SqlitePool, SqlitePoolOptions};
use sqlx::{Row, Sqlite, Transaction};
use std::collections::BTreeSet;
use std::path::Path;
use std::str::FromStr;

const MIGRATIONS: &[(i64, &str)] = &[
    (
        1,
        r#"
CREATE TABLE account (
    id INTEGER PRIMARY KEY,
    carrier_id TEXT NOT NULL,
    subscriber_id TEXT NOT NULL,
    device_id TEXT,
    -- the SIM the last document was applied for, when known
    sim_imsi TEXT,
    sim_iccid TEXT,
    applied_ms INTEGER NOT NULL,
    -- JSON of the document's Activation (pending action), NULL when none
    activation TEXT,
    branding_name TEXT,
    branding_logo BLOB,
    multiple_pdp_context_support INTEGER,
    tethering_max_devices INTEGER,
    UNIQUE (carrier_id, subscriber_id)
);
CREATE TABLE profile (
    id INTEGER PRIMARY KEY,
    account_id INTEGER NOT NULL REFERENCES account (id) ON DELETE CASCADE,
    -- 'default', 'purchase', 'additional', 'tethering'
    kind TEXT NOT NULL,
    position INTEGER NOT NULL,
    name TEXT NOT NULL,
    description TEXT,
    priority INTEGER,
    associated_plan TEXT,
    home_provider_name TEXT,
    access_string TEXT,
    user_name TEXT,
    password TEXT,
    compression TEXT,
    auth_protocol TEXT,
    -- JSON arrays
    roaming_partners TEXT NOT NULL DEFAULT '[]',
    app_ids TEXT NOT NULL DEFAULT '[]'
);
CREATE TABLE plan (
    id INTEGER PRIMARY KEY,
    account_id INTEGER NOT NULL REFERENCES account (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    plan_type TEXT,
    billing_start TEXT,
    billing_duration TEXT,
    billing_resets INTEGER,
    data_limit_mb INTEGER,
    inbound_kbps INTEGER,
    outbound_kbps INTEGER,
    max_transfer_mb INTEGER,
    security_updates_exempt INTEGER,
    usage_notification INTEGER,
    user_sms_enabled INTEGER,
    current_usage_mb INTEGER,
    usage_timestamp TEXT,
    over_limit INTEGER,
    congested INTEGER,
    UNIQUE (account_id, name)
);
CREATE TABLE message_rules (
    account_id INTEGER PRIMARY KEY REFERENCES account (id) ON DELETE CASCADE,
    xml TEXT NOT NULL
);
CREATE TABLE wlan_profile (
    id INTEGER PRIMARY KEY,
    account_id INTEGER NOT NULL REFERENCES account (id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    name TEXT NOT NULL,
    -- JSON of the whole profile (secrets included: the store is root's)
    profile TEXT NOT NULL
);
CREATE TABLE network_metadata (
    account_id INTEGER PRIMARY KEY REFERENCES account (id) ON DELETE CASCADE,
    metadata TEXT NOT NULL
);
CREATE TABLE trusted_certificate (
    id INTEGER PRIMARY KEY,
    account_id INTEGER NOT NULL REFERENCES account (id) ON DELETE CASCADE,
    subject_name TEXT NOT NULL,
    issuer_name TEXT NOT NULL
);
CREATE TABLE refresh (
    account_id INTEGER PRIMARY KEY REFERENCES account (id) ON DELETE CASCADE,
    delay_in_days INTEGER,
    refresh_url TEXT NOT NULL,
    user_name TEXT,
    password TEXT
);
"#,
    ),
    (
        2,
        r#"
-- what became of the activation action: 'pending' until it ran, then
-- 'succeeded' or 'failed' with the result document's errorCode
ALTER TABLE account ADD COLUMN activation_state TEXT;
ALTER TABLE account ADD COLUMN activation_error_code INTEGER;
ALTER TABLE account ADD COLUMN activation_finished_ms INTEGER;
-- when RefreshURL was last fetched and applied
ALTER TABLE refresh ADD COLUMN last_refresh_ms INTEGER;
"#,
    ),
];

/// Newest schema this code knows.
pub const SCHEMA_VERSION: i64 = 2;

/// Store failures.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// SQLite said no.
    #[error("provisioning store: {0}")]
    Sqlite(#[from] sqlx::Error),
    /// Written by a newer mbimd.
    #[error(
        "provisioning store schema version {found} is newer than this mbimd supports ({supported})"
    )]
    SchemaTooNew {
        /// Version in the file.
        found: i64,
        /// Newest known here.
        supported: i64,
    },
}

/// Which SIM a document is applied for (either may be unknown).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SimKey {
    /// IMSI.
    pub imsi: Option<String>,
    /// ICCID.
    pub iccid: Option<String>,
}

/// What [`ProvisioningStore::apply`] did.
#[derive(Debug, Clone)]
pub struct Applied {
    /// The result document's content.
    pub result: ProvisioningResult,
    /// Whether the transaction committed (false: nothing changed).
    pub committed: bool,
    /// The message rules the document brought (committed documents only).
    pub message_rules: Option<RuleSet>,
}

/// Stored `RefreshParameters` of an account, with when it was last refreshed.
#[derive(Clone, PartialEq, Eq)]
pub struct RefreshRow {
    /// `CarrierId` of the account.
    pub carrier_id: String,
    /// `SubscriberId` of the account.
    pub subscriber_id: String,
    /// `DelayInDays`.
    pub delay_in_days: Option<u32>,
    /// `RefreshURL`.
    pub refresh_url: String,
    /// `UserName`.
    pub user_name: Option<String>,
    /// `Password` (never shown in `Debug`).
    pub password: Option<String>,
    /// Last successful refresh (Unix ms), if any.
    pub last_refresh_ms: Option<i64>,
    /// When the account's last document was applied (Unix ms).
    pub applied_ms: i64,
}

impl std::fmt::Debug for RefreshRow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RefreshRow")
            .field("carrier_id", &self.carrier_id)
            .field("delay_in_days", &self.delay_in_days)
            .field("refresh_url", &self.refresh_url)
            .field("last_refresh_ms", &self.last_refresh_ms)
            .finish_non_exhaustive()
    }
}

/// A stored profile, as D-Bus and `mbcli provision show` present it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct ProfileRow {
    /// `CarrierId`.
    pub carrier_id: String,
    /// `SubscriberId`.
    pub subscriber_id: String,
    /// `default`, `purchase`, `additional` or `tethering`.
    pub kind: String,
    /// Profile name.
    pub name: String,
    /// Description.
    pub description: Option<String>,
    /// Priority 0…9.
    pub priority: Option<u8>,
    /// Associated plan.
    pub associated_plan: Option<String>,
    /// APN.
    pub access_string: Option<String>,
    /// User name.
    pub user_name: Option<String>,
    /// Whether a password is set (the password itself is not shown).
    pub has_password: bool,
    /// `NONE`, `PAP`, `CHAP`, `MsCHAPv2`.
    pub auth_protocol: Option<String>,
    /// `DISABLE`, `ENABLE`.
    pub compression: Option<String>,
    /// Apps allowed to use an additional PDP context.
    pub app_ids: Vec<String>,
    /// Roaming partners `ID name`.
    pub roaming_partners: Vec<String>,
}

/// A stored plan.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct PlanRow {
    /// `CarrierId`.
    pub carrier_id: String,
    /// `SubscriberId`.
    pub subscriber_id: String,
    /// `Plan@Name`.
    pub name: String,
    /// `Unrestricted`, `Fixed`, `Variable`.
    pub plan_type: Option<String>,
    /// Billing cycle start (xs:dateTime).
    pub billing_start: Option<String>,
    /// Billing cycle length (xs:duration).
    pub billing_duration: Option<String>,
    /// Counters reset at the cycle end.
    pub billing_resets: Option<bool>,
    /// Limit in MB.
    pub data_limit_mb: Option<i64>,
    /// Downlink kbit/s.
    pub inbound_kbps: Option<i64>,
    /// Uplink kbit/s.
    pub outbound_kbps: Option<i64>,
    /// Largest unprompted transfer in MB.
    pub max_transfer_mb: Option<i64>,
    /// Used MB.
    pub current_usage_mb: Option<i64>,
    /// When the usage was valid.
    pub usage_timestamp: Option<String>,
    /// Over the limit.
    pub over_limit: Option<bool>,
    /// Congested.
    pub congested: Option<bool>,
    /// `SecurityUpdatesExempt`.
    pub security_updates_exempt: Option<bool>,
    /// `DataUsageInMobileOperatorNotificationEnabled`.
    pub usage_notification: Option<bool>,
    /// `UserSMSEnabled`.
    pub user_sms_enabled: Option<bool>,
}

/// A stored Wi-Fi hotspot profile (secrets left out).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct HotspotRow {
    /// `CarrierId`.
    pub carrier_id: String,
    /// `SubscriberId`.
    pub subscriber_id: String,
    /// Profile name.
    pub name: String,
    /// Priority 0…9.
    pub priority: u8,
    /// SSIDs (`hex:…` for hex SSIDs).
    pub ssids: Vec<String>,
    /// SSID prefixes.
    pub ssid_prefixes: Vec<String>,
    /// `open`, `WPA2`, …
    pub authentication: String,
    /// `none`, `AES`, …
    pub encryption: String,
    /// `basic`, `ext` or empty (no HotspotProfile).
    pub hotspot_auth: String,
    /// App identity supplying credentials (`ExtAuth`).
    pub extension_id: Option<String>,
    /// Hosts trusted with credentials.
    pub trusted_domains: Vec<String>,
    /// EAP method type of the 802.1X block.
    pub eap_type: Option<u32>,
}

/// The provisioning store.
#[derive(Debug, Clone)]
pub struct ProvisioningStore {
    pool: SqlitePool,
    /// Bumped after every committed apply (see [`ProvisioningStore::changes`]).
    changed: std::sync::Arc<tokio::sync::watch::Sender<u64>>,
}

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

fn ssid_text(v: &Value) -> Option<String> {
    if let Some(n) = v.get("name").and_then(Value::as_str) {
        return Some(n.to_owned());
    }
    v.get("hex").and_then(Value::as_array).map(|b| {
        let hex: String = b
            .iter()
            .filter_map(Value::as_u64)
            .map(|x| format!("{x:02x}"))
            .collect();
        format!("hex:{hex}")
    })
}

impl ProvisioningStore {
    /// Open (creating if needed) the store at `path` and migrate it.
    pub async fn open(path: impl AsRef<Path>) -> Result<Self, StoreError> {
        let opts = SqliteConnectOptions::new()
            .filename(path.as_ref())
            .create_if_missing(true)
            .foreign_keys(true)
            .journal_mode(sqlx::sqlite::SqliteJournalMode::Wal);
        Self::open_with(opts).await
    }

    /// An in-memory store (tests, `mbcli`).
    pub async fn open_in_memory() -> Result<Self, StoreError> {
        let opts = SqliteConnectOptions::from_str("sqlite::memory:")?.foreign_keys(true);
        Self::open_with(opts).await
    }

    async fn open_with(opts: SqliteConnectOptions) -> Result<Self, StoreError> {
        let pool = SqlitePoolOptions::new()
            .max_connections(1)
            .connect_with(opts)
            .await?;
        let (changed, _) = tokio::sync::watch::channel(0);
        let s = ProvisioningStore {
            pool,
            changed: std::sync::Arc::new(changed),
        };
        s.migrate().await?;
        Ok(s)
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

    /// Apply a parsed document for `sim`, in one transaction (see the
    /// module docs). `verdict` is the signature check's outcome (a valid
    /// signature is reported in the result).
    pub async fn apply(
        &self,
        doc: &CarrierProvisioning,
        sim: &SimKey,
        verdict: &SignatureVerdict,
    ) -> Result<Applied, StoreError> {
        let g = &doc.global;
        let mut tx = self.pool.begin().await?;
        let account: Option<i64> =
            sqlx::query_scalar("SELECT id FROM account WHERE carrier_id = ? AND subscriber_id = ?")
                .bind(&g.carrier_id)
                .bind(&g.subscriber_id)
                .fetch_optional(&mut *tx)
                .await?;
        let mut plans: BTreeSet<String> = match account {
            Some(id) => sqlx::query_scalar("SELECT name FROM plan WHERE account_id = ?")
                .bind(id)
                .fetch_all(&mut *tx)
                .await?
                .into_iter()
                .collect(),
            None => BTreeSet::new(),
        };
        plans.extend(doc.plans.iter().flatten().map(|p| p.name.clone()));
        let plan_check = |p: &Option<String>| match p {
            Some(name) if !plans.contains(name) => Outcome::fail(
                hresult::NOT_FOUND,
                format!("AssociatedPlan {name:?} names no plan"),
            ),
            _ => Outcome::ok(),
        };
        let mbn = doc.mbn_profiles.as_ref();
        let mut result = ProvisioningResult {
            issuer: g.carrier_id.clone(),
            subscriber: g.subscriber_id.clone(),
            activation: doc.activation.as_ref().map(|_| Outcome::ok()),
            default_profile: mbn
                .and_then(|m| m.default_profile.as_ref())
                .map(|p| plan_check(&p.associated_plan)),
            purchase_profile: mbn
                .and_then(|m| m.purchase_profile.as_ref())
                .map(|p| plan_check(&p.associated_plan)),
            wlan_profiles: doc.wlan_profiles.as_ref().map(|w| {
                w.iter()
                    .map(|p| (p.name.clone(), plan_check(&p.associated_plan)))
                    .collect()
            }),
            refresh_parameters: doc
                .provisioning
                .as_ref()
                .and_then(|p| p.refresh_parameters.as_ref())
                .map(|_| Outcome::ok()),
            trusted_certificates: doc
                .provisioning
                .as_ref()
                .and_then(|p| p.trusted_certificates.as_ref())
                .map(|_| Outcome::ok()),
            policy: (mbn.is_some_and(|m| m.messages.is_some() || m.branding.is_some())
                || doc.plans.is_some()
                || doc.extensions_v2.is_some())
            .then(Outcome::ok),
            signature: match verdict {
                SignatureVerdict::Valid {
                    subject,
                    thumbprint,
                } => Some((subject.clone(), thumbprint.clone())),
                _ => None,
            },
            error_code: None,
        };
        let first_failure = {
            let mut all: Vec<&Outcome> = Vec::new();
            all.extend(result.default_profile.iter());
            all.extend(result.purchase_profile.iter());
            all.extend(result.wlan_profiles.iter().flatten().map(|(_, o)| o));
            all.into_iter().find(|o| o.failed()).map(|o| o.error_code)
        };
        if let Some(code) = first_failure {
            tx.rollback().await?;
            result.error_code = Some(code);
            abort_others(&mut result);
            return Ok(Applied {
                result,
                committed: false,
                message_rules: None,
            });
        }
        write(&mut tx, doc, sim).await?;
        tx.commit().await?;
        self.changed.send_modify(|g| *g = g.wrapping_add(1));
        Ok(Applied {
            result,
            committed: true,
            message_rules: mbn
                .and_then(|m| m.messages.as_ref())
                .map(|m| m.rules.clone()),
        })
    }

    /// Every stored profile, default and purchase first.
    pub async fn profiles(&self) -> Result<Vec<ProfileRow>, StoreError> {
        let rows = sqlx::query(
            "SELECT a.carrier_id, a.subscriber_id, p.kind, p.name, p.description, p.priority, \
             p.associated_plan, p.access_string, p.user_name, p.password, p.auth_protocol, \
             p.compression, p.app_ids, p.roaming_partners FROM profile p JOIN account a ON a.id = p.account_id \
             ORDER BY a.id, CASE p.kind WHEN 'default' THEN 0 WHEN 'purchase' THEN 1 \
             WHEN 'additional' THEN 2 ELSE 3 END, p.position",
        )
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .map(|r| ProfileRow {
                carrier_id: r.get(0),
                subscriber_id: r.get(1),
                kind: r.get(2),
                name: r.get(3),
                description: r.get(4),
                priority: r.get::<Option<i64>, _>(5).map(|v| v as u8),
                associated_plan: r.get(6),
                access_string: r.get(7),
                user_name: r.get(8),
                has_password: r.get::<Option<String>, _>(9).is_some(),
                auth_protocol: r.get(10),
                compression: r.get(11),
                app_ids: serde_json::from_str(&r.get::<String, _>(12)).unwrap_or_default(),
                roaming_partners: serde_json::from_str::<Vec<Value>>(&r.get::<String, _>(13))
                    .unwrap_or_default()
                    .iter()
                    .map(|p| {
                        format!(
                            "{} {}",
                            p["provider_id"].as_str().unwrap_or(""),
                            p["provider_name"].as_str().unwrap_or("")
                        )
                    })
                    .collect(),
            })
            .collect())
    }

    /// Every stored plan.
    pub async fn plans(&self) -> Result<Vec<PlanRow>, StoreError> {
        let rows = sqlx::query(
            "SELECT a.carrier_id, a.subscriber_id, p.name, p.plan_type, p.billing_start, \
             p.billing_duration, p.billing_resets, p.data_limit_mb, p.inbound_kbps, p.outbound_kbps, \
             p.max_transfer_mb, p.current_usage_mb, p.usage_timestamp, p.over_limit, p.congested, \
             p.security_updates_exempt, p.usage_notification, p.user_sms_enabled \
             FROM plan p JOIN account a ON a.id = p.account_id ORDER BY a.id, p.id",
        )
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.into_iter().map(|r| plan_row(&r)).collect())
    }

    /// Every stored Wi-Fi profile.
    pub async fn hotspots(&self) -> Result<Vec<HotspotRow>, StoreError> {
        let rows = sqlx::query(
            "SELECT a.carrier_id, a.subscriber_id, w.profile FROM wlan_profile w \
             JOIN account a ON a.id = w.account_id ORDER BY a.id, w.position",
        )
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .map(|r| {
                let v: Value = serde_json::from_str(&r.get::<String, _>(2)).unwrap_or(Value::Null);
                let sec = &v["security"];
                let hs = &sec["hotspot"];
                let list = |k: &str| -> Vec<String> {
                    v[k].as_array()
                        .map(|a| a.iter().filter_map(ssid_text).collect())
                        .unwrap_or_default()
                };
                let (auth, ext) = if hs["auth"]["basic"].is_object() {
                    ("basic", None)
                } else if let Some(e) = hs["auth"]["ext"]["extension_id"].as_str() {
                    ("ext", Some(e.to_owned()))
                } else {
                    ("", None)
                };
                HotspotRow {
                    carrier_id: r.get(0),
                    subscriber_id: r.get(1),
                    name: v["name"].as_str().unwrap_or("").to_owned(),
                    priority: v["priority"].as_u64().unwrap_or(5) as u8,
                    ssids: list("ssids"),
                    ssid_prefixes: list("ssid_prefixes"),
                    authentication: sec["authentication"].as_str().unwrap_or("").to_owned(),
                    encryption: sec["encryption"].as_str().unwrap_or("").to_owned(),
                    hotspot_auth: auth.to_owned(),
                    extension_id: ext,
                    trusted_domains: hs["trusted_domains"]
                        .as_array()
                        .map(|a| {
                            a.iter()
                                .filter_map(|d| d.as_str().map(str::to_owned))
                                .collect()
                        })
                        .unwrap_or_default(),
                    eap_type: sec["one_x"]["eap_type"].as_u64().map(|t| t as u32),
                }
            })
            .collect())
    }

    /// The operator-message rules stored for the account matching `sim`
    /// (most recently applied first), parsed again.
    pub async fn message_rules(&self, sim: &SimKey) -> Result<Option<RuleSet>, StoreError> {
        let rows = sqlx::query(
            "SELECT a.subscriber_id, a.sim_imsi, a.sim_iccid, m.xml FROM message_rules m \
             JOIN account a ON a.id = m.account_id ORDER BY a.applied_ms DESC",
        )
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .find(|r| matches_sim(sim, &r.get::<String, _>(0), r.get(1), r.get(2)))
            .and_then(|r| RuleSet::from_xml(&r.get::<String, _>(3), "provisioning store").ok()))
    }

    /// Pending activation actions (JSON of `Activation`), per account.
    pub async fn pending_activation(&self, sim: &SimKey) -> Result<Option<Value>, StoreError> {
        let rows = sqlx::query(
            "SELECT subscriber_id, sim_imsi, sim_iccid, activation FROM account \
             WHERE activation IS NOT NULL AND activation_state = 'pending' ORDER BY applied_ms DESC",
        )
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .find(|r| matches_sim(sim, &r.get::<String, _>(0), r.get(1), r.get(2)))
            .and_then(|r| serde_json::from_str(&r.get::<String, _>(3)).ok()))
    }

    /// Note how the activation action of account (`carrier_id`,
    /// `subscriber_id`) ended: `succeeded` or `failed`, with the result
    /// document's `errorCode` (0 on success).
    pub async fn activation_finished(
        &self,
        carrier_id: &str,
        subscriber_id: &str,
        succeeded: bool,
        error_code: u32,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE account SET activation_state = ?, activation_error_code = ?, \
             activation_finished_ms = ? WHERE carrier_id = ? AND subscriber_id = ?",
        )
        .bind(if succeeded { "succeeded" } else { "failed" })
        .bind(i64::from(error_code))
        .bind(now_ms())
        .bind(carrier_id)
        .bind(subscriber_id)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// The state of the latest activation action for `sim`: (`pending`,
    /// `succeeded` or `failed`, errorCode when finished).
    pub async fn activation_state(
        &self,
        sim: &SimKey,
    ) -> Result<Option<(String, Option<u32>)>, StoreError> {
        let rows = sqlx::query(
            "SELECT subscriber_id, sim_imsi, sim_iccid, activation_state, activation_error_code \
             FROM account WHERE activation_state IS NOT NULL ORDER BY applied_ms DESC",
        )
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .find(|r| matches_sim(sim, &r.get::<String, _>(0), r.get(1), r.get(2)))
            .map(|r| {
                let code: Option<i64> = r.get(4);
                (
                    r.get::<String, _>(3),
                    code.and_then(|c| u32::try_from(c).ok()),
                )
            }))
    }

    /// Certificates earlier documents applied for `sim` trust for signing
    /// future documents (`Provisioning/TrustedCertificates`), as
    /// (`SubjectName`, `IssuerName`).
    pub async fn trusted_certificates(
        &self,
        sim: &SimKey,
    ) -> Result<Vec<(String, String)>, StoreError> {
        let rows = sqlx::query(
            "SELECT a.subscriber_id, a.sim_imsi, a.sim_iccid, t.subject_name, t.issuer_name \
             FROM trusted_certificate t JOIN account a ON a.id = t.account_id ORDER BY t.id",
        )
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .filter(|r| matches_sim(sim, &r.get::<String, _>(0), r.get(1), r.get(2)))
            .map(|r| (r.get(3), r.get(4)))
            .collect())
    }

    /// The refresh settings stored for `sim` (the most recently applied
    /// account that has some).
    pub async fn refresh_settings(&self, sim: &SimKey) -> Result<Option<RefreshRow>, StoreError> {
        let rows = sqlx::query(
            "SELECT a.subscriber_id, a.sim_imsi, a.sim_iccid, a.carrier_id, r.delay_in_days, \
             r.refresh_url, r.user_name, r.password, r.last_refresh_ms, a.applied_ms \
             FROM refresh r JOIN account a ON a.id = r.account_id ORDER BY a.applied_ms DESC",
        )
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .find(|r| matches_sim(sim, &r.get::<String, _>(0), r.get(1), r.get(2)))
            .map(|r| RefreshRow {
                carrier_id: r.get(3),
                subscriber_id: r.get(0),
                delay_in_days: r
                    .get::<Option<i64>, _>(4)
                    .and_then(|d| u32::try_from(d).ok()),
                refresh_url: r.get(5),
                user_name: r.get(6),
                password: r.get(7),
                last_refresh_ms: r.get(8),
                applied_ms: r.get(9),
            }))
    }

    /// Record a successful refresh of account (`carrier_id`,
    /// `subscriber_id`) at `at_ms` (Unix milliseconds).
    pub async fn refreshed(
        &self,
        carrier_id: &str,
        subscriber_id: &str,
        at_ms: i64,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE refresh SET last_refresh_ms = ? WHERE account_id = \
             (SELECT id FROM account WHERE carrier_id = ? AND subscriber_id = ?)",
        )
        .bind(at_ms)
        .bind(carrier_id)
        .bind(subscriber_id)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// The connection settings for the resolver.
    pub async fn settings(&self) -> Result<ProvisionedSettings, StoreError> {
        let rows = sqlx::query(
            "SELECT a.carrier_id, a.subscriber_id, a.sim_imsi, a.sim_iccid, p.kind, p.name, \
             p.access_string, p.user_name, p.password, p.auth_protocol FROM profile p \
             JOIN account a ON a.id = p.account_id WHERE p.kind IN ('default', 'tethering') \
             ORDER BY a.applied_ms DESC, a.id, p.position",
        )
        .fetch_all(&self.pool)
        .await?;
        Ok(ProvisionedSettings {
            entries: rows
                .into_iter()
                .map(|r| {
                    let kind: String = r.get(4);
                    let carrier: String = r.get(0);
                    let name: String = r.get(5);
                    let purpose = if kind == "tethering" {
                        Purpose::Dun
                    } else {
                        Purpose::Internet
                    };
                    let element = if kind == "tethering" {
                        "TetheringProfile"
                    } else {
                        "DefaultProfile"
                    };
                    ProvisionedEntry {
                        subscriber_id: r.get(1),
                        sim_imsi: r.get(2),
                        sim_iccid: r.get(3),
                        settings: Settings {
                            apn: r.get::<Option<String>, _>(6).unwrap_or_default(),
                            username: r.get(7),
                            password: r.get(8),
                            auth: r.get::<Option<String>, _>(9).as_deref().and_then(auth),
                            ip_type: None,
                            purpose,
                            purchase_url: None,
                            auto_connect_order: None,
                            origin: format!("provisioning {carrier} {element} {name:?}"),
                        },
                    }
                })
                .collect(),
        })
    }

    /// A receiver that changes after every committed document (clones of
    /// the store share it): followers re-read what they derive from the
    /// store (the resolver's snapshot, the modem's plan and usage).
    pub fn changes(&self) -> tokio::sync::watch::Receiver<u64> {
        self.changed.subscribe()
    }

    /// The plans of the account matching `sim` (the most recently applied
    /// matching account), the default profile's `AssociatedPlan` first.
    pub async fn plans_for(&self, sim: &SimKey) -> Result<Vec<PlanRow>, StoreError> {
        let accounts = sqlx::query(
            "SELECT id, subscriber_id, sim_imsi, sim_iccid FROM account ORDER BY applied_ms DESC, id DESC",
        )
        .fetch_all(&self.pool)
        .await?;
        let Some(account) = accounts
            .into_iter()
            .find(|r| matches_sim(sim, &r.get::<String, _>(1), r.get(2), r.get(3)))
            .map(|r| r.get::<i64, _>(0))
        else {
            return Ok(Vec::new());
        };
        let rows = sqlx::query(
            "SELECT a.carrier_id, a.subscriber_id, p.name, p.plan_type, p.billing_start, \
             p.billing_duration, p.billing_resets, p.data_limit_mb, p.inbound_kbps, p.outbound_kbps, \
             p.max_transfer_mb, p.current_usage_mb, p.usage_timestamp, p.over_limit, p.congested, \
             p.security_updates_exempt, p.usage_notification, p.user_sms_enabled \
             FROM plan p JOIN account a ON a.id = p.account_id WHERE a.id = ? \
             ORDER BY p.name IS NOT (SELECT associated_plan FROM profile \
             WHERE account_id = a.id AND kind = 'default' LIMIT 1), p.id",
        )
        .bind(account)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.into_iter().map(|r| plan_row(&r)).collect())
    }

    /// The provisioned `PurchaseProfile`s (limited-connectivity profiles to
    /// buy a plan with), as resolver settings tagged `Internet`, most
    /// recently applied accounts first.
    pub async fn purchase_settings(&self) -> Result<ProvisionedSettings, StoreError> {
        let rows = sqlx::query(
            "SELECT a.carrier_id, a.subscriber_id, a.sim_imsi, a.sim_iccid, p.name, \
             p.access_string, p.user_name, p.password, p.auth_protocol FROM profile p \
             JOIN account a ON a.id = p.account_id WHERE p.kind = 'purchase' \
             ORDER BY a.applied_ms DESC, a.id, p.position",
        )
        .fetch_all(&self.pool)
        .await?;
        Ok(ProvisionedSettings {
            entries: rows
                .into_iter()
                .map(|r| {
                    let carrier: String = r.get(0);
                    let name: String = r.get(4);
                    ProvisionedEntry {
                        subscriber_id: r.get(1),
                        sim_imsi: r.get(2),
                        sim_iccid: r.get(3),
                        settings: Settings {
                            apn: r.get::<Option<String>, _>(5).unwrap_or_default(),
                            username: r.get(6),
                            password: r.get(7),
                            auth: r.get::<Option<String>, _>(8).as_deref().and_then(auth),
                            ip_type: None,
                            purpose: Purpose::Internet,
                            purchase_url: None,
                            auto_connect_order: None,
                            origin: format!("provisioning {carrier} PurchaseProfile {name:?}"),
                        },
                    }
                })
                .collect(),
        })
    }

    /// Every row of every table, quoted, in row order: equal fingerprints
    /// mean an unchanged store (tests).
    pub async fn fingerprint(&self) -> Result<Vec<String>, StoreError> {
        let mut out = Vec::new();
        for t in [
            "account",
            "profile",
            "plan",
            "message_rules",
            "wlan_profile",
            "network_metadata",
            "trusted_certificate",
            "refresh",
        ] {
            let cols: Vec<String> = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
                "SELECT name FROM pragma_table_info('{t}') ORDER BY cid"
            )))
            .fetch_all(&self.pool)
            .await?;
            let expr = cols
                .iter()
                .map(|c| format!("quote({c})"))
                .collect::<Vec<_>>()
                .join(" || ',' || ");
            let rows: Vec<String> = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
                "SELECT {expr} FROM {t} ORDER BY rowid"
            )))
            .fetch_all(&self.pool)
            .await?;
            out.push(format!("{t}: {}", rows.join(" | ")));
        }
        Ok(out)
    }
}

/// A `plan` row joined with its account (the column order of the plan
/// queries).
fn plan_row(r: &sqlx::sqlite::SqliteRow) -> PlanRow {
    PlanRow {
        carrier_id: r.get(0),
        subscriber_id: r.get(1),
        name: r.get(2),
        plan_type: r.get(3),
        billing_start: r.get(4),
        billing_duration: r.get(5),
        billing_resets: r.get(6),
        data_limit_mb: r.get(7),
        inbound_kbps: r.get(8),
        outbound_kbps: r.get(9),
        max_transfer_mb: r.get(10),
        current_usage_mb: r.get(11),
        usage_timestamp: r.get(12),
        over_limit: r.get(13),
        congested: r.get(14),
        security_updates_exempt: r.get(15),
        usage_notification: r.get(16),
        user_sms_enabled: r.get(17),
    }
}

/// `AuthProtocol` as the resolver's auth (MS-CHAPv2 has no apn-db value:
/// left to the modem).
fn auth(s: &str) -> Option<Auth> {
    match s {
        "NONE" => Some(Auth::None),
        "PAP" => Some(Auth::Pap),
        "CHAP" => Some(Auth::Chap),
        _ => None,
    }
}

fn matches_sim(
    sim: &SimKey,
    subscriber: &str,
    imsi: Option<String>,
    iccid: Option<String>,
) -> bool {
    let eq = |a: &Option<String>, b: &Option<String>| a.is_some() && a == b;
    eq(&sim.imsi, &imsi)
        || eq(&sim.iccid, &iccid)
        || sim.imsi.as_deref() == Some(subscriber)
        || sim.iccid.as_deref() == Some(subscriber)
}

fn abort_others(r: &mut ProvisioningResult) {
    let abort = |o: &mut Outcome| {
        if !o.failed() {
            *o = Outcome::fail(hresult::E_ABORT, "not applied: another element failed");
        }
    };
    for o in [
        &mut r.activation,
        &mut r.default_profile,
        &mut r.purchase_profile,
        &mut r.refresh_parameters,
        &mut r.trusted_certificates,
        &mut r.policy,
    ]
    .into_iter()
    .flatten()
    {
        abort(o);
    }
    for (_, o) in r.wlan_profiles.iter_mut().flatten() {
        abort(o);
    }
}

async fn insert_profile(
    tx: &mut Transaction<'_, Sqlite>,
    account: i64,
    kind: &str,
    position: i64,
    p: &CarrierMbnProfile,
) -> Result<(), sqlx::Error> {
    insert_context(
        tx,
        account,
        kind,
        position,
        &p.name,
        p.context.as_ref(),
        ProfileExtra {
            description: p.description.as_deref(),
            priority: Some(i64::from(p.priority)),
            associated_plan: p.associated_plan.as_deref(),
            home_provider_name: p.home_provider_name.as_deref(),
            roaming_partners: serde_json::to_string(&p.data_roaming_partners)
                .unwrap_or_else(|_| "[]".into()),
            app_ids: "[]".into(),
        },
    )
    .await
}

struct ProfileExtra<'a> {
    description: Option<&'a str>,
    priority: Option<i64>,
    associated_plan: Option<&'a str>,
    home_provider_name: Option<&'a str>,
    roaming_partners: String,
    app_ids: String,
}

impl Default for ProfileExtra<'_> {
    fn default() -> Self {
        ProfileExtra {
            description: None,
            priority: None,
            associated_plan: None,
            home_provider_name: None,
            roaming_partners: "[]".into(),
            app_ids: "[]".into(),
        }
    }
}

async fn insert_context(
    tx: &mut Transaction<'_, Sqlite>,
    account: i64,
    kind: &str,
    position: i64,
    name: &str,
    c: Option<&Context>,
    x: ProfileExtra<'_>,
) -> Result<(), sqlx::Error> {
    let empty = Context::default();
    let c = c.unwrap_or(&empty);
    sqlx::query(
        "INSERT INTO profile (account_id, kind, position, name, description, priority, associated_plan, \
         home_provider_name, access_string, user_name, password, compression, auth_protocol, \
         roaming_partners, app_ids) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(account)
    .bind(kind)
    .bind(position)
    .bind(name)
    .bind(x.description)
    .bind(x.priority)
    .bind(x.associated_plan)
    .bind(x.home_provider_name)
    .bind(&c.access_string)
    .bind(&c.user_name)
    .bind(&c.password)
    .bind(&c.compression)
    .bind(&c.auth_protocol)
    .bind(x.roaming_partners)
    .bind(x.app_ids)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

async fn delete_kind(
    tx: &mut Transaction<'_, Sqlite>,
    account: i64,
    kind: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM profile WHERE account_id = ? AND kind = ?")
        .bind(account)
        .bind(kind)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

async fn write(
    tx: &mut Transaction<'_, Sqlite>,
    doc: &CarrierProvisioning,
    sim: &SimKey,
) -> Result<(), sqlx::Error> {
    let g = &doc.global;
    let activation = doc
        .activation
        .as_ref()
        .and_then(|a| serde_json::to_string(a).ok());
    let account: i64 = sqlx::query_scalar(
        "INSERT INTO account (carrier_id, subscriber_id, device_id, sim_imsi, sim_iccid, applied_ms, activation) \
         VALUES (?, ?, ?, ?, ?, ?, ?) \
         ON CONFLICT (carrier_id, subscriber_id) DO UPDATE SET device_id = excluded.device_id, \
         sim_imsi = coalesce(excluded.sim_imsi, sim_imsi), sim_iccid = coalesce(excluded.sim_iccid, sim_iccid), \
         applied_ms = excluded.applied_ms, activation = excluded.activation, \
         activation_error_code = NULL, activation_finished_ms = NULL RETURNING id",
    )
    .bind(&g.carrier_id)
    .bind(&g.subscriber_id)
    .bind(&g.device_id)
    .bind(&sim.imsi)
    .bind(&sim.iccid)
    .bind(now_ms())
    .bind(activation)
    .fetch_one(&mut **tx)
    .await?;
    sqlx::query(
        "UPDATE account SET activation_state = CASE WHEN activation IS NULL THEN NULL ELSE 'pending' END \
         WHERE id = ?",
    )
    .bind(account)
    .execute(&mut **tx)
    .await?;

    if let Some(m) = &doc.mbn_profiles {
        if let Some(p) = &m.default_profile {
            delete_kind(tx, account, "default").await?;
            insert_profile(tx, account, "default", 0, p).await?;
        }
        if let Some(p) = &m.purchase_profile {
            delete_kind(tx, account, "purchase").await?;
            insert_profile(tx, account, "purchase", 0, p).await?;
        }
        if let Some(msgs) = &m.messages {
            sqlx::query(
                "INSERT INTO message_rules (account_id, xml) VALUES (?, ?) \
                 ON CONFLICT (account_id) DO UPDATE SET xml = excluded.xml",
            )
            .bind(account)
            .bind(&msgs.xml)
            .execute(&mut **tx)
            .await?;
        }
        if let Some(b) = &m.branding {
            sqlx::query("UPDATE account SET branding_name = ?, branding_logo = ? WHERE id = ?")
                .bind(&b.name)
                .bind(&b.logo)
                .bind(account)
                .execute(&mut **tx)
                .await?;
        }
    }

    if let Some(w) = &doc.wlan_profiles {
        // The complete set: profiles no longer listed go away.
        sqlx::query("DELETE FROM wlan_profile WHERE account_id = ?")
            .bind(account)
            .execute(&mut **tx)
            .await?;
        for (i, p) in w.iter().enumerate() {
            sqlx::query(
                "INSERT INTO wlan_profile (account_id, position, name, profile) VALUES (?, ?, ?, ?)",
            )
            .bind(account)
            .bind(i as i64)
            .bind(&p.name)
            .bind(serde_json::to_string(p).unwrap_or_else(|_| "{}".into()))
            .execute(&mut **tx)
            .await?;
        }
    }

    for p in doc.plans.iter().flatten() {
        sqlx::query("INSERT INTO plan (account_id, name) VALUES (?, ?) ON CONFLICT DO NOTHING")
            .bind(account)
            .bind(&p.name)
            .execute(&mut **tx)
            .await?;
        if let Some(d) = &p.description {
            let bc = d.billing_cycle.as_ref();
            sqlx::query(
                "UPDATE plan SET plan_type = ?, billing_start = ?, billing_duration = ?, billing_resets = ?, \
                 data_limit_mb = ?, inbound_kbps = ?, outbound_kbps = ?, max_transfer_mb = ?, \
                 security_updates_exempt = ?, usage_notification = ?, user_sms_enabled = ? \
                 WHERE account_id = ? AND name = ?",
            )
            .bind(d.plan_type.as_str())
            .bind(bc.map(|b| b.start_date.clone()))
            .bind(bc.map(|b| b.duration.clone()))
            .bind(bc.map(|b| b.resets))
            .bind(d.data_limit_in_megabytes.map(|v| v as i64))
            .bind(d.inbound_bandwidth_in_kbps.map(|v| v as i64))
            .bind(d.outbound_bandwidth_in_kbps.map(|v| v as i64))
            .bind(d.max_transfer_size_in_megabytes.map(|v| v as i64))
            .bind(d.security_updates_exempt)
            .bind(d.data_usage_in_mobile_operator_notification_enabled)
            .bind(d.user_sms_enabled)
            .bind(account)
            .bind(&p.name)
            .execute(&mut **tx)
            .await?;
        }
        if let Some(u) = &p.usage {
            sqlx::query(
                "UPDATE plan SET current_usage_mb = ?, usage_timestamp = ?, over_limit = ?, congested = ? \
                 WHERE account_id = ? AND name = ?",
            )
            .bind(i64::try_from(u.current_usage).unwrap_or(i64::MAX))
            .bind(&u.usage_timestamp)
            .bind(u.over_limit)
            .bind(u.congested)
            .bind(account)
            .bind(&p.name)
            .execute(&mut **tx)
            .await?;
        }
    }

    if let Some(p) = &doc.provisioning {
        if let Some(certs) = &p.trusted_certificates {
            sqlx::query("DELETE FROM trusted_certificate WHERE account_id = ?")
                .bind(account)
                .execute(&mut **tx)
                .await?;
            for c in certs {
                sqlx::query(
                    "INSERT INTO trusted_certificate (account_id, subject_name, issuer_name) VALUES (?, ?, ?)",
                )
                .bind(account)
                .bind(&c.subject_name)
                .bind(&c.issuer_name)
                .execute(&mut **tx)
                .await?;
            }
        }
        if let Some(r) = &p.refresh_parameters {
            sqlx::query(
                "INSERT INTO refresh (account_id, delay_in_days, refresh_url, user_name, password) \
                 VALUES (?, ?, ?, ?, ?) ON CONFLICT (account_id) DO UPDATE SET \
                 delay_in_days = excluded.delay_in_days, refresh_url = excluded.refresh_url, \
                 user_name = excluded.user_name, password = excluded.password",
            )
            .bind(account)
            .bind(r.delay_in_days.map(i64::from))
            .bind(&r.refresh_url)
            .bind(&r.user_name)
            .bind(&r.password)
            .execute(&mut **tx)
            .await?;
        }
    }

    if let Some(e) = &doc.extensions_v2 {
        if let Some(m) = &e.carrier_network_metadata {
            sqlx::query(
                "INSERT INTO network_metadata (account_id, metadata) VALUES (?, ?) \
                 ON CONFLICT (account_id) DO UPDATE SET metadata = excluded.metadata",
            )
            .bind(account)
            .bind(serde_json::to_string(m).unwrap_or_else(|_| json!({}).to_string()))
            .execute(&mut **tx)
            .await?;
        }
        if let Some(a) = &e.additional_pdp_contexts {
            delete_kind(tx, account, "additional").await?;
            delete_kind(tx, account, "tethering").await?;
            for (i, p) in a.policies.iter().enumerate() {
                insert_context(
                    tx,
                    account,
                    "additional",
                    i as i64,
                    &p.name,
                    Some(&p.context),
                    ProfileExtra {
                        app_ids: serde_json::to_string(&p.app_ids).unwrap_or_else(|_| "[]".into()),
                        ..ProfileExtra::default()
                    },
                )
                .await?;
            }
            let t = a.tethering_settings.as_ref();
            if let Some(tp) = t.and_then(|t| t.tethering_profile.as_ref()) {
                insert_context(
                    tx,
                    account,
                    "tethering",
                    0,
                    &tp.name,
                    Some(&tp.context),
                    ProfileExtra::default(),
                )
                .await?;
            }
            sqlx::query(
                "UPDATE account SET multiple_pdp_context_support = ?, tethering_max_devices = ? WHERE id = ?",
            )
            .bind(a.multiple_pdp_context_support)
            .bind(t.and_then(|t| t.max_number_of_devices).map(i64::from))
            .bind(account)
            .execute(&mut **tx)
            .await?;
        }
    }
    Ok(())
}

/// One provisioned connection setting with the SIM it belongs to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProvisionedEntry {
    /// `SubscriberId` (often the IMSI or ICCID).
    pub subscriber_id: String,
    /// IMSI of the SIM the document was applied for.
    pub sim_imsi: Option<String>,
    /// ICCID of that SIM.
    pub sim_iccid: Option<String>,
    /// The settings.
    pub settings: Settings,
}

/// A snapshot of the store's connection settings: the resolver's
/// provisioning source (highest precedence, windows-operator-formats.md §3.3).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProvisionedSettings {
    /// Most recently applied accounts first.
    pub entries: Vec<ProvisionedEntry>,
}

impl ProvisioningSource for ProvisionedSettings {
    fn settings(&self, id: &Identity, purpose: Purpose) -> Vec<Settings> {
        let sim = SimKey {
            imsi: id.imsi.clone(),
            iccid: id.iccid.clone(),
        };
        self.entries
            .iter()
            .filter(|e| e.settings.purpose == purpose)
            .filter(|e| {
                matches_sim(
                    &sim,
                    &e.subscriber_id,
                    e.sim_imsi.clone(),
                    e.sim_iccid.clone(),
                )
            })
            .map(|e| e.settings.clone())
            .collect()
    }
}
