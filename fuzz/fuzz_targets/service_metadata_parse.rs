//! Fuzz the service-metadata parsers (PackageInfo, ServiceInfo,
//! MobileBroadbandInfo, SoftwareInfo, MBN profile): no input may panic. The
//! corpus is replayed on stable by `tests/service_metadata_fuzz_corpus.rs`.

#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = mbimd::provisioning::metadata::parse_any(data);
});
