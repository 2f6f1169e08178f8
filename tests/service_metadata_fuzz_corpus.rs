//! Replays the `service_metadata_parse` fuzz corpus on stable: every file
//! goes through every service-metadata parser without panicking (the fuzz
//! target's own check), and the corpus holds inputs that parse and inputs
//! that do not.

use mbimd::provisioning::metadata::parse_any;
use std::path::Path;

#[test]
fn every_corpus_file_parses_or_fails_without_panic_and_both_kinds_are_present() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/corpus/service_metadata_parse");
    let (mut ok, mut bad) = (0, 0);
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let data = std::fs::read(&path).unwrap();
        match parse_any(&data) {
            0 => bad += 1,
            _ => ok += 1,
        }
    }
    assert!(
        ok + bad >= 10,
        "corpus at {} has only {} files",
        dir.display(),
        ok + bad
    );
    assert!(ok >= 5 && bad >= 4, "ok {ok}, bad {bad}");
}

#[test]
fn each_kind_of_file_in_the_corpus_is_accepted_by_exactly_its_parser() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/corpus/service_metadata_parse");
    for name in [
        "package_info",
        "service_info",
        "service_info_utf16le",
        "mobile_broadband_info",
        "software_info",
        "mbn_profile_internet",
    ] {
        let data = std::fs::read(dir.join(name)).unwrap();
        assert_eq!(parse_any(&data), 1, "{name}");
    }
    for name in [
        "mbi_bad_tethering",
        "doctype_entity",
        "software_info_mixed_choice",
        "deep_nesting",
    ] {
        let data = std::fs::read(dir.join(name)).unwrap();
        assert_eq!(parse_any(&data), 0, "{name}");
    }
}
