//! The simulator as a device file: the master side of a raw pseudo-terminal.
//!
//! Any MBIM client (libmbim's `mbimcli -d PATH`) opens the slave, which
//! libmbim accepts as a character device; on a pty its max-control-transfer
//! lookups fail and it falls back to 4096 (mbim-and-libmbim.md §1.1). The
//! simulator keeps its own slave descriptor open so the master never sees a
//! hang-up between clients, which lets one run serve one client after
//! another. The slave is put in raw mode once (cfmakeraw), since libmbim
//! never touches termios. This module does the Linux plumbing only.

use super::device::{Device, DeviceEvent};
use super::runner::{Control, RunEnd};
use crate::transport::fd::FdStream;
use rustix::fd::{AsFd, OwnedFd};
use rustix::fs::{Mode, OFlags};
use rustix::pty::OpenptFlags;
use rustix::termios::{OptionalActions, QueueSelector};
use std::io;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::task::{Context, Poll};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::sync::mpsc;

/// A pseudo-terminal pair: the master (ours) and the slave (the device file).
#[derive(Debug)]
pub struct Pty {
    master: FdStream,
    /// Held open for the whole run: without it the master reads EIO once a
    /// client closes, and the termios settings would be lost.
    slave: OwnedFd,
    path: PathBuf,
    link: Option<PathBuf>,
}

impl Pty {
    /// Open a new raw pty; must be called inside a tokio runtime.
    pub fn open() -> io::Result<Pty> {
        let master = rustix::pty::openpt(OpenptFlags::RDWR | OpenptFlags::NOCTTY)?;
        rustix::pty::grantpt(&master)?;
        rustix::pty::unlockpt(&master)?;
        let name = rustix::pty::ptsname(&master, Vec::new())?;
        let path = PathBuf::from(name.to_string_lossy().into_owned());
        let slave = rustix::fs::open(
            &path,
            OFlags::RDWR | OFlags::NOCTTY | OFlags::CLOEXEC,
            Mode::empty(),
        )?;
        let mut t = rustix::termios::tcgetattr(&slave)?;
        t.make_raw();
        rustix::termios::tcsetattr(&slave, OptionalActions::Now, &t)?;
        rustix::io::ioctl_fionbio(&master, true)?;
        let master = FdStream::new(master)?;
        Ok(Pty {
            master,
            slave,
            path,
            link: None,
        })
    }

    /// The slave device path (`/dev/pts/N`).
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Point a symlink at `link` to the slave, replacing an older symlink
    /// (never a regular file). The link is removed when the `Pty` is dropped.
    pub fn link(&mut self, link: &Path) -> io::Result<()> {
        match std::fs::symlink_metadata(link) {
            Ok(m) if m.file_type().is_symlink() => std::fs::remove_file(link)?,
            Ok(_) => {
                return Err(io::Error::new(
                    io::ErrorKind::AlreadyExists,
                    format!("{} exists and is not a symlink", link.display()),
                ));
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(e) => return Err(e),
        }
        std::os::unix::fs::symlink(&self.path, link)?;
        self.link = Some(link.to_path_buf());
        Ok(())
    }

    /// Discard what we wrote that no client read (a previous client's late
    /// responses), so that a new client starts on a clean stream.
    fn discard_unread(&self) {
        let _ = rustix::termios::tcflush(self.slave.as_fd(), QueueSelector::IFlush);
    }
}

impl Drop for Pty {
    fn drop(&mut self) {
        if let Some(l) = &self.link {
            let _ = std::fs::remove_file(l);
        }
    }
}

impl AsyncRead for Pty {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().master).poll_read(cx, buf)
    }
}

impl AsyncWrite for Pty {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        data: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().master).poll_write(cx, data)
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().master).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().master).poll_shutdown(cx)
    }
}

/// Serve `device` on the pty until stopped or unplugged. Clients come and go;
/// each OPEN first discards stale output left for an earlier client.
pub async fn serve_pty(
    pty: &mut Pty,
    device: &mut Device,
    control: &mut mpsc::UnboundedReceiver<Control>,
    events: Option<&mpsc::Sender<DeviceEvent>>,
) -> io::Result<RunEnd> {
    super::runner::serve_with(pty, device, control, &mut |pty: &mut Pty, e| {
        if matches!(e, DeviceEvent::Opened { .. }) {
            pty.discard_unread();
        }
        if let Some(tx) = events {
            // Bounded: events nobody reads are dropped, not hoarded.
            let _ = tx.try_send(e.clone());
        }
    })
    .await
}

/// Start a simulator on a new pty in a tokio task, with a symlink at `link`.
pub fn spawn_pty(
    scenario: super::scenario::Scenario,
    link: &Path,
) -> io::Result<super::runner::SimHandle> {
    let mut pty = Pty::open()?;
    pty.link(link)?;
    Ok(super::runner::spawn_on(
        Device::new(scenario),
        move |device, control, events| {
            Box::pin(async move { serve_pty(&mut pty, device, control, Some(events)).await })
        },
    ))
}
