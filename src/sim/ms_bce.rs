//! The simulated MS Basic Connect Extensions service (MBIMEx,
//! windows-operator-formats.md §7): the query CIDs mbimcli and ModemManager
//! use — PROVISIONED_CONTEXTS (v2), LTE_ATTACH_CONFIGURATION, LTE_ATTACH_INFO, SYS_CAPS, DEVICE_CAPS,
//! DEVICE_SLOT_MAPPINGS, SLOT_INFO_STATUS and (when the scenario offers it)
//! LOCATION_INFO_STATUS — answered from the modem's
//! state in the layout of the negotiated version (DEVICE_CAPS and
//! LTE_ATTACH_INFO change at 3.0).
//!
//! VERSION is not here: the agreed version is per-open function state,
//! which [`super::device::Device`] owns. The service is only offered when
//! the scenario's `mbimex_version` is 2.0 or later.

use super::modem::{Modem, Reply, SimState, invalid, scenario_contexts};
use mbim_proto::Status;
use mbim_proto::services::Payload;
use mbim_proto::services::basic_connect::{
    self as bc, Compression, ContextIpType, DataClass, NwError, PacketServiceState,
};
use mbim_proto::services::ms_basic_connect_extensions::{
    ContextMediaType, ContextOperation, ContextRoamingControl, ContextSource, ContextState,
    DataSubclass, DeviceCapsInfoV2, DeviceCapsInfoV3, DeviceSlotMappingInfo, LocationInfo,
    LteAttachConfiguration, LteAttachConfigurationInfo, LteAttachContextOperation,
    LteAttachContextRoamingControl, LteAttachInfo, LteAttachInfoV3, LteAttachState,
    ProvisionedContextElementV2, ProvisionedContextsInfoV2, SetLteAttachConfiguration,
    SetProvisionedContextV2, Slot, SlotInfo, SlotInfoReq, SysCapsInfo, UiccSlotState, cid,
};

/// MS Basic Connect Extensions CIDs the simulator answers (VERSION included).
pub(super) const CIDS: &[u32] = &[
    cid::PROVISIONED_CONTEXTS,
    cid::LTE_ATTACH_CONFIGURATION,
    cid::LTE_ATTACH_INFO,
    cid::SYS_CAPS,
    cid::DEVICE_CAPS,
    cid::DEVICE_SLOT_MAPPINGS,
    cid::SLOT_INFO_STATUS,
    cid::VERSION,
];

/// The MBIMEx attributes of a provisioned context that MBIM 1.0's
/// MBIM_CONTEXT lacks (MBIM_MS_CONTEXT_V2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct ContextAttributes {
    ip_type: ContextIpType,
    state: ContextState,
    roaming: ContextRoamingControl,
    media_type: ContextMediaType,
    source: ContextSource,
}

impl Default for ContextAttributes {
    /// A scenario context: enabled everywhere on cellular, from the operator.
    fn default() -> Self {
        ContextAttributes {
            ip_type: ContextIpType::DEFAULT,
            state: ContextState::ENABLED,
            roaming: ContextRoamingControl::ALLOW_ALL,
            media_type: ContextMediaType::CELLULAR_ONLY,
            source: ContextSource::OPERATOR,
        }
    }
}

impl Modem {
    /// The MS Basic Connect Extensions CIDs this modem lists in
    /// DEVICE_SERVICES.
    pub(super) fn ms_bce_cids(&self) -> Vec<u32> {
        let mut v = CIDS.to_vec();
        if self.scenario.device.location_info {
            v.push(cid::LOCATION_INFO_STATUS);
        }
        v
    }

    /// MBIM_MS_LOCATION_INFO: the serving cell while registered, zeros
    /// otherwise (there is no serving cell).
    fn location_info(&self) -> LocationInfo {
        if self.is_registered() {
            self.cell.clone()
        } else {
            LocationInfo::default()
        }
    }

    /// Move to another cell (a timeline `cell` event): the codes not given
    /// stay, and a LOCATION_INFO_STATUS indication goes out when the
    /// service is offered.
    pub(super) fn move_to_cell(&mut self, lac: Option<u32>, tac: Option<u32>, cell_id: u32) {
        if let Some(l) = lac {
            self.cell.location_area_code = l;
        }
        if let Some(t) = tac {
            self.cell.tracking_area_code = t;
        }
        self.cell.cell_id = cell_id;
        self.serving_cell_changed();
    }

    /// Announce the serving cell (LOCATION_INFO_STATUS indication) when the
    /// service is offered: after a move, and when registration comes or
    /// goes (zeros without a network).
    pub(super) fn serving_cell_changed(&mut self) {
        if self.scenario.device.location_info && self.scenario.device.mbimex_version >= 0x0200 {
            let info = self.location_info();
            self.notify_on(
                mbim_proto::uuid::MS_BASIC_CONNECT_EXTENSIONS,
                cid::LOCATION_INFO_STATUS,
                &info,
            );
        }
    }

    /// Answer an MS Basic Connect Extensions command under MBIMEx `version` (BCD).
    pub(super) fn ms_bce(&mut self, version: u16, c: u32, set: bool, buf: &[u8]) -> Reply {
        let v3 = version >= 0x0300;
        match (c, set) {
            (cid::DEVICE_CAPS, false) if v3 => Reply::ok(&self.device_caps_v3()),
            (cid::DEVICE_CAPS, false) => Reply::ok(&self.device_caps_v2()),
            (cid::SYS_CAPS, false) => Reply::ok(&SysCapsInfo {
                number_of_executors: 1,
                number_of_slots: 1,
                concurrency: 1,
                modem_id: self.modem_id(),
            }),
            (cid::LTE_ATTACH_INFO, false) => match self.sim_gate() {
                Err(s) => Reply::status(s),
                Ok(()) if v3 => Reply::ok(&self.lte_attach_v3()),
                Ok(()) => {
                    let a = self.lte_attach_v3();
                    Reply::ok(&LteAttachInfo {
                        lte_attach_state: a.lte_attach_state,
                        ip_type: a.ip_type,
                        access_string: a.access_string,
                        user_name: a.user_name,
                        password: a.password,
                        compression: a.compression,
                        auth_protocol: a.auth_protocol,
                    })
                }
            },
            (cid::PROVISIONED_CONTEXTS, false) => match self.sim_gate() {
                Err(s) => Reply::status(s),
                Ok(()) => Reply::ok(&self.provisioned_contexts_v2()),
            },
            (cid::PROVISIONED_CONTEXTS, true) => {
                match (self.sim_gate(), SetProvisionedContextV2::decode(buf)) {
                    (Err(s), _) => Reply::status(s),
                    (_, Err(_)) => invalid(),
                    (Ok(()), Ok(req)) => self.set_provisioned_context_v2(req),
                }
            }
            (cid::LTE_ATTACH_CONFIGURATION, false) => match self.sim_gate() {
                Err(s) => Reply::status(s),
                Ok(()) => Reply::ok(&self.lte_attach_configuration()),
            },
            (cid::LTE_ATTACH_CONFIGURATION, true) => {
                match (self.sim_gate(), SetLteAttachConfiguration::decode(buf)) {
                    (Err(s), _) => Reply::status(s),
                    (_, Err(_)) => invalid(),
                    (Ok(()), Ok(req)) => self.set_lte_attach_configuration(req),
                }
            }
            (cid::DEVICE_SLOT_MAPPINGS, false) => Reply::ok(&single_slot()),
            // One executor, one slot: the only valid mapping is executor 0 → slot 0.
            (cid::DEVICE_SLOT_MAPPINGS, true) => match DeviceSlotMappingInfo::decode(buf) {
                Ok(m) if m == single_slot() => Reply::ok(&m),
                _ => invalid(),
            },
            (cid::SLOT_INFO_STATUS, false) => match SlotInfoReq::decode(buf) {
                Ok(r) if r.slot_index == 0 => Reply::ok(&SlotInfo {
                    slot_index: 0,
                    state: self.slot_state(),
                }),
                _ => invalid(),
            },
            (cid::LOCATION_INFO_STATUS, false) if self.scenario.device.location_info => {
                Reply::ok(&self.location_info())
            }
            _ => Reply::status(Status::NO_DEVICE_SUPPORT),
        }
    }

    /// MBIM_MS_PROVISIONED_CONTEXTS_INFO_V2: the Basic Connect contexts with
    /// their MBIMEx attributes.
    fn provisioned_contexts_v2(&self) -> ProvisionedContextsInfoV2 {
        let provisioned_contexts = self
            .contexts
            .iter()
            .map(|c| {
                let a = self
                    .context_v2
                    .get(&c.context_id)
                    .copied()
                    .unwrap_or_default();
                ProvisionedContextElementV2 {
                    context_id: c.context_id,
                    context_type: c.context_type,
                    ip_type: a.ip_type,
                    state: a.state,
                    roaming: a.roaming,
                    media_type: a.media_type,
                    source: a.source,
                    access_string: c.access_string.clone(),
                    user_name: c.user_name.clone(),
                    password: c.password.clone(),
                    compression: c.compression,
                    auth_protocol: c.auth_protocol,
                }
            })
            .collect();
        ProvisionedContextsInfoV2 {
            provisioned_contexts,
        }
    }

    /// MS PROVISIONED_CONTEXTS set: DEFAULT replaces the context of that
    /// ContextType (or adds one with the next free id), DELETE removes the
    /// contexts of that type, RESTORE_FACTORY goes back to the scenario's.
    fn set_provisioned_context_v2(&mut self, req: SetProvisionedContextV2) -> Reply {
        match req.operation {
            ContextOperation::DEFAULT => {
                let attrs = ContextAttributes {
                    ip_type: req.ip_type,
                    state: req.state,
                    roaming: req.roaming,
                    media_type: req.media_type,
                    source: req.source,
                };
                let existing = self
                    .contexts
                    .iter()
                    .position(|c| c.context_type == req.context_type);
                let id = match existing {
                    Some(i) => self.contexts[i].context_id,
                    None => {
                        self.contexts
                            .iter()
                            .map(|c| c.context_id)
                            .max()
                            .unwrap_or(0)
                            + 1
                    }
                };
                let ctx = bc::Context {
                    context_id: id,
                    context_type: req.context_type,
                    access_string: req.access_string,
                    user_name: req.user_name,
                    password: req.password,
                    compression: req.compression,
                    auth_protocol: req.auth_protocol,
                };
                match existing {
                    Some(i) => self.contexts[i] = ctx,
                    None => self.contexts.push(ctx),
                }
                self.context_v2.insert(id, attrs);
            }
            ContextOperation::DELETE => {
                let gone: Vec<u32> = self
                    .contexts
                    .iter()
                    .filter(|c| c.context_type == req.context_type)
                    .map(|c| c.context_id)
                    .collect();
                if gone.is_empty() {
                    return invalid();
                }
                self.contexts.retain(|c| !gone.contains(&c.context_id));
                self.context_v2.retain(|id, _| !gone.contains(id));
            }
            ContextOperation::RESTORE_FACTORY => {
                self.contexts = scenario_contexts(self.scenario());
                self.context_v2.clear();
            }
            _ => return invalid(),
        }
        Reply::ok(&self.provisioned_contexts_v2())
    }

    /// The initial-attach APNs: what the host set, else the factory ones
    /// (the scenario's first APN for home, partner and non-partner networks).
    fn lte_attach_configuration(&self) -> LteAttachConfigurationInfo {
        if let Some(c) = &self.lte_attach_config {
            return LteAttachConfigurationInfo {
                configurations: c.clone(),
            };
        }
        let apn = self.scenario().apns.first();
        let configurations = [
            LteAttachContextRoamingControl::HOME,
            LteAttachContextRoamingControl::PARTNER,
            LteAttachContextRoamingControl::NON_PARTNER,
        ]
        .into_iter()
        .map(|roaming| LteAttachConfiguration {
            ip_type: apn.map_or(ContextIpType::DEFAULT, |a| a.ip_type),
            roaming,
            source: ContextSource::MODEM,
            access_string: apn.map(|a| a.name.clone()).unwrap_or_default(),
            user_name: String::new(),
            password: String::new(),
            compression: Compression::NONE,
            auth_protocol: Default::default(),
        })
        .collect();
        LteAttachConfigurationInfo { configurations }
    }

    /// Set the initial-attach APNs: one per roaming condition (at most
    /// three, no condition twice), or back to the factory ones.
    fn set_lte_attach_configuration(&mut self, req: SetLteAttachConfiguration) -> Reply {
        match req.operation {
            LteAttachContextOperation::RESTORE_FACTORY => self.lte_attach_config = None,
            LteAttachContextOperation::DEFAULT => {
                let mut seen = Vec::new();
                for c in &req.configurations {
                    if seen.contains(&c.roaming) || c.roaming.0 > 2 {
                        return invalid();
                    }
                    seen.push(c.roaming);
                }
                if seen.is_empty() {
                    return invalid();
                }
                self.lte_attach_config = Some(req.configurations);
            }
            _ => return invalid(),
        }
        Reply::ok(&self.lte_attach_configuration())
    }

    /// MBIM_MS_DEVICE_CAPS_INFO_V2: the Basic Connect caps on executor 0.
    fn device_caps_v2(&self) -> DeviceCapsInfoV2 {
        let d = self.device_caps();
        DeviceCapsInfoV2 {
            device_type: d.device_type,
            cellular_class: d.cellular_class,
            voice_class: d.voice_class,
            sim_class: d.sim_class,
            data_class: d.data_class,
            sms_caps: d.sms_caps,
            control_caps: d.control_caps,
            max_sessions: d.max_sessions,
            custom_data_class: d.custom_data_class,
            device_id: d.device_id,
            firmware_info: d.firmware_info,
            hardware_info: d.hardware_info,
            executor_index: 0,
        }
    }

    /// MBIM_MS_DEVICE_CAPS_INFO_V3: adds the band tables from the scenario.
    fn device_caps_v3(&self) -> DeviceCapsInfoV3 {
        let d = self.device_caps();
        let spec = &self.scenario().device;
        // 5G bands mean the device does NR standalone (MBIM_DATA_SUBCLASS).
        let data_subclass = if spec.nr_bands.is_empty() {
            DataSubclass::default()
        } else {
            DataSubclass::NR5G_NR
        };
        DeviceCapsInfoV3 {
            device_type: d.device_type,
            cellular_class: d.cellular_class,
            voice_class: d.voice_class,
            sim_class: d.sim_class,
            data_class: d.data_class,
            sms_caps: d.sms_caps,
            control_caps: d.control_caps,
            data_subclass: u64::from(data_subclass.0),
            max_sessions: d.max_sessions,
            executor_index: 0,
            wcdma_band_class: 0,
            lte_band_class: spec.lte_bands.clone(),
            nr_band_class: spec.nr_bands.clone(),
            custom_data_class: d.custom_data_class,
            device_id: d.device_id,
            firmware_info: d.firmware_info,
            hardware_info: d.hardware_info,
        }
    }

    /// The ModemId of SYS_CAPS: the IMEI's digits as a number (stable per scenario).
    fn modem_id(&self) -> u64 {
        self.scenario()
            .device
            .imei
            .chars()
            .filter_map(|c| c.to_digit(10))
            .fold(0u64, |acc, d| {
                acc.wrapping_mul(10).wrapping_add(u64::from(d))
            })
    }

    /// The LTE default bearer: attached while registered on LTE with packet
    /// service, on the home initial-attach APN.
    fn lte_attach_v3(&self) -> LteAttachInfoV3 {
        let on_lte = self.is_registered()
            && self.packet_service_state() == PacketServiceState::ATTACHED
            && self
                .registration()
                .available_data_classes
                .contains(DataClass::LTE);
        // The default bearer comes up on the home initial-attach APN.
        let home = self
            .lte_attach_configuration()
            .configurations
            .into_iter()
            .find(|c| c.roaming == LteAttachContextRoamingControl::HOME);
        match (on_lte, home) {
            (true, Some(c)) => LteAttachInfoV3 {
                lte_attach_state: LteAttachState::ATTACHED,
                nw_error: NwError::NONE,
                ip_type: c.ip_type,
                access_string: c.access_string,
                user_name: c.user_name,
                password: c.password,
                compression: c.compression,
                auth_protocol: c.auth_protocol,
            },
            _ => LteAttachInfoV3 {
                lte_attach_state: LteAttachState::DETACHED,
                nw_error: self.registration().nw_error,
                ip_type: ContextIpType::DEFAULT,
                ..LteAttachInfoV3::default()
            },
        }
    }

    fn slot_state(&self) -> UiccSlotState {
        match self.sim_state() {
            SimState::Absent => UiccSlotState::EMPTY,
            SimState::Blocked => UiccSlotState::ERROR,
            SimState::PinLocked | SimState::PukLocked | SimState::Ready => UiccSlotState::ACTIVE,
        }
    }
}

fn single_slot() -> DeviceSlotMappingInfo {
    DeviceSlotMappingInfo {
        slot_map: vec![Slot { slot: 0 }],
    }
}
