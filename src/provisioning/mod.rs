//! The Provisioning Agent (issue 9; windows-operator-formats.md §1–§2):
//! CarrierControl documents, their signatures, the activation actions and
//! refresh they ask for, and service metadata. Nothing here talks MBIM
//! directly: device actions go through `modem::ops`.

pub mod activation;
pub mod metadata;
pub mod privileged;
pub mod refresh;
pub mod signature;
