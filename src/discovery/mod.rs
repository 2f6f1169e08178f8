//! Finding MBIM devices and following hotplug.
//!
//! * [`enumerate`] walks sysfs: `class/usbmisc/cdc-wdmN` bound to `cdc_mbim`
//!   (with its `wwanN` net interface and USB vendor/product ids) and WWAN
//!   subsystem MBIM ports (`class/wwan/wwanNmbimM`, PCIe/MHI modems).
//! * [`uevent`] parses kernel uevents (NETLINK_KOBJECT_UEVENT, the kernel's own
//!   multicast group, so no udev daemon or libudev is needed) into
//!   [`DeviceEvent`]s, and [`uevent::UeventSocket`] reads them.
//! * [`watch_dir`] polls a directory of device links (e.g. simulator pty links)
//!   for appearing and disappearing character devices.
//!
//! Discovery only reports; the manager decides what to spawn or stop.

pub mod uevent;
pub mod usb;
pub mod watch_dir;

use std::path::{Path, PathBuf};

/// A candidate MBIM control port.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceInfo {
    /// Kernel name (`cdc-wdm0`, `wwan0mbim0`) or link file name.
    pub name: String,
    /// The path to open (`/dev/cdc-wdm0`).
    pub path: PathBuf,
    /// Network interfaces of the same function (`wwan0`).
    pub net: Vec<String>,
    /// Kernel driver of the function (`cdc_mbim`, `mhi_wwan_ctrl`, ...).
    pub driver: String,
    /// USB vendor and product ids, when on USB.
    pub usb_ids: Option<(u16, u16)>,
    /// The sysfs directory of the function.
    pub sysfs: Option<PathBuf>,
}

/// A change in the set of devices.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DeviceEvent {
    Added(DeviceInfo),
    /// The device with this name went away.
    Removed {
        name: String,
    },
}

fn read_trim(p: &Path) -> Option<String> {
    std::fs::read_to_string(p)
        .ok()
        .map(|s| s.trim().to_string())
}

fn link_basename(p: &Path) -> Option<String> {
    std::fs::read_link(p)
        .ok()
        .and_then(|t| t.file_name().map(|n| n.to_string_lossy().into_owned()))
}

fn list_dir(p: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(p)
        .map(|rd| {
            rd.flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    v.sort();
    v
}

/// Describe one control port by kernel name, if it is an MBIM port.
pub fn describe(sysfs_root: &Path, dev_root: &Path, name: &str) -> Option<DeviceInfo> {
    for class in ["usbmisc", "usb", "wwan"] {
        let entry = sysfs_root.join("class").join(class).join(name);
        if !entry.exists() {
            continue;
        }
        let function = entry.join("device");
        let driver = link_basename(&function.join("driver")).unwrap_or_default();
        let is_mbim = match class {
            "wwan" => name.contains("mbim"),
            _ => driver == "cdc_mbim",
        };
        if !is_mbim {
            return None;
        }
        // The USB device is the parent of the interface directory.
        let real = std::fs::canonicalize(&function).ok();
        let usb_ids = real.as_ref().and_then(|f| {
            let parent = f.parent()?;
            let v = u16::from_str_radix(&read_trim(&parent.join("idVendor"))?, 16).ok()?;
            let p = u16::from_str_radix(&read_trim(&parent.join("idProduct"))?, 16).ok()?;
            Some((v, p))
        });
        let net = match class {
            // A WWAN port's net device sits with its parent device; where
            // exactly depends on the driver, so look at the function and above.
            "wwan" => real
                .iter()
                .flat_map(|f| [Some(f.join("net")), f.parent().map(|p| p.join("net"))])
                .flatten()
                .map(|p| list_dir(&p))
                .find(|v| !v.is_empty())
                .unwrap_or_default(),
            _ => list_dir(&function.join("net")),
        };
        return Some(DeviceInfo {
            name: name.to_string(),
            path: dev_root.join(name),
            net,
            driver,
            usb_ids,
            sysfs: real,
        });
    }
    None
}

/// Every MBIM control port currently present, sorted by name.
pub fn enumerate(sysfs_root: &Path, dev_root: &Path) -> Vec<DeviceInfo> {
    let mut out = Vec::new();
    for class in ["usbmisc", "usb", "wwan"] {
        for name in list_dir(&sysfs_root.join("class").join(class)) {
            if out.iter().any(|d: &DeviceInfo| d.name == name) {
                continue;
            }
            if let Some(d) = describe(sysfs_root, dev_root, &name) {
                out.push(d);
            }
        }
    }
    out.sort_by(|a, b| a.name.cmp(&b.name));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::symlink;

    /// A fake sysfs with one cdc_mbim function, one non-MBIM cdc-wdm (QMI) and
    /// one WWAN-subsystem MBIM port.
    fn fake_sysfs(root: &Path) {
        let dev = root.join("devices/pci0000:00/usb1/1-1");
        let iface = dev.join("1-1:1.12");
        std::fs::create_dir_all(iface.join("usbmisc/cdc-wdm0")).unwrap();
        std::fs::create_dir_all(iface.join("net/wwan0")).unwrap();
        std::fs::create_dir_all(root.join("bus/usb/drivers/cdc_mbim")).unwrap();
        std::fs::create_dir_all(root.join("bus/usb/drivers/qmi_wwan")).unwrap();
        symlink(root.join("bus/usb/drivers/cdc_mbim"), iface.join("driver")).unwrap();
        std::fs::write(dev.join("idVendor"), "1199\n").unwrap();
        std::fs::write(dev.join("idProduct"), "9071\n").unwrap();
        std::fs::create_dir_all(root.join("class/usbmisc")).unwrap();
        std::fs::create_dir_all(iface.join("usbmisc/cdc-wdm0")).unwrap();
        symlink(
            iface.join("usbmisc/cdc-wdm0"),
            root.join("class/usbmisc/cdc-wdm0"),
        )
        .unwrap();
        symlink(&iface, iface.join("usbmisc/cdc-wdm0/device")).unwrap();
        // A QMI cdc-wdm1 that must be ignored.
        let qiface = dev.join("1-1:1.8");
        std::fs::create_dir_all(qiface.join("usbmisc/cdc-wdm1")).unwrap();
        symlink(root.join("bus/usb/drivers/qmi_wwan"), qiface.join("driver")).unwrap();
        symlink(
            qiface.join("usbmisc/cdc-wdm1"),
            root.join("class/usbmisc/cdc-wdm1"),
        )
        .unwrap();
        symlink(&qiface, qiface.join("usbmisc/cdc-wdm1/device")).unwrap();
        // PCIe WWAN port.
        let wdev = root.join("devices/pci0000:00/0000:01:00.0/wwan/wwan0");
        std::fs::create_dir_all(wdev.join("wwan0mbim0")).unwrap();
        std::fs::create_dir_all(wdev.join("net/wwan1")).unwrap();
        std::fs::create_dir_all(root.join("class/wwan")).unwrap();
        symlink(wdev.join("wwan0mbim0"), root.join("class/wwan/wwan0mbim0")).unwrap();
        symlink(&wdev, wdev.join("wwan0mbim0/device")).unwrap();
    }

    #[test]
    fn enumerates_cdc_mbim_and_wwan_ports_only() {
        let t = tempfile::tempdir().unwrap();
        fake_sysfs(t.path());
        let found = enumerate(t.path(), Path::new("/dev"));
        let names: Vec<&str> = found.iter().map(|d| d.name.as_str()).collect();
        assert_eq!(names, ["cdc-wdm0", "wwan0mbim0"]);
        let d = &found[0];
        assert_eq!(d.path, Path::new("/dev/cdc-wdm0"));
        assert_eq!(d.driver, "cdc_mbim");
        assert_eq!(d.net, ["wwan0"]);
        assert_eq!(d.usb_ids, Some((0x1199, 0x9071)));
        assert_eq!(found[1].net, ["wwan1"]);
        assert!(describe(t.path(), Path::new("/dev"), "cdc-wdm1").is_none());
    }
}
