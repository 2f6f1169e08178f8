//! `ModemHandle`: the cloneable front of a modem actor. D-Bus objects, the
//! CLI and operations hold one; it sends requests to the actor and reads the
//! published state and events. It holds no modem state of its own.

use super::actor::{ActorConfig, ActorExit, ModemActor, ModemCommand, RawRequest};
use super::error::RequestError;
use super::state::{ModemEvent, ModemState};
use crate::transport::Transport;
use mbim_proto::services::{Payload, Request};
use mbim_proto::{CommandType, Uuid};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{broadcast, mpsc, oneshot, watch};
use tokio::task::JoinHandle;

/// An MBIM 1.0 payload type that MBIMEx 2.0/3.0 redefine: how to take it
/// from whichever layout the negotiated version decoded.
pub trait V1View: Payload + Sized {
    /// The 1.0 view of `d`, if `d` is this payload in any version.
    fn from_decoded(d: mbim_proto::services::Decoded) -> Option<Self>;
}

mod v1_view {
    use super::V1View;
    use mbim_proto::services::basic_connect::{
        self as bc, ConnectInfo, PacketServiceInfo, RegistrationStateInfo, SignalStateInfo,
        SubscriberReadyInfo,
    };
    use mbim_proto::services::{Decoded, basic_connect_v2 as v2, basic_connect_v3 as v3};

    impl V1View for SubscriberReadyInfo {
        fn from_decoded(d: Decoded) -> Option<Self> {
            match d {
                Decoded::BasicConnect(bc::Any::SubscriberReadyInfo(x)) => Some(x),
                Decoded::BasicConnectV3(v3::Any::SubscriberReadyInfoV3(x)) => Some(x.into()),
                _ => None,
            }
        }
    }

    impl V1View for RegistrationStateInfo {
        fn from_decoded(d: Decoded) -> Option<Self> {
            match d {
                Decoded::BasicConnect(bc::Any::RegistrationStateInfo(x)) => Some(x),
                Decoded::BasicConnectV2(v2::Any::RegistrationStateInfoV2(x)) => Some(x.into()),
                _ => None,
            }
        }
    }

    impl V1View for PacketServiceInfo {
        fn from_decoded(d: Decoded) -> Option<Self> {
            match d {
                Decoded::BasicConnect(bc::Any::PacketServiceInfo(x)) => Some(x),
                Decoded::BasicConnectV2(v2::Any::PacketServiceInfoV2(x)) => Some(x.into()),
                Decoded::BasicConnectV3(v3::Any::PacketServiceInfoV3(x)) => Some(x.into()),
                _ => None,
            }
        }
    }

    impl V1View for SignalStateInfo {
        fn from_decoded(d: Decoded) -> Option<Self> {
            match d {
                Decoded::BasicConnect(bc::Any::SignalStateInfo(x)) => Some(x),
                Decoded::BasicConnectV2(v2::Any::SignalStateInfoV2(x)) => Some(x.into()),
                _ => None,
            }
        }
    }

    impl V1View for ConnectInfo {
        fn from_decoded(d: Decoded) -> Option<Self> {
            match d {
                Decoded::BasicConnect(bc::Any::ConnectInfo(x)) => Some(x),
                Decoded::BasicConnectV3(v3::Any::ConnectInfoV3(x)) => Some(x.into()),
                _ => None,
            }
        }
    }
}

/// A handle to one modem actor.
#[derive(Debug, Clone)]
pub struct ModemHandle {
    tx: mpsc::Sender<ModemCommand>,
    state: watch::Receiver<ModemState>,
    events: broadcast::Sender<ModemEvent>,
    request_timeout: Duration,
    /// Serialises multi-step operations (the operation queue): an operation
    /// takes the lock for its whole run; single requests do not need it.
    op_lock: Arc<tokio::sync::Mutex<()>>,
}

impl std::fmt::Debug for ModemCommand {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ModemCommand::Request(r) => write!(f, "Request({} cid {})", r.service, r.cid),
            ModemCommand::Shutdown => f.write_str("Shutdown"),
        }
    }
}

/// Start an actor for `transport` on the current tokio runtime.
pub fn spawn<T: Transport>(
    transport: T,
    config: ActorConfig,
) -> (ModemHandle, JoinHandle<ActorExit>) {
    let (tx, rx) = mpsc::channel(64);
    let (state_tx, state_rx) = watch::channel(ModemState {
        name: config.name.clone(),
        ..ModemState::default()
    });
    let (events, _) = broadcast::channel(256);
    let request_timeout = config.request_timeout;
    let actor = ModemActor::new(transport, config, rx, state_tx, events.clone());
    let join = tokio::spawn(actor.run());
    (
        ModemHandle {
            tx,
            state: state_rx,
            events,
            request_timeout,
            op_lock: Arc::new(tokio::sync::Mutex::new(())),
        },
        join,
    )
}

impl ModemHandle {
    /// Send a raw request; returns the information buffer of a successful response.
    pub async fn request_raw(
        &self,
        service: Uuid,
        cid: u32,
        command_type: CommandType,
        payload: Vec<u8>,
        timeout: Option<Duration>,
    ) -> Result<Vec<u8>, RequestError> {
        let (reply, rx) = oneshot::channel();
        self.tx
            .send(ModemCommand::Request(RawRequest {
                service,
                cid,
                command_type,
                payload,
                timeout: timeout.unwrap_or(self.request_timeout),
                reply,
            }))
            .await
            .map_err(|_| RequestError::ModemGone)?;
        rx.await.map_err(|_| RequestError::ModemGone)?
    }

    /// Send a typed request and decode its typed response.
    pub async fn request<R: Request>(&self, req: &R) -> Result<R::Response, RequestError> {
        self.request_with_timeout(req, None).await
    }

    /// As [`ModemHandle::request`], with an explicit timeout.
    pub async fn request_with_timeout<R: Request>(
        &self,
        req: &R,
        timeout: Option<Duration>,
    ) -> Result<R::Response, RequestError> {
        let payload = req.to_bytes().map_err(RequestError::Encode)?;
        let info = self
            .request_raw(R::SERVICE, R::CID, R::COMMAND_TYPE, payload, timeout)
            .await?;
        R::Response::decode(&info).map_err(RequestError::Decode)
    }

    /// Send a typed request whose response layout MBIMEx 2.0/3.0 may
    /// redefine (REGISTER_STATE, PACKET_SERVICE, SIGNAL_STATE,
    /// SUBSCRIBER_READY_STATUS, CONNECT) and read the response in the
    /// negotiated version's layout, as its MBIM 1.0 view (fields the
    /// extensions add are dropped).
    pub async fn request_v1_view<R: Request>(&self, req: &R) -> Result<R::Response, RequestError>
    where
        R::Response: V1View,
    {
        self.request_v1_view_with_timeout(req, None).await
    }

    /// As [`ModemHandle::request_v1_view`], with an explicit timeout.
    pub async fn request_v1_view_with_timeout<R: Request>(
        &self,
        req: &R,
        timeout: Option<Duration>,
    ) -> Result<R::Response, RequestError>
    where
        R::Response: V1View,
    {
        use mbim_proto::services::{Kind, decode_basic_connect};
        let payload = req.to_bytes().map_err(RequestError::Encode)?;
        let info = self
            .request_raw(R::SERVICE, R::CID, R::COMMAND_TYPE, payload, timeout)
            .await?;
        let version = self.state.borrow().version;
        // Every `V1View` is a Basic Connect payload.
        let decoded = decode_basic_connect(R::CID, Kind::Response, version, &info)
            .map_err(RequestError::Decode)?;
        match R::Response::from_decoded(decoded) {
            Some(v) => Ok(v),
            // Not a layout this type knows: report the 1.0 decoder's error.
            None => R::Response::decode(&info).map_err(RequestError::Decode),
        }
    }

    /// A copy of the current state snapshot.
    pub fn state(&self) -> ModemState {
        self.state.borrow().clone()
    }

    /// A receiver that sees every state change.
    pub fn watch(&self) -> watch::Receiver<ModemState> {
        self.state.clone()
    }

    /// Subscribe to events (indications, readiness, removal).
    pub fn events(&self) -> broadcast::Receiver<ModemEvent> {
        self.events.subscribe()
    }

    /// Wait until the function is open and ready (or gone).
    pub async fn ready(&self) -> Result<(), RequestError> {
        let mut w = self.state.clone();
        loop {
            match w.borrow_and_update().link {
                super::state::Link::Ready => return Ok(()),
                super::state::Link::Gone => return Err(RequestError::ModemGone),
                _ => {}
            }
            if w.changed().await.is_err() {
                return Err(RequestError::ModemGone);
            }
        }
    }

    /// Take the operation lock (multi-step operations run one at a time).
    pub async fn operation(&self) -> tokio::sync::OwnedMutexGuard<()> {
        self.op_lock.clone().lock_owned().await
    }

    /// Ask the actor to close the function and stop.
    pub async fn shutdown(&self) {
        let _ = self.tx.send(ModemCommand::Shutdown).await;
    }

    /// Whether the actor is still running.
    pub fn is_alive(&self) -> bool {
        !self.tx.is_closed()
    }
}
