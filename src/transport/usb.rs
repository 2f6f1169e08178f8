//! Raw USB MBIM through `nusb` (Linux, macOS, Windows/WinUSB), for hosts with
//! no kernel MBIM driver or for a fully userspace mode.
//!
//! MBIM over USB (MBIM 1.0 §6, CDC 1.2): the communication interface (class
//! 0x02, subclass 0x0E) carries an MBIM functional descriptor (CS_INTERFACE
//! 0x24, subtype 0x1B) with `wMaxControlMessage`; the host sends a message with
//! SEND_ENCAPSULATED_COMMAND (0x00) and, when the interrupt endpoint signals
//! RESPONSE_AVAILABLE (0x01), reads it with GET_ENCAPSULATED_RESPONSE (0x01).
//! The descriptor parsing and request framing here are pure functions, tested
//! on captured descriptor bytes; [`open`] wires them to nusb and hands the
//! modem actor an ordinary byte stream.

use super::TransportError;
use mbim_proto::framer::Framer;
use std::time::Duration;

/// CDC class requests (CDC 1.2 Table 19).
pub const SEND_ENCAPSULATED_COMMAND: u8 = 0x00;
pub const GET_ENCAPSULATED_RESPONSE: u8 = 0x01;
/// CDC notification code (CDC 1.2 Table 20).
pub const RESPONSE_AVAILABLE: u8 = 0x01;

const DT_INTERFACE: u8 = 0x04;
const DT_ENDPOINT: u8 = 0x05;
const DT_CS_INTERFACE: u8 = 0x24;
const SUBTYPE_MBIM: u8 = 0x1B;
const SUBTYPE_MBIM_EXTENDED: u8 = 0x1C;

/// What the configuration descriptor says about the MBIM function.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MbimFunction {
    /// bInterfaceNumber of the communication interface.
    pub comm_interface: u8,
    /// bInterfaceNumber of the data interface (class 0x0A, protocol 0x02), if found.
    pub data_interface: Option<u8>,
    /// Interrupt IN endpoint for notifications.
    pub notify_endpoint: u8,
    pub notify_max_packet: u16,
    /// MBIM functional descriptor.
    pub bcd_mbim_version: u16,
    pub max_control_message: u16,
    pub number_filters: u8,
    pub max_filter_size: u8,
    pub max_segment_size: u16,
    pub network_capabilities: u8,
    /// MBIM extended functional descriptor, when present.
    pub extended: Option<MbimExtended>,
}

/// The MBIM extended functional descriptor (MBIM 1.0 errata §6.5).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MbimExtended {
    pub bcd_mbim_extended_version: u16,
    pub max_outstanding_command_messages: u8,
    pub mtu: u16,
}

/// Why a configuration descriptor did not yield an MBIM function.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DescriptorError {
    #[error("descriptor at offset {offset} has length {len}, which runs past the end")]
    Truncated { offset: usize, len: usize },
    #[error("no MBIM communication interface (class 0x02, subclass 0x0E)")]
    NoMbimInterface,
    #[error("the MBIM interface has no MBIM functional descriptor")]
    NoFunctionalDescriptor,
    #[error("the MBIM interface has no interrupt IN endpoint")]
    NoNotifyEndpoint,
}

fn le16(b: &[u8], o: usize) -> u16 {
    u16::from_le_bytes([b[o], b[o + 1]])
}

/// Parse a full configuration descriptor (as read from the device).
pub fn parse_config(config: &[u8]) -> Result<MbimFunction, DescriptorError> {
    let mut off = 0;
    let mut in_mbim = false;
    let mut f: Option<MbimFunction> = None;
    let mut data_interface = None;
    while off < config.len() {
        let len = config[off] as usize;
        if len < 2 || off + len > config.len() {
            return Err(DescriptorError::Truncated { offset: off, len });
        }
        let d = &config[off..off + len];
        match d[1] {
            DT_INTERFACE if len >= 9 => {
                let (num, class, subclass, protocol) = (d[2], d[5], d[6], d[7]);
                in_mbim = class == 0x02 && subclass == 0x0E;
                if in_mbim && f.is_none() {
                    f = Some(MbimFunction {
                        comm_interface: num,
                        data_interface: None,
                        notify_endpoint: 0,
                        notify_max_packet: 0,
                        bcd_mbim_version: 0,
                        max_control_message: 0,
                        number_filters: 0,
                        max_filter_size: 0,
                        max_segment_size: 0,
                        network_capabilities: 0,
                        extended: None,
                    });
                }
                if class == 0x0A && protocol == 0x02 && data_interface.is_none() {
                    data_interface = Some(num);
                }
            }
            DT_CS_INTERFACE if in_mbim && len >= 12 && d[2] == SUBTYPE_MBIM => {
                if let Some(f) = f.as_mut() {
                    f.bcd_mbim_version = le16(d, 3);
                    f.max_control_message = le16(d, 5);
                    f.number_filters = d[7];
                    f.max_filter_size = d[8];
                    f.max_segment_size = le16(d, 9);
                    f.network_capabilities = d[11];
                }
            }
            DT_CS_INTERFACE if in_mbim && len >= 8 && d[2] == SUBTYPE_MBIM_EXTENDED => {
                if let Some(f) = f.as_mut() {
                    f.extended = Some(MbimExtended {
                        bcd_mbim_extended_version: le16(d, 3),
                        max_outstanding_command_messages: d[5],
                        mtu: le16(d, 6),
                    });
                }
            }
            DT_ENDPOINT if in_mbim && len >= 7 => {
                let (addr, attrs) = (d[2], d[3]);
                if let Some(f) = f.as_mut()
                    && addr & 0x80 != 0
                    && attrs & 0x03 == 0x03
                    && f.notify_endpoint == 0
                {
                    f.notify_endpoint = addr;
                    f.notify_max_packet = le16(d, 4) & 0x7ff;
                }
            }
            _ => {}
        }
        off += len;
    }
    let mut f = f.ok_or(DescriptorError::NoMbimInterface)?;
    if f.max_control_message == 0 {
        return Err(DescriptorError::NoFunctionalDescriptor);
    }
    if f.notify_endpoint == 0 {
        return Err(DescriptorError::NoNotifyEndpoint);
    }
    f.data_interface = data_interface;
    Ok(f)
}

/// A SETUP packet for a class request to the communication interface.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Setup {
    pub request_type: u8,
    pub request: u8,
    pub value: u16,
    pub index: u16,
    pub length: u16,
}

impl Setup {
    /// SEND_ENCAPSULATED_COMMAND carrying `len` bytes (bmRequestType 0x21).
    pub fn send_encapsulated(interface: u8, len: u16) -> Setup {
        Setup {
            request_type: 0x21,
            request: SEND_ENCAPSULATED_COMMAND,
            value: 0,
            index: interface as u16,
            length: len,
        }
    }

    /// GET_ENCAPSULATED_RESPONSE reading up to `max` bytes (bmRequestType 0xA1).
    pub fn get_encapsulated(interface: u8, max: u16) -> Setup {
        Setup {
            request_type: 0xA1,
            request: GET_ENCAPSULATED_RESPONSE,
            value: 0,
            index: interface as u16,
            length: max,
        }
    }

    /// The 8 bytes on the wire.
    pub fn to_bytes(self) -> [u8; 8] {
        let v = self.value.to_le_bytes();
        let i = self.index.to_le_bytes();
        let l = self.length.to_le_bytes();
        [
            self.request_type,
            self.request,
            v[0],
            v[1],
            i[0],
            i[1],
            l[0],
            l[1],
        ]
    }
}

/// Whether an interrupt-endpoint packet is RESPONSE_AVAILABLE for `interface`
/// (CDC notification: bmRequestType 0xA1, bNotificationCode, wValue, wIndex, wLength).
pub fn is_response_available(packet: &[u8], interface: u8) -> bool {
    packet.len() >= 8
        && packet[0] == 0xA1
        && packet[1] == RESPONSE_AVAILABLE
        && le16(packet, 4) == interface as u16
}

/// Open the MBIM function of a USB device and bridge it to a byte stream
/// the modem actor can drive. Returns the stream and the max control message.
pub async fn open(
    info: &nusb::DeviceInfo,
) -> Result<(tokio::io::DuplexStream, u32), TransportError> {
    use nusb::transfer::{Buffer, ControlIn, ControlOut, ControlType, In, Interrupt, Recipient};
    let io_err = |e: nusb::Error| TransportError::Io(std::io::Error::other(e.to_string()));
    let device = info.open().await.map_err(io_err)?;
    let config = device
        .active_configuration()
        .map_err(|e| TransportError::Io(std::io::Error::other(e.to_string())))?;
    let f = parse_config(config.as_bytes())
        .map_err(|e| TransportError::Io(std::io::Error::other(e.to_string())))?;
    let iface = device
        .detach_and_claim_interface(f.comm_interface)
        .await
        .map_err(io_err)?;
    let mut notify = iface
        .endpoint::<Interrupt, In>(f.notify_endpoint)
        .map_err(io_err)?;
    let (ours, theirs) = tokio::io::duplex(256 * 1024);
    let (mut rd, mut wr) = tokio::io::split(theirs);
    let max = f.max_control_message;
    let comm = f.comm_interface;
    let timeout = Duration::from_secs(5);
    // Host → device: frame the actor's bytes into messages, one control OUT each.
    let out_iface = iface.clone();
    tokio::spawn(async move {
        use tokio::io::AsyncReadExt;
        let mut framer = Framer::new(max as usize);
        let mut buf = vec![0u8; 16 * 1024];
        loop {
            let n = match rd.read(&mut buf).await {
                Ok(0) | Err(_) => return,
                Ok(n) => n,
            };
            framer.push(&buf[..n]);
            while let Some(Ok(msg)) = framer.next_message() {
                let s = Setup::send_encapsulated(comm, msg.len() as u16);
                let r = out_iface
                    .control_out(
                        ControlOut {
                            control_type: ControlType::Class,
                            recipient: Recipient::Interface,
                            request: s.request,
                            value: s.value,
                            index: s.index,
                            data: &msg,
                        },
                        timeout,
                    )
                    .await;
                if r.is_err() {
                    return;
                }
            }
        }
    });
    // Device → host: wait for RESPONSE_AVAILABLE, then read responses until empty.
    tokio::spawn(async move {
        use tokio::io::AsyncWriteExt;
        let mps = f.notify_max_packet.max(8) as usize;
        loop {
            notify.submit(Buffer::new(mps));
            let c = notify.next_complete().await;
            if c.status.is_err() {
                return;
            }
            if !is_response_available(&c.buffer[..c.actual_len.min(c.buffer.len())], comm) {
                continue;
            }
            loop {
                let s = Setup::get_encapsulated(comm, max);
                let r = iface
                    .control_in(
                        ControlIn {
                            control_type: ControlType::Class,
                            recipient: Recipient::Interface,
                            request: s.request,
                            value: s.value,
                            index: s.index,
                            length: s.length,
                        },
                        timeout,
                    )
                    .await;
                match r {
                    Ok(data) if !data.is_empty() => {
                        if wr.write_all(&data).await.is_err() {
                            return;
                        }
                    }
                    Ok(_) => break,
                    Err(_) => return,
                }
            }
        }
    });
    Ok((ours, max as u32))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Configuration descriptor of an MBIM modem (layout of a Sierra Wireless
    /// EM7455 in its MBIM configuration, as lsusb -v shows it): an IAD, the
    /// communication interface with CDC header/union and MBIM (+extended)
    /// functional descriptors and an interrupt endpoint, then the data
    /// interface with alt settings 0 (no endpoints) and 1 (bulk in/out).
    fn em7455_like() -> Vec<u8> {
        let mut d = vec![
            0x09, 0x02, 0x00, 0x00, 0x02, 0x01, 0x00, 0xa0,
            0xfa, // configuration (total fixed below)
            0x08, 0x0b, 0x0c, 0x02, 0x02, 0x0e, 0x00,
            0x00, // IAD: first 12, 2 interfaces, class 2/0x0e
            0x09, 0x04, 0x0c, 0x00, 0x01, 0x02, 0x0e, 0x00, 0x00, // interface 12: comm, MBIM
            0x05, 0x24, 0x00, 0x10, 0x01, // CDC header 1.10
            0x0c, 0x24, 0x1b, 0x00, 0x01, 0x00, 0x10, 0x20, 0x80, 0xdc, 0x05,
            0x20, // MBIM: 1.00, 4096, 32 filters, 128, 1500, caps 0x20
            0x08, 0x24, 0x1c, 0x00, 0x01, 0x20, 0xdc,
            0x05, // MBIM extended: 1.00, 32 outstanding, MTU 1500
            0x05, 0x24, 0x06, 0x0c, 0x0d, // union: 12 → 13
            0x07, 0x05, 0x82, 0x03, 0x40, 0x00, 0x09, // EP 0x82 interrupt IN, 64
            0x09, 0x04, 0x0d, 0x00, 0x00, 0x0a, 0x00, 0x02,
            0x00, // interface 13 alt 0: data, NTB
            0x09, 0x04, 0x0d, 0x01, 0x02, 0x0a, 0x00, 0x02, 0x00, // interface 13 alt 1
            0x07, 0x05, 0x81, 0x02, 0x00, 0x02, 0x00, // EP 0x81 bulk IN 512
            0x07, 0x05, 0x01, 0x02, 0x00, 0x02, 0x00, // EP 0x01 bulk OUT 512
        ];
        let total = d.len() as u16;
        d[2..4].copy_from_slice(&total.to_le_bytes());
        d
    }

    #[test]
    fn finds_the_mbim_function_and_its_descriptors() {
        let f = parse_config(&em7455_like()).unwrap();
        assert_eq!(f.comm_interface, 12);
        assert_eq!(f.data_interface, Some(13));
        assert_eq!(f.notify_endpoint, 0x82);
        assert_eq!(f.notify_max_packet, 64);
        assert_eq!(f.bcd_mbim_version, 0x0100);
        assert_eq!(f.max_control_message, 4096);
        assert_eq!(f.number_filters, 32);
        assert_eq!(f.max_filter_size, 128);
        assert_eq!(f.max_segment_size, 1500);
        assert_eq!(
            f.extended,
            Some(MbimExtended {
                bcd_mbim_extended_version: 0x0100,
                max_outstanding_command_messages: 32,
                mtu: 1500
            })
        );
    }

    #[test]
    fn rejects_truncated_and_non_mbim_configurations() {
        let mut d = em7455_like();
        d.truncate(40);
        assert!(matches!(
            parse_config(&d),
            Err(DescriptorError::Truncated { .. })
        ));
        let mut d = em7455_like();
        d[23] = 0x0d; // comm interface subclass 0x0d = NCM, not MBIM
        assert_eq!(parse_config(&d), Err(DescriptorError::NoMbimInterface));
        let mut d = em7455_like();
        d[31..43].fill(0); // wipe the MBIM functional descriptor…
        d[31] = 12;
        d[32] = 0x24; // …leaving a CS_INTERFACE of another subtype
        d[33] = 0x99;
        assert_eq!(
            parse_config(&d),
            Err(DescriptorError::NoFunctionalDescriptor)
        );
        assert!(matches!(
            parse_config(&[0x00, 0x02]),
            Err(DescriptorError::Truncated { .. })
        ));
    }

    #[test]
    fn frames_class_requests_and_notifications() {
        assert_eq!(
            Setup::send_encapsulated(12, 48).to_bytes(),
            [0x21, 0x00, 0x00, 0x00, 0x0c, 0x00, 0x30, 0x00]
        );
        assert_eq!(
            Setup::get_encapsulated(12, 4096).to_bytes(),
            [0xa1, 0x01, 0x00, 0x00, 0x0c, 0x00, 0x00, 0x10]
        );
        let notif = [0xa1, 0x01, 0x00, 0x00, 0x0c, 0x00, 0x00, 0x00];
        assert!(is_response_available(&notif, 12));
        assert!(!is_response_available(&notif, 13));
        // NETWORK_CONNECTION (0x00) is not RESPONSE_AVAILABLE.
        assert!(!is_response_available(
            &[0xa1, 0x00, 0x01, 0x00, 0x0c, 0x00, 0x00, 0x00],
            12
        ));
        assert!(!is_response_available(&notif[..4], 12));
    }
}
