//! A minimal raw MBIM host for in-process simulator tests: writes messages
//! built with `mbim_proto`, reads framed pieces. Runs under tokio paused time,
//! so "nothing arrives" is checked with a long virtual timeout, not a clock.

#![allow(dead_code)]

use mbim_proto::framer::Framer;
use mbim_proto::message::{Command, CommandType, Message};
use mbim_proto::services::{Payload, Request};
use mbim_proto::wire::Uuid;
use mbimd::sim::runner::{SimHandle, spawn_duplex};
use mbimd::sim::scenario::Scenario;
use std::borrow::Cow;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt, DuplexStream};

/// How long a test waits before deciding nothing will come (virtual time).
pub const NOTHING: Duration = Duration::from_secs(120);

pub struct Host {
    pub io: DuplexStream,
    framer: Framer,
    pub next_tid: u32,
}

/// What one read from the device was.
#[derive(Debug)]
pub enum Got {
    Piece(Vec<u8>),
    Eof,
    Nothing,
}

pub fn start(scenario: Scenario) -> (Host, SimHandle) {
    let (io, handle) = spawn_duplex(scenario);
    (
        Host {
            io,
            framer: Framer::default(),
            next_tid: 1,
        },
        handle,
    )
}

pub fn scenario(toml: &str) -> Scenario {
    Scenario::from_toml(toml, "test").unwrap()
}

impl Host {
    pub async fn send_bytes(&mut self, b: &[u8]) {
        self.io.write_all(b).await.unwrap();
    }

    pub async fn send(&mut self, m: &Message<'_>) {
        let b = m.to_bytes().unwrap();
        self.send_bytes(&b).await;
    }

    pub fn tid(&mut self) -> u32 {
        let t = self.next_tid;
        self.next_tid += 1;
        t
    }

    /// Read raw bytes (whatever one read returns), or Nothing within `NOTHING`.
    pub async fn read_raw(&mut self) -> Got {
        let mut buf = vec![0u8; 64 * 1024];
        match tokio::time::timeout(NOTHING, self.io.read(&mut buf)).await {
            Err(_) => Got::Nothing,
            Ok(Ok(0)) => Got::Eof,
            Ok(Ok(n)) => Got::Piece(buf[..n].to_vec()),
            Ok(Err(e)) => panic!("read: {e}"),
        }
    }

    /// The next framed piece (message or fragment).
    pub async fn piece(&mut self) -> Got {
        loop {
            if let Some(r) = self.framer.next_message() {
                return Got::Piece(r.expect("device sent unframable bytes"));
            }
            let mut buf = vec![0u8; 64 * 1024];
            match tokio::time::timeout(NOTHING, self.io.read(&mut buf)).await {
                Err(_) => return Got::Nothing,
                Ok(Ok(0)) => return Got::Eof,
                Ok(Ok(n)) => self.framer.push(&buf[..n]),
                Ok(Err(e)) => panic!("read: {e}"),
            }
        }
    }

    /// The next whole, unfragmented message.
    pub async fn message(&mut self) -> Message<'static> {
        match self.piece().await {
            Got::Piece(p) => Message::decode(&p)
                .unwrap_or_else(|e| panic!("undecodable {p:02x?}: {e}"))
                .into_owned(),
            other => panic!("expected a message, got {other:?}"),
        }
    }

    /// The next message that is not an indication.
    pub async fn reply(&mut self) -> Message<'static> {
        loop {
            let m = self.message().await;
            if !matches!(m, Message::IndicateStatus(_)) {
                return m;
            }
        }
    }

    /// The next message that is not an indication, or `None` if nothing more comes.
    pub async fn reply_or_nothing(&mut self) -> Option<Message<'static>> {
        loop {
            match self.piece().await {
                Got::Piece(p) => {
                    let m = Message::decode(&p).unwrap().into_owned();
                    if !matches!(m, Message::IndicateStatus(_)) {
                        return Some(m);
                    }
                }
                Got::Nothing => return None,
                Got::Eof => panic!("unexpected end of stream"),
            }
        }
    }

    pub async fn open(&mut self) {
        let tid = self.tid();
        self.send(&Message::Open {
            transaction_id: tid,
            max_control_transfer: 4096,
        })
        .await;
        match self.reply().await {
            Message::OpenDone {
                transaction_id,
                status,
            } => {
                assert_eq!(transaction_id, tid);
                assert!(status.is_success());
            }
            m => panic!("expected OPEN_DONE, got {m:?}"),
        }
    }

    /// Send a raw command; returns its TID.
    pub async fn command(&mut self, service: Uuid, cid: u32, ct: CommandType, buf: &[u8]) -> u32 {
        let tid = self.tid();
        self.send(&Message::Command(Command {
            transaction_id: tid,
            service,
            cid,
            command_type: ct,
            information_buffer: Cow::Borrowed(buf),
        }))
        .await;
        tid
    }

    /// Send a typed request; returns its TID.
    pub async fn request<R: Request>(&mut self, r: &R) -> u32 {
        let b = r.to_bytes().unwrap();
        self.command(R::SERVICE, R::CID, R::COMMAND_TYPE, &b).await
    }

    /// Send a typed request and decode the successful response.
    pub async fn call<R: Request>(&mut self, r: &R) -> R::Response {
        let tid = self.request(r).await;
        match self.reply().await {
            Message::CommandDone(d) => {
                assert_eq!(d.transaction_id, tid);
                assert!(d.status.is_success(), "status {}", d.status);
                R::Response::decode(&d.information_buffer).unwrap()
            }
            m => panic!("expected COMMAND_DONE, got {m:?}"),
        }
    }

    /// Send a typed request and return the status of the response.
    pub async fn status_of<R: Request>(&mut self, r: &R) -> mbim_proto::Status {
        let tid = self.request(r).await;
        match self.reply().await {
            Message::CommandDone(d) => {
                assert_eq!(d.transaction_id, tid);
                d.status
            }
            m => panic!("expected COMMAND_DONE, got {m:?}"),
        }
    }
}
