//! Codec throughput: decode (message + typed payload) and encode of the
//! messages a modem sends most, compared with libmbim 1.28 parsing the same
//! bytes.
//!
//! Corpus: REGISTER_STATE, CONNECT and IP_CONFIGURATION responses, a
//! VISIBLE_PROVIDERS response with 40 providers and an SMS READ response
//! with 20 PDUs (built by hand; it decodes typed once the SMS payloads exist,
//! as raw bytes before).
//!
//! Two parts in one run:
//! 1. criterion benchmarks `decode/<msg>` and `encode/<msg>` (bytes throughput);
//! 2. a comparison table: ours vs libmbim, both timed the same way (5 batches
//!    of N iterations, fastest batch), libmbim through the C harness
//!    `benches/libmbim_parse.c` built with gcc at start (skipped with a notice
//!    when gcc/pkg-config/libmbim are missing).
//!
//! `cargo bench -p mbim-proto --bench codec`; with `-- --test` (as
//! `cargo test --benches` does) everything runs once as a smoke test.

use criterion::{Criterion, Throughput};
use mbim_proto::services::basic_connect::{
    ActivationState, CellularClass, ConnectInfo, ContextIpType, DataClass,
    IpConfigurationAvailableFlag, IpConfigurationInfo, Ipv4Element, Ipv6Element, NwError, Provider,
    ProviderState, Providers, RegisterMode, RegisterState, RegistrationFlag, RegistrationStateInfo,
    VoiceCallState, cid,
};
use mbim_proto::services::{Decoded, ExtendedVersion, Kind, Payload, decode_payload};
use mbim_proto::{CommandDone, Message, Status, Uuid, uuid};
use std::borrow::Cow;
use std::hint::black_box;
use std::io::{BufRead, BufReader, Write};
use std::net::{Ipv4Addr, Ipv6Addr};
use std::path::{Path, PathBuf};
use std::process::{Command as Process, Stdio};
use std::time::{Duration, Instant};

/// One benchmark message: whole COMMAND_DONE bytes.
struct Sample {
    name: &'static str,
    bytes: Vec<u8>,
}

fn command_done(service: Uuid, cid: u32, info: Vec<u8>) -> Vec<u8> {
    Message::CommandDone(CommandDone {
        transaction_id: 7,
        service,
        cid,
        status: Status::SUCCESS,
        information_buffer: Cow::Owned(info),
    })
    .to_bytes()
    .expect("encode sample")
}

fn response<P: Payload>(cid: u32, p: &P) -> Vec<u8> {
    command_done(
        uuid::BASIC_CONNECT,
        cid,
        p.to_bytes().expect("encode payload"),
    )
}

/// MBIM_SMS_READ_INFO (MBIM 1.0 §10.5.28) with PDU records, by hand:
/// Format, ElementCount, OL pairs to MBIM_SMS_PDU_RECORD {MessageIndex,
/// MessageStatus, PduData (offset from the record, size)}, 4-byte padded.
fn sms_read_info(pdus: usize) -> Vec<u8> {
    let mut records = Vec::new();
    for i in 0..pdus {
        // An SMS-DELIVER-sized PDU (SMSC, header, 7-bit user data), varied.
        let len = 60 + (i * 37) % 100;
        let pdu: Vec<u8> = (0..len).map(|b| (b * 7 + i) as u8).collect();
        let mut r = Vec::new();
        r.extend_from_slice(&(i as u32 + 1).to_le_bytes()); // MessageIndex
        r.extend_from_slice(&((i % 4) as u32).to_le_bytes()); // MessageStatus
        r.extend_from_slice(&16u32.to_le_bytes()); // PduData offset
        r.extend_from_slice(&(len as u32).to_le_bytes()); // PduData size
        r.extend_from_slice(&pdu);
        while r.len() % 4 != 0 {
            r.push(0);
        }
        records.push(r);
    }
    let mut out = Vec::new();
    out.extend_from_slice(&0u32.to_le_bytes()); // Format: PDU
    out.extend_from_slice(&(pdus as u32).to_le_bytes());
    let mut at = 8 + 8 * pdus;
    for r in &records {
        out.extend_from_slice(&(at as u32).to_le_bytes());
        out.extend_from_slice(&(r.len() as u32).to_le_bytes());
        at += r.len();
    }
    for r in &records {
        out.extend_from_slice(r);
    }
    out
}

fn corpus() -> Vec<Sample> {
    let register = RegistrationStateInfo {
        nw_error: NwError::from(0),
        register_state: RegisterState::HOME,
        register_mode: RegisterMode::from(1),
        available_data_classes: DataClass::from(0x20),
        current_cellular_class: CellularClass::from(1),
        provider_id: "26202".into(),
        provider_name: "Vodafone.de".into(),
        roaming_text: String::new(),
        registration_flag: RegistrationFlag::from(0),
    };
    let connect = ConnectInfo {
        session_id: 0,
        activation_state: ActivationState::from(1),
        voice_call_state: VoiceCallState::from(0),
        ip_type: ContextIpType::IPV4V6,
        context_type: uuid::CONTEXT_TYPE_INTERNET,
        nw_error: NwError::from(0),
    };
    let ip = IpConfigurationInfo {
        session_id: 0,
        ipv4_configuration_available: IpConfigurationAvailableFlag::from(0xf),
        ipv6_configuration_available: IpConfigurationAvailableFlag::from(0xf),
        ipv4_address: vec![Ipv4Element {
            on_link_prefix_length: 30,
            ipv4_address: Ipv4Addr::new(10, 117, 8, 21),
        }],
        ipv6_address: vec![Ipv6Element {
            on_link_prefix_length: 64,
            ipv6_address: Ipv6Addr::new(0x2a02, 0x3030, 0x8, 0x4f1, 0, 0, 0, 0x21),
        }],
        ipv4_gateway: Some(Ipv4Addr::new(10, 117, 8, 22)),
        ipv6_gateway: Some(Ipv6Addr::new(0x2a02, 0x3030, 0x8, 0x4f1, 0, 0, 0, 0x22)),
        ipv4_dns_server: vec![
            Ipv4Addr::new(10, 74, 210, 210),
            Ipv4Addr::new(10, 74, 210, 211),
        ],
        ipv6_dns_server: vec![Ipv6Addr::new(0x2a02, 0x3018, 0, 0x8, 0, 0, 0, 0x10)],
        ipv4_mtu: 1500,
        ipv6_mtu: 1500,
    };
    let providers = Providers {
        providers: (0..40)
            .map(|i| Provider {
                provider_id: format!("{}", 26201 + i),
                provider_state: ProviderState::from(if i == 0 { 0x9 } else { 0x10 }),
                provider_name: format!("Operator {i:02}"),
                cellular_class: CellularClass::from(1),
                rssi: 10 + (i % 20),
                error_rate: 99,
            })
            .collect(),
    };
    vec![
        Sample {
            name: "register_state",
            bytes: response(cid::REGISTER_STATE, &register),
        },
        Sample {
            name: "connect",
            bytes: response(cid::CONNECT, &connect),
        },
        Sample {
            name: "ip_configuration",
            bytes: response(cid::IP_CONFIGURATION, &ip),
        },
        Sample {
            name: "visible_providers_40",
            bytes: response(cid::VISIBLE_PROVIDERS, &providers),
        },
        Sample {
            name: "sms_read_20_pdus",
            // SMS READ is CID 2 of the SMS service.
            bytes: command_done(uuid::SMS, 2, sms_read_info(20)),
        },
    ]
}

/// What a client does with received bytes: the message, then its payload.
fn decode(bytes: &[u8]) -> Decoded {
    let m = Message::decode(bytes).expect("decode message");
    let kind = Kind::of(&m).expect("payload kind");
    let (service, cid, info) = m.payload().expect("payload");
    decode_payload(&service, cid, kind, ExtendedVersion::V1, info).expect("decode payload")
}

/// The zero-copy path: the message, then a borrowed view of its payload
/// (validated as strictly as the owned decoder; no allocation).
fn decode_view(bytes: &[u8]) -> usize {
    let m = Message::decode(bytes).expect("decode message");
    let kind = Kind::of(&m).expect("payload kind");
    let (service, cid, info) = m.payload().expect("payload");
    let v = mbim_proto::services::view::decode_view(&service, cid, kind, ExtendedVersion::V1, info)
        .expect("decode view");
    assert!(
        !matches!(v, mbim_proto::services::view::View::Other),
        "no view for {cid}"
    );
    info.len()
}

/// The reverse: payload into a reused buffer, then the message into another.
fn encode(template: &CommandDone<'_>, payload: &Decoded, info: &mut Vec<u8>, out: &mut Vec<u8>) {
    info.clear();
    payload.encode(info).expect("encode payload");
    out.clear();
    Message::CommandDone(CommandDone {
        information_buffer: Cow::Borrowed(info),
        ..template.clone()
    })
    .encode(out)
    .expect("encode message");
}

fn template(bytes: &[u8]) -> CommandDone<'static> {
    match Message::decode(bytes).expect("decode").into_owned() {
        Message::CommandDone(c) => c,
        other => panic!("sample is not a COMMAND_DONE: {other:?}"),
    }
}

fn criterion_benches(c: &mut Criterion, corpus: &[Sample]) {
    let mut g = c.benchmark_group("decode");
    for s in corpus {
        g.throughput(Throughput::Bytes(s.bytes.len() as u64));
        g.bench_function(s.name, |b| b.iter(|| decode(black_box(&s.bytes))));
    }
    g.finish();
    let mut g = c.benchmark_group("decode_view");
    for s in corpus {
        g.throughput(Throughput::Bytes(s.bytes.len() as u64));
        g.bench_function(s.name, |b| b.iter(|| decode_view(black_box(&s.bytes))));
    }
    g.finish();
    let mut g = c.benchmark_group("encode");
    for s in corpus {
        let t = template(&s.bytes);
        let payload = decode(&s.bytes);
        let (mut info, mut out) = (Vec::new(), Vec::new());
        g.throughput(Throughput::Bytes(s.bytes.len() as u64));
        g.bench_function(s.name, |b| {
            b.iter(|| encode(&t, black_box(&payload), &mut info, &mut out))
        });
    }
    g.finish();
}

/// ns per call of `f`: fastest of 5 batches of `n` calls.
fn time_ns(n: u64, mut f: impl FnMut()) -> f64 {
    (0..5)
        .map(|_| {
            let t0 = Instant::now();
            for _ in 0..n {
                f();
            }
            t0.elapsed().as_nanos() as f64 / n as f64
        })
        .fold(f64::INFINITY, f64::min)
}

/// Iterations per batch so that one batch of `f` takes about `target`.
fn calibrate(target: Duration, mut f: impl FnMut()) -> u64 {
    let t0 = Instant::now();
    let mut n = 0u64;
    while t0.elapsed() < target / 10 {
        f();
        n += 1;
    }
    (n * 10).max(1)
}

fn build_libmbim_harness() -> Result<PathBuf, String> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/libmbim_parse.c");
    let out = Path::new(env!("CARGO_TARGET_TMPDIR")).join("libmbim-parse");
    let flags = Process::new("pkg-config")
        .args(["--cflags", "--libs", "mbim-glib"])
        .output()
        .map_err(|e| format!("cannot run pkg-config: {e}"))?;
    if !flags.status.success() {
        return Err("pkg-config does not know mbim-glib (install libmbim-glib-dev)".into());
    }
    let flags = String::from_utf8_lossy(&flags.stdout).into_owned();
    let gcc = Process::new("gcc")
        .args(["-Wall", "-Wextra", "-O2", "-o"])
        .arg(&out)
        .arg(&src)
        .args(flags.split_whitespace())
        .output()
        .map_err(|e| format!("cannot run gcc: {e}"))?;
    if !gcc.status.success() {
        return Err(format!(
            "gcc failed:\n{}",
            String::from_utf8_lossy(&gcc.stderr)
        ));
    }
    Ok(out)
}

/// libmbim ns/msg per sample, or why there are none.
fn libmbim_ns(harness: &Path, corpus: &[Sample], iterations: &[u64]) -> Vec<Result<f64, String>> {
    let mut child = Process::new(harness)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("start libmbim harness");
    let mut stdin = child.stdin.take().expect("stdin");
    for (s, n) in corpus.iter().zip(iterations) {
        writeln!(
            stdin,
            "{} {n} {}",
            s.name,
            mbim_proto::hex::encode(&s.bytes)
        )
        .expect("write");
    }
    drop(stdin);
    let lines: Vec<String> = BufReader::new(child.stdout.take().expect("stdout"))
        .lines()
        .map(|l| l.expect("read"))
        .collect();
    child.wait().expect("harness exit");
    corpus
        .iter()
        .map(|s| {
            let line = lines
                .iter()
                .find(|l| l.split(' ').next() == Some(s.name))
                .ok_or_else(|| "no answer".to_string())?;
            let rest = &line[s.name.len() + 1..];
            rest.parse::<f64>().map_err(|_| rest.to_string())
        })
        .collect()
}

fn comparison_table(corpus: &[Sample], quick: bool) {
    let target = if quick {
        Duration::from_millis(1)
    } else {
        Duration::from_millis(200)
    };
    let harness = build_libmbim_harness();
    if let Err(why) = &harness {
        eprintln!("NOTICE: libmbim comparison skipped: {why}");
    }
    let mut rows = Vec::new();
    let mut iterations = Vec::new();
    for s in corpus {
        let n = calibrate(target, || {
            black_box(decode(black_box(&s.bytes)));
        });
        let dec = time_ns(n, || {
            black_box(decode(black_box(&s.bytes)));
        });
        let n_view = calibrate(target, || {
            black_box(decode_view(black_box(&s.bytes)));
        });
        let view = time_ns(n_view, || {
            black_box(decode_view(black_box(&s.bytes)));
        });
        let t = template(&s.bytes);
        let payload = decode(&s.bytes);
        let structure = match &payload {
            Decoded::Raw(_) => "raw",
            _ => "typed",
        };
        let (mut info, mut out) = (Vec::new(), Vec::new());
        let n_enc = calibrate(target, || {
            encode(&t, black_box(&payload), &mut info, &mut out)
        });
        let enc = time_ns(n_enc, || {
            encode(&t, black_box(&payload), &mut info, &mut out)
        });
        // libmbim is slower; give it a tenth of our iterations per batch.
        iterations.push((n / 10).max(1));
        rows.push((s, structure, dec, view, enc));
    }
    let lib = match &harness {
        Ok(h) => libmbim_ns(h, corpus, &iterations),
        Err(why) => corpus.iter().map(|_| Err(why.clone())).collect(),
    };

    let mps = |ns: f64| 1e9 / ns;
    let mbs = |ns: f64, len: usize| len as f64 / ns * 1e3; // bytes/ns → MB/s
    println!();
    println!(
        "{:<22} {:>5} {:>6} | {:>8} {:>9} | {:>8} {:>11} {:>9} | {:>8} {:>9} | {:>10} {:>8} {:>8}",
        "message",
        "bytes",
        "ours",
        "dec ns",
        "dec MB/s",
        "view ns",
        "view msg/s",
        "view MB/s",
        "enc ns",
        "enc MB/s",
        "libmbim ns",
        "x owned",
        "x view"
    );
    for ((s, structure, dec, view, enc), lib) in rows.iter().zip(&lib) {
        let len = s.bytes.len();
        let (lib_ns, ratio, ratio_view) = match lib {
            Ok(l) => (
                format!("{l:.0}"),
                format!("{:.1}x", l / dec),
                format!("{:.1}x", l / view),
            ),
            Err(e) => (
                format!("n/a ({})", e.chars().take(30).collect::<String>()),
                "-".into(),
                "-".into(),
            ),
        };
        println!(
            "{:<22} {:>5} {:>6} | {:>8.0} {:>9.1} | {:>8.0} {:>11.0} {:>9.1} | {:>8.0} {:>9.1} | {:>10} {:>8} {:>8}",
            s.name,
            len,
            structure,
            dec,
            mbs(*dec, len),
            view,
            mps(*view),
            mbs(*view, len),
            enc,
            mbs(*enc, len),
            lib_ns,
            ratio,
            ratio_view
        );
    }
    println!(
        "x = libmbim ns / our ns. libmbim: mbim_message_new + validate + *_response_parse + free \
         (owned strings). owned: Message::decode + decode_payload (owned Strings/Vecs). view: \
         Message::decode + services::view::decode_view (same validation, borrowed, no allocation). \
         Goal >= 20x."
    );
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.iter().any(|a| a == "--list") {
        return;
    }
    let quick = args.iter().any(|a| a == "--test");
    let corpus = corpus();
    let mut c = Criterion::default()
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2))
        .configure_from_args();
    criterion_benches(&mut c, &corpus);
    c.final_summary();
    comparison_table(&corpus, quick);
}
