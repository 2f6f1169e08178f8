//! dss service: typed payloads (to be completed).

use super::payload_table;

/// CID names indexed by number (empty = unassigned).
pub const CID_NAMES: &[&str] = &[""];

payload_table! {
    /// Every payload of this service.
    pub enum Any {}
}
