//! Microsoft Host Shutdown service (`883b7c26-985f-43fa-9804-27d7fb80959c`):
//! the host tells the modem it is shutting down (NOTIFY) or about to (PRESHUTDOWN,
//! which maps Windows' OID_WWAN_PRESHUTDOWN: the modem finishes pending work
//! such as flushing NV writes). Both sets and responses carry no payload
//! (windows-operator-formats.md §7.2).

use super::{Empty, empty_request, payload_table};
use crate::uuid::MS_HOST_SHUTDOWN;

/// CID numbers (libmbim `MbimCidMsHostShutdown`; PRESHUTDOWN from Microsoft's docs).
pub mod cid {
    pub const NOTIFY: u32 = 1;
    pub const PRESHUTDOWN: u32 = 2;
}

/// CID names indexed by number (empty = unassigned).
pub const CID_NAMES: &[&str] = &["", "notify", "preshutdown"];

empty_request!(
    /// NOTIFY set: the host is shutting down.
    HostShutdownNotify, MS_HOST_SHUTDOWN, cid::NOTIFY, SET, Empty
);
empty_request!(
    /// PRESHUTDOWN set: the host is about to shut down.
    HostPreshutdown, MS_HOST_SHUTDOWN, cid::PRESHUTDOWN, SET, Empty
);

payload_table! {
    /// Every MS Host Shutdown payload.
    pub enum Any {
        Empty(Empty) = [(1, Set), (1, Response), (2, Set), (2, Response)],
    }
}
