//! What one modem publishes about its connection flows: the SIM identity's
//! HWIDs, the resolver's answer, the settings in use with their source, the
//! limited state with its purchase URL, and a bounded attempt log. Plain
//! data; `dbus::ext_connection` turns it into properties and signals.

use super::flow::Attempt;
use apn_db::hwid::Hwid;
use apn_db::lookup::Identity;
use apn_db::resolver::{Resolution, Resolved, SettingsSource};
use apn_db::{Auth, IpType};
use std::collections::VecDeque;

/// Attempts kept in the log (oldest dropped first).
pub const LOG_LEN: usize = 32;

/// The name of a settings source as published (`source` keys).
pub fn source_name(s: SettingsSource) -> &'static str {
    match s {
        SettingsSource::Provisioning => "provisioning",
        SettingsSource::ServiceMetadata => "service-metadata",
        SettingsSource::ApnDatabase => "apn-database",
    }
}

/// Source name of settings the client gave itself.
pub const SOURCE_USER: &str = "user";

/// Settings as published in `ResolvedSettings` and `Candidates`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Published {
    pub apn: String,
    pub user: String,
    pub ip_type: Option<IpType>,
    pub auth: Option<Auth>,
    /// `provisioning`, `service-metadata`, `apn-database` or `user`.
    pub source: String,
    /// Which rule / origin inside the source chose it.
    pub rule: String,
    /// Position in the try order.
    pub order: u32,
    /// The operator's purchase page carried by these settings.
    pub purchase_url: String,
}

impl Published {
    /// From a resolver candidate.
    pub fn from_resolved(r: &Resolved) -> Self {
        Published {
            apn: r.settings.apn.clone(),
            user: r.settings.username.clone().unwrap_or_default(),
            ip_type: r.settings.ip_type,
            auth: r.settings.auth,
            source: source_name(r.source).to_string(),
            rule: r.settings.origin.clone(),
            order: r.order as u32,
            purchase_url: r.settings.purchase_url.clone().unwrap_or_default(),
        }
    }
}

/// One modem's flow state.
#[derive(Debug, Clone, Default)]
pub struct ConnState {
    /// The SIM identity last read.
    pub identity: Option<Identity>,
    /// Its HWIDs, in match order.
    pub hwids: Vec<Hwid>,
    /// The resolver's last answer.
    pub resolution: Option<Resolution>,
    /// The settings of the last successful connection (any source, `user`
    /// included); `None` before one.
    pub chosen: Option<Published>,
    /// Connected without internet.
    pub limited: bool,
    /// Where to buy a plan (empty: unknown).
    pub purchase_url: String,
    /// The purchase (limited-connectivity) profile of the highest source
    /// that has one (provisioning, then service metadata).
    pub purchase_profile: Option<Published>,
    /// Newest last.
    pub log: VecDeque<Attempt>,
}

impl ConnState {
    /// The candidates in try order.
    pub fn candidates(&self) -> Vec<Published> {
        self.resolution
            .as_ref()
            .map(|r| r.candidates.iter().map(Published::from_resolved).collect())
            .unwrap_or_default()
    }

    /// `ResolvedSettings`: the settings in use, else the first candidate.
    pub fn resolved(&self) -> Option<Published> {
        self.chosen
            .clone()
            .or_else(|| self.candidates().into_iter().next())
    }

    /// Append to the attempt log.
    pub fn record(&mut self, a: Attempt) {
        if self.log.len() >= LOG_LEN {
            self.log.pop_front();
        }
        self.log.push_back(a);
    }

    /// The SIM changed (or went): forget what was resolved for the old one.
    pub fn reset_sim(&mut self) {
        self.identity = None;
        self.hwids.clear();
        self.resolution = None;
        self.chosen = None;
        self.limited = false;
        self.purchase_url.clear();
        self.purchase_profile = None;
    }
}
