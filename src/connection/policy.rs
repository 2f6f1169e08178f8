//! Policy of the connection flows (windows-operator-formats.md §3.3):
//! which failures end the try order, which mean "the SIM has no service yet"
//! (cold SIM → operator app), where the purchase URL comes from, and the
//! daemon's connection configuration.
//!
//! Pure functions over ModemManager's error names (the flow sees the errors
//! the caller gets, mapped once in `dbus::errors`); no I/O.

use apn_db::lookup::Identity;
use dbus_interfaces::MmError;

/// The daemon's connection configuration (`mbimd` flags).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ConnectionConfig {
    /// Connect with the resolved settings once the SIM is ready and the
    /// modem registered (`--auto-connect`); per modem it can be changed
    /// through `org.mbimd.Modem1.Connection.AutoConnect`.
    pub auto_connect: bool,
    /// The operator's purchase / account page used when the chosen settings
    /// carry none (`--purchase-url`). Windows' AccountExperienceURL query
    /// (`SubId`, `DevId`, `IccId`) is appended, see [`purchase_url`].
    pub purchase_url: Option<String>,
}

/// How a failed attempt affects the try order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailureClass {
    /// "Service not activated / not subscribed": the SIM has no plan yet
    /// (cold SIM). Other candidates are still tried; if none connects, the
    /// operator app is needed.
    NotActivated,
    /// Specific to the settings tried (unknown APN, bad credentials, IP
    /// type, a generic network rejection): try the next candidate.
    Settings,
    /// Not about the settings (no SIM, PIN, no network, modem gone, busy,
    /// roaming forbidden by the client): stop trying.
    Fatal,
}

/// Classify a connection failure.
pub fn classify(e: &MmError) -> FailureClass {
    match e {
        MmError::ServiceOptionNotSubscribed(_) => FailureClass::NotActivated,
        MmError::SimNotInserted(_)
        | MmError::SimPin(_)
        | MmError::SimPuk(_)
        | MmError::SimWrong(_)
        | MmError::SimFailure(_)
        | MmError::NoNetwork(_)
        | MmError::NetworkNotAllowed(_)
        | MmError::NetworkTimeout(_)
        | MmError::Cancelled(_)
        | MmError::Aborted(_)
        | MmError::InProgress(_)
        | MmError::WrongState(_)
        | MmError::Unauthorized(_)
        | MmError::Retry(_)
        | MmError::NotFound(_)
        | MmError::ZBus(_) => FailureClass::Fatal,
        _ => FailureClass::Settings,
    }
}

/// The purchase URL to publish for a limited connection: the chosen
/// settings' own URL, else the configured one; Windows' AccountExperienceURL
/// query string is appended to the configured one (`SubId` = IMSI, `DevId` =
/// IMEI, `IccId` = ICCID, absent values omitted; §3.3). A URL from the
/// settings is used as given (its operator wrote it).
pub fn purchase_url(
    from_settings: Option<&str>,
    configured: Option<&str>,
    id: Option<&Identity>,
    imei: Option<&str>,
) -> Option<String> {
    if let Some(u) = from_settings.filter(|u| !u.is_empty()) {
        return Some(u.to_string());
    }
    let base = configured.filter(|u| !u.is_empty())?;
    let mut params: Vec<(&str, &str)> = Vec::new();
    if let Some(i) = id.and_then(|i| i.imsi.as_deref()) {
        params.push(("SubId", i));
    }
    if let Some(d) = imei.filter(|d| !d.is_empty()) {
        params.push(("DevId", d));
    }
    if let Some(c) = id.and_then(|i| i.iccid.as_deref()) {
        params.push(("IccId", c));
    }
    let mut url = base.to_string();
    for (k, v) in params {
        url.push(if url.contains('?') { '&' } else { '?' });
        url.push_str(k);
        url.push('=');
        // Digits only in practice; anything else is dropped rather than
        // breaking the URL.
        url.extend(v.chars().filter(|c| c.is_ascii_alphanumeric()));
    }
    Some(url)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn not_subscribed_is_the_cold_sim_class() {
        assert_eq!(
            classify(&MmError::ServiceOptionNotSubscribed("x".into())),
            FailureClass::NotActivated
        );
        assert_eq!(
            classify(&MmError::MissingOrUnknownApn("x".into())),
            FailureClass::Settings
        );
        assert_eq!(
            classify(&MmError::UserAuthenticationFailed("x".into())),
            FailureClass::Settings
        );
        assert_eq!(
            classify(&MmError::Failed("x".into())),
            FailureClass::Settings
        );
        assert_eq!(
            classify(&MmError::NoNetwork("x".into())),
            FailureClass::Fatal
        );
        assert_eq!(
            classify(&MmError::WrongState("x".into())),
            FailureClass::Fatal
        );
    }

    #[test]
    fn the_settings_url_wins_and_the_configured_one_gets_the_query() {
        let id = Identity {
            imsi: Some("001010000000042".into()),
            iccid: Some("8988211000000000042".into()),
            ..Identity::default()
        };
        assert_eq!(
            purchase_url(
                Some("https://op/buy"),
                Some("https://cfg/"),
                Some(&id),
                None
            )
            .as_deref(),
            Some("https://op/buy")
        );
        assert_eq!(
            purchase_url(
                None,
                Some("https://cfg/buy?lang=en"),
                Some(&id),
                Some("35000")
            )
            .as_deref(),
            Some(
                "https://cfg/buy?lang=en&SubId=001010000000042&DevId=35000&IccId=8988211000000000042"
            )
        );
        assert_eq!(
            purchase_url(None, Some("https://cfg/buy"), None, None).as_deref(),
            Some("https://cfg/buy")
        );
        assert_eq!(purchase_url(None, None, Some(&id), None), None);
    }
}
