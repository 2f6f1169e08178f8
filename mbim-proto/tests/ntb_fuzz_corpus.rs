//! Stable-Rust replay of `fuzz/corpus/ntb_decode/`: every file goes through
//! [`mbim_proto::fuzzing::ntb_decode`], the body the cargo-fuzz target runs.
//!
//! `cargo test -p mbim-proto --test ntb_fuzz_corpus -- --ignored regenerate`
//! rewrites the `seed-*` files.

use mbim_proto::fuzzing;
use mbim_proto::ntb::{NtbBuilder, NtbConfig, NtbFormat, NtbParameters, Stream};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};

fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz/corpus/ntb_decode")
}

fn ntb(format: NtbFormat, max: usize, datagrams: &[(Stream, Vec<u8>)]) -> Vec<u8> {
    let mut b = NtbBuilder::new(NtbConfig::new(format, max));
    for (s, d) in datagrams {
        b.push(*s, d).expect("seed datagram fits");
    }
    b.finish().to_vec()
}

fn ip(len: usize, tag: u8) -> Vec<u8> {
    let mut p = vec![tag; len];
    p[0] = 0x45;
    p
}

/// The seed inputs: valid NTBs of both formats, and NTB_PARAMETERS.
fn seeds() -> Vec<(&'static str, Vec<u8>)> {
    let mixed = vec![
        (Stream::Ip(0), ip(60, 1)),
        (Stream::Ip(1), ip(1500, 2)),
        (Stream::Dss(0), vec![0xde, 0xad]),
        (Stream::Ip(0), ip(40, 3)),
    ];
    let params = NtbParameters {
        length: 28,
        ntb_formats_supported: 3,
        ntb_in_max_size: 32768,
        ndp_in_divisor: 4,
        ndp_in_payload_remainder: 0,
        ndp_in_alignment: 4,
        reserved: 0,
        ntb_out_max_size: 32768,
        ndp_out_divisor: 4,
        ndp_out_payload_remainder: 0,
        ndp_out_alignment: 4,
        ntb_out_max_datagrams: 32,
    };
    vec![
        ("seed-ntb16-empty", ntb(NtbFormat::Ntb16, 2048, &[])),
        (
            "seed-ntb16-one-ipv4",
            ntb(NtbFormat::Ntb16, 2048, &[(Stream::Ip(0), ip(84, 7))]),
        ),
        (
            "seed-ntb16-mixed-sessions",
            ntb(NtbFormat::Ntb16, 65535, &mixed),
        ),
        (
            "seed-ntb32-mixed-sessions",
            ntb(NtbFormat::Ntb32, 65535, &mixed),
        ),
        ("seed-ntb32-empty", ntb(NtbFormat::Ntb32, 2048, &[])),
        ("seed-ntb-parameters", params.encode().to_vec()),
    ]
}

fn files() -> Vec<PathBuf> {
    let dir = corpus_dir();
    let mut v: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.is_file())
        .collect();
    v.sort();
    v
}

#[test]
fn every_ntb_corpus_file_passes_the_target() {
    let list = files();
    assert!(
        list.len() >= seeds().len(),
        "ntb_decode corpus is missing seeds"
    );
    let mut failures = Vec::new();
    for f in list {
        let data = std::fs::read(&f).expect("read corpus file");
        if let Err(e) = catch_unwind(AssertUnwindSafe(|| fuzzing::ntb_decode(&data))) {
            let msg = e
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| e.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_default();
            failures.push(format!("{}: {msg}", f.display()));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn checked_in_seeds_match_the_generator() {
    for (name, bytes) in seeds() {
        let on_disk = std::fs::read(corpus_dir().join(name))
            .unwrap_or_else(|e| panic!("{name}: {e} (run the regenerate test)"));
        assert_eq!(on_disk, bytes, "{name} is stale (run the regenerate test)");
    }
}

#[test]
fn truncated_and_corrupted_seeds_pass_the_target() {
    // Derived inputs the fuzzer would try first: every prefix, and each
    // header byte zeroed or saturated.
    for (_, bytes) in seeds() {
        for n in 0..bytes.len() {
            fuzzing::ntb_decode(&bytes[..n]);
        }
        for at in 0..bytes.len().min(64) {
            for v in [0u8, 0xff] {
                let mut c = bytes.clone();
                c[at] = v;
                fuzzing::ntb_decode(&c);
            }
        }
    }
}

#[test]
#[ignore = "rewrites fuzz/corpus/ntb_decode seeds; run by hand"]
fn regenerate() {
    std::fs::create_dir_all(corpus_dir()).expect("create corpus dir");
    for (name, bytes) in seeds() {
        std::fs::write(corpus_dir().join(name), bytes).expect("write seed");
    }
}
