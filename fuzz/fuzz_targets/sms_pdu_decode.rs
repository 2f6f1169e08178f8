//! Fuzz the SMS PDU decoders (SMSC-prefixed message, bare TPDU, USSD
//! string): no input may panic, and whatever decodes must encode again and
//! decode to the same value. The corpus is replayed on stable by
//! `tests/sms_pdu_fuzz_corpus.rs`.

#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Err(e) = mbimd::messaging::pdu::check_decoders(data) {
        panic!("{e}");
    }
});
