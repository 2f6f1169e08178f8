//! Replays the `provisioning_parse` fuzz corpus on stable: every file goes
//! through the provisioning parser without panicking and passes the fuzz
//! target's own checks; the corpus holds valid and invalid documents.

use mbimd::provisioning::document::{check_parser, parse};
use std::path::Path;

fn corpus() -> Vec<(std::path::PathBuf, Vec<u8>)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/corpus/provisioning_parse");
    std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| {
            let p = e.unwrap().path();
            let d = std::fs::read(&p).unwrap();
            (p, d)
        })
        .collect()
}

#[test]
fn every_corpus_file_parses_without_panic_and_passes_the_target_checks() {
    let files = corpus();
    for (path, data) in &files {
        if let Err(e) = check_parser(data) {
            panic!("{}: {e}", path.display());
        }
    }
    assert!(files.len() >= 10, "corpus has only {} files", files.len());
}

#[test]
fn corpus_holds_valid_and_invalid_documents() {
    let (mut ok, mut bad) = (0, 0);
    for (_, data) in corpus() {
        match std::str::from_utf8(&data).ok().map(parse) {
            Some(Ok(_)) => ok += 1,
            _ => bad += 1,
        }
    }
    assert!(ok >= 4 && bad >= 6, "ok {ok}, bad {bad}");
}
