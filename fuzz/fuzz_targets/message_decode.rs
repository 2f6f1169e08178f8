//! Fuzz target `message_decode`: see `mbim_proto::fuzzing::message_decode`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| mbim_proto::fuzzing::message_decode(data));
