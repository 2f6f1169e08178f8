//! Parsing the `a{sv}` dictionaries clients send (modemmanager-api.md §3.1):
//! `Simple.Connect`, `Modem.CreateBearer` and `Messaging.Create`. libmm-glib's
//! keys are accepted (`profile-id = -1` means "no profile"); unknown keys and
//! wrongly typed values are rejected with `Core.InvalidArgs`, as MM does.

use super::view::{Dict, ov};
use dbus_interfaces::MmError;
use dbus_interfaces::enums::{auth, ip_family};
use mbim_proto::services::basic_connect::{AuthProtocol, ContextIpType};
use zbus::OwnedVariant;

/// Bearer settings from a connect/create dictionary.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BearerSettings {
    pub apn: String,
    /// MMBearerIpFamily; 0 = not given.
    pub ip_type: u32,
    pub apn_type: u32,
    /// MMBearerAllowedAuth; 0 = not given.
    pub allowed_auth: u32,
    pub user: String,
    pub password: String,
    pub profile_id: i32,
    pub allow_roaming: Option<bool>,
    pub multiplex: u32,
    /// `Simple.Connect` only.
    pub pin: Option<String>,
    /// `Simple.Connect` only.
    pub operator_id: Option<String>,
    /// The client gave no `apn` key: the daemon's resolver chooses the
    /// settings when connecting (`dbus::flows`); with an `apn` key (even an
    /// empty one) ModemManager's behaviour is kept.
    pub resolve_apn: bool,
}

fn want<T>(key: &str, v: &OwnedVariant) -> Result<T, MmError>
where
    T: TryFrom<OwnedVariant>,
{
    T::try_from(v.clone()).map_err(|_| {
        MmError::InvalidArgs(format!("invalid type for '{key}': {}", v.value_signature()))
    })
}

impl BearerSettings {
    /// Parse; `simple` allows the `Simple.Connect`-only keys (`pin`, `operator-id`).
    pub fn from_dict(d: &Dict, simple: bool) -> Result<Self, MmError> {
        let mut s = BearerSettings {
            profile_id: -1,
            resolve_apn: !d.contains_key("apn"),
            ..BearerSettings::default()
        };
        for (k, v) in d {
            match k.as_str() {
                "apn" => s.apn = want(k, v)?,
                "ip-type" => s.ip_type = want(k, v)?,
                "apn-type" => s.apn_type = want(k, v)?,
                "allowed-auth" => s.allowed_auth = want(k, v)?,
                "user" => s.user = want(k, v)?,
                "password" => s.password = want(k, v)?,
                "profile-id" => s.profile_id = want(k, v)?,
                "allow-roaming" => s.allow_roaming = Some(want(k, v)?),
                "multiplex" => s.multiplex = want(k, v)?,
                // Deprecated or CDMA/5G-only keys MM accepts and mostly ignores.
                "number" | "rm-protocol" | "access-type-preference" | "roaming-allowance" => {}
                "pin" if simple => s.pin = Some(want(k, v)?),
                "operator-id" if simple => s.operator_id = Some(want(k, v)?),
                other => {
                    return Err(MmError::InvalidArgs(format!(
                        "Invalid properties: unexpected property '{other}'"
                    )));
                }
            }
        }
        if s.ip_type != 0
            && s.ip_type != ip_family::ANY
            && !matches!(
                s.ip_type,
                ip_family::IPV4 | ip_family::IPV6 | ip_family::IPV4V6
            )
        {
            return Err(MmError::InvalidArgs(format!(
                "unsupported ip-type {:#x}",
                s.ip_type
            )));
        }
        if s.multiplex == 3 {
            return Err(MmError::Unsupported(
                "multiplexing is not supported yet".into(),
            ));
        }
        if s.multiplex > 3 {
            return Err(MmError::InvalidArgs(format!(
                "invalid multiplex value {}",
                s.multiplex
            )));
        }
        if s.profile_id < -1 {
            return Err(MmError::InvalidArgs(format!(
                "invalid profile-id {}",
                s.profile_id
            )));
        }
        if let Some(op) = &s.operator_id
            && !op.is_empty()
            && (!(5..=6).contains(&op.len()) || !op.bytes().all(|b| b.is_ascii_digit()))
        {
            return Err(MmError::InvalidArgs(format!(
                "invalid operator-id '{op}': expected 5 or 6 digits"
            )));
        }
        Ok(s)
    }

    /// MBIM IP type for the request.
    pub fn mbim_ip_type(&self) -> ContextIpType {
        match self.ip_type {
            ip_family::IPV4 => ContextIpType::IPV4,
            ip_family::IPV6 => ContextIpType::IPV6,
            _ => ContextIpType::IPV4V6,
        }
    }

    /// MBIM auth protocol, `None` = MM's default (CHAP with credentials).
    pub fn mbim_auth(&self) -> Option<AuthProtocol> {
        let a = self.allowed_auth;
        if a == auth::UNKNOWN {
            None
        } else if a & auth::CHAP != 0 {
            Some(AuthProtocol::CHAP)
        } else if a & auth::MSCHAPV2 != 0 {
            Some(AuthProtocol::MSCHAPV2)
        } else if a & auth::PAP != 0 {
            Some(AuthProtocol::PAP)
        } else {
            Some(AuthProtocol::NONE)
        }
    }

    /// The `Bearer.Properties` dictionary: the settings that define the
    /// bearer (used to find an identical bearer to reuse). Secrets are kept
    /// out (MM publishes the password only to privileged readers).
    pub fn to_properties(&self) -> Dict {
        let mut d = Dict::new();
        d.insert("apn".into(), ov(self.apn.clone()));
        if self.ip_type != 0 {
            d.insert("ip-type".into(), ov(self.ip_type));
        }
        if self.apn_type != 0 {
            d.insert("apn-type".into(), ov(self.apn_type));
        }
        if self.allowed_auth != 0 {
            d.insert("allowed-auth".into(), ov(self.allowed_auth));
        }
        if !self.user.is_empty() {
            d.insert("user".into(), ov(self.user.clone()));
        }
        d.insert(
            "allow-roaming".into(),
            ov(self.allow_roaming.unwrap_or(true)),
        );
        d.insert("profile-id".into(), ov(self.profile_id));
        if self.multiplex != 0 {
            d.insert("multiplex".into(), ov(self.multiplex));
        }
        d
    }

    /// Whether two settings describe the same bearer (MM's
    /// `mm_bearer_list_find_by_properties`, ignoring the Simple-only keys).
    pub fn same_bearer(&self, other: &BearerSettings) -> bool {
        self.apn == other.apn
            && self.ip_type == other.ip_type
            && self.apn_type == other.apn_type
            && self.allowed_auth == other.allowed_auth
            && self.user == other.user
            && self.password == other.password
            && self.profile_id == other.profile_id
            && self.allow_roaming.unwrap_or(true) == other.allow_roaming.unwrap_or(true)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dict(items: &[(&str, OwnedVariant)]) -> Dict {
        items
            .iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect()
    }

    #[test]
    fn libmm_glib_connect_dictionary_is_accepted_with_profile_id_minus_one() {
        let d = dict(&[
            ("profile-id", ov(-1i32)),
            ("apn", ov("internet")),
            ("ip-type", ov(4u32)),
            ("allowed-auth", ov(4u32)),
            ("allow-roaming", ov(false)),
            ("pin", ov("1234")),
            ("operator-id", ov("00101")),
            ("multiplex", ov(1u32)),
            ("user", ov("u")),
            ("password", ov("p")),
        ]);
        let s = BearerSettings::from_dict(&d, true).unwrap();
        assert_eq!(s.apn, "internet");
        assert_eq!(s.profile_id, -1);
        assert_eq!(s.allow_roaming, Some(false));
        assert_eq!(s.pin.as_deref(), Some("1234"));
        assert_eq!(s.mbim_ip_type(), ContextIpType::IPV4V6);
        assert_eq!(s.mbim_auth(), Some(AuthProtocol::CHAP));
    }

    #[test]
    fn unknown_keys_and_wrong_types_are_invalid_args() {
        use zbus::DBusError as _;
        let e = BearerSettings::from_dict(&dict(&[("bogus", ov(1u32))]), true).unwrap_err();
        assert_eq!(
            e.name().as_str(),
            "org.freedesktop.ModemManager1.Error.Core.InvalidArgs"
        );
        let e = BearerSettings::from_dict(&dict(&[("apn", ov(5u32))]), true).unwrap_err();
        assert!(matches!(e, MmError::InvalidArgs(_)));
        // `pin` is only for Simple.Connect.
        let e = BearerSettings::from_dict(&dict(&[("pin", ov("1234"))]), false).unwrap_err();
        assert!(matches!(e, MmError::InvalidArgs(_)));
    }
}
