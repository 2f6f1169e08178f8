//! Byte transports to an MBIM function. Each gives the modem actor an async
//! byte stream plus the maximum control transfer to use; the actor and
//! `mbim_proto::Session` do the rest, so one code path serves them all:
//! * [`cdc_wdm`] — Linux `/dev/cdc-wdmN` (and any path the kernel or a pty
//!   presents as a character device, e.g. the simulator's pty link);
//! * in-process streams (`tokio::io::duplex`) to the simulated modem.

pub mod cdc_wdm;
pub mod fd;
pub mod usb;

use tokio::io::{AsyncRead, AsyncWrite};

/// The byte stream a modem actor drives.
pub trait Transport: AsyncRead + AsyncWrite + Send + Unpin + 'static {}
impl<T: AsyncRead + AsyncWrite + Send + Unpin + 'static> Transport for T {}

/// Transport-level failures.
#[derive(Debug, thiserror::Error)]
pub enum TransportError {
    #[error("cannot open {path}: {source}")]
    Open {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("{path} is not a character device (an MBIM control port must be one)")]
    NotCharDevice { path: String },
    #[error("I/O error: {0}")]
    Io(#[from] std::io::Error),
    #[error("the device closed the connection")]
    Closed,
}

/// MBIM's fallback when the device's wMaxControlMessage cannot be read
/// (libmbim and the kernel use the same; mbim-and-libmbim.md §1.1).
pub const DEFAULT_MAX_CONTROL_TRANSFER: u32 = 4096;
