//! Fuzz target `framer_reassembler`: see `mbim_proto::fuzzing::framer_reassembler`.
#![no_main]

use std::sync::OnceLock;
use std::time::Instant;

// One fixed start instant: inputs replay the same way within a run.
static START: OnceLock<Instant> = OnceLock::new();

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    mbim_proto::fuzzing::framer_reassembler(data, *START.get_or_init(Instant::now))
});
