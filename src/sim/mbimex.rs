//! The MBIMEx 2.0/3.0 layouts of the Basic Connect payloads the extensions
//! redefine (windows-operator-formats.md §7.3, mbim-and-libmbim.md §3.1),
//! for the simulated device.
//!
//! [`super::modem`] works in MBIM 1.0 terms. Once the host and device agree
//! on a version, [`super::device::Device`] passes each Basic Connect request
//! through [`request_to_v1`] before the modem sees it, and each answer or
//! indication through [`to_version`] on the way out. Which payloads change
//! at which version is read from `mbim_proto::services::layout_version`, so
//! the simulator follows the codec's tables; every layout is built with
//! `mbim_proto`'s typed payloads. This module holds no state of its own.

use super::modem::Modem;
use mbim_proto::Status;
use mbim_proto::services::basic_connect::{
    self as bc, ConnectInfo, PacketFilter, PacketFilters, PacketServiceInfo, RegistrationStateInfo,
    SignalStateInfo, SubscriberReadyInfo, cid,
};
use mbim_proto::services::basic_connect_v2::{
    FrequencyRange, PacketServiceInfoV2, RegistrationStateInfoV2, SignalStateInfoV2,
};
use mbim_proto::services::basic_connect_v3::{
    AccessMediaType, ConnectInfoV3, ConnectQueryV3, PacketFilterV3, PacketFiltersV3,
    PacketServiceInfoV3, SetConnectV3, SubscriberReadyInfoV3, SubscriberReadyStatusFlag, Tai,
};
use mbim_proto::services::ms_basic_connect_extensions::DataSubclass;
use mbim_proto::services::{ExtendedVersion, Kind, Payload, layout_version};
use mbim_proto::uuid::BASIC_CONNECT;

/// The layout version of Basic Connect (cid, kind) under `version`.
fn layout(c: u32, kind: Kind, version: u16) -> ExtendedVersion {
    layout_version(&BASIC_CONNECT, c, kind, ExtendedVersion(version)).unwrap_or_default()
}

/// A Basic Connect request in the host's layout, as the modem's MBIM 1.0
/// request: `Ok(None)` when the layout is 1.0 already, `Err` with the
/// status to answer when it does not decode.
pub(super) fn request_to_v1(
    version: u16,
    c: u32,
    set: bool,
    buf: &[u8],
) -> Result<Option<Vec<u8>>, Status> {
    let kind = if set { Kind::Set } else { Kind::Query };
    if layout(c, kind, version) < ExtendedVersion::V3 {
        return Ok(None);
    }
    let bad = |_| Status::INVALID_PARAMETERS;
    let v1 = match (c, set) {
        (cid::CONNECT, true) => {
            let r = SetConnectV3::decode(buf).map_err(bad)?;
            bc::SetConnect {
                session_id: r.session_id,
                activation_command: r.activation_command,
                access_string: r.access_string,
                user_name: r.user_name,
                password: r.password,
                compression: r.compression,
                auth_protocol: r.auth_protocol,
                ip_type: r.ip_type,
                context_type: r.context_type,
            }
            .to_bytes()
        }
        (cid::CONNECT, false) => {
            let q = ConnectQueryV3::decode(buf).map_err(bad)?;
            bc::ConnectQuery::session(q.session_id).to_bytes()
        }
        (cid::IP_PACKET_FILTERS, _) => {
            let r = PacketFiltersV3::decode(buf).map_err(bad)?;
            PacketFilters {
                session_id: r.session_id,
                packet_filters: r
                    .packet_filters
                    .into_iter()
                    .map(|f| PacketFilter {
                        packet_filter: f.packet_filter,
                        packet_mask: f.packet_mask,
                    })
                    .collect(),
            }
            .to_bytes()
        }
        _ => return Ok(None),
    };
    v1.map(Some).map_err(|_| Status::INVALID_PARAMETERS)
}

/// The FilterIds of a MBIMEx 3.0 IP_PACKET_FILTERS set, in filter order
/// (the modem keeps 1.0 filters, which have none).
pub(super) fn filter_ids(buf: &[u8]) -> Option<(u32, Vec<u32>)> {
    let r = PacketFiltersV3::decode(buf).ok()?;
    Some((
        r.session_id,
        r.packet_filters.iter().map(|f| f.filter_id).collect(),
    ))
}

/// A Basic Connect response or indication payload (`kind`) in MBIM 1.0
/// layout, re-encoded in the layout `version` uses. Payloads no extension
/// changes, and any that fail to decode (status-only failures), pass
/// through unchanged. `ids` gives the FilterIds of IP_PACKET_FILTERS.
pub(super) fn to_version(
    version: u16,
    modem: &Modem,
    c: u32,
    kind: Kind,
    payload: Vec<u8>,
    ids: &dyn Fn(u32) -> Vec<u32>,
) -> Vec<u8> {
    let layout = layout(c, kind, version);
    if layout == ExtendedVersion::V1 || payload.is_empty() {
        return payload;
    }
    let converted = match (c, layout) {
        (cid::REGISTER_STATE, _) => RegistrationStateInfo::decode(&payload)
            .ok()
            .map(|r| registration_v2(modem, r).to_bytes()),
        (cid::SIGNAL_STATE, _) => SignalStateInfo::decode(&payload)
            .ok()
            .map(|s| signal_v2(s).to_bytes()),
        (cid::PACKET_SERVICE, ExtendedVersion::V2) => PacketServiceInfo::decode(&payload)
            .ok()
            .map(|p| packet_service_v2(p).to_bytes()),
        (cid::PACKET_SERVICE, _) => PacketServiceInfo::decode(&payload)
            .ok()
            .map(|p| packet_service_v3(modem, p).to_bytes()),
        (cid::SUBSCRIBER_READY_STATUS, _) => SubscriberReadyInfo::decode(&payload)
            .ok()
            .map(|s| subscriber_ready_v3(s).to_bytes()),
        (cid::CONNECT, _) => ConnectInfo::decode(&payload)
            .ok()
            .map(|ci| connect_v3(modem, ci).to_bytes()),
        (cid::IP_PACKET_FILTERS, _) => PacketFilters::decode(&payload)
            .ok()
            .map(|f| packet_filters_v3(f, ids).to_bytes()),
        _ => None,
    };
    match converted {
        Some(Ok(bytes)) => bytes,
        _ => payload,
    }
}

/// MBIM_REGISTRATION_STATE_INFO_V2: PreferredDataClasses is what the device
/// supports (the simulator has no preference setting).
fn registration_v2(modem: &Modem, r: RegistrationStateInfo) -> RegistrationStateInfoV2 {
    RegistrationStateInfoV2 {
        nw_error: r.nw_error,
        register_state: r.register_state,
        register_mode: r.register_mode,
        available_data_classes: r.available_data_classes,
        current_cellular_class: r.current_cellular_class,
        provider_id: r.provider_id,
        provider_name: r.provider_name,
        roaming_text: r.roaming_text,
        registration_flag: r.registration_flag,
        preferred_data_classes: modem.scenario().device.data_class,
    }
}

/// MBIM_SIGNAL_STATE_INFO_V2 with no RSRP/SNR entries (the scenario models RSSI only).
fn signal_v2(s: SignalStateInfo) -> SignalStateInfoV2 {
    SignalStateInfoV2 {
        rssi: s.rssi,
        error_rate: s.error_rate,
        signal_strength_interval: s.signal_strength_interval,
        rssi_threshold: s.rssi_threshold,
        error_rate_threshold: s.error_rate_threshold,
        rsrp_snr: Vec::new(),
    }
}

/// MBIM_PACKET_SERVICE_INFO_V2: CurrentDataClass in place of the highest
/// available one; the frequency range is unknown (no 5G).
fn packet_service_v2(p: PacketServiceInfo) -> PacketServiceInfoV2 {
    PacketServiceInfoV2 {
        nw_error: p.nw_error,
        packet_service_state: p.packet_service_state,
        current_data_class: p.highest_available_data_class,
        uplink_speed: p.uplink_speed,
        downlink_speed: p.downlink_speed,
        frequency_range: FrequencyRange::default(),
    }
}

/// MBIM_PACKET_SERVICE_INFO_V3: the TAI is the registered network's PLMN
/// (see [`plmn`])
/// and the serving cell's TAC while attached, zero otherwise.
fn packet_service_v3(modem: &Modem, p: PacketServiceInfo) -> PacketServiceInfoV3 {
    let attached = p.packet_service_state == bc::PacketServiceState::ATTACHED;
    let tai = if attached {
        let (plmn_mcc, plmn_mnc) = plmn(&modem.registration().provider_id);
        Tai {
            plmn_mcc,
            plmn_mnc,
            tac: modem.cell.tracking_area_code,
        }
    } else {
        Tai::default()
    };
    PacketServiceInfoV3 {
        nw_error: p.nw_error,
        packet_service_state: p.packet_service_state,
        highest_available_data_class: p.highest_available_data_class,
        uplink_speed: p.uplink_speed,
        downlink_speed: p.downlink_speed,
        frequency_range: FrequencyRange::default(),
        data_subclass: DataSubclass::default(),
        tai,
    }
}

/// MCC and MNC of a numeric PLMN id, one decimal digit per nibble as
/// libmbim reads MBIM_TAI (`"26201"` → 0x262, 0x01); zeros if not numeric.
fn plmn(id: &str) -> (u16, u16) {
    let num = |s: &str| {
        (!s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()))
            .then(|| u16::from_str_radix(s, 16).ok())
            .flatten()
    };
    match (id.get(..3).and_then(num), id.get(3..).and_then(num)) {
        (Some(mcc), Some(mnc)) => (mcc, mnc),
        _ => (0, 0),
    }
}

/// MBIM_SUBSCRIBER_READY_INFO_V3: the simulated SIM is a removable UICC.
fn subscriber_ready_v3(s: SubscriberReadyInfo) -> SubscriberReadyInfoV3 {
    SubscriberReadyInfoV3 {
        ready_state: s.ready_state,
        flags: SubscriberReadyStatusFlag::SIM_REMOVABILITY_KNOWN
            | SubscriberReadyStatusFlag::SIM_REMOVABLE,
        subscriber_id: s.subscriber_id,
        sim_icc_id: s.sim_icc_id,
        ready_info: s.ready_info,
        telephone_numbers: s.telephone_numbers,
    }
}

/// MBIM_CONNECT_INFO_V3: the session's APN in the AccessString TLV, over 3GPP.
fn connect_v3(modem: &Modem, c: ConnectInfo) -> ConnectInfoV3 {
    let apn = modem
        .sessions()
        .into_iter()
        .find(|(id, _)| *id == c.session_id)
        .map(|(_, apn)| apn)
        .unwrap_or_default();
    ConnectInfoV3 {
        session_id: c.session_id,
        activation_state: c.activation_state,
        voice_call_state: c.voice_call_state,
        ip_type: c.ip_type,
        context_type: c.context_type,
        nw_error: c.nw_error,
        media_preference: if apn.is_empty() {
            AccessMediaType::UNKNOWN
        } else {
            AccessMediaType::THREE_GPP
        },
        access_string: apn,
        unnamed_ies: Vec::new(),
    }
}

/// MBIM_PACKET_FILTERS_V3 with the FilterIds the host set (0 where unknown).
fn packet_filters_v3(f: PacketFilters, ids: &dyn Fn(u32) -> Vec<u32>) -> PacketFiltersV3 {
    let ids = ids(f.session_id);
    PacketFiltersV3 {
        session_id: f.session_id,
        packet_filters: f
            .packet_filters
            .into_iter()
            .enumerate()
            .map(|(i, p)| PacketFilterV3 {
                packet_filter: p.packet_filter,
                packet_mask: p.packet_mask,
                filter_id: ids.get(i).copied().unwrap_or(0),
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plmn_splits_numeric_ids_and_zeroes_others() {
        assert_eq!(plmn("26201"), (0x262, 0x01));
        assert_eq!(plmn("310410"), (0x310, 0x410));
        assert_eq!(plmn("abc"), (0, 0));
        assert_eq!(plmn(""), (0, 0));
    }

    #[test]
    fn v3_connect_set_becomes_the_equivalent_v1_set() {
        let v3 = SetConnectV3 {
            session_id: 2,
            activation_command: bc::ActivationCommand::ACTIVATE,
            access_string: "internet".into(),
            user_name: "u".into(),
            password: "p".into(),
            ip_type: bc::ContextIpType::IPV4V6,
            ..SetConnectV3::default()
        };
        let v1 = request_to_v1(0x0300, cid::CONNECT, true, &v3.to_bytes().unwrap())
            .unwrap()
            .unwrap();
        let got = bc::SetConnect::decode(&v1).unwrap();
        assert_eq!(got.session_id, 2);
        assert_eq!(got.access_string, "internet");
        assert_eq!(got.user_name, "u");
        assert_eq!(got.password, "p");
        assert_eq!(got.ip_type, bc::ContextIpType::IPV4V6);
        // Under 2.0 CONNECT keeps its 1.0 layout: nothing to convert.
        assert_eq!(request_to_v1(0x0200, cid::CONNECT, true, &v1), Ok(None));
        assert_eq!(
            request_to_v1(0x0300, cid::CONNECT, true, &[1, 2, 3]),
            Err(Status::INVALID_PARAMETERS)
        );
    }
}
