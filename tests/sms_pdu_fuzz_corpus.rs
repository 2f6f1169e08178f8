//! Replays the `sms_pdu_decode` fuzz corpus on stable: every file goes
//! through every SMS/USSD decoder without panicking, and whatever decodes
//! re-encodes to the same value (the fuzz target's own check).

use mbimd::messaging::pdu::check_decoders;
use std::path::Path;

#[test]
fn every_corpus_file_decodes_without_panic_and_reencodes_stably() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/corpus/sms_pdu_decode");
    let mut count = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let data = std::fs::read(&path).unwrap();
        if let Err(e) = check_decoders(&data) {
            panic!("{}: {e}", path.display());
        }
        count += 1;
    }
    assert!(
        count >= 10,
        "corpus at {} has only {count} files",
        dir.display()
    );
}

#[test]
fn corpus_holds_pdus_that_decode_and_some_that_do_not() {
    // A corpus of only failures (or only successes) would not exercise the
    // decoder's depth; keep both kinds in it.
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/corpus/sms_pdu_decode");
    let (mut ok, mut bad) = (0, 0);
    for entry in std::fs::read_dir(&dir).unwrap() {
        let data = std::fs::read(entry.unwrap().path()).unwrap();
        match mbimd::messaging::Message::decode(&data) {
            Ok(_) => ok += 1,
            Err(_) => bad += 1,
        }
    }
    assert!(ok >= 5 && bad >= 2, "ok {ok}, bad {bad}");
}
