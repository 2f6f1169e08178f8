//! NTB throughput on one core: NTB16 and NTB32 encode (NtbBuilder, many
//! datagrams per NTB) and decode (borrowed slices), for 1500-byte and 64-byte
//! IP packets, printed in Gbit/s of datagram payload beside a plain memcpy of
//! the same bytes measured in the same run. Run: `cargo bench -p mbim-proto --bench ntb`.
//!
//! Decode does not copy datagrams (it returns slices), so its figure is the
//! rate at which a consumer gets packets handed over, not a copy rate.

use mbim_proto::ntb::{Datagram, NtbBuilder, NtbConfig, NtbFormat, PushError, Stream, decode_into};
use std::hint::black_box;
use std::time::{Duration, Instant};

/// Payload bytes moved per measured round.
const ROUND_BYTES: usize = 64 << 20;
const MIN_TIME: Duration = Duration::from_millis(700);

/// Run `f` (which processes `bytes` bytes) repeatedly for at least MIN_TIME;
/// return the best Gbit/s of 5 runs.
fn measure(bytes: usize, mut f: impl FnMut()) -> f64 {
    f(); // warm up
    let mut best = 0f64;
    for _ in 0..5 {
        let start = Instant::now();
        let mut n = 0usize;
        while start.elapsed() < MIN_TIME / 5 {
            f();
            n += 1;
        }
        let secs = start.elapsed().as_secs_f64();
        best = best.max((bytes * n) as f64 * 8.0 / secs / 1e9);
    }
    best
}

fn main() {
    // `cargo test --benches` runs benches with `--test`: do a quick smoke run only.
    let quick = std::env::args().any(|a| a == "--test");
    println!(
        "{:<6} {:>6}  {:>12} {:>12} {:>12}  {:>9}",
        "format", "packet", "encode Gb/s", "decode Gb/s", "memcpy Gb/s", "NTBs"
    );
    for &size in &[1500usize, 64] {
        let count = if quick { 64 } else { ROUND_BYTES / size };
        let packets: Vec<Vec<u8>> = (0..count)
            .map(|i| {
                let mut p = vec![(i % 251) as u8; size];
                p[0] = 0x45;
                p
            })
            .collect();
        let bytes = count * size;

        // memcpy baseline: copy the same packets back to back into a reused
        // 64 KiB buffer (as big as an NTB16, so the destination stays in
        // cache just as the builder's does), starting over when it is full.
        let mut flat = vec![0u8; 65536];
        let memcpy = measure(bytes, || {
            let mut at = 0;
            for p in &packets {
                if at + p.len() > flat.len() {
                    black_box(&flat);
                    at = 0;
                }
                flat[at..at + p.len()].copy_from_slice(p);
                at += p.len();
            }
            black_box(&flat);
        });

        for format in [NtbFormat::Ntb16, NtbFormat::Ntb32] {
            let max = match format {
                NtbFormat::Ntb16 => 65535,
                NtbFormat::Ntb32 => 128 * 1024,
            };
            let mut builder = NtbBuilder::new(NtbConfig::new(format, max));
            // Encode: one builder, NTBs finished as they fill (kept for decode).
            let mut ntbs: Vec<Vec<u8>> = Vec::new();
            let mut encode_round = |keep: bool, ntbs: &mut Vec<Vec<u8>>| {
                for (i, p) in packets.iter().enumerate() {
                    let s = Stream::Ip((i % 2) as u8);
                    if let Err(PushError::Full) = builder.push(s, p) {
                        let ntb = builder.finish();
                        if keep {
                            ntbs.push(ntb.to_vec());
                        }
                        black_box(ntb);
                        builder.push(s, p).expect("fits an empty NTB");
                    }
                }
                let ntb = builder.finish();
                if keep {
                    ntbs.push(ntb.to_vec());
                }
                black_box(ntb);
            };
            encode_round(true, &mut ntbs);
            let encode = measure(bytes, || encode_round(false, &mut Vec::new()));

            let mut out: Vec<Datagram<'_>> = Vec::with_capacity(4096);
            let decode = measure(bytes, || {
                let mut total = 0usize;
                for ntb in &ntbs {
                    out.clear();
                    decode_into(ntb, &mut out).expect("valid NTB");
                    // Touch each datagram's first byte, as a consumer would.
                    for d in &out {
                        total += d.data.len() + usize::from(d.data[0]);
                    }
                }
                black_box(total);
            });
            println!(
                "{:<6} {:>6}  {:>12.1} {:>12.1} {:>12.1}  {:>9}",
                match format {
                    NtbFormat::Ntb16 => "NTB16",
                    NtbFormat::Ntb32 => "NTB32",
                },
                size,
                encode,
                decode,
                memcpy,
                ntbs.len()
            );
        }
    }
}
