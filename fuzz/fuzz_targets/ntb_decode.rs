//! Fuzz target `ntb_decode`: see `mbim_proto::fuzzing::ntb_decode`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| mbim_proto::fuzzing::ntb_decode(data));
