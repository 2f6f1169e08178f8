//! The modem snapshot published through `tokio::sync::watch`, and the events
//! published through `broadcast`. The actor updates the snapshot from every
//! response and indication it understands, so D-Bus getters read the cache and
//! never talk to the device (as ModemManager's caches do).

use mbim_proto::services::basic_connect::{
    self as bc, ConnectInfo, DeviceCapsInfo, DeviceServicesInfo, IpConfigurationInfo,
    PacketServiceInfo, PinInfo, RadioStateInfo, RegistrationStateInfo, SignalStateInfo,
    SubscriberReadyInfo,
};
use mbim_proto::services::{ExtendedVersion, Payload};
use mbim_proto::{Uuid, uuid};
use std::collections::BTreeMap;
use std::sync::Arc;

/// Where the actor stands with the device.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Link {
    /// Opening (OPEN sent, or the MBIMEx handshake in progress).
    #[default]
    Opening,
    /// Open and ready for requests.
    Ready,
    /// Too many timeouts; being re-probed.
    Unresponsive,
    /// The device is gone; the actor has ended.
    Gone,
}

/// Everything known about a modem, from its responses and indications.
#[derive(Debug, Clone, Default)]
pub struct ModemState {
    /// A stable name for logs (device path, or `sim:<name>`).
    pub name: String,
    pub link: Link,
    pub version: ExtendedVersion,
    pub device_caps: Option<DeviceCapsInfo>,
    pub device_services: Option<DeviceServicesInfo>,
    pub subscriber: Option<SubscriberReadyInfo>,
    pub radio: Option<RadioStateInfo>,
    pub pin: Option<PinInfo>,
    pub registration: Option<RegistrationStateInfo>,
    pub packet_service: Option<PacketServiceInfo>,
    pub signal: Option<SignalStateInfo>,
    /// When the last SIGNAL_STATE indication arrived (for signal polling).
    pub signal_indications: u64,
    /// Per session id.
    pub connections: BTreeMap<u32, ConnectInfo>,
    /// Per session id.
    pub ip_configurations: BTreeMap<u32, IpConfigurationInfo>,
    /// Bytes from the device that could not be used (framing/decoding errors).
    pub malformed: u64,
    /// Requests that timed out since start.
    pub timeouts: u64,
    /// Times the function was reopened after a reset or unresponsiveness.
    pub reopens: u64,
}

impl ModemState {
    /// Whether `service` lists `cid` in DEVICE_SERVICES.
    pub fn supports(&self, service: &Uuid, cid: u32) -> bool {
        self.device_services.as_ref().is_some_and(|d| {
            d.device_services.iter().any(|s| {
                uuid::canonical(s.device_service_id) == uuid::canonical(*service)
                    && s.cids.contains(&cid)
            })
        })
    }

    /// Update from a response or indication payload; unknown or undecodable
    /// payloads are ignored here (the requester sees the decode error).
    pub fn apply(&mut self, service: &Uuid, cid: u32, info: &[u8]) {
        if uuid::canonical(*service) != uuid::BASIC_CONNECT {
            return;
        }
        // MBIMEx v2/v3 change some of these layouts; until those decoders
        // exist only the v1 layouts are cached.
        let v1 = self.version <= ExtendedVersion::V1;
        match cid {
            bc::cid::DEVICE_CAPS => self.device_caps = DeviceCapsInfo::decode(info).ok(),
            bc::cid::DEVICE_SERVICES => {
                self.device_services = DeviceServicesInfo::decode(info).ok()
            }
            bc::cid::SUBSCRIBER_READY_STATUS if self.version < ExtendedVersion::V3 => {
                self.subscriber = SubscriberReadyInfo::decode(info).ok()
            }
            bc::cid::RADIO_STATE => self.radio = RadioStateInfo::decode(info).ok(),
            bc::cid::PIN => self.pin = PinInfo::decode(info).ok(),
            bc::cid::REGISTER_STATE if v1 => {
                self.registration = RegistrationStateInfo::decode(info).ok()
            }
            bc::cid::PACKET_SERVICE if v1 => {
                self.packet_service = PacketServiceInfo::decode(info).ok()
            }
            bc::cid::SIGNAL_STATE if v1 => self.signal = SignalStateInfo::decode(info).ok(),
            bc::cid::CONNECT if self.version < ExtendedVersion::V3 => {
                if let Ok(c) = ConnectInfo::decode(info) {
                    if c.activation_state == bc::ActivationState::DEACTIVATED {
                        self.ip_configurations.remove(&c.session_id);
                    }
                    self.connections.insert(c.session_id, c);
                }
            }
            bc::cid::IP_CONFIGURATION => {
                if let Ok(ip) = IpConfigurationInfo::decode(info) {
                    self.ip_configurations.insert(ip.session_id, ip);
                }
            }
            _ => {}
        }
    }
}

/// Things that happen to a modem, fanned out to every subscriber.
#[derive(Debug, Clone)]
pub enum ModemEvent {
    /// The function is open and ready (first time, or again after a reset).
    Ready { reopened: bool },
    /// The modem stopped answering; pending requests failed.
    Unresponsive,
    /// The modem is gone; the actor ended.
    Removed { reason: String },
    /// An indication (already applied to the state snapshot).
    Indication {
        service: Uuid,
        cid: u32,
        information_buffer: Arc<Vec<u8>>,
    },
}
