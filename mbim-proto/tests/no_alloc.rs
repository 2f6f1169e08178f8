//! Decoding a message and a fixed-size payload must not touch the heap: the
//! information buffer is borrowed and fixed structures are plain values. A
//! counting global allocator checks it (allocations made on this test's
//! thread only, so the harness's other threads cannot disturb the count).

use mbim_proto::services::basic_connect::{
    ConnectInfo, PacketServiceInfo, RadioStateInfo, SignalStateInfo,
};
use mbim_proto::services::{ExtendedVersion, Kind, Payload, decode_payload};
use mbim_proto::{Message, uuid};
use std::alloc::{GlobalAlloc, Layout, System};
use std::borrow::Cow;
use std::cell::Cell;

struct Counting;

thread_local! {
    static ALLOCATIONS: Cell<usize> = const { Cell::new(0) };
}

// SAFETY: defers every operation to `System`; only counts calls.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.with(|a| a.set(a.get() + 1));
        // SAFETY: same contract as ours.
        unsafe { System.alloc(layout) }
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.with(|a| a.set(a.get() + 1));
        // SAFETY: same contract as ours.
        unsafe { System.alloc_zeroed(layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        ALLOCATIONS.with(|a| a.set(a.get() + 1));
        // SAFETY: same contract as ours.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: same contract as ours.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// Heap allocations made on this thread while running `f`.
fn allocations_in<T>(f: impl FnOnce() -> T) -> (usize, T) {
    let before = ALLOCATIONS.with(Cell::get);
    let v = f();
    (ALLOCATIONS.with(Cell::get) - before, v)
}

fn indication<P: Payload>(cid: u32, p: &P) -> Vec<u8> {
    Message::IndicateStatus(mbim_proto::IndicateStatus {
        transaction_id: 0,
        service: uuid::BASIC_CONNECT,
        cid,
        information_buffer: Cow::Owned(p.to_bytes().expect("encode payload")),
    })
    .to_bytes()
    .expect("encode message")
}

/// Decode the message (borrowed) and its payload as `P`, counting allocations.
fn decode_counting<P: Payload + PartialEq + std::fmt::Debug>(bytes: &[u8], expected: &P) -> usize {
    let (n, decoded) = allocations_in(|| {
        let m = Message::decode(bytes).expect("message decodes");
        let (_, _, info) = m.payload().expect("has a payload");
        let borrowed = matches!(&m, Message::IndicateStatus(i) if matches!(i.information_buffer, Cow::Borrowed(_)));
        (borrowed, P::decode(info).expect("payload decodes"))
    });
    assert!(decoded.0, "information buffer was copied, not borrowed");
    assert_eq!(&decoded.1, expected);
    n
}

#[test]
fn decoding_fixed_size_payloads_does_not_allocate() {
    let signal = SignalStateInfo {
        rssi: 20,
        error_rate: 99,
        signal_strength_interval: 5,
        rssi_threshold: 2,
        error_rate_threshold: 0xffff_ffff,
    };
    let packet = PacketServiceInfo {
        nw_error: 0.into(),
        packet_service_state: 2.into(),
        highest_available_data_class: 0x20.into(),
        uplink_speed: 50_000_000,
        downlink_speed: 150_000_000,
    };
    let radio = RadioStateInfo {
        hw_radio_state: 1.into(),
        sw_radio_state: 1.into(),
    };
    let connect = ConnectInfo {
        session_id: 0,
        activation_state: 1.into(),
        voice_call_state: 0.into(),
        ip_type: 3.into(),
        context_type: uuid::CONTEXT_TYPE_INTERNET,
        nw_error: 0.into(),
    };
    let messages = [
        indication(11, &signal),
        indication(10, &packet),
        indication(3, &radio),
        indication(12, &connect),
    ];
    let counts = [
        decode_counting(&messages[0], &signal),
        decode_counting(&messages[1], &packet),
        decode_counting(&messages[2], &radio),
        decode_counting(&messages[3], &connect),
    ];
    assert_eq!(
        counts,
        [0, 0, 0, 0],
        "allocations per decode (signal, packet, radio, connect)"
    );

    // The generic path the session uses (service/CID dispatch) too.
    for m in &messages {
        let (n, r) = allocations_in(|| {
            let m = Message::decode(m).expect("message decodes");
            let (service, cid, info) = m.payload().expect("has a payload");
            decode_payload(&service, cid, Kind::Indication, ExtendedVersion::V1, info).is_ok()
        });
        assert!(r, "payload decodes");
        assert_eq!(
            n,
            0,
            "decode_payload allocated for {:?}",
            Message::decode(m)
        );
    }
}

/// The counter itself must see allocations, or the test above proves nothing.
#[test]
fn allocation_counter_sees_a_string_payload() {
    let (n, s) = allocations_in(|| String::from("not empty"));
    assert!(n >= 1, "counter missed an allocation");
    drop(s);
}
