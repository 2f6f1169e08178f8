//! Privileged apps: the caller → identity mapping on fixture files (cgroup
//! v1/v2, `.flatpak-info`, AppArmor labels, passwd), the decision rules
//! (trusted evidence, configuration, service-metadata names,
//! AnyApplication), the TOML configuration, and real callers with other
//! uids on a private bus (run as root; `setpriv` switches the client's uid).

use mbimd::provisioning::privileged::{
    AppIdentity, Caller, Evidence, MetadataApps, PrivilegedApps, PrivilegedConfig, UserSpec,
    parse_cgroup, parse_flatpak_info, parse_security_label,
};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/privileged")
}

fn read(rel: &str) -> String {
    std::fs::read_to_string(fixtures().join(rel)).unwrap()
}

fn apps(config: PrivilegedConfig) -> PrivilegedApps {
    PrivilegedApps {
        config,
        proc_root: fixtures().join("proc"),
        passwd: fixtures().join("passwd"),
    }
}

fn caller(uid: u32, pid: u32) -> Caller {
    Caller {
        unique_name: ":1.42".into(),
        uid,
        pid: Some(pid),
        security_label: None,
    }
}

// ------------------------------------------------------------------ parsing

#[test]
fn cgroup_files_give_units_and_app_hints() {
    let f = parse_cgroup(&read("proc/1001/cgroup"));
    assert_eq!(f.flatpak.as_deref(), Some("com.example.Operator"));
    assert_eq!(
        f.unit.as_deref(),
        Some("app-flatpak-com.example.Operator-12345.scope")
    );
    assert!(f.user_unit);

    let s = parse_cgroup(&read("proc/1002/cgroup"));
    assert_eq!(s.snap.as_deref(), Some("example-operator"));
    assert_eq!(s.flatpak, None);

    let sys = parse_cgroup(&read("proc/1003/cgroup"));
    assert_eq!(sys.unit.as_deref(), Some("mbim-provisioner.service"));
    assert!(!sys.user_unit);
    assert_eq!((sys.flatpak, sys.snap), (None, None));

    let v1 = parse_cgroup(&read("proc/1005/cgroup"));
    assert_eq!(v1.path, "/system.slice/legacy.service");
    assert_eq!(v1.unit.as_deref(), Some("legacy.service"));

    let esc = parse_cgroup(&read("proc/1006/cgroup"));
    assert_eq!(esc.flatpak.as_deref(), Some("org.example.My-App"));
}

#[test]
fn flatpak_info_and_apparmor_labels_name_the_app() {
    assert_eq!(
        parse_flatpak_info(&read("proc/1001/root/.flatpak-info")).as_deref(),
        Some("com.example.Operator")
    );
    // `name=` of another section is not the app id.
    assert_eq!(parse_flatpak_info("[Runtime]\nname=org.x.Platform\n"), None);
    assert_eq!(
        parse_security_label(&read("proc/1002/attr/current")).as_deref(),
        Some("example-operator")
    );
    assert_eq!(
        parse_security_label("snap.foo.hook.configure\0").as_deref(),
        Some("foo")
    );
    assert_eq!(parse_security_label("unconfined"), None);
    assert_eq!(parse_security_label("/usr/bin/foo (enforce)"), None);
}

#[test]
fn identities_come_from_the_bus_proc_and_passwd() {
    let a = apps(PrivilegedConfig::default());
    let ids = a.identify(&caller(1000, 1001));
    assert!(ids.contains(&AppIdentity::UnixUser {
        uid: 1000,
        name: Some("alice".into())
    }));
    assert!(ids.contains(&AppIdentity::Flatpak {
        app_id: "com.example.Operator".into(),
        evidence: Evidence::FlatpakInfo
    }));
    // The same app id is not repeated as a cgroup hint.
    assert_eq!(
        ids.iter()
            .filter(|i| matches!(i, AppIdentity::Flatpak { .. }))
            .count(),
        1
    );
    let snap = a.identify(&caller(1000, 1002));
    assert!(snap.contains(&AppIdentity::Snap {
        name: "example-operator".into(),
        evidence: Evidence::SecurityLabel
    }));
    let sys = a.identify(&caller(990, 1003));
    assert!(sys.contains(&AppIdentity::SystemdUnit {
        unit: "mbim-provisioner.service".into(),
        evidence: Evidence::SystemCgroup
    }));
    let forged = a.identify(&caller(1000, 1004));
    assert!(forged.contains(&AppIdentity::Flatpak {
        app_id: "com.example.Operator".into(),
        evidence: Evidence::UserCgroup
    }));
    // The bus's own label wins over /proc (no pid needed).
    let mut c = caller(1000, 999_999);
    c.security_label = Some("snap.other.app (enforce)".into());
    assert!(a.identify(&c).contains(&AppIdentity::Snap {
        name: "other".into(),
        evidence: Evidence::SecurityLabel
    }));
}

// ------------------------------------------------------------------ decisions

#[test]
fn root_is_always_privileged_and_others_only_when_configured() {
    let none = apps(PrivilegedConfig::default());
    assert!(none.is_privileged(&caller(0, 1003)));
    for pid in [1001, 1002, 1003, 1004] {
        assert!(!none.is_privileged(&caller(1000, pid)), "pid {pid}");
    }
    let d = none.decide(&caller(1000, 1001), MetadataApps::default());
    assert!(!d.allowed);
    assert!(
        d.reason.contains("flatpak:com.example.Operator"),
        "{}",
        d.reason
    );
}

#[test]
fn each_configured_identity_kind_grants_access() {
    let cfg = |f: &dyn Fn(&mut PrivilegedConfig)| {
        let mut c = PrivilegedConfig::default();
        f(&mut c);
        apps(c)
    };
    let flatpak = cfg(&|c| c.flatpak = vec!["com.example.Operator".into()]);
    assert!(flatpak.is_privileged(&caller(1000, 1001)));
    assert!(!flatpak.is_privileged(&caller(1000, 1002)));

    let snap = cfg(&|c| c.snap = vec!["example-operator".into()]);
    assert!(snap.is_privileged(&caller(1000, 1002)));

    let unit = cfg(&|c| c.systemd_units = vec!["mbim-provisioner.service".into()]);
    assert!(unit.is_privileged(&caller(990, 1003)));
    assert!(!unit.is_privileged(&caller(990, 1005)));

    let by_name = cfg(&|c| c.users = vec![UserSpec::Name("opsvc".into())]);
    assert!(by_name.is_privileged(&caller(990, 1003)));
    assert!(!by_name.is_privileged(&caller(1000, 1003)));
    let by_uid = cfg(&|c| c.users = vec![UserSpec::Uid(1000)]);
    assert!(by_uid.is_privileged(&caller(1000, 1004)));
}

#[test]
fn app_names_from_user_cgroups_count_only_when_trusted_by_configuration() {
    let mut c = PrivilegedConfig {
        flatpak: vec!["com.example.Operator".into()],
        ..PrivilegedConfig::default()
    };
    assert!(
        !apps(c.clone()).is_privileged(&caller(1000, 1004)),
        "a scope name is forgeable"
    );
    c.trust_user_cgroups = true;
    assert!(apps(c).is_privileged(&caller(1000, 1004)));
}

#[test]
fn service_metadata_names_grant_access_unless_switched_off() {
    let names = vec![
        "com.example.Operator".to_string(),
        "example-operator".to_string(),
    ];
    let md = MetadataApps {
        names: &names,
        any_application: false,
    };
    let a = apps(PrivilegedConfig::default());
    assert!(a.is_privileged_with(&caller(1000, 1001), md));
    assert!(a.is_privileged_with(&caller(1000, 1002), md));
    assert!(!a.is_privileged_with(&caller(990, 1003), md));
    assert!(
        a.decide(&caller(1000, 1001), md)
            .reason
            .contains("service metadata")
    );
    let off = apps(PrivilegedConfig {
        service_metadata: false,
        ..PrivilegedConfig::default()
    });
    assert!(!off.is_privileged_with(&caller(1000, 1001), md));

    let any = MetadataApps {
        names: &[],
        any_application: true,
    };
    assert!(
        !a.is_privileged_with(&caller(990, 1003), any),
        "AnyApplication is off by default"
    );
    let honour = apps(PrivilegedConfig {
        any_application: true,
        ..PrivilegedConfig::default()
    });
    assert!(honour.is_privileged_with(&caller(990, 1003), any));
}

#[test]
fn the_toml_configuration_parses_and_rejects_unknown_keys() {
    let p = Path::new("privileged-apps.toml");
    let c = PrivilegedConfig::parse(
        p,
        "flatpak = [\"com.example.Operator\"]\nsnap = [\"example-operator\"]\nsystemd-units = [\"x.service\"]\nusers = [\"alice\", 1001]\nany-application = true\n",
    )
    .unwrap();
    assert_eq!(
        c.users,
        vec![UserSpec::Name("alice".into()), UserSpec::Uid(1001)]
    );
    assert!(c.service_metadata && c.any_application && !c.trust_user_cgroups);
    let e = PrivilegedConfig::parse(p, "flatpak = []\nflatpack = [\"x\"]\n")
        .unwrap_err()
        .to_string();
    assert!(e.contains("flatpack") && e.contains("line 2"), "{e}");
}

// ------------------------------------------------------------------ real callers

struct Bus {
    address: String,
    pid: u32,
}

impl Drop for Bus {
    fn drop(&mut self) {
        let _ = Command::new("kill").arg(self.pid.to_string()).status();
    }
}

/// A dbus-daemon that lets every uid connect (the session bus refuses
/// other users), listening in `dir`.
fn open_bus(dir: &Path) -> Bus {
    let sock = dir.join("bus.sock");
    let conf = dir.join("bus.conf");
    std::fs::write(
        &conf,
        format!(
            r#"<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-BUS Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>custom</type>
  <listen>unix:path={}</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow user="*"/>
    <allow own="*"/>
    <allow send_destination="*"/>
    <allow receive_sender="*"/>
  </policy>
</busconfig>
"#,
            sock.display()
        ),
    )
    .unwrap();
    let out = Command::new("dbus-daemon")
        .arg(format!("--config-file={}", conf.display()))
        .args(["--print-address=1", "--print-pid=1", "--fork"])
        .output()
        .expect("dbus-daemon");
    assert!(out.status.success(), "{out:?}");
    let text = String::from_utf8_lossy(&out.stdout);
    let mut l = text.lines();
    let address = l.next().unwrap().trim().to_owned();
    let pid = l.next().unwrap().trim().parse().unwrap();
    Bus { address, pid }
}

struct Child(std::process::Child);

impl Drop for Child {
    fn drop(&mut self) {
        let _ = Command::new("kill").arg(self.0.id().to_string()).status();
        let _ = self.0.wait();
    }
}

fn can_switch_uid() -> bool {
    let root = rustix_uid() == 0;
    let setpriv = Command::new("setpriv")
        .arg("--version")
        .stdout(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !(root && setpriv) {
        if std::env::var("CI").as_deref() == Ok("true") {
            panic!("the different-uid test needs root and setpriv (util-linux) in CI");
        }
        eprintln!("NOTICE: not root or no setpriv; skipping the different-uid test");
    }
    root && setpriv
}

fn rustix_uid() -> u32 {
    // Avoid a dev-dependency: the uid of this process from /proc.
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("Uid:"))
                .and_then(|v| v.split_whitespace().next().and_then(|x| x.parse().ok()))
        })
        .unwrap_or(u32::MAX)
}

/// `mbcli metadata install` as `uid`: (exit code, stdout + stderr).
fn install_as(uid: u32, address: &str, package: &Path) -> (i32, String) {
    let out = Command::new("setpriv")
        .args([
            &format!("--reuid={uid}"),
            &format!("--regid={uid}"),
            "--clear-groups",
        ])
        .arg(env!("CARGO_BIN_EXE_mbcli"))
        .args(["metadata", "install", "--address", address])
        .arg(package)
        .output()
        .expect("setpriv");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.code().unwrap_or(-1), text)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn callers_with_other_uids_are_allowed_or_denied_as_configured() {
    if !can_switch_uid() {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(tmp.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    let bus = open_bus(tmp.path());
    // The package where the other users can read it.
    let pkg = tmp.path().join("7c9e6679-7425-40de-944b-e07fc1f90ae7");
    copy_dir(
        &Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/data/service-metadata/7c9e6679-7425-40de-944b-e07fc1f90ae7"),
        &pkg,
    );
    let apps = tmp.path().join("apps.toml");
    // A configured user by name (dbus-daemon refuses uids without a passwd
    // entry, so both callers are real system users).
    let passwd = std::fs::read_to_string("/etc/passwd").unwrap();
    let daemon_uid = mbimd::provisioning::privileged::passwd_uid(&passwd, "daemon")
        .expect("a 'daemon' user in /etc/passwd");
    std::fs::write(&apps, "users = [\"daemon\"]\n").unwrap();
    let state = tmp.path().join("state");
    let _daemon = Child(
        Command::new(env!("CARGO_BIN_EXE_mbimd"))
            .args(["--address", &bus.address, "--sim", "--state-dir"])
            .arg(&state)
            .arg("--privileged-apps")
            .arg(&apps)
            .env("RUST_LOG", "warn")
            .stdout(Stdio::null())
            .spawn()
            .expect("mbimd"),
    );
    let conn = zbus::connection::Builder::address(bus.address.as_str())
        .build()
        .await
        .unwrap();
    let dbus = zbus::fdo::DBusProxy::new(&conn).await.unwrap();
    let start = Instant::now();
    let name = zbus::names::BusName::try_from(dbus_interfaces::BUS_NAME).unwrap();
    while !dbus.name_has_owner(name.clone()).await.unwrap_or(false) {
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "mbimd did not start"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }

    let (code, text) = install_as(65534, &bus.address, &pkg);
    assert_eq!(code, 2, "{text}");
    assert!(
        text.contains("Unauthorized") && text.contains("(65534) is not a privileged app"),
        "{text}"
    );
    assert!(
        !state
            .join("metadata/packages/7c9e6679-7425-40de-944b-e07fc1f90ae7")
            .exists()
    );

    let (code, text) = install_as(daemon_uid, &bus.address, &pkg);
    assert_eq!(code, 0, "{text}");
    assert!(
        text.contains("installed 7c9e6679-7425-40de-944b-e07fc1f90ae7"),
        "{text}"
    );

    let p = zbus::Proxy::new(
        &conn,
        dbus_interfaces::BUS_NAME,
        "/org/freedesktop/ModemManager1/Modem/0",
        dbus_interfaces::names::IFACE_MBIMD_SERVICE_METADATA,
    )
    .await
    .unwrap();
    let id: String = p.get_property("PackageId").await.unwrap();
    assert_eq!(id, "7c9e6679-7425-40de-944b-e07fc1f90ae7");
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let dst = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &dst);
        } else {
            std::fs::copy(e.path(), dst).unwrap();
        }
    }
}
