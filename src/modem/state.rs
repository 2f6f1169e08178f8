//! The modem snapshot published through `tokio::sync::watch`, and the events
//! published through `broadcast`. The actor updates the snapshot from every
//! response and indication it understands, so D-Bus getters read the cache and
//! never talk to the device (as ModemManager's caches do).

use mbim_proto::services::ExtendedVersion;
use mbim_proto::services::Payload;
use mbim_proto::services::basic_connect::{
    self as bc, ConnectInfo, DeviceCapsInfo, DeviceServicesInfo, IpConfigurationInfo,
    PacketServiceInfo, PinInfo, RadioStateInfo, RegistrationStateInfo, SignalStateInfo,
    SubscriberReadyInfo,
};
use mbim_proto::services::ms_basic_connect_extensions::{self as ms_bce, LocationInfo};
use mbim_proto::services::ms_voice_extensions::{self, NitzInfo};
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
    /// The serving cell (MS Basic Connect Extensions LOCATION_INFO_STATUS).
    pub location: Option<LocationInfo>,
    /// The network's time as last received (MS Voice Extensions NITZ).
    pub nitz: Option<NitzInfo>,
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
    /// Payloads are read with the layout of the negotiated MBIMEx version and
    /// cached in their MBIM 1.0 form (fields added by 2.0/3.0 are dropped).
    pub fn apply(&mut self, service: &Uuid, cid: u32, info: &[u8]) {
        use mbim_proto::services::{
            Decoded, Kind, basic_connect_v2 as v2, basic_connect_v3 as v3, decode_basic_connect,
        };
        let service = uuid::canonical(*service);
        // Microsoft extensions with one fixed layout in every MBIMEx version.
        if service == uuid::MS_BASIC_CONNECT_EXTENSIONS && cid == ms_bce::cid::LOCATION_INFO_STATUS
        {
            if let Ok(x) = LocationInfo::decode(info) {
                self.location = Some(x);
            }
            return;
        }
        if service == uuid::MS_VOICE_EXTENSIONS && cid == ms_voice_extensions::cid::NITZ {
            if let Ok(x) = NitzInfo::decode(info) {
                self.nitz = Some(x);
            }
            return;
        }
        if service != uuid::BASIC_CONNECT {
            return;
        }
        // Responses and indications share their layouts.
        let Ok(d) = decode_basic_connect(cid, Kind::Response, self.version, info) else {
            return;
        };
        match d {
            Decoded::BasicConnect(p) => match p {
                bc::Any::DeviceCapsInfo(x) => self.device_caps = Some(x),
                bc::Any::DeviceServicesInfo(x) => self.device_services = Some(x),
                bc::Any::SubscriberReadyInfo(x) => self.subscriber = Some(x),
                bc::Any::RadioStateInfo(x) => self.radio = Some(x),
                bc::Any::PinInfo(x) => self.pin = Some(x),
                bc::Any::RegistrationStateInfo(x) => self.registration = Some(x),
                bc::Any::PacketServiceInfo(x) => self.packet_service = Some(x),
                bc::Any::SignalStateInfo(x) => self.signal = Some(x),
                bc::Any::ConnectInfo(x) => self.connection(x),
                bc::Any::IpConfigurationInfo(ip) => {
                    self.ip_configurations.insert(ip.session_id, ip);
                }
                _ => {}
            },
            Decoded::BasicConnectV2(p) => match p {
                v2::Any::RegistrationStateInfoV2(x) => self.registration = Some(x.into()),
                v2::Any::PacketServiceInfoV2(x) => self.packet_service = Some(x.into()),
                v2::Any::SignalStateInfoV2(x) => self.signal = Some(x.into()),
            },
            Decoded::BasicConnectV3(p) => match p {
                v3::Any::SubscriberReadyInfoV3(x) => self.subscriber = Some(x.into()),
                v3::Any::PacketServiceInfoV3(x) => self.packet_service = Some(x.into()),
                v3::Any::ConnectInfoV3(x) => self.connection(x.into()),
                _ => {}
            },
            _ => {}
        }
    }

    fn connection(&mut self, c: ConnectInfo) {
        if c.activation_state == bc::ActivationState::DEACTIVATED {
            self.ip_configurations.remove(&c.session_id);
        }
        self.connections.insert(c.session_id, c);
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

#[cfg(test)]
mod tests {
    use super::*;
    use mbim_proto::services::Payload;
    use mbim_proto::services::basic_connect_v2::RegistrationStateInfoV2;
    use mbim_proto::services::basic_connect_v3::{ConnectInfoV3, SubscriberReadyInfoV3};

    #[test]
    fn payloads_are_read_in_the_negotiated_layout_and_cached_as_1_0() {
        let mut st = ModemState {
            version: ExtendedVersion::V3,
            ..ModemState::default()
        };
        let sub = SubscriberReadyInfoV3 {
            ready_state: bc::SubscriberReadyState::INITIALIZED,
            subscriber_id: "001010123456789".into(),
            ..SubscriberReadyInfoV3::default()
        };
        st.apply(&uuid::BASIC_CONNECT, 2, &sub.to_bytes().unwrap());
        let cached = st.subscriber.clone().unwrap();
        assert_eq!(cached.subscriber_id, "001010123456789");
        assert_eq!(cached.ready_state, bc::SubscriberReadyState::INITIALIZED);
        // REGISTER_STATE keeps its 2.0 layout under 3.0.
        let reg = RegistrationStateInfoV2 {
            register_state: bc::RegisterState::HOME,
            provider_name: "Op".into(),
            preferred_data_classes: bc::DataClass::NR5G_SA,
            ..RegistrationStateInfoV2::default()
        };
        st.apply(&uuid::BASIC_CONNECT, 9, &reg.to_bytes().unwrap());
        assert_eq!(st.registration.as_ref().unwrap().provider_name, "Op");
        let c = ConnectInfoV3 {
            session_id: 3,
            activation_state: bc::ActivationState::ACTIVATED,
            access_string: "internet".into(),
            ..ConnectInfoV3::default()
        };
        st.apply(&uuid::BASIC_CONNECT, 12, &c.to_bytes().unwrap());
        assert_eq!(
            st.connections[&3].activation_state,
            bc::ActivationState::ACTIVATED
        );
    }
}
