//! The Provisioning Agent and operator service metadata
//! (windows-operator-formats.md §1, §2).

pub mod metadata;
pub mod privileged;
