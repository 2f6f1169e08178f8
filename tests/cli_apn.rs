//! `mbcli apn import|list|lookup` and `mbcli hwids` end to end on a
//! temporary database with the real data files.

use std::path::PathBuf;
use std::process::Command;

fn data(name: &str) -> PathBuf {
    if let Some(d) = std::env::var_os("MBIMD_SHARED_DATA") {
        return PathBuf::from(d).join(name);
    }
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    for up in manifest.ancestors() {
        let cand = up.join("shared/data").join(name);
        if cand.exists() {
            return cand;
        }
    }
    PathBuf::from("/work/shared/data").join(name)
}

fn mbcli(args: &[&str]) -> (i32, String, String) {
    let o = Command::new(env!("CARGO_BIN_EXE_mbcli"))
        .args(args)
        .output()
        .unwrap();
    (
        o.status.code().unwrap_or(-1),
        String::from_utf8(o.stdout).unwrap(),
        String::from_utf8(o.stderr).unwrap(),
    )
}

#[test]
fn import_list_and_lookup_with_json_candidates() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("apn.db");
    let db = db.to_str().unwrap();
    let mbpi = data("serviceproviders.xml");
    let android = data("apns-conf.xml");
    let (code, out, err) = mbcli(&[
        "apn",
        "import",
        mbpi.to_str().unwrap(),
        android.to_str().unwrap(),
        "--db",
        db,
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("imported (mbpi): 1304 apns, 2405 rows"),
        "{out}"
    );
    assert!(
        out.contains("imported (android): 3793 apns, 3793 rows"),
        "{out}"
    );
    let (code, out, _) = mbcli(&["apn", "import", mbpi.to_str().unwrap(), "--db", db]);
    assert_eq!(code, 0);
    assert!(out.contains("unchanged"), "{out}");

    let (code, out, _) = mbcli(&["apn", "list", "--mcc-mnc", "214-05", "--db", db]);
    assert_eq!(code, 0);
    assert!(out.lines().all(|l| l.starts_with("214-05\t")));
    assert!(out.contains("imsi:214050104xxxxxx"), "{out}");

    // An IMSI fitting the MVNO pattern: that row replaces the operator's.
    let (code, out, err) = mbcli(&[
        "apn",
        "lookup",
        "--imsi",
        "214050104123456",
        "--mnc-length",
        "2",
        "--db",
        db,
        "--json",
    ]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["plmn"], "214-05");
    let c = v["candidates"].as_array().unwrap();
    assert!(!c.is_empty());
    assert!(
        c.iter()
            .all(|c| c["apn"].is_string() && c["rule"]["kind"].is_string())
    );
    assert_eq!(c[0]["rule"]["kind"], "mvno-imsi");
    assert_eq!(c[0]["rule"]["pattern"], "214050104xxxxxx");

    // An unknown network: exit code 2, empty candidates.
    let (code, out, _) = mbcli(&[
        "apn",
        "lookup",
        "--imsi",
        "999990000000000",
        "--db",
        db,
        "--json",
    ]);
    assert_eq!(code, 2);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["candidates"].as_array().unwrap().len(), 0);
    assert_eq!(v["key_rule"], "not-found");

    // A broken file: non-zero exit, file:line: reason on stderr.
    let bad = dir.path().join("bad.xml");
    std::fs::write(
        &bad,
        "<serviceproviders>\n<country code=\"de\">\n<provider>\n",
    )
    .unwrap();
    let (code, _, err) = mbcli(&["apn", "import", bad.to_str().unwrap(), "--db", db]);
    assert_eq!(code, 1);
    assert!(
        err.contains("bad.xml:") && err.contains("unexpected end of file"),
        "{err}"
    );
}

#[test]
fn hwids_prints_our_scheme() {
    let (code, out, _) = mbcli(&[
        "hwids",
        "--imsi",
        "310260000000042",
        "--iccid",
        "8901410321111851072",
        "--json",
    ]);
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let ids: Vec<&str> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids.len(), 2);
    assert!(ids[0].starts_with("MBAE-OSS:1:ICCID100:"));
    assert!(ids[1].starts_with("MBAE-OSS:1:IMSI100:"));
}
