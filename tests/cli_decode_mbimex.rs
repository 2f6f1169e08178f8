//! `mbcli decode --mbimex V`: the negotiated MBIMEx version picks the
//! payload layout (windows-operator-formats.md §7.3), falling back 4.0 → 3.0
//! → 2.0 → 1.0; checked on the codec's annotated vectors.

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

fn vector(name: &str) -> String {
    let p = format!(
        "{}/mbim-proto/tests/vectors/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{p}: {e}"))
}

/// Decode `text` as JSON under `version`; return the one message.
fn decode_json(text: &str, version: &str) -> serde_json::Value {
    let (code, out, err) = mbcli(&["decode", "--json", "--mbimex", version, "-"], text);
    assert_eq!(code, 0, "stderr: {err}");
    let v: serde_json::Value = serde_json::from_str(&out).expect("valid JSON");
    v["messages"][0].clone()
}

#[test]
fn signal_state_v2_list_appears_only_from_2_0_on() {
    let text = vector("basic_connect_signal_state_response_v2_two_rsrp.hex");
    for ver in ["2.0", "3.0", "4.0"] {
        let m = decode_json(&text, ver);
        assert_eq!(m["structure"], "SignalStateInfoV2", "{ver}: {m}");
        let list = m["fields"]["rsrp_snr"].as_array().expect("rsrp_snr list");
        assert_eq!(list.len(), 2);
        assert_eq!(list[1]["rsrp"], 60);
        assert_eq!(list[1]["system_type"][0], "5g-nsa");
    }
    // Under 1.0 the same bytes are the 1.0 structure (the list is trailing data).
    let m = decode_json(&text, "1.0");
    assert_eq!(m["structure"], "SignalStateInfo", "{m}");
    assert_eq!(m["fields"]["rssi"], 99);
}

#[test]
fn connect_v3_set_shows_the_tlv_strings_and_ies() {
    let m = decode_json(&vector("basic_connect_connect_set_v3_with_pco.hex"), "3.0");
    assert_eq!(m["structure"], "SetConnectV3", "{m}");
    assert_eq!(m["fields"]["access_string"], "ab");
    assert_eq!(m["fields"]["media_preference"], "3gpp");
    assert_eq!(m["fields"]["unnamed_ies"][0]["tlv_type"], "pco");
    assert_eq!(m["fields"]["unnamed_ies"][0]["data"], "802110");
}

#[test]
fn ms_bce_device_caps_v3_band_tables_under_3_0_and_4_0() {
    let text = vector("ms_basic_connect_extensions_device_caps_response_v3_5g.hex");
    for ver in ["3.0", "4.0"] {
        let m = decode_json(&text, ver);
        assert_eq!(m["service"], "ms-basic-connect-extensions");
        assert_eq!(m["cid_name"], "device-caps");
        assert_eq!(m["structure"], "DeviceCapsInfoV3", "{ver}: {m}");
        assert_eq!(m["fields"]["lte_band_class"], serde_json::json!([1, 3, 7]));
        assert_eq!(m["fields"]["nr_band_class"], serde_json::json!([78]));
        assert_eq!(m["fields"]["firmware_info"], "fw-5g");
    }
}

#[test]
fn a_3_0_only_cid_stays_raw_under_2_0() {
    let text = vector("ms_basic_connect_extensions_modem_configuration_response_v3_completed.hex");
    let m = decode_json(&text, "2.0");
    assert!(m.get("structure").is_none(), "{m}");
    assert!(
        m["raw"].as_str().is_some_and(|r| r.starts_with("02000000")),
        "{m}"
    );
    let m = decode_json(&text, "3.0");
    assert_eq!(m["fields"]["configuration_name"], "ROW", "{m}");
}

#[test]
fn text_output_names_the_v3_fields() {
    let text = vector("basic_connect_packet_service_response_v3_sa.hex");
    let (code, out, err) = mbcli(&["decode", "--mbimex", "3.0", "-"], &text);
    assert_eq!(code, 0, "stderr: {err}");
    assert!(out.contains("PacketServiceInfoV3"), "{out}");
    assert!(out.contains("plmn_mnc: 410"), "{out}");
}

#[test]
fn bad_tlv_under_3_0_fails_naming_field_and_offset() {
    let text = vector("basic_connect_connect_set_invalid_v3_wrong_tlv_type.hex");
    let (code, _, err) = mbcli(&["decode", "--mbimex", "3.0", "-"], &text);
    assert_eq!(code, 1);
    // 40 into the information buffer, which starts 48 bytes into the message.
    assert!(err.contains("AccessString at input offset 88"), "{err}");
}

#[test]
fn unknown_version_is_refused() {
    let (code, _, err) = mbcli(&["decode", "--mbimex", "5.0", "00"], "");
    assert_ne!(code, 0);
    assert!(err.contains("unsupported MBIMEx version"), "{err}");
}
