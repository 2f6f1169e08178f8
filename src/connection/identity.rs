//! The SIM identity for the APN lookup, from what the modem reports
//! (apn-data.md "What follows" 1: always the *home* identity).
//!
//! * IMSI and ICCID: SUBSCRIBER_READY_STATUS.
//! * MNC length: the length of HOME_PROVIDER's ProviderId (5 → 2 digits,
//!   6 → 3 digits) when it is a prefix of the IMSI; otherwise unknown, and
//!   apn-db's rule applies (3 digits tried first, then 2).
//! * Provider name: HOME_PROVIDER's ProviderName.
//! * SPN and GID1: EF_SPN and EF_GID1 read from the USIM with MS UICC
//!   low-level access READ_BINARY ([`crate::modem::ops::uicc_files`]) when
//!   the modem offers it. Without it (or when EF_SPN is empty or unreadable)
//!   the home provider name stands in for the SPN, as MBIM 1.0 has no other
//!   way to the SIM's name, and GID1 is unknown: MVNO rules keyed on GID1
//!   then fall back to the host operator's APNs.
//!
//! It reads (one HOME_PROVIDER query, at most two READ_BINARY queries) and
//! never changes the modem.

use crate::modem::ModemHandle;
use crate::modem::ops::uicc_files::{self, UiccFiles};
use apn_db::lookup::{Identity, MncLength};
use mbim_proto::services::basic_connect::{
    HomeProviderQuery, Provider, SubscriberReadyInfo, SubscriberReadyState,
};

/// The identity from the subscriber information, the home provider and the
/// SIM's files (when read). `None` when no SIM identity is known (no card,
/// not initialized).
pub fn identity_from(
    sub: &SubscriberReadyInfo,
    home: Option<&Provider>,
    files: Option<&UiccFiles>,
) -> Option<Identity> {
    let imsi = sub.subscriber_id.trim();
    let iccid = sub.sim_icc_id.trim();
    if imsi.is_empty() && iccid.is_empty() {
        return None;
    }
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    let home_id = home.map(|h| h.provider_id.trim()).filter(|p| digits(p));
    let mnc_length = home_id
        .filter(|p| imsi.starts_with(p))
        .and_then(|p| MncLength::from_digits((p.len() as u8).wrapping_sub(3)));
    let name = home
        .map(|h| h.provider_name.trim().to_string())
        .filter(|n| !n.is_empty());
    let spn = files.and_then(|f| f.spn.clone()).or_else(|| name.clone());
    Some(Identity {
        imsi: digits(imsi).then(|| imsi.to_string()),
        mnc_length,
        spn,
        gid1: files.and_then(|f| f.gid1.clone()),
        iccid: (!iccid.is_empty()).then(|| iccid.to_string()),
        sid: None,
        provider_name: name,
    })
}

/// Whether the SIM is initialized (its identity can be read).
pub fn sim_ready(h: &ModemHandle) -> bool {
    h.state()
        .subscriber
        .as_ref()
        .is_some_and(|s| s.ready_state == SubscriberReadyState::INITIALIZED)
}

/// Read the SIM identity from the modem: the cached subscriber state plus
/// one HOME_PROVIDER query (its failure leaves the MNC length unknown) and
/// the SIM's EF_SPN / EF_GID1 when the modem can read them.
pub async fn read(h: &ModemHandle) -> Option<Identity> {
    let sub = h.state().subscriber.clone()?;
    let home = h.request(&HomeProviderQuery).await.ok();
    let files = uicc_files::read_uicc_files(h).await;
    identity_from(&sub, home.as_ref(), files.as_ref())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sub(imsi: &str, iccid: &str) -> SubscriberReadyInfo {
        SubscriberReadyInfo {
            subscriber_id: imsi.into(),
            sim_icc_id: iccid.into(),
            ..SubscriberReadyInfo::default()
        }
    }

    fn home(id: &str, name: &str) -> Provider {
        Provider {
            provider_id: id.into(),
            provider_name: name.into(),
            ..Provider::default()
        }
    }

    #[test]
    fn the_home_provider_id_gives_the_mnc_length() {
        let id = identity_from(
            &sub("310410123456789", "8901410"),
            Some(&home("310410", "AT&T")),
            None,
        )
        .unwrap();
        assert_eq!(id.mnc_length, Some(MncLength::Three));
        assert_eq!(id.provider_name.as_deref(), Some("AT&T"));
        assert_eq!(id.spn.as_deref(), Some("AT&T"));
        let id = identity_from(&sub("26202123", ""), Some(&home("26202", "")), None).unwrap();
        assert_eq!(id.mnc_length, Some(MncLength::Two));
        assert_eq!(id.provider_name, None);
        assert_eq!(id.iccid, None);
    }

    #[test]
    fn a_home_provider_that_is_not_the_imsi_prefix_leaves_the_length_unknown() {
        let id =
            identity_from(&sub("310410123456789", ""), Some(&home("26202", "x")), None).unwrap();
        assert_eq!(id.mnc_length, None);
        let id = identity_from(&sub("310410123456789", ""), None, None).unwrap();
        assert_eq!(id.mnc_length, None);
        assert_eq!(id.imsi.as_deref(), Some("310410123456789"));
    }

    #[test]
    fn no_imsi_and_no_iccid_is_no_identity() {
        assert!(identity_from(&sub("", ""), Some(&home("00101", "T")), None).is_none());
    }

    #[test]
    fn the_sims_spn_and_gid1_win_over_the_home_provider_name() {
        let files = UiccFiles {
            spn: Some("Tesco Mobile".into()),
            gid1: Some("0A".into()),
        };
        let id = identity_from(
            &sub("23410123456789", ""),
            Some(&home("23410", "O2 - UK")),
            Some(&files),
        )
        .unwrap();
        assert_eq!(id.spn.as_deref(), Some("Tesco Mobile"));
        assert_eq!(id.provider_name.as_deref(), Some("O2 - UK"));
        assert_eq!(id.gid1.as_deref(), Some("0A"));
    }

    #[test]
    fn an_unreadable_spn_falls_back_to_the_home_provider_name() {
        let files = UiccFiles::default();
        let id = identity_from(
            &sub("23410123456789", ""),
            Some(&home("23410", "O2 - UK")),
            Some(&files),
        )
        .unwrap();
        assert_eq!(id.spn.as_deref(), Some("O2 - UK"));
        assert_eq!(id.gid1, None);
    }
}
