//! Privileged apps on Linux: who may use the restricted interfaces (SMS,
//! USSD, provisioning, device services, data-usage writes).
//!
//! Windows grants these to the apps a service-metadata package lists under
//! `PrivilegedApplications` (windows-operator-formats.md §2.5), identified
//! by package family name. Linux has no such names, so this module defines
//! ours (§9.10 leaves it to us) and documents it in
//! `docs/privileged-apps.md`:
//!
//! 1. The bus tells who the caller is: `GetConnectionCredentials` on the
//!    sender's unique name gives its uid, pid and security label
//!    ([`caller`]).
//! 2. The caller's identities are derived from what the bus and the kernel
//!    say, never from anything the caller sends ([`PrivilegedApps::identify`]):
//!    * **Flatpak app id** from `/proc/<pid>/root/.flatpak-info` (written by
//!      flatpak into the sandbox, not writable by the app) — trusted; or from
//!      a cgroup `app-flatpak-<id>-<n>.scope` — a hint only, since a user can
//!      name their own scopes;
//!    * **snap name** from the AppArmor label `snap.<name>.<app>` (the bus's
//!      `LinuxSecurityLabel`, else `/proc/<pid>/attr/current`) — trusted; or
//!      from a cgroup `snap.<name>.<app>…` — a hint only;
//!    * **systemd unit**: the innermost `.service`/`.scope` of the cgroup;
//!      system units (outside `user@<uid>.service`) are trusted, user units
//!      are hints;
//!    * **unix user**: the uid (and its name from `/etc/passwd`) — trusted.
//! 3. A caller is privileged when it is root, or one of its trusted
//!    identities (hints too, when `trust-user-cgroups` is set) is listed in
//!    the configuration, or — with `service-metadata` on — its Flatpak app
//!    id or snap name equals an `Identity@Name` of the `PrivilegedApplications`
//!    of the package matched to the modem's SIM (`AnyApplication` only with
//!    `any-application` on).
//!
//! Known limit: the pid is read once; a process that exits and whose pid is
//! reused between the bus's answer and the `/proc` reads could be
//! misattributed. The bus's security label (no pid involved) is preferred
//! for snaps for that reason.
//!
//! This module reads `/proc` and `/etc/passwd` (paths configurable for
//! tests) and must not change anything.

use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// What the bus says about a caller.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Caller {
    /// The sender's unique name.
    pub unique_name: String,
    /// Unix uid.
    pub uid: u32,
    /// Process id, when the bus knows it.
    pub pid: Option<u32>,
    /// Linux security label (AppArmor/SELinux), when the bus knows it.
    pub security_label: Option<String>,
}

/// Where an identity was read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Evidence {
    /// The bus's credentials (uid).
    Bus,
    /// `/proc/<pid>/root/.flatpak-info`.
    FlatpakInfo,
    /// The AppArmor label.
    SecurityLabel,
    /// A cgroup under `system.slice` (only root creates these).
    SystemCgroup,
    /// A cgroup the user controls (under `user@<uid>.service`).
    UserCgroup,
}

impl Evidence {
    /// Whether the caller cannot forge it.
    pub fn trusted(self) -> bool {
        !matches!(self, Evidence::UserCgroup)
    }
}

/// One identity of a caller.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum AppIdentity {
    /// uid 0.
    Root,
    /// A unix user.
    UnixUser {
        /// The uid.
        uid: u32,
        /// Its name, when `/etc/passwd` has it.
        name: Option<String>,
    },
    /// A Flatpak app.
    Flatpak {
        /// The app id (`org.example.App`).
        app_id: String,
        /// Where it was read.
        evidence: Evidence,
    },
    /// A snap.
    Snap {
        /// The snap name.
        name: String,
        /// Where it was read.
        evidence: Evidence,
    },
    /// A systemd unit.
    SystemdUnit {
        /// The unit name (`foo.service`).
        unit: String,
        /// Where it was read (system or user cgroup).
        evidence: Evidence,
    },
}

impl AppIdentity {
    /// A short form for logs and errors (`flatpak:org.example.App`).
    pub fn label(&self) -> String {
        match self {
            AppIdentity::Root => "root".into(),
            AppIdentity::UnixUser { uid, name } => match name {
                Some(n) => format!("user:{n}({uid})"),
                None => format!("user:{uid}"),
            },
            AppIdentity::Flatpak { app_id, .. } => format!("flatpak:{app_id}"),
            AppIdentity::Snap { name, .. } => format!("snap:{name}"),
            AppIdentity::SystemdUnit { unit, .. } => format!("unit:{unit}"),
        }
    }

    fn evidence(&self) -> Evidence {
        match self {
            AppIdentity::Root | AppIdentity::UnixUser { .. } => Evidence::Bus,
            AppIdentity::Flatpak { evidence, .. }
            | AppIdentity::Snap { evidence, .. }
            | AppIdentity::SystemdUnit { evidence, .. } => *evidence,
        }
    }
}

/// A user in the configuration: a name or a uid.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum UserSpec {
    /// A uid.
    Uid(u32),
    /// A user name.
    Name(String),
}

/// The privileged-apps configuration (`privileged-apps.toml`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields, default)]
pub struct PrivilegedConfig {
    /// Flatpak app ids.
    pub flatpak: Vec<String>,
    /// Snap names.
    pub snap: Vec<String>,
    /// systemd system units (`foo.service`).
    pub systemd_units: Vec<String>,
    /// Unix users (names or uids).
    pub users: Vec<UserSpec>,
    /// Honour the `PrivilegedApplications` of the matched service metadata.
    pub service_metadata: bool,
    /// Honour `PrivilegedApplications/AnyApplication` (everyone privileged).
    pub any_application: bool,
    /// Accept Flatpak/snap/unit names read from cgroups the user controls.
    pub trust_user_cgroups: bool,
}

impl Default for PrivilegedConfig {
    fn default() -> Self {
        PrivilegedConfig {
            flatpak: Vec::new(),
            snap: Vec::new(),
            systemd_units: Vec::new(),
            users: Vec::new(),
            service_metadata: true,
            any_application: false,
            trust_user_cgroups: false,
        }
    }
}

/// Errors loading the configuration.
#[derive(Debug, thiserror::Error)]
pub enum PrivilegedError {
    /// The file cannot be read.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The OS error.
        #[source]
        source: std::io::Error,
    },
    /// The file is not valid TOML for this configuration.
    #[error("{path}: {message}")]
    Syntax {
        /// The file.
        path: PathBuf,
        /// The parser's message (with line and column).
        message: String,
    },
}

impl PrivilegedConfig {
    /// Parse the TOML text.
    pub fn parse(path: &Path, text: &str) -> Result<Self, PrivilegedError> {
        toml::from_str(text).map_err(|e| PrivilegedError::Syntax {
            path: path.to_owned(),
            message: e.to_string(),
        })
    }

    /// Load `path`.
    pub fn load(path: &Path) -> Result<Self, PrivilegedError> {
        let text = std::fs::read_to_string(path).map_err(|source| PrivilegedError::Io {
            path: path.to_owned(),
            source,
        })?;
        Self::parse(path, &text)
    }
}

/// What the service metadata matched to the modem's SIM grants.
#[derive(Debug, Clone, Copy, Default)]
pub struct MetadataApps<'a> {
    /// `PrivilegedApplications/Package/Identity@Name`s.
    pub names: &'a [String],
    /// `AnyApplication`.
    pub any_application: bool,
}

/// A decision with its reason.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Decision {
    /// Allowed or not.
    pub allowed: bool,
    /// Why (the identity that matched, or what was checked).
    pub reason: String,
    /// Every identity found.
    pub identities: Vec<AppIdentity>,
}

/// The check: configuration plus where to read process facts.
#[derive(Debug, Clone)]
pub struct PrivilegedApps {
    /// The configuration.
    pub config: PrivilegedConfig,
    /// `/proc` (tests point it at fixtures).
    pub proc_root: PathBuf,
    /// `/etc/passwd` (tests point it at fixtures).
    pub passwd: PathBuf,
}

/// The Flatpak app id in a `.flatpak-info` file (`[Application] name=`).
pub fn parse_flatpak_info(text: &str) -> Option<String> {
    let mut in_app = false;
    for line in text.lines().map(str::trim) {
        if line.starts_with('[') {
            in_app = line == "[Application]";
        } else if in_app
            && let Some((k, v)) = line.split_once('=')
            && k.trim() == "name"
        {
            let v = v.trim();
            return (!v.is_empty()).then(|| v.to_owned());
        }
    }
    None
}

/// The snap name in an AppArmor label (`snap.<name>.<app> (enforce)`).
pub fn parse_security_label(label: &str) -> Option<String> {
    let l = label.trim_end_matches('\0').trim();
    let l = l.split(" (").next().unwrap_or(l);
    let rest = l.strip_prefix("snap.")?;
    let name = rest.split('.').next()?;
    // snap.<name>.hook.<hook> is a hook, still the snap's.
    (!name.is_empty() && rest.contains('.')).then(|| name.to_owned())
}

/// What a `/proc/<pid>/cgroup` file says.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CgroupInfo {
    /// The unified (or name=systemd) path.
    pub path: String,
    /// The innermost `.service`/`.scope` unit.
    pub unit: Option<String>,
    /// Whether that unit is under `user@<uid>.service`.
    pub user_unit: bool,
    /// Flatpak app id from `app-flatpak-<id>-<n>.scope`.
    pub flatpak: Option<String>,
    /// Snap name from `snap.<name>.…`.
    pub snap: Option<String>,
}

/// Undo systemd unit-name escaping (`\x2d` → `-`).
fn unescape_unit(s: &str) -> String {
    let mut out = String::new();
    let mut rest = s;
    while let Some(i) = rest.find("\\x") {
        out.push_str(&rest[..i]);
        let hex = rest.get(i + 2..i + 4);
        match hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
            Some(b) => {
                out.push(char::from(b));
                rest = &rest[i + 4..];
            }
            None => {
                out.push_str("\\x");
                rest = &rest[i + 2..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// Parse a `/proc/<pid>/cgroup` file.
pub fn parse_cgroup(text: &str) -> CgroupInfo {
    let lines: Vec<&str> = text.lines().collect();
    let path = lines
        .iter()
        .find_map(|l| l.strip_prefix("0::"))
        .or_else(|| {
            lines
                .iter()
                .find_map(|l| l.split_once(":name=systemd:").map(|(_, p)| p))
        })
        .unwrap_or("")
        .trim()
        .to_owned();
    let comps: Vec<&str> = path.split('/').filter(|c| !c.is_empty()).collect();
    let mut info = CgroupInfo {
        path: path.clone(),
        ..CgroupInfo::default()
    };
    if let Some(i) = comps
        .iter()
        .rposition(|c| c.ends_with(".service") || c.ends_with(".scope"))
    {
        info.unit = Some(unescape_unit(comps[i]));
        info.user_unit = comps[..i]
            .iter()
            .any(|c| c.starts_with("user@") && c.ends_with(".service"));
    }
    for c in comps.iter().rev() {
        let c = unescape_unit(c);
        if info.flatpak.is_none()
            && let Some(rest) = c.strip_prefix("app-flatpak-")
            && let Some(rest) = rest.strip_suffix(".scope")
        {
            // `<id>-<n>`: the id may hold '-', the instance number is last.
            let id = match rest.rsplit_once('-') {
                Some((id, n)) if n.bytes().all(|b| b.is_ascii_digit()) => id,
                _ => rest,
            };
            if !id.is_empty() {
                info.flatpak = Some(id.to_owned());
            }
        }
        if info.snap.is_none()
            && let Some(rest) = c.strip_prefix("snap.")
            && let Some((name, _)) = rest.split_once('.')
            && !name.is_empty()
        {
            info.snap = Some(name.to_owned());
        }
    }
    info
}

/// A user's name from `/etc/passwd` text.
pub fn passwd_name(text: &str, uid: u32) -> Option<String> {
    text.lines().find_map(|l| {
        let mut f = l.split(':');
        let name = f.next()?;
        let _pw = f.next()?;
        let u: u32 = f.next()?.parse().ok()?;
        (u == uid).then(|| name.to_owned())
    })
}

/// A user's uid from `/etc/passwd` text.
pub fn passwd_uid(text: &str, name: &str) -> Option<u32> {
    text.lines().find_map(|l| {
        let mut f = l.split(':');
        (f.next()? == name).then_some(())?;
        let _pw = f.next()?;
        f.next()?.parse().ok()
    })
}

/// Ask the bus who `sender` is.
pub async fn caller(conn: &zbus::Connection, sender: &str) -> Result<Caller, zbus::fdo::Error> {
    let dbus = zbus::fdo::DBusProxy::new(conn).await?;
    let name = zbus::names::BusName::try_from(sender)
        .map_err(|e| zbus::fdo::Error::InvalidArgs(e.to_string()))?;
    let creds = dbus.get_connection_credentials(name).await?;
    let uid = creds
        .unix_user_id()
        .ok_or_else(|| zbus::fdo::Error::Failed("the bus does not know the caller's uid".into()))?;
    Ok(Caller {
        unique_name: sender.to_owned(),
        uid,
        pid: creds.process_id(),
        security_label: creds
            .linux_security_label()
            .map(|b| String::from_utf8_lossy(b).trim_end_matches('\0').to_owned()),
    })
}

impl PrivilegedApps {
    /// A check reading the real `/proc` and `/etc/passwd`.
    pub fn new(config: PrivilegedConfig) -> Self {
        PrivilegedApps {
            config,
            proc_root: PathBuf::from("/proc"),
            passwd: PathBuf::from("/etc/passwd"),
        }
    }

    /// Every identity of `caller` (see the module docs), trusted or not.
    pub fn identify(&self, caller: &Caller) -> Vec<AppIdentity> {
        let mut v = Vec::new();
        if caller.uid == 0 {
            v.push(AppIdentity::Root);
        }
        let name = std::fs::read_to_string(&self.passwd)
            .ok()
            .and_then(|t| passwd_name(&t, caller.uid));
        v.push(AppIdentity::UnixUser {
            uid: caller.uid,
            name,
        });
        let label = caller.security_label.clone().or_else(|| {
            caller.pid.and_then(|p| {
                std::fs::read_to_string(self.proc_root.join(p.to_string()).join("attr/current"))
                    .ok()
            })
        });
        if let Some(snap) = label.as_deref().and_then(parse_security_label) {
            v.push(AppIdentity::Snap {
                name: snap,
                evidence: Evidence::SecurityLabel,
            });
        }
        let Some(pid) = caller.pid else { return v };
        let dir = self.proc_root.join(pid.to_string());
        if let Some(id) = std::fs::read_to_string(dir.join("root/.flatpak-info"))
            .ok()
            .and_then(|t| parse_flatpak_info(&t))
        {
            v.push(AppIdentity::Flatpak {
                app_id: id,
                evidence: Evidence::FlatpakInfo,
            });
        }
        if let Ok(text) = std::fs::read_to_string(dir.join("cgroup")) {
            let cg = parse_cgroup(&text);
            let ev = if cg.user_unit {
                Evidence::UserCgroup
            } else {
                Evidence::SystemCgroup
            };
            // App ids in cgroup names are only ever hints: flatpak and snapd
            // create these scopes in the user's own systemd instance.
            if let Some(id) = cg.flatpak
                && !v
                    .iter()
                    .any(|x| matches!(x, AppIdentity::Flatpak { app_id, .. } if *app_id == id))
            {
                v.push(AppIdentity::Flatpak {
                    app_id: id,
                    evidence: Evidence::UserCgroup,
                });
            }
            if let Some(s) = cg.snap
                && !v
                    .iter()
                    .any(|x| matches!(x, AppIdentity::Snap { name, .. } if *name == s))
            {
                v.push(AppIdentity::Snap {
                    name: s,
                    evidence: Evidence::UserCgroup,
                });
            }
            if let Some(unit) = cg.unit {
                v.push(AppIdentity::SystemdUnit { unit, evidence: ev });
            }
        }
        v
    }

    /// Decide for `caller` with the grants of `metadata`.
    pub fn decide(&self, caller: &Caller, metadata: MetadataApps<'_>) -> Decision {
        let identities = self.identify(caller);
        let c = &self.config;
        let usable = |i: &AppIdentity| i.evidence().trusted() || c.trust_user_cgroups;
        let mut reason = None;
        for i in identities.iter().filter(|i| usable(i)) {
            let hit = match i {
                AppIdentity::Root => Some("root".to_owned()),
                AppIdentity::UnixUser { uid, name } => c
                    .users
                    .iter()
                    .any(|u| match u {
                        UserSpec::Uid(x) => x == uid,
                        UserSpec::Name(n) => name.as_deref() == Some(n.as_str()),
                    })
                    .then(|| format!("{} is a configured user", i.label())),
                AppIdentity::Flatpak { app_id, .. } => {
                    if c.flatpak.contains(app_id) {
                        Some(format!("{} is configured", i.label()))
                    } else if c.service_metadata && metadata.names.contains(app_id) {
                        Some(format!("{} is named by the service metadata", i.label()))
                    } else {
                        None
                    }
                }
                AppIdentity::Snap { name, .. } => {
                    if c.snap.contains(name) {
                        Some(format!("{} is configured", i.label()))
                    } else if c.service_metadata && metadata.names.contains(name) {
                        Some(format!("{} is named by the service metadata", i.label()))
                    } else {
                        None
                    }
                }
                AppIdentity::SystemdUnit { unit, .. } => c
                    .systemd_units
                    .contains(unit)
                    .then(|| format!("{} is configured", i.label())),
            };
            if hit.is_some() {
                reason = hit;
                break;
            }
        }
        if reason.is_none() && c.service_metadata && c.any_application && metadata.any_application {
            reason = Some("the service metadata allows any application".into());
        }
        let allowed = reason.is_some();
        let reason = reason.unwrap_or_else(|| {
            let who: Vec<String> = identities.iter().map(AppIdentity::label).collect();
            format!("{} is not a privileged app", who.join(", "))
        });
        Decision {
            allowed,
            reason,
            identities,
        }
    }

    /// Whether `caller` is privileged by the configuration alone (root always).
    pub fn is_privileged(&self, caller: &Caller) -> bool {
        self.decide(caller, MetadataApps::default()).allowed
    }

    /// Whether `caller` is privileged by the configuration or by `metadata`.
    pub fn is_privileged_with(&self, caller: &Caller, metadata: MetadataApps<'_>) -> bool {
        self.decide(caller, metadata).allowed
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unit_names_are_unescaped() {
        assert_eq!(
            unescape_unit("app-flatpak-org.a\\x2dB-12.scope"),
            "app-flatpak-org.a-B-12.scope"
        );
        assert_eq!(unescape_unit("bad\\xZZ"), "bad\\xZZ");
    }
}
