//! NTB16/NTB32 properties: what the builder packs, the decoder gives back
//! (per session, in order), within the configured limits; and a hostile NTB
//! — any truncation or corruption of a valid one — yields an error or a
//! bounded result, never a panic.

use mbim_proto::ntb::{NtbBuilder, NtbConfig, NtbFormat, Stream, decode, encode_all};
use proptest::prelude::*;
use std::collections::BTreeMap;

fn stream() -> impl Strategy<Value = Stream> {
    prop_oneof![
        4 => (0u8..4).prop_map(Stream::Ip),
        1 => any::<u8>().prop_map(Stream::Ip),
        1 => (0u8..3).prop_map(Stream::Dss),
    ]
}

fn packets() -> impl Strategy<Value = Vec<(Stream, Vec<u8>)>> {
    proptest::collection::vec(
        (stream(), proptest::collection::vec(any::<u8>(), 1..1600)),
        0..40,
    )
}

fn format() -> impl Strategy<Value = NtbFormat> {
    prop_oneof![Just(NtbFormat::Ntb16), Just(NtbFormat::Ntb32)]
}

fn config() -> impl Strategy<Value = NtbConfig> {
    (
        format(),
        prop_oneof![
            Just(2048usize),
            Just(4096),
            Just(16384),
            Just(65535),
            Just(131072)
        ],
        prop_oneof![Just(4usize), Just(8), Just(16), Just(64)],
        prop_oneof![
            Just((1usize, 0usize)),
            Just((4, 0)),
            Just((8, 2)),
            Just((16, 14))
        ],
        prop_oneof![Just(0usize), Just(1), Just(5), Just(32)],
    )
        .prop_map(
            |(format, max_size, ndp_alignment, (divisor, remainder), max_datagrams)| NtbConfig {
                format,
                max_size,
                ndp_alignment,
                divisor,
                remainder,
                max_datagrams,
            },
        )
}

fn per_stream<'a>(
    it: impl IntoIterator<Item = (Stream, &'a [u8])>,
) -> BTreeMap<Stream, Vec<Vec<u8>>> {
    let mut m: BTreeMap<Stream, Vec<Vec<u8>>> = BTreeMap::new();
    for (s, d) in it {
        m.entry(s).or_default().push(d.to_vec());
    }
    m
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn encode_then_decode_gives_back_every_datagram_per_session(cfg in config(), pkts in packets()) {
        let input: Vec<(Stream, &[u8])> = pkts.iter().map(|(s, d)| (*s, d.as_slice())).collect();
        let ntbs = encode_all(cfg, &input).unwrap();
        let mut got = Vec::new();
        for (i, ntb) in ntbs.iter().enumerate() {
            prop_assert!(ntb.len() <= cfg.max_size, "NTB {} is {} bytes", i, ntb.len());
            let (h, d) = decode(ntb).unwrap();
            prop_assert_eq!(h.format, cfg.format);
            prop_assert_eq!(h.sequence as usize, i);
            prop_assert!(!d.is_empty());
            if cfg.max_datagrams != 0 {
                prop_assert!(d.len() <= cfg.max_datagrams);
            }
            for g in &d {
                let off = g.data.as_ptr() as usize - ntb.as_ptr() as usize;
                if cfg.divisor > 1 {
                    prop_assert_eq!(off % cfg.divisor, cfg.remainder);
                }
            }
            got.extend(d.iter().map(|g| (g.stream, g.data.to_vec())));
        }
        prop_assert_eq!(
            per_stream(got.iter().map(|(s, d)| (*s, d.as_slice()))),
            per_stream(input.iter().copied())
        );
    }

    #[test]
    fn every_truncation_of_a_valid_ntb_is_an_error(f in format(), pkts in packets()) {
        let mut b = NtbBuilder::new(NtbConfig::new(f, 65535));
        for (s, d) in &pkts {
            if b.push(*s, d).is_err() {
                break;
            }
        }
        let ntb = b.finish().to_vec();
        prop_assert!(decode(&ntb).is_ok());
        for n in 0..ntb.len() {
            prop_assert!(decode(&ntb[..n]).is_err(), "prefix of {} bytes decoded", n);
        }
    }

    #[test]
    fn corrupted_ntb_never_panics_and_stays_in_bounds(
        f in format(),
        pkts in packets(),
        edits in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..8),
    ) {
        let mut b = NtbBuilder::new(NtbConfig::new(f, 8192));
        for (s, d) in &pkts {
            if b.push(*s, d).is_err() {
                break;
            }
        }
        let mut ntb = b.finish().to_vec();
        for (i, v) in edits {
            let at = i.index(ntb.len());
            ntb[at] = v;
        }
        if let Ok((h, d)) = decode(&ntb) {
            prop_assert!(h.block_length <= ntb.len());
            // NDPs may not overlap, so each datagram costs an entry of its own.
            prop_assert!(d.len() <= ntb.len() / 4);
            let range = ntb.as_ptr_range();
            for g in d {
                let r = g.data.as_ptr_range();
                prop_assert!(r.start >= range.start && r.end <= range.end);
            }
        }
    }
}

#[test]
fn single_byte_corruptions_of_both_formats_never_panic() {
    let pkts: Vec<(Stream, Vec<u8>)> = (0..6u8)
        .map(|i| {
            (
                if i % 2 == 0 {
                    Stream::Ip(0)
                } else {
                    Stream::Dss(1)
                },
                vec![i; 5 + i as usize],
            )
        })
        .collect();
    for f in [NtbFormat::Ntb16, NtbFormat::Ntb32] {
        let input: Vec<(Stream, &[u8])> = pkts.iter().map(|(s, d)| (*s, d.as_slice())).collect();
        let ntb = encode_all(NtbConfig::new(f, 4096), &input)
            .unwrap()
            .remove(0);
        let mut errors = 0;
        for at in 0..ntb.len() {
            for v in [0u8, 1, 0x7f, 0x80, 0xff, ntb[at] ^ 0x04] {
                let mut c = ntb.clone();
                c[at] = v;
                if decode(&c).is_err() {
                    errors += 1;
                }
            }
        }
        // Header and NDP bytes matter: many of the edits must be rejected.
        assert!(errors > 20, "{f:?}: only {errors} corruptions rejected");
    }
}
