//! Fuzz the CarrierControl provisioning-document parser: no input may
//! panic; valid documents keep their spans inside the input and every
//! rejection names a position. The corpus is replayed on stable by
//! `tests/provisioning_fuzz_corpus.rs`.

#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Err(e) = mbimd::provisioning::document::check_parser(data) {
        panic!("{e}");
    }
});
