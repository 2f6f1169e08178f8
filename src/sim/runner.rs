//! Drive a [`Device`] over any async byte stream with tokio: an in-process
//! duplex pipe for the daemon and tests, or a pty master (see [`super::pty`]).
//!
//! Time comes from `tokio::time`, so tests with paused time run the
//! simulator's delays and timelines instantly and deterministically. A
//! [`SimHandle`] injects faults and events while it runs. This module owns the
//! I/O loop only; every MBIM decision is the device's.

use super::device::{Device, DeviceEvent, Transmit};
use super::fault::FaultRule;
use super::scenario::{EventKind, Scenario};
use std::io;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, DuplexStream};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use tokio::time::Instant;

/// Run-time control of a running simulator.
pub enum Control {
    /// Add a fault rule.
    Inject(FaultRule),
    /// Make something happen now.
    Event(EventKind),
    /// Look at the device's state (e.g. whether a session reaches the internet).
    Inspect(Box<dyn FnOnce(&Device) + Send>),
    /// Stop serving.
    Stop,
}

impl std::fmt::Debug for Control {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Control::Inject(r) => f.debug_tuple("Inject").field(r).finish(),
            Control::Event(e) => f.debug_tuple("Event").field(e).finish(),
            Control::Inspect(_) => f.write_str("Inspect"),
            Control::Stop => f.write_str("Stop"),
        }
    }
}

/// Why [`serve`] returned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RunEnd {
    /// The host closed its end of the stream.
    HostClosed,
    /// An injected unplug.
    Unplugged,
    /// [`Control::Stop`] or every handle dropped.
    Stopped,
}

/// Serve `device` on `io` until the host goes away, the device is unplugged
/// or a stop arrives. Device events go to `events` if given.
pub async fn serve<T>(
    io: &mut T,
    device: &mut Device,
    control: &mut mpsc::UnboundedReceiver<Control>,
    events: Option<&mpsc::Sender<DeviceEvent>>,
) -> io::Result<RunEnd>
where
    T: AsyncRead + AsyncWrite + Unpin,
{
    serve_with(io, device, control, &mut |_io: &mut T, e: &DeviceEvent| {
        if let Some(tx) = events {
            // Bounded: events nobody reads are dropped, not hoarded.
            let _ = tx.try_send(e.clone());
        }
    })
    .await
}

/// [`serve`] with a hook that sees each device event before anything the
/// device queued with it is written (the pty uses it to discard stale output
/// when a new client opens).
pub async fn serve_with<T>(
    io: &mut T,
    device: &mut Device,
    control: &mut mpsc::UnboundedReceiver<Control>,
    on_event: &mut (dyn FnMut(&mut T, &DeviceEvent) + Send),
) -> io::Result<RunEnd>
where
    T: AsyncRead + AsyncWrite + Unpin,
{
    let mut buf = vec![0u8; 16 * 1024];
    let mut control_open = true;
    loop {
        while let Some(e) = device.poll_event() {
            tracing::debug!(target: "mbimd::sim", event = ?e, "device event");
            on_event(io, &e);
        }
        // Everything the device has to say, one write per item.
        while let Some(t) = device.poll_transmit() {
            match t {
                Transmit::Bytes(b) => {
                    io.write_all(&b).await?;
                    io.flush().await?;
                }
                Transmit::Eof => {
                    io.shutdown().await?;
                    return Ok(RunEnd::Unplugged);
                }
            }
        }
        let deadline = device.poll_timeout().map(Instant::from_std);
        let sleep = async {
            match deadline {
                Some(d) => tokio::time::sleep_until(d).await,
                None => std::future::pending().await,
            }
        };
        tokio::select! {
            // Control first, so that a fault injected before a command is
            // in force when the command arrives.
            biased;
            c = control.recv(), if control_open => match c {
                Some(Control::Inject(rule)) => device.inject(rule),
                Some(Control::Event(e)) => device.trigger(Instant::now().into_std(), &e),
                Some(Control::Inspect(f)) => f(device),
                Some(Control::Stop) => return Ok(RunEnd::Stopped),
                // Nobody can control us any more; keep serving the host.
                None => control_open = false,
            },
            r = io.read(&mut buf) => {
                let n = r?;
                if n == 0 {
                    return Ok(RunEnd::HostClosed);
                }
                device.handle_bytes(Instant::now().into_std(), &buf[..n]);
            }
            () = sleep => device.handle_timeout(Instant::now().into_std()),
        }
    }
}

/// Device events kept for a [`SimHandle`] that does not read them.
pub const EVENT_BACKLOG: usize = 1024;

/// A simulator running in a tokio task.
#[derive(Debug)]
pub struct SimHandle {
    control: mpsc::UnboundedSender<Control>,
    /// Device events as they happen; while [`EVENT_BACKLOG`] are unread, newer ones are dropped.
    pub events: mpsc::Receiver<DeviceEvent>,
    task: JoinHandle<io::Result<(RunEnd, Device)>>,
}

impl SimHandle {
    /// Add a fault rule while running.
    pub fn inject(&self, rule: FaultRule) {
        let _ = self.control.send(Control::Inject(rule));
    }

    /// Make something happen now.
    pub fn trigger(&self, event: EventKind) {
        let _ = self.control.send(Control::Event(event));
    }

    /// Add `in_octets`/`out_octets` to the first connected session's
    /// counters now (one step of a scripted traffic ramp).
    pub fn add_traffic(&self, in_octets: u64, out_octets: u64) {
        self.trigger(EventKind::Traffic {
            session_id: None,
            in_octets,
            out_octets,
        });
    }

    /// A cloneable sender of events and faults to this simulator.
    pub fn control(&self) -> SimControl {
        SimControl(self.control.clone())
    }

    /// Run `f` on the device between two I/O steps and return its result
    /// (`None` if the simulator has ended). The daemon's connectivity check
    /// asks `|d| d.modem().internet(session)` this way.
    pub async fn inspect<R: Send + 'static>(
        &self,
        f: impl FnOnce(&Device) -> R + Send + 'static,
    ) -> Option<R> {
        let (tx, rx) = tokio::sync::oneshot::channel();
        self.control
            .send(Control::Inspect(Box::new(move |d| {
                let _ = tx.send(f(d));
            })))
            .ok()?;
        rx.await.ok()
    }

    /// A cloneable handle that can only inspect the running device (the
    /// daemon's internet check for a simulated modem holds one).
    pub fn inspector(&self) -> SimInspector {
        SimInspector {
            control: self.control.clone(),
        }
    }

    /// Stop and hand back the device (for inspecting its final state).
    pub async fn stop(self) -> io::Result<(RunEnd, Device)> {
        let _ = self.control.send(Control::Stop);
        self.join().await
    }

    /// Wait for the simulator to end by itself.
    pub async fn join(self) -> io::Result<(RunEnd, Device)> {
        self.task
            .await
            .map_err(|e| io::Error::other(format!("simulator task failed: {e}")))?
    }
}

/// Inspects a running simulator (see [`SimHandle::inspector`]).
#[derive(Debug, Clone)]
pub struct SimInspector {
    control: mpsc::UnboundedSender<Control>,
}

impl SimInspector {
    /// Run `f` on the device between two I/O steps (`None` once the
    /// simulator has ended).
    pub async fn inspect<R: Send + 'static>(
        &self,
        f: impl FnOnce(&Device) -> R + Send + 'static,
    ) -> Option<R> {
        let (tx, rx) = tokio::sync::oneshot::channel();
        self.control
            .send(Control::Inspect(Box::new(move |d| {
                let _ = tx.send(f(d));
            })))
            .ok()?;
        rx.await.ok()
    }
}

/// A cloneable handle that can only trigger events and inject faults.
#[derive(Debug, Clone)]
pub struct SimControl(mpsc::UnboundedSender<Control>);

impl SimControl {
    /// Make something happen now.
    pub fn trigger(&self, event: EventKind) {
        let _ = self.0.send(Control::Event(event));
    }

    /// See [`SimHandle::add_traffic`].
    pub fn add_traffic(&self, in_octets: u64, out_octets: u64) {
        self.trigger(EventKind::Traffic {
            session_id: None,
            in_octets,
            out_octets,
        });
    }
}

/// Start a simulator on an in-process duplex pipe; returns the host's end.
pub fn spawn_duplex(scenario: Scenario) -> (DuplexStream, SimHandle) {
    let (host, mut dev_end) = tokio::io::duplex(64 * 1024);
    let handle = spawn_on(Device::new(scenario), move |device, control, events| {
        Box::pin(async move {
            let end = serve(&mut dev_end, device, control, Some(events)).await?;
            Ok(end)
        })
    });
    (host, handle)
}

type ServeFuture<'a> =
    std::pin::Pin<Box<dyn std::future::Future<Output = io::Result<RunEnd>> + Send + 'a>>;

/// Spawn `run` with a device, a control receiver and an event sender.
pub fn spawn_on<F>(mut device: Device, run: F) -> SimHandle
where
    F: for<'a> FnOnce(
            &'a mut Device,
            &'a mut mpsc::UnboundedReceiver<Control>,
            &'a mpsc::Sender<DeviceEvent>,
        ) -> ServeFuture<'a>
        + Send
        + 'static,
{
    let (control, mut control_rx) = mpsc::unbounded_channel();
    let (events_tx, events) = mpsc::channel(EVENT_BACKLOG);
    let task = tokio::spawn(async move {
        let end = run(&mut device, &mut control_rx, &events_tx).await?;
        Ok((end, device))
    });
    SimHandle {
        control,
        events,
        task,
    }
}
