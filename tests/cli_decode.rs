//! `mbcli decode` end to end: the built binary on the README's sample, on
//! JSON output, and on bad input (error naming field and offset, exit 1).

use std::io::Write;
use std::process::{Command, Stdio};

fn mbcli(args: &[&str], stdin: &str) -> (i32, String, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_mbcli"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn mbcli");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(stdin.as_bytes())
        .expect("write stdin");
    let out = child.wait_with_output().expect("wait");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn sample() -> String {
    let p = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/examples/device-caps-exchange.hex"
    );
    std::fs::read_to_string(p).expect("sample")
}

#[test]
fn decodes_the_readme_sample_field_by_field() {
    let (code, out, err) = mbcli(&["decode"], &sample());
    assert_eq!(code, 0, "stderr: {err}");
    assert!(
        out.contains("message 4 at offset 80 (command_done, 200 bytes)"),
        "{out}"
    );
    assert!(out.contains("cid_name: \"device-caps\""), "{out}");
    assert!(out.contains("device_id: \"867530900000001\""), "{out}");
    assert!(out.contains("firmware_info: \"FAKEFW.01.02.03\""), "{out}");
    assert!(
        out.contains("data_class: [\"gprs\", \"edge\", \"umts\", \"hsdpa\", \"hsupa\", \"lte\"]"),
        "{out}"
    );
}

#[test]
fn json_output_carries_the_same_fields() {
    let (code, out, _) = mbcli(&["decode", "--json", "-"], &sample());
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&out).expect("valid JSON");
    let msgs = v["messages"].as_array().expect("messages");
    assert_eq!(msgs.len(), 4);
    assert_eq!(msgs[0]["max_control_transfer"], 4096);
    assert_eq!(msgs[3]["structure"], "DeviceCapsInfo");
    assert_eq!(msgs[3]["fields"]["hardware_info"], "FAKEHW-rev1");
    assert_eq!(msgs[3]["fields"]["max_sessions"], 8);
    assert!(v.get("error").is_none());
}

#[test]
fn bad_input_names_field_and_offset_and_fails() {
    // A signal-state indication whose InformationBufferLength says 0x15 but
    // only 0x14 bytes follow (the libmbim doc's example of a bad length).
    let bad = "07000080 40000000 00000000 01000000 00000000 a289cc33bcbb8b4fb6b0133ec2aae6df \
               0b000000 15000000 14000000 63000000 00000000 00000000 00000000";
    let (code, _, err) = mbcli(&["decode", bad], "");
    assert_eq!(code, 1);
    assert!(
        err.contains("InformationBufferLength at input offset 40"),
        "{err}"
    );

    let (code, _, err) = mbcli(&["decode"], "zz");
    assert_ne!(code, 0);
    assert!(err.contains("not hex"), "{err}");

    let (code, out, _) = mbcli(&["decode", "--json"], "09000000 0c000000 01000000");
    assert_eq!(code, 1);
    let v: serde_json::Value = serde_json::from_str(&out).expect("JSON even on error");
    assert_eq!(v["error"]["field"], "MessageType");
    assert_eq!(v["error"]["offset"], 0);
}
