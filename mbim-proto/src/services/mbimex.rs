//! Layout selection by negotiated MBIMEx version (windows-operator-formats.md
//! §7.3, mbim-and-libmbim.md §3.1): for each (service, CID, kind), the newest
//! layout that is not newer than the version in force, falling back
//! 3.0 → 2.0 → 1.0 as libmbim does. MBIMEx 4.0 has no layouts of its own
//! here (its changes are not documented in the sources we have), so it uses
//! the 3.0 ones.
//!
//! This module only chooses among the tables of the versioned modules; it
//! holds no layouts and tracks no state.

use super::{
    Decoded, ExtendedVersion, Kind, basic_connect, basic_connect_v2, basic_connect_v3,
    ms_basic_connect_extensions as ms_bce,
};
use crate::error::DecodeError;
use crate::uuid as u;
use crate::wire::Uuid;

/// Whether `keys` holds (cid, kind).
fn has(keys: &[(u32, Kind)], cid: u32, kind: Kind) -> bool {
    keys.contains(&(cid, kind))
}

/// The MBIMEx version whose layout [`super::decode_payload`] uses for
/// (service, CID, kind) when `version` is in force: 1.0 for payloads no
/// extension redefines, else the newest redefinition not above `version`.
/// `None` when the service has no typed payload for it at that version.
pub fn layout_version(
    service: &Uuid,
    cid: u32,
    kind: Kind,
    version: ExtendedVersion,
) -> Option<ExtendedVersion> {
    let s = u::canonical(*service);
    if s == u::BASIC_CONNECT {
        if version >= ExtendedVersion::V3 && has(basic_connect_v3::Any::KEYS, cid, kind) {
            return Some(ExtendedVersion::V3);
        }
        if version >= ExtendedVersion::V2 && has(basic_connect_v2::Any::KEYS, cid, kind) {
            return Some(ExtendedVersion::V2);
        }
        return has(basic_connect::Any::KEYS, cid, kind).then_some(ExtendedVersion::V1);
    }
    if s == u::MS_BASIC_CONNECT_EXTENSIONS {
        if version >= ExtendedVersion::V3 && has(ms_bce::AnyV3::KEYS, cid, kind) {
            return Some(ExtendedVersion::V3);
        }
        return has(ms_bce::Any::KEYS, cid, kind).then_some(ExtendedVersion::V1);
    }
    super::all_keys()
        .contains(&(s, cid, kind))
        .then_some(ExtendedVersion::V1)
}

/// Decode the payloads whose layout depends on the version. `None` means
/// "not a versioned payload": the caller goes on with the 1.0 tables.
pub(super) fn decode_versioned(
    s: &Uuid,
    cid: u32,
    kind: Kind,
    version: ExtendedVersion,
    buf: &[u8],
) -> Option<Result<Decoded, DecodeError>> {
    if *s == u::BASIC_CONNECT {
        if version >= ExtendedVersion::V3
            && let Some(r) = basic_connect_v3::Any::decode(cid, kind, buf)
        {
            return Some(r.map(Decoded::BasicConnectV3));
        }
        if version >= ExtendedVersion::V2
            && let Some(r) = basic_connect_v2::Any::decode(cid, kind, buf)
        {
            return Some(r.map(Decoded::BasicConnectV2));
        }
        return None;
    }
    if *s == u::MS_BASIC_CONNECT_EXTENSIONS {
        if version >= ExtendedVersion::V3
            && let Some(r) = ms_bce::AnyV3::decode(cid, kind, buf)
        {
            return Some(r.map(|p| Decoded::MsBasicConnectExtensionsV3(Box::new(p))));
        }
        return ms_bce::Any::decode(cid, kind, buf)
            .map(|r| r.map(|p| Decoded::MsBasicConnectExtensions(Box::new(p))));
    }
    None
}

/// Every (service, CID, kind, version) with a typed layout: the 1.0 keys of
/// [`super::all_keys`] at 1.0, and each MBIMEx 2.0/3.0 redefinition or new
/// CID at the version that introduces it. For round-trip tests, the libmbim
/// oracle and fuzzing, so that every version's layout is exercised.
pub fn all_versioned_keys() -> Vec<(Uuid, u32, Kind, ExtendedVersion)> {
    let mut v: Vec<_> = super::all_keys()
        .into_iter()
        .map(|(s, c, k)| (s, c, k, ExtendedVersion::V1))
        .collect();
    let mut add = |s: Uuid, keys: &[(u32, Kind)], ver: ExtendedVersion| {
        v.extend(keys.iter().map(|(c, k)| (s, *c, *k, ver)));
    };
    add(
        u::BASIC_CONNECT,
        basic_connect_v2::Any::KEYS,
        ExtendedVersion::V2,
    );
    add(
        u::BASIC_CONNECT,
        basic_connect_v3::Any::KEYS,
        ExtendedVersion::V3,
    );
    add(
        u::MS_BASIC_CONNECT_EXTENSIONS,
        ms_bce::AnyV3::KEYS,
        ExtendedVersion::V3,
    );
    v
}

/// A strategy generating the payload that [`super::decode_payload`] would
/// produce for (service, CID, kind) under `version` (feature `arbitrary`).
#[cfg(feature = "arbitrary")]
pub fn arbitrary_payload_version(
    service: &Uuid,
    cid: u32,
    kind: Kind,
    version: ExtendedVersion,
) -> Option<proptest::strategy::BoxedStrategy<Decoded>> {
    use proptest::strategy::Strategy;
    let s = u::canonical(*service);
    let layout = layout_version(&s, cid, kind, version)?;
    if layout == ExtendedVersion::V1 {
        return super::arbitrary_payload(&s, cid, kind);
    }
    if s == u::BASIC_CONNECT && layout == ExtendedVersion::V2 {
        return basic_connect_v2::Any::arbitrary(cid, kind)
            .map(|st| st.prop_map(Decoded::BasicConnectV2).boxed());
    }
    if s == u::BASIC_CONNECT {
        return basic_connect_v3::Any::arbitrary(cid, kind)
            .map(|st| st.prop_map(Decoded::BasicConnectV3).boxed());
    }
    ms_bce::AnyV3::arbitrary(cid, kind).map(|st| {
        st.prop_map(|p| Decoded::MsBasicConnectExtensionsV3(Box::new(p)))
            .boxed()
    })
}
