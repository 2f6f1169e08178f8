//! The operator-message rules in force for the whole daemon: one shared
//! holder that every modem's ingest pipeline reads for each message, and
//! that `mbimd --operator-rules FILE`, the D-Bus methods
//! `LoadOperatorRules`/`ClearOperatorRules` and (later) the Provisioning
//! Agent replace with [`Rules::set_rules`] / [`Rules::clear`].
//!
//! Persistence: with a state directory, what `set_rules` installs is saved
//! as `operator-rules.xml` (the document exactly as loaded) and
//! `operator-rules.source` (where it came from), each written to a
//! temporary name and renamed, so a restart finds the same rules. Rules
//! given with `--operator-rules` are configuration, not state: they are used
//! for that run and win over saved ones, and they are not saved. A rule set
//! built in code (no XML) is held but not saved.
//!
//! This module does no D-Bus and classifies nothing; watchers learn of a
//! change through [`Rules::changes`].

use super::rules::{RuleError, RuleSet};
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};
use tokio::sync::watch;

/// File name of the saved rules in the state directory.
pub const SAVED_RULES: &str = "operator-rules.xml";
/// File name of the saved rules' source description.
pub const SAVED_SOURCE: &str = "operator-rules.source";

/// The rules in force and where they came from.
#[derive(Debug, Clone, Default)]
pub struct ActiveRules {
    /// The rule set.
    pub set: Arc<RuleSet>,
    /// Where it came from (`file:PATH`, `dbus`, `provisioning`, ...); empty
    /// when no rules are loaded.
    pub source: String,
}

#[derive(Debug)]
struct Inner {
    active: RwLock<ActiveRules>,
    dir: Option<PathBuf>,
    changed: watch::Sender<u64>,
}

impl Default for Inner {
    fn default() -> Self {
        Inner {
            active: RwLock::default(),
            dir: None,
            changed: watch::channel(0).0,
        }
    }
}

/// The daemon's live operator rules; clones share one holder.
#[derive(Debug, Clone, Default)]
pub struct Rules(Arc<Inner>);

/// Saving the rules failed (they are in force nevertheless).
#[derive(Debug, thiserror::Error)]
#[error("cannot save the operator rules in {path}: {source}")]
pub struct SaveError {
    /// The file that could not be written or removed.
    pub path: PathBuf,
    /// The I/O error.
    pub source: std::io::Error,
}

impl Rules {
    /// A holder with `set` in force (source `code`), saving nothing.
    pub fn new(set: RuleSet) -> Self {
        let r = Rules::default();
        r.swap(set, "code");
        r
    }

    /// The holder of a daemon: the rules of `startup_file` when given (an
    /// error there is returned, the daemon should not start with a broken
    /// file), else the rules saved in `state_dir` by an earlier run (a
    /// broken saved file is logged and ignored), else none. Later
    /// [`Rules::set_rules`] calls save into `state_dir`.
    pub fn open(state_dir: Option<&Path>, startup_file: Option<&Path>) -> Result<Self, RuleError> {
        let r = Rules(Arc::new(Inner {
            dir: state_dir.map(Path::to_path_buf),
            ..Inner::default()
        }));
        if let Some(f) = startup_file {
            let set = RuleSet::load(f)?;
            r.swap(set, &format!("file:{}", f.display()));
        } else if let Some(dir) = state_dir {
            let xml = dir.join(SAVED_RULES);
            if xml.exists() {
                match RuleSet::load(&xml) {
                    Ok(set) => {
                        let source = std::fs::read_to_string(dir.join(SAVED_SOURCE))
                            .map(|s| s.trim().to_owned())
                            .unwrap_or_else(|_| "saved".into());
                        r.swap(set, &source);
                    }
                    Err(e) => {
                        tracing::warn!("ignoring the saved operator rules: {e}");
                    }
                }
            }
        }
        Ok(r)
    }

    fn swap(&self, set: RuleSet, source: &str) {
        {
            let mut g = self.0.active.write().unwrap_or_else(|p| p.into_inner());
            *g = ActiveRules {
                set: Arc::new(set),
                source: source.to_owned(),
            };
        }
        self.0.changed.send_modify(|n| *n = n.wrapping_add(1));
    }

    /// Put `set` in force (messages classified from now on use it), noting
    /// `source`, and save it in the state directory when the holder has
    /// one and the set has its XML. The set is in force even when saving
    /// fails.
    pub fn set_rules(&self, set: RuleSet, source: &str) -> Result<(), SaveError> {
        let xml = set.xml().map(str::to_owned);
        self.swap(set, source);
        match (&self.0.dir, xml) {
            (Some(dir), Some(xml)) => {
                write_atomically(&dir.join(SAVED_RULES), xml.as_bytes())?;
                write_atomically(&dir.join(SAVED_SOURCE), source.as_bytes())
            }
            _ => Ok(()),
        }
    }

    /// Parse `xml` (errors name `source_name`, line and column) and put it
    /// in force with [`Rules::set_rules`]; on a parse error the old rules
    /// stay. Returns the number of rules.
    pub fn load_xml(
        &self,
        xml: &str,
        source_name: &str,
        source: &str,
    ) -> Result<Result<usize, SaveError>, RuleError> {
        let set = RuleSet::from_xml(xml, source_name)?;
        let n = set.len();
        Ok(self.set_rules(set, source).map(|()| n))
    }

    /// Drop every rule (nothing is an operator message) and the saved copy.
    pub fn clear(&self) -> Result<(), SaveError> {
        self.swap(RuleSet::empty(), "");
        if let Some(dir) = &self.0.dir {
            for name in [SAVED_RULES, SAVED_SOURCE] {
                let path = dir.join(name);
                match std::fs::remove_file(&path) {
                    Ok(()) => {}
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                    Err(source) => return Err(SaveError { path, source }),
                }
            }
        }
        Ok(())
    }

    /// Swap in a new rule set without saving it (tests, tools).
    pub fn replace(&self, set: RuleSet) {
        self.swap(set, "code");
    }

    /// Parse a file and put it in force (not saved: see the module docs);
    /// on error the old rules stay.
    pub fn load(&self, path: &Path) -> Result<usize, RuleError> {
        let set = RuleSet::load(path)?;
        let n = set.len();
        self.swap(set, &format!("file:{}", path.display()));
        Ok(n)
    }

    /// The rules in force.
    pub fn current(&self) -> Arc<RuleSet> {
        self.active().set
    }

    /// The rules in force with their source.
    pub fn active(&self) -> ActiveRules {
        self.0
            .active
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// A receiver that changes whenever the rules are replaced.
    pub fn changes(&self) -> watch::Receiver<u64> {
        self.0.changed.subscribe()
    }
}

fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), SaveError> {
    let err = |source| SaveError {
        path: path.to_path_buf(),
        source,
    };
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(err)?;
    }
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(".tmp");
    let tmp = PathBuf::from(tmp);
    std::fs::write(&tmp, bytes).map_err(err)?;
    std::fs::rename(&tmp, path).map_err(err)
}

#[cfg(test)]
mod tests {
    use super::*;

    const XML: &str = r#"<Messages><Message RuleId="u"><USSDBearer/><Pattern>used (\d+) MB</Pattern>
        <Units M="MB"/><Fields><Usage Group="1" DefaultUnit="M"/></Fields></Message></Messages>"#;

    #[test]
    fn rules_set_at_run_time_are_found_again_after_a_restart() {
        let dir = tempfile::tempdir().unwrap();
        let r = Rules::open(Some(dir.path()), None).unwrap();
        assert!(r.current().is_empty());
        let changes = r.changes();
        assert_eq!(r.load_xml(XML, "x", "dbus").unwrap().unwrap(), 1);
        assert!(changes.has_changed().unwrap());
        let again = Rules::open(Some(dir.path()), None).unwrap();
        let a = again.active();
        assert_eq!((a.set.len(), a.source.as_str()), (1, "dbus"));

        again.clear().unwrap();
        let third = Rules::open(Some(dir.path()), None).unwrap();
        assert!(third.current().is_empty());
        assert_eq!(third.active().source, "");
    }

    #[test]
    fn a_startup_file_wins_over_saved_rules_and_is_not_saved() {
        let dir = tempfile::tempdir().unwrap();
        let r = Rules::open(Some(dir.path()), None).unwrap();
        r.load_xml(XML, "x", "dbus").unwrap().unwrap();
        let file = dir.path().join("startup.xml");
        std::fs::write(&file, XML.replace("RuleId=\"u\"", "RuleId=\"f\"")).unwrap();
        let started = Rules::open(Some(dir.path()), Some(&file)).unwrap();
        assert_eq!(started.current().rule_ids(), [Some("f".to_owned())]);
        assert!(started.active().source.starts_with("file:"));
        let saved = std::fs::read_to_string(dir.path().join(SAVED_RULES)).unwrap();
        assert!(saved.contains("RuleId=\"u\""), "{saved}");
    }

    #[test]
    fn a_broken_startup_file_is_an_error_and_bad_xml_keeps_the_old_rules() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("bad.xml");
        std::fs::write(&file, "<Messages>\n  <Message>\n</Messages>\n").unwrap();
        let e = Rules::open(None, Some(&file)).unwrap_err();
        assert!(e.line >= 2, "{e}");
        let r = Rules::new(RuleSet::from_xml(XML, "x").unwrap());
        assert!(r.load_xml("<Messages>", "dbus", "dbus").is_err());
        assert_eq!(r.current().len(), 1);
    }
}
