//! Where the APN database lives by default.
//!
//! `$STATE_DIRECTORY/apn.db` when set (systemd `StateDirectory=mbimd` for the
//! daemon); else `/var/lib/mbimd/apn.db` for root; else
//! `$XDG_STATE_HOME/mbimd/apn.db`, with `$XDG_STATE_HOME` defaulting to
//! `~/.local/state` (XDG Base Directory spec).

use std::path::PathBuf;

/// The default database path for this process (see the module docs).
pub fn default_db_path() -> PathBuf {
    default_db_path_from(
        std::env::var_os("STATE_DIRECTORY").map(PathBuf::from),
        is_root(),
        std::env::var_os("XDG_STATE_HOME").map(PathBuf::from),
        std::env::var_os("HOME").map(PathBuf::from),
    )
}

/// The rule of [`default_db_path`] with its inputs made explicit.
pub fn default_db_path_from(
    state_directory: Option<PathBuf>,
    root: bool,
    xdg_state_home: Option<PathBuf>,
    home: Option<PathBuf>,
) -> PathBuf {
    // systemd may pass several colon-separated directories; the first is ours.
    if let Some(dir) = state_directory.filter(|d| !d.as_os_str().is_empty()) {
        let first = dir
            .to_string_lossy()
            .split(':')
            .next()
            .unwrap_or("")
            .to_owned();
        return PathBuf::from(first).join("apn.db");
    }
    if root {
        return PathBuf::from("/var/lib/mbimd/apn.db");
    }
    let state = xdg_state_home
        .filter(|d| d.is_absolute())
        .or_else(|| home.map(|h| h.join(".local/state")))
        .unwrap_or_else(|| PathBuf::from(".local/state"));
    state.join("mbimd").join("apn.db")
}

fn is_root() -> bool {
    // Without libc: the owner of /proc/self is the effective uid's.
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        std::fs::metadata("/proc/self")
            .map(|m| m.uid() == 0)
            .unwrap_or(false)
    }
    #[cfg(not(unix))]
    {
        false
    }
}
