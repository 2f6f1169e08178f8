//! Data usage and plans (windows-operator-formats.md §4, the seed's Data
//! Usage and Subscription Manager): local traffic counters per modem and per
//! session, the plan and its billing cycle, the operator's usage figures,
//! the derived connection cost and the usage events.
//!
//! * [`plan`]: the `plans:Plan` figures and billing-cycle calendar arithmetic.
//! * [`engine`]: the sans-I/O rules (merge, thresholds, resets, expiry, cost).
//! * [`store`]: SQLite persistence (`<state-dir>/usage.sqlite`).
//! * [`counters`]: where local counters come from (sysfs, MBIM PACKET_STATISTICS).
//! * [`provisioned`]: plans and usage figures from the provisioning store.
//! * [`service`]: the per-modem task tying engine, store, counters and the
//!   operator-message events together.
//!
//! Nothing here exports D-Bus objects (`dbus::ext_data_usage` does).

pub mod counters;
pub mod engine;
pub mod plan;
pub mod provisioned;
pub mod service;
pub mod store;
