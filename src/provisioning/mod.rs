//! Operator provisioning: CarrierControl account-provisioning documents
//! (windows-operator-formats.md §1) and the store they are applied to.

pub mod document;
pub mod result;
pub mod store;
