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

#[test]
fn mutated_corpus_documents_never_panic() {
    // A small deterministic mutation pass on stable (the fuzz target does
    // the real search): byte flips, deletions, duplications, truncations.
    let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let mut runs = 0;
    for (path, data) in corpus() {
        if data.is_empty() {
            continue;
        }
        for _ in 0..150 {
            let mut d = data.clone();
            for _ in 0..1 + next() % 4 {
                let i = (next() as usize) % d.len().max(1);
                match next() % 4 {
                    0 => d[i] = next() as u8,
                    1 if d.len() > 1 => {
                        d.remove(i);
                    }
                    2 => {
                        let j = (i + (next() as usize) % 64).min(d.len());
                        let chunk = d[i..j].to_vec();
                        d.splice(i..i, chunk);
                    }
                    _ => d.truncate(i.max(1)),
                }
            }
            if let Err(e) = check_parser(&d) {
                panic!("{} mutated: {e}", path.display());
            }
            runs += 1;
        }
    }
    assert!(runs >= 1000);
}
