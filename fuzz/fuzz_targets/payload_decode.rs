//! Fuzz target `payload_decode`: see `mbim_proto::fuzzing::payload_decode`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| mbim_proto::fuzzing::payload_decode(data));
