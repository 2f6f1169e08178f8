//! Packet attach/detach and data connections per session id (several PDP
//! contexts at once), following ModemManager's connect sequence
//! (modemmanager-api.md §8.3): query the session, deactivate it if active,
//! activate, then read the IP configuration; on failure send an explicit
//! deactivate so the modem does not keep a half-open context.

use crate::modem::{ModemHandle, OperationError, RequestError};
use mbim_proto::services::ExtendedVersion;
use mbim_proto::services::basic_connect::{
    ActivationCommand, ActivationState, AuthProtocol, Compression, ConnectInfo, ConnectQuery,
    ContextIpType, IpConfigurationInfo, IpConfigurationQuery, PacketServiceAction,
    PacketServiceInfo, SetConnect, SetPacketService,
};
use mbim_proto::services::basic_connect_v3::{ConnectQueryV3, SetConnectV3};
use mbim_proto::{Uuid, uuid};
use std::time::Duration;

/// MM's bearer connection timeout.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(180);

/// What to connect.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConnectParams {
    /// 0..=255; 0 is the main (non-multiplexed) session.
    pub session_id: u32,
    pub apn: String,
    pub user: String,
    /// Personal data; never logged.
    pub password: String,
    /// `None` picks CHAP when credentials are given, else none (MM's default).
    pub auth: Option<AuthProtocol>,
    pub ip_type: ContextIpType,
    pub context_type: Uuid,
}

impl Default for ConnectParams {
    fn default() -> Self {
        ConnectParams {
            session_id: 0,
            apn: String::new(),
            user: String::new(),
            password: String::new(),
            auth: None,
            ip_type: ContextIpType::IPV4V6,
            context_type: uuid::CONTEXT_TYPE_INTERNET,
        }
    }
}

/// A connected session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConnectResult {
    pub connect: ConnectInfo,
    pub ip: Option<IpConfigurationInfo>,
}

/// Attach to packet service.
pub async fn attach(h: &ModemHandle) -> Result<PacketServiceInfo, OperationError> {
    let _op = h.operation().await;
    Ok(h.request_v1_view_with_timeout(
        &SetPacketService {
            packet_service_action: PacketServiceAction::ATTACH,
        },
        Some(Duration::from_secs(60)),
    )
    .await?)
}

/// Detach from packet service.
pub async fn detach(h: &ModemHandle) -> Result<PacketServiceInfo, OperationError> {
    let _op = h.operation().await;
    Ok(h.request_v1_view(&SetPacketService {
        packet_service_action: PacketServiceAction::DETACH,
    })
    .await?)
}

/// CONNECT set in the layout of the negotiated MBIMEx version (3.0 moved
/// the strings into TLVs; windows-operator-formats.md §7.3).
async fn set_connect(
    h: &ModemHandle,
    req: SetConnect,
    timeout: Option<Duration>,
) -> Result<ConnectInfo, RequestError> {
    if h.state().version >= ExtendedVersion::V3 {
        let v3 = SetConnectV3::from(req);
        return h.request_with_timeout(&v3, timeout).await.map(Into::into);
    }
    h.request_with_timeout(&req, timeout).await
}

/// CONNECT query in the layout of the negotiated MBIMEx version.
async fn query_connect(h: &ModemHandle, session_id: u32) -> Result<ConnectInfo, RequestError> {
    if h.state().version >= ExtendedVersion::V3 {
        return h
            .request(&ConnectQueryV3 { session_id })
            .await
            .map(Into::into);
    }
    h.request(&ConnectQuery::session(session_id)).await
}

fn deactivate(session_id: u32) -> SetConnect {
    SetConnect {
        session_id,
        activation_command: ActivationCommand::DEACTIVATE,
        context_type: uuid::CONTEXT_TYPE_INTERNET,
        ..SetConnect::default()
    }
}

/// Connect `params.session_id`.
pub async fn connect(
    h: &ModemHandle,
    params: &ConnectParams,
) -> Result<ConnectResult, OperationError> {
    if params.session_id > 255 {
        return Err(OperationError::InvalidArgument(
            "session id must be 0..=255".into(),
        ));
    }
    let _op = h.operation().await;
    // Check and clear a session left active (by us before a restart, or another client).
    if let Ok(cur) = query_connect(h, params.session_id).await
        && cur.activation_state == ActivationState::ACTIVATED
    {
        let _ = set_connect(h, deactivate(params.session_id), None).await;
    }
    let auth = params
        .auth
        .unwrap_or(if params.user.is_empty() && params.password.is_empty() {
            AuthProtocol::NONE
        } else {
            AuthProtocol::CHAP
        });
    let req = SetConnect {
        session_id: params.session_id,
        activation_command: ActivationCommand::ACTIVATE,
        access_string: params.apn.clone(),
        user_name: params.user.clone(),
        password: params.password.clone(),
        compression: Compression::NONE,
        auth_protocol: auth,
        ip_type: params.ip_type,
        context_type: params.context_type,
    };
    let info = match set_connect(h, req, Some(CONNECT_TIMEOUT)).await {
        Ok(i) => i,
        Err(e) => {
            if !matches!(e, RequestError::ModemGone) {
                let _ = set_connect(h, deactivate(params.session_id), None).await;
            }
            return Err(e.into());
        }
    };
    if info.activation_state != ActivationState::ACTIVATED {
        let _ = set_connect(h, deactivate(params.session_id), None).await;
        return Err(OperationError::WrongState(format!(
            "session {} is {} after activation (network error {})",
            params.session_id, info.activation_state, info.nw_error
        )));
    }
    let ip = h
        .request(&IpConfigurationQuery::session(params.session_id))
        .await
        .ok();
    Ok(ConnectResult { connect: info, ip })
}

/// Disconnect a session.
pub async fn disconnect(h: &ModemHandle, session_id: u32) -> Result<ConnectInfo, OperationError> {
    let _op = h.operation().await;
    Ok(set_connect(h, deactivate(session_id), None).await?)
}

/// Read the IP configuration of a session.
pub async fn ip_configuration(
    h: &ModemHandle,
    session_id: u32,
) -> Result<IpConfigurationInfo, OperationError> {
    Ok(h.request(&IpConfigurationQuery::session(session_id))
        .await?)
}
