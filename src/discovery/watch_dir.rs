//! Poll a directory of device links (for example simulator pty links made
//! with `mbcli sim --pty-link DIR/name`) and report character devices that
//! appear and disappear. Polling keeps this portable and dependency-free; a
//! link directory holds a handful of entries, so a scan costs microseconds.

use super::{DeviceEvent, DeviceInfo};
use std::collections::BTreeMap;
use std::os::unix::fs::FileTypeExt;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Remembers what a directory held at the last scan.
#[derive(Debug)]
pub struct DirWatcher {
    dir: PathBuf,
    known: BTreeMap<String, PathBuf>,
}

impl DirWatcher {
    pub fn new(dir: &Path) -> Self {
        DirWatcher {
            dir: dir.to_path_buf(),
            known: BTreeMap::new(),
        }
    }

    /// Scan once; return what changed since the last scan.
    pub fn scan(&mut self) -> Vec<DeviceEvent> {
        let mut now = BTreeMap::new();
        if let Ok(rd) = std::fs::read_dir(&self.dir) {
            for e in rd.flatten() {
                let path = e.path();
                // Follow links: the target must be a character device (a pty slave).
                if std::fs::metadata(&path).is_ok_and(|m| m.file_type().is_char_device()) {
                    now.insert(e.file_name().to_string_lossy().into_owned(), path);
                }
            }
        }
        let mut events = Vec::new();
        for name in self.known.keys() {
            if !now.contains_key(name) {
                events.push(DeviceEvent::Removed { name: name.clone() });
            }
        }
        for (name, path) in &now {
            if !self.known.contains_key(name) {
                events.push(DeviceEvent::Added(DeviceInfo {
                    name: name.clone(),
                    path: path.clone(),
                    net: Vec::new(),
                    driver: "link".into(),
                    usb_ids: None,
                    sysfs: None,
                }));
            }
        }
        self.known = now;
        events
    }

    /// Scan every `interval`, sending events until the receiver is gone.
    pub async fn run(mut self, interval: Duration, tx: tokio::sync::mpsc::Sender<DeviceEvent>) {
        let mut tick = tokio::time::interval(interval);
        loop {
            tick.tick().await;
            for ev in self.scan() {
                if tx.send(ev).await.is_err() {
                    return;
                }
            }
        }
    }
}
