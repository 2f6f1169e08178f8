//! Redaction of personal data in logs: IMSI, ICCID, IMEI, phone numbers and
//! APN credentials print as `###` unless the process turned on
//! `--log-personal-info`. Wrap values in [`Personal`] wherever they are logged.
//! (The codec itself never logs; this lives here so every layer shares one switch.)

use std::fmt;
use std::sync::atomic::{AtomicBool, Ordering};

static SHOW: AtomicBool = AtomicBool::new(false);

/// Turn showing personal data in logs on or off (process-wide).
pub fn set_show_personal_info(on: bool) {
    SHOW.store(on, Ordering::Relaxed);
}

/// Whether personal data is shown.
pub fn show_personal_info() -> bool {
    SHOW.load(Ordering::Relaxed)
}

/// A value that is personal data; formats as `###` unless shown.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Personal<T>(pub T);

impl<T: fmt::Display> fmt::Display for Personal<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if show_personal_info() {
            self.0.fmt(f)
        } else {
            f.write_str("###")
        }
    }
}

impl<T: fmt::Debug> fmt::Debug for Personal<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if show_personal_info() {
            self.0.fmt(f)
        } else {
            f.write_str("###")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redacts_unless_enabled() {
        let imsi = Personal("001010123456789");
        assert_eq!(format!("{imsi} {imsi:?}"), "### ###");
        set_show_personal_info(true);
        assert_eq!(format!("{imsi}"), "001010123456789");
        set_show_personal_info(false);
        assert_eq!(format!("{imsi}"), "###");
    }
}
