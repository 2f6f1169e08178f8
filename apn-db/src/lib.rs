//! `apn-db`: the APN database of mbimd.
//!
//! Role: import public APN data (mobile-broadband-provider-info
//! `serviceproviders.xml`, Android `apns-conf.xml`) into SQLite, find the
//! candidate connection settings for a SIM's identity, derive the hardware
//! IDs (HWIDs) that key operator service metadata, and resolve the settings to
//! use with the precedence provisioning > service metadata > APN database.
//!
//! It must not talk to a modem, a bus or the network, and it never guesses
//! silently: every lookup result says which rule chose each candidate and
//! whether the choice between candidates was ambiguous.
//!
//! Layers:
//! * [`model`] — the row and the value types (purposes, auth, IP type, MVNO rules);
//! * [`import`] — streaming quick-xml parsers for both file formats;
//! * [`db`] — the SQLite file (schema, migrations, one-transaction imports, queries);
//! * [`lookup`] — identity → ranked candidates (the rules and the ranking are documented there);
//! * [`index`] — the in-memory index in front of SQLite for the hot path;
//! * [`hwid`] — our own, stable HWID scheme (windows-operator-formats.md §2.6);
//! * [`resolver`] — precedence between settings sources (windows-operator-formats.md §3.3).

#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]
#![warn(missing_debug_implementations, missing_docs)]

pub mod db;
pub mod error;
pub mod hwid;
pub mod import;
pub mod index;
pub mod lookup;
pub mod model;
pub mod paths;
pub mod resolver;

pub use db::{ApnDb, ImportOptions, ImportReport};
pub use error::{Error, ParseError};
pub use hwid::{Hwid, HwidKind};
pub use index::ApnIndex;
pub use lookup::{Candidate, Identity, Lookup, MncLength, Rule};
pub use model::{Auth, IpType, Purpose, SourceKind};
