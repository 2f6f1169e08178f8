//! MBIM functions reached through raw USB (nusb): for hosts without a kernel
//! MBIM driver (macOS, Windows with WinUSB) or a fully userspace mode. On
//! Linux the cdc-wdm path ([`super::enumerate`]) is preferred: detaching
//! `cdc_mbim` would take the wwan net device away.

use futures_lite::StreamExt;

/// Whether a USB device exposes an MBIM communication interface
/// (class 0x02, subclass 0x0E; MBIM 1.0 §6.1).
pub fn has_mbim_interface(info: &nusb::DeviceInfo) -> bool {
    info.interfaces()
        .any(|i| i.class() == 0x02 && i.subclass() == 0x0E)
}

/// Every USB device with an MBIM interface.
pub async fn enumerate() -> std::io::Result<Vec<nusb::DeviceInfo>> {
    let all = nusb::list_devices()
        .await
        .map_err(|e| std::io::Error::other(e.to_string()))?;
    Ok(all.filter(has_mbim_interface).collect())
}

/// A USB hotplug change for MBIM devices.
#[derive(Debug)]
pub enum UsbEvent {
    Added(nusb::DeviceInfo),
    Removed(nusb::DeviceId),
}

/// Follow USB hotplug (nusb's device watch), reporting MBIM devices added and
/// any device removed (the manager ignores ids it never started).
pub async fn watch(tx: tokio::sync::mpsc::Sender<UsbEvent>) -> std::io::Result<()> {
    let mut w = nusb::watch_devices().map_err(|e| std::io::Error::other(e.to_string()))?;
    while let Some(ev) = w.next().await {
        let out = match ev {
            nusb::hotplug::HotplugEvent::Connected(info) if has_mbim_interface(&info) => {
                UsbEvent::Added(info)
            }
            nusb::hotplug::HotplugEvent::Connected(_) => continue,
            nusb::hotplug::HotplugEvent::Disconnected(id) => UsbEvent::Removed(id),
        };
        if tx.send(out).await.is_err() {
            break;
        }
    }
    Ok(())
}
