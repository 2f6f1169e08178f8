//! The USSD session state machine of one modem, as ModemManager's
//! `Modem3gpp.Ussd` exposes it: `idle`, `active` (a request is with the
//! network) and `user-response` (the network asked a question).
//!
//! * `initiate` only from `idle`; `respond` only from `user-response`;
//!   `cancel` from any state (MM semantics, modemmanager-api.md).
//! * Strings are coded with `messaging::ussd` (GSM 7-bit packed when every
//!   character fits, else UCS-2) and decoded per the reply's DCS.
//! * Network-initiated notifications/requests arrive as USSD indications;
//!   whoever receives them (the ingest pipeline publishes them as
//!   [`super::ingest::MessagingEvent::IncomingUssd`]) passes them to
//!   [`UssdSession::network_indication`] so the state follows (a request
//!   moves to `user-response`).
//!
//! This module does no D-Bus and publishes no events; the state is a
//! `watch` channel the D-Bus `State` property can follow.

use super::dcs::CbsDataCodingScheme;
use super::error::{EncodeError, PduError};
use crate::modem::ops::ussd;
use crate::modem::{ModemHandle, OperationError};
use mbim_proto::services::ussd::{UssdAction, UssdInfo, UssdResponse};
use std::sync::Arc;
use tokio::sync::{Mutex, watch};

/// Session state (`MMModem3gppUssdSessionState` names).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum UssdState {
    /// No session.
    #[default]
    Idle,
    /// Waiting for the network.
    Active,
    /// The network expects a response.
    UserResponse,
}

impl UssdState {
    /// ModemManager's name.
    pub fn name(self) -> &'static str {
        match self {
            UssdState::Idle => "idle",
            UssdState::Active => "active",
            UssdState::UserResponse => "user-response",
        }
    }
}

/// A reply from the network.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UssdReply {
    /// Decoded text.
    pub text: String,
    /// The network expects a response (state is now `user-response`).
    pub action_required: bool,
}

/// Why a USSD operation failed.
#[derive(Debug, thiserror::Error)]
pub enum UssdError {
    /// Not possible in the current state.
    #[error("USSD session is {state}: {what}", state = .0.name(), what = .1)]
    WrongState(UssdState, &'static str),
    /// The text cannot be coded.
    #[error("cannot encode the USSD string: {0}")]
    Encode(#[from] EncodeError),
    /// The reply cannot be decoded.
    #[error("cannot decode the network's reply: {0}")]
    Decode(#[from] PduError),
    /// The network or modem refused (`MBIM_USSD_RESPONSE` name).
    #[error("USSD failed: {0}")]
    Network(&'static str),
    /// The request failed.
    #[error(transparent)]
    Modem(#[from] OperationError),
}

/// The USSD session of one modem. Cloneable; clones share the session.
#[derive(Debug, Clone)]
pub struct UssdSession {
    handle: ModemHandle,
    state: Arc<watch::Sender<UssdState>>,
    // Serialises initiate/respond/cancel so the state checks hold.
    turn: Arc<Mutex<()>>,
}

fn response_name(r: UssdResponse) -> &'static str {
    match r {
        UssdResponse::TERMINATED_BY_NETWORK => "terminated by the network",
        UssdResponse::OTHER_LOCAL_CLIENT => "another local client answered",
        UssdResponse::OPERATION_NOT_SUPPORTED => "operation not supported",
        UssdResponse::NETWORK_TIMEOUT => "network timeout",
        _ => "unknown response",
    }
}

/// Decode a USSD payload per its DCS (MBIM carries the DCS in a u32).
pub fn decode_payload(info: &UssdInfo) -> Result<String, PduError> {
    let dcs = CbsDataCodingScheme(u8::try_from(info.ussd_data_coding_scheme).unwrap_or(0x0F));
    super::ussd::decode(dcs, &info.ussd_payload.0)
}

impl UssdSession {
    /// A session over `handle`, idle.
    pub fn new(handle: ModemHandle) -> Self {
        UssdSession {
            handle,
            state: Arc::new(watch::channel(UssdState::Idle).0),
            turn: Arc::new(Mutex::new(())),
        }
    }

    /// The current state.
    pub fn state(&self) -> UssdState {
        *self.state.borrow()
    }

    /// Follow state changes.
    pub fn watch(&self) -> watch::Receiver<UssdState> {
        self.state.subscribe()
    }

    /// Start a session with `command` (e.g. `*100#`).
    pub async fn initiate(&self, command: &str) -> Result<UssdReply, UssdError> {
        let _turn = self.turn.lock().await;
        let s = self.state();
        if s != UssdState::Idle {
            return Err(UssdError::WrongState(s, "cannot initiate"));
        }
        self.exchange(UssdAction::INITIATE, command).await
    }

    /// Answer the network's question.
    pub async fn respond(&self, response: &str) -> Result<UssdReply, UssdError> {
        let _turn = self.turn.lock().await;
        let s = self.state();
        if s != UssdState::UserResponse {
            return Err(UssdError::WrongState(s, "nothing to respond to"));
        }
        self.exchange(UssdAction::CONTINUE, response).await
    }

    /// End the session (always ends up idle).
    pub async fn cancel(&self) -> Result<(), UssdError> {
        let _turn = self.turn.lock().await;
        let r = ussd::ussd(&self.handle, UssdAction::CANCEL, 0x0F, Vec::new()).await;
        self.state.send_replace(UssdState::Idle);
        r?;
        Ok(())
    }

    /// A network-initiated USSD indication: returns its text and whether it
    /// asks for a response, and moves the state accordingly.
    pub fn network_indication(&self, info: &UssdInfo) -> Result<UssdReply, UssdError> {
        let action_required = info.ussd_response == UssdResponse::ACTION_REQUIRED;
        let next = match info.ussd_response {
            UssdResponse::ACTION_REQUIRED => UssdState::UserResponse,
            UssdResponse::NO_ACTION_REQUIRED => self.state(),
            _ => UssdState::Idle,
        };
        self.state.send_replace(next);
        Ok(UssdReply {
            text: decode_payload(info)?,
            action_required,
        })
    }

    async fn exchange(&self, action: UssdAction, text: &str) -> Result<UssdReply, UssdError> {
        let coded = super::ussd::encode(text)?;
        self.state.send_replace(UssdState::Active);
        let info = match ussd::ussd(
            &self.handle,
            action,
            u32::from(coded.data_coding_scheme.0),
            coded.data,
        )
        .await
        {
            Ok(i) => i,
            Err(e) => {
                self.state.send_replace(UssdState::Idle);
                return Err(e.into());
            }
        };
        let next = match info.ussd_response {
            UssdResponse::ACTION_REQUIRED => UssdState::UserResponse,
            UssdResponse::NO_ACTION_REQUIRED => UssdState::Idle,
            other => {
                self.state.send_replace(UssdState::Idle);
                return Err(UssdError::Network(response_name(other)));
            }
        };
        self.state.send_replace(next);
        Ok(UssdReply {
            text: decode_payload(&info)?,
            action_required: next == UssdState::UserResponse,
        })
    }
}
