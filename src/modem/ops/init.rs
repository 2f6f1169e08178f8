//! Initialisation after the function is open: what ModemManager's MBIM plugin
//! reads before exporting a modem (caps, device services, subscriber status,
//! radio, registration, signal, packet service; the serving cell and the
//! network time where the modem offers them) and the indication
//! subscription it sets on enable (modemmanager-api.md §8.2).

use crate::modem::{ModemHandle, OperationError, RequestError};
use mbim_proto::services::basic_connect::{
    self as bc, DeviceCapsInfo, DeviceCapsQuery, DeviceServiceSubscribeList, DeviceServicesInfo,
    DeviceServicesQuery, EventEntry, PacketServiceInfo, PacketServiceQuery, RadioStateInfo,
    RadioStateQuery, RegisterStateQuery, RegistrationStateInfo, SignalStateInfo, SignalStateQuery,
    SubscriberReadyInfo, SubscriberReadyStatusQuery,
};
use mbim_proto::services::{ms_basic_connect_extensions as ms_bce, ms_voice_extensions};
use mbim_proto::{Status, uuid};

/// What initialisation learnt.
#[derive(Debug, Clone)]
pub struct Initialized {
    pub caps: DeviceCapsInfo,
    pub services: DeviceServicesInfo,
    /// `None` when the SIM is missing or locked (the modem still exports).
    pub subscriber: Option<SubscriberReadyInfo>,
    pub radio: RadioStateInfo,
    pub registration: Option<RegistrationStateInfo>,
    pub signal: Option<SignalStateInfo>,
    pub packet_service: Option<PacketServiceInfo>,
}

/// Tolerate statuses that mean "not now" rather than "broken".
fn optional<T>(r: Result<T, RequestError>) -> Result<Option<T>, OperationError> {
    match r {
        Ok(v) => Ok(Some(v)),
        Err(RequestError::Status {
            status:
                Status::SIM_NOT_INSERTED
                | Status::PIN_REQUIRED
                | Status::BAD_SIM
                | Status::NOT_INITIALIZED
                | Status::RADIO_POWER_OFF
                | Status::NOT_REGISTERED
                | Status::FAILURE
                | Status::NO_DEVICE_SUPPORT,
            ..
        }) => Ok(None),
        Err(e) => Err(e.into()),
    }
}

/// The indications mbimd subscribes to (MM's list, §8.2).
pub fn subscribe_list(services: &DeviceServicesInfo) -> DeviceServiceSubscribeList {
    let mut events = vec![EventEntry {
        device_service_id: uuid::BASIC_CONNECT,
        cids: vec![
            bc::cid::SUBSCRIBER_READY_STATUS,
            bc::cid::RADIO_STATE,
            bc::cid::REGISTER_STATE,
            bc::cid::PACKET_SERVICE,
            bc::cid::SIGNAL_STATE,
            bc::cid::CONNECT,
            bc::cid::PROVISIONED_CONTEXTS,
            bc::cid::IP_CONFIGURATION,
        ],
    }];
    let offered = |s: mbim_proto::Uuid| {
        services
            .device_services
            .iter()
            .any(|d| uuid::canonical(d.device_service_id) == s)
    };
    if offered(uuid::SMS) {
        events.push(EventEntry {
            device_service_id: uuid::SMS,
            cids: vec![2, 5], // READ (class 0 / new), MESSAGE_STORE_STATUS
        });
    }
    if offered(uuid::USSD) {
        events.push(EventEntry {
            device_service_id: uuid::USSD,
            cids: vec![1],
        });
    }
    // The serving cell and the network time (Modem.Location, Modem.Time).
    for (service, cid) in [
        (
            uuid::MS_BASIC_CONNECT_EXTENSIONS,
            ms_bce::cid::LOCATION_INFO_STATUS,
        ),
        (uuid::MS_VOICE_EXTENSIONS, ms_voice_extensions::cid::NITZ),
    ] {
        if offers(services, service, cid) {
            match events
                .iter_mut()
                .find(|e| uuid::canonical(e.device_service_id) == service)
            {
                Some(e) => e.cids.push(cid),
                None => events.push(EventEntry {
                    device_service_id: service,
                    cids: vec![cid],
                }),
            }
        }
    }
    DeviceServiceSubscribeList { events }
}

/// Whether DEVICE_SERVICES lists `cid` of `service`.
fn offers(services: &DeviceServicesInfo, service: mbim_proto::Uuid, cid: u32) -> bool {
    services
        .device_services
        .iter()
        .any(|d| uuid::canonical(d.device_service_id) == service && d.cids.contains(&cid))
}

/// Read everything a client needs and subscribe to indications.
pub async fn initialize(h: &ModemHandle) -> Result<Initialized, OperationError> {
    let _op = h.operation().await;
    h.ready().await?;
    let caps = h.request(&DeviceCapsQuery).await?;
    let services = h.request(&DeviceServicesQuery).await?;
    // These four change layout under MBIMEx 2.0/3.0.
    let subscriber = optional(h.request_v1_view(&SubscriberReadyStatusQuery).await)?;
    let radio = h.request(&RadioStateQuery).await?;
    let registration = optional(h.request_v1_view(&RegisterStateQuery).await)?;
    let signal = optional(h.request_v1_view(&SignalStateQuery).await)?;
    let packet_service = optional(h.request_v1_view(&PacketServiceQuery).await)?;
    // Read into the state snapshot (Modem.Location, Modem.Time); a modem
    // that refuses them now reports them by indication later.
    if offers(
        &services,
        uuid::MS_BASIC_CONNECT_EXTENSIONS,
        ms_bce::cid::LOCATION_INFO_STATUS,
    ) {
        let _ = h.request(&ms_bce::LocationInfoStatusQuery).await;
    }
    if offers(
        &services,
        uuid::MS_VOICE_EXTENSIONS,
        ms_voice_extensions::cid::NITZ,
    ) {
        let _ = h.request(&ms_voice_extensions::NitzQuery).await;
    }
    let list = subscribe_list(&services);
    h.request(&list).await?;
    Ok(Initialized {
        caps,
        services,
        subscriber,
        radio,
        registration,
        signal,
        packet_service,
    })
}
