//! The Provisioning Agent (issue 9; windows-operator-formats.md §1–§2):
//! CarrierControl documents (parsed in `document`, applied to `store`, answered
//! with `result`), their signatures, the activation actions and refresh they
//! ask for, service metadata and privileged apps. Nothing here talks MBIM
//! directly: device actions go through `modem::ops`.

pub mod activation;
pub mod agent;
pub mod document;
pub mod metadata;
pub mod privileged;
pub mod refresh;
pub mod result;
pub mod signature;
pub mod store;
