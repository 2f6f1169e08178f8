//! Linux cdc-wdm character devices (`/dev/cdc-wdmN`, `/dev/wwan0mbim0`) and
//! anything that looks like one to userspace, such as a pseudo-terminal.
//!
//! The device is opened non-blocking and driven through tokio's `AsyncFd`.
//! The max control transfer comes from `IOCTL_WDM_MAX_COMMAND`; when that fails
//! (a pty, or an old kernel) we fall back to 4096 like libmbim does — never an
//! error. A read returns one message on a real cdc-wdm device and an arbitrary
//! slice of the stream on a pty; the session's framer copes with both.

use super::fd::FdStream;
use super::{DEFAULT_MAX_CONTROL_TRANSFER, TransportError};
use rustix::fs::{Mode, OFlags};
use std::io;
use std::os::fd::{AsFd, OwnedFd};
use std::pin::Pin;
use std::task::{Context, Poll};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

/// An open cdc-wdm (or pty) device.
#[derive(Debug)]
pub struct CdcWdm {
    fd: FdStream,
    max_control_transfer: u32,
    path: String,
}

/// `IOCTL_WDM_MAX_COMMAND` = `_IOR('H', 0xA0, u16)` (linux/usb/cdc-wdm.h).
const WDM_MAX_COMMAND: rustix::ioctl::Opcode = rustix::ioctl::opcode::read::<u16>(b'H', 0xA0);

fn query_max_command(fd: &OwnedFd) -> Option<u32> {
    // SAFETY: the opcode is a read of one u16 into the Getter's own storage,
    // which is exactly what the cdc-wdm driver writes for this request.
    let r = unsafe {
        rustix::ioctl::ioctl(
            fd.as_fd(),
            rustix::ioctl::Getter::<WDM_MAX_COMMAND, u16>::new(),
        )
    };
    r.ok().map(u32::from).filter(|v| *v >= 64)
}

impl CdcWdm {
    /// Open `path` (symlinks followed). It must be a character device.
    pub fn open(path: &str) -> Result<CdcWdm, TransportError> {
        let meta = std::fs::metadata(path).map_err(|source| TransportError::Open {
            path: path.into(),
            source,
        })?;
        use std::os::unix::fs::FileTypeExt;
        if !meta.file_type().is_char_device() {
            return Err(TransportError::NotCharDevice { path: path.into() });
        }
        let fd = rustix::fs::open(
            path,
            OFlags::RDWR | OFlags::NONBLOCK | OFlags::NOCTTY | OFlags::CLOEXEC,
            Mode::empty(),
        )
        .map_err(|e| TransportError::Open {
            path: path.into(),
            source: e.into(),
        })?;
        let max_control_transfer = query_max_command(&fd).unwrap_or(DEFAULT_MAX_CONTROL_TRANSFER);
        let fd = FdStream::new(fd)?;
        Ok(CdcWdm {
            fd,
            max_control_transfer,
            path: path.into(),
        })
    }

    /// The device's max control transfer (or the 4096 fallback).
    pub fn max_control_transfer(&self) -> u32 {
        self.max_control_transfer
    }

    /// The path it was opened with.
    pub fn path(&self) -> &str {
        &self.path
    }
}

impl AsyncRead for CdcWdm {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().fd).poll_read(cx, buf)
    }
}

impl AsyncWrite for CdcWdm {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        data: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().fd).poll_write(cx, data)
    }
    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().fd).poll_flush(cx)
    }
    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().fd).poll_shutdown(cx)
    }
}
