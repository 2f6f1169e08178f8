//! Kernel uevents for MBIM control ports, without udev.
//!
//! A uevent datagram is `ACTION@DEVPATH\0KEY=VALUE\0...`. We keep `add` and
//! `remove` of `usbmisc` (cdc-wdm) and `wwan` (…mbim…) devices. The socket is
//! bound to the kernel's multicast group 1; messages from udev's group (2)
//! carry a `libudev` header and are not what we bind to.

use super::{DeviceEvent, describe};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// One parsed uevent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Uevent {
    pub action: String,
    pub devpath: String,
    pub vars: HashMap<String, String>,
}

impl Uevent {
    /// Parse a kernel uevent datagram; `None` for anything else (including
    /// udev's `libudev`-prefixed messages).
    pub fn parse(data: &[u8]) -> Option<Uevent> {
        let mut parts = data.split(|b| *b == 0).filter(|p| !p.is_empty());
        let head = std::str::from_utf8(parts.next()?).ok()?;
        let (action, devpath) = head.split_once('@')?;
        let mut vars = HashMap::new();
        for p in parts {
            let s = std::str::from_utf8(p).ok()?;
            if let Some((k, v)) = s.split_once('=') {
                vars.insert(k.to_string(), v.to_string());
            }
        }
        Some(Uevent {
            action: action.to_string(),
            devpath: devpath.to_string(),
            vars,
        })
    }

    /// The kernel device name (`DEVNAME`, without a `/dev/` prefix).
    pub fn devname(&self) -> Option<&str> {
        self.vars
            .get("DEVNAME")
            .map(|n| n.rsplit('/').next().unwrap_or(n))
    }

    /// Whether this concerns a possible MBIM control port.
    pub fn is_control_port(&self) -> bool {
        match self.vars.get("SUBSYSTEM").map(String::as_str) {
            Some("usbmisc") | Some("usb") => {
                self.devname().is_some_and(|n| n.starts_with("cdc-wdm"))
            }
            Some("wwan") => self.devname().is_some_and(|n| n.contains("mbim")),
            _ => false,
        }
    }
}

/// Turn a uevent into a device event (looking the device up in sysfs on add).
pub fn to_device_event(ev: &Uevent, sysfs_root: &Path, dev_root: &Path) -> Option<DeviceEvent> {
    if !ev.is_control_port() {
        return None;
    }
    let name = ev.devname()?.to_string();
    match ev.action.as_str() {
        "add" => describe(sysfs_root, dev_root, &name).map(DeviceEvent::Added),
        "remove" => Some(DeviceEvent::Removed { name }),
        _ => None,
    }
}

/// A NETLINK_KOBJECT_UEVENT socket bound to the kernel's group.
#[derive(Debug)]
pub struct UeventSocket {
    fd: tokio::io::unix::AsyncFd<std::os::fd::OwnedFd>,
    sysfs_root: PathBuf,
    dev_root: PathBuf,
}

impl UeventSocket {
    /// Open the socket (works unprivileged on Linux).
    pub fn open(sysfs_root: &Path, dev_root: &Path) -> std::io::Result<UeventSocket> {
        use rustix::net::{AddressFamily, SocketFlags, SocketType, netlink};
        let fd = rustix::net::socket_with(
            AddressFamily::NETLINK,
            SocketType::DGRAM,
            SocketFlags::CLOEXEC | SocketFlags::NONBLOCK,
            Some(netlink::KOBJECT_UEVENT),
        )?;
        rustix::net::bind(&fd, &netlink::SocketAddrNetlink::new(0, 1))?;
        // SAFETY: the AsyncFd takes ownership of this OwnedFd, whose raw fd
        // stays open and unchanged until it is dropped.
        let fd = unsafe { tokio::io::unix::AsyncFd::register(fd) }.map_err(std::io::Error::from)?;
        Ok(UeventSocket {
            fd,
            sysfs_root: sysfs_root.into(),
            dev_root: dev_root.into(),
        })
    }

    /// The next device event (other uevents are skipped).
    pub async fn next(&self) -> std::io::Result<DeviceEvent> {
        let mut buf = vec![0u8; 8192];
        loop {
            let mut guard = self.fd.readable().await?;
            let r = guard.try_io(|fd| {
                rustix::net::recv(fd.get_ref(), &mut buf[..], rustix::net::RecvFlags::empty())
                    .map(|(n, _)| n)
                    .map_err(std::io::Error::from)
            });
            let n = match r {
                Ok(Ok(n)) => n,
                Ok(Err(e)) => return Err(e),
                Err(_would_block) => continue,
            };
            if let Some(ev) = Uevent::parse(&buf[..n])
                && let Some(d) = to_device_event(&ev, &self.sysfs_root, &self.dev_root)
            {
                return Ok(d);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn datagram(parts: &[&str]) -> Vec<u8> {
        let mut v = Vec::new();
        for p in parts {
            v.extend_from_slice(p.as_bytes());
            v.push(0);
        }
        v
    }

    #[test]
    fn parses_kernel_uevents_for_cdc_wdm() {
        let add = datagram(&[
            "add@/devices/pci0000:00/usb1/1-1/1-1:1.12/usbmisc/cdc-wdm0",
            "ACTION=add",
            "DEVPATH=/devices/pci0000:00/usb1/1-1/1-1:1.12/usbmisc/cdc-wdm0",
            "SUBSYSTEM=usbmisc",
            "MAJOR=180",
            "MINOR=176",
            "DEVNAME=cdc-wdm0",
            "SEQNUM=4242",
        ]);
        let ev = Uevent::parse(&add).unwrap();
        assert_eq!(ev.action, "add");
        assert_eq!(ev.devname(), Some("cdc-wdm0"));
        assert!(ev.is_control_port());

        let rm = datagram(&[
            "remove@/x/usbmisc/cdc-wdm0",
            "ACTION=remove",
            "SUBSYSTEM=usbmisc",
            "DEVNAME=cdc-wdm0",
        ]);
        let ev = Uevent::parse(&rm).unwrap();
        assert_eq!(
            to_device_event(&ev, Path::new("/nonexistent"), Path::new("/dev")),
            Some(DeviceEvent::Removed {
                name: "cdc-wdm0".into()
            })
        );
    }

    #[test]
    fn ignores_other_subsystems_and_udev_messages() {
        let tty = datagram(&[
            "add@/x/tty/ttyUSB0",
            "ACTION=add",
            "SUBSYSTEM=tty",
            "DEVNAME=ttyUSB0",
        ]);
        assert!(!Uevent::parse(&tty).unwrap().is_control_port());
        let mut udev = b"libudev\0".to_vec();
        udev.extend_from_slice(&[0xfe, 0xed, 0xca, 0xfe]);
        assert!(Uevent::parse(&udev).is_none());
        assert!(Uevent::parse(&[0xff, 0xfe, 0]).is_none());
        let wwan = datagram(&[
            "add@/x/wwan/wwan0/wwan0mbim0",
            "ACTION=add",
            "SUBSYSTEM=wwan",
            "DEVNAME=wwan0mbim0",
        ]);
        assert!(Uevent::parse(&wwan).unwrap().is_control_port());
        let at = datagram(&[
            "add@/x/wwan/wwan0/wwan0at0",
            "ACTION=add",
            "SUBSYSTEM=wwan",
            "DEVNAME=wwan0at0",
        ]);
        assert!(!Uevent::parse(&at).unwrap().is_control_port());
    }

    #[tokio::test]
    async fn uevent_socket_opens() {
        // Opening must work unprivileged; no event is expected in a test.
        let s = UeventSocket::open(Path::new("/sys"), Path::new("/dev"));
        assert!(s.is_ok(), "{s:?}");
    }
}
