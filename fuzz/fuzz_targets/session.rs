//! Fuzz target `session`: see `mbim_proto::fuzzing::session`.
#![no_main]

use std::sync::OnceLock;
use std::time::Instant;

// One fixed start instant: inputs replay the same way within a run.
static START: OnceLock<Instant> = OnceLock::new();

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let _ = mbim_proto::fuzzing::session(data, *START.get_or_init(Instant::now));
});
