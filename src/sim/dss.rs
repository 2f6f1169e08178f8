//! The simulated Device Service Stream service (MBIM 1.0 §10.5.34): DSS
//! CONNECT opens and closes streams for services the device lists as
//! DSS-capable. The simulator carries no DSS data; it tracks the sessions so
//! that the status codes are right.

use super::modem::{Modem, Reply, invalid};
use mbim_proto::Status;
use mbim_proto::services::dss::{DssLinkState, SetDssConnect, cid};
use mbim_proto::services::{Empty, Payload};

/// DSS CIDs the simulator answers.
pub(super) const CIDS: &[u32] = &[cid::CONNECT];

/// DSS sessions open at once (DEVICE_SERVICES MaxDssSessions).
pub(super) const MAX_DSS_SESSIONS: u32 = 1;

impl Modem {
    pub(super) fn dss(&mut self, c: u32, set: bool, buf: &[u8]) -> Reply {
        if c != cid::CONNECT || !set {
            return Reply::status(Status::NO_DEVICE_SUPPORT);
        }
        let Ok(req) = SetDssConnect::decode(buf) else {
            return invalid();
        };
        let key = (req.device_service_id, req.dss_session_id);
        match req.dss_link_state {
            DssLinkState::ACTIVATE => {
                if self.dss_sessions.contains(&key) {
                    return Reply::ok(&Empty);
                }
                if self.dss_sessions.len() as u32 >= MAX_DSS_SESSIONS {
                    return Reply::status(Status::DSS_INSTANCE_LIMIT);
                }
                self.dss_sessions.push(key);
                Reply::ok(&Empty)
            }
            DssLinkState::DEACTIVATE => {
                let before = self.dss_sessions.len();
                self.dss_sessions.retain(|k| *k != key);
                if self.dss_sessions.len() == before {
                    Reply::status(Status::CONTEXT_NOT_ACTIVATED)
                } else {
                    Reply::ok(&Empty)
                }
            }
            _ => invalid(),
        }
    }
}
