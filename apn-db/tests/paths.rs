//! The default database location rule.

use apn_db::paths::default_db_path_from;
use std::path::PathBuf;

#[test]
fn state_directory_wins_then_root_then_xdg_state_home() {
    let p = |s: &str| Some(PathBuf::from(s));
    assert_eq!(
        default_db_path_from(p("/var/lib/mbimd"), true, None, None),
        PathBuf::from("/var/lib/mbimd/apn.db")
    );
    // systemd may list several directories; the first is ours.
    assert_eq!(
        default_db_path_from(p("/srv/a:/srv/b"), false, None, None),
        PathBuf::from("/srv/a/apn.db")
    );
    assert_eq!(
        default_db_path_from(None, true, p("/x"), p("/root")),
        PathBuf::from("/var/lib/mbimd/apn.db")
    );
    assert_eq!(
        default_db_path_from(None, false, p("/x/state"), p("/home/u")),
        PathBuf::from("/x/state/mbimd/apn.db")
    );
    // A relative XDG_STATE_HOME is invalid per the XDG spec and ignored.
    assert_eq!(
        default_db_path_from(None, false, p("rel"), p("/home/u")),
        PathBuf::from("/home/u/.local/state/mbimd/apn.db")
    );
    assert_eq!(
        default_db_path_from(None, false, None, p("/home/u")),
        PathBuf::from("/home/u/.local/state/mbimd/apn.db")
    );
}
