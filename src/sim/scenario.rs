//! The scenario: a TOML description of one simulated modem — what it is
//! (device caps, MBIMEx version, max control transfer), its SIM, the networks
//! it sees and how registration goes, what each APN does on CONNECT, the SMS,
//! USSD and phonebook entries it has to offer, a timeline of events, and the faults to inject.
//!
//! Every section has a default, and the defaults together are the built-in
//! scenario (a hot SIM on "Test Network" 00101 accepting the APN `internet`),
//! so a file only states what differs. Unknown keys and bad values are
//! errors that name the line, column and field. This module only parses and
//! validates; it must not hold protocol state (see [`super::modem`]).

use super::fault::FaultRule;
use mbim_proto::Status;
use mbim_proto::services::basic_connect::{
    AuthProtocol, CellularClass, ContextIpType, DataClass, DeviceType, NwError, RegisterState,
};
use serde::{Deserialize, Deserializer};
use std::net::{Ipv4Addr, Ipv6Addr};
use std::path::Path;

/// A scenario that could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum ScenarioError {
    /// The file could not be read.
    #[error("reading scenario {path}: {source}")]
    Read {
        path: String,
        #[source]
        source: std::io::Error,
    },
    /// The TOML is malformed or a field has a bad value.
    #[error("{origin}:{line}:{column}: {message}")]
    Invalid {
        origin: String,
        line: usize,
        column: usize,
        message: String,
    },
}

/// One simulated modem.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Scenario {
    /// Device capabilities and protocol limits.
    pub device: DeviceSpec,
    /// The SIM card.
    pub sim: SimSpec,
    /// The home operator (HOME_PROVIDER).
    pub home: NetworkSpec,
    /// Networks a scan finds (VISIBLE_PROVIDERS), TOML `[[network]]`.
    #[serde(rename = "network")]
    pub networks: Vec<NetworkSpec>,
    /// Preferred providers list, TOML `[[preferred]]`.
    #[serde(rename = "preferred")]
    pub preferred: Vec<NetworkSpec>,
    /// How registration goes.
    pub registration: RegistrationSpec,
    /// Radio signal.
    pub signal: SignalSpec,
    /// Packet service (attach) behaviour.
    pub packet_service: PacketServiceSpec,
    /// What CONNECT does per APN, TOML `[[apn]]`.
    #[serde(rename = "apn")]
    pub apns: Vec<ApnSpec>,
    /// CONNECT to an APN not listed fails with this status.
    #[serde(deserialize_with = "de_status")]
    pub unknown_apn_status: Status,
    /// Provisioned contexts, TOML `[[context]]`.
    #[serde(rename = "context")]
    pub contexts: Vec<ContextSpec>,
    /// SMS already in the store, TOML `[[sms]]`.
    #[serde(rename = "sms")]
    pub sms: Vec<SmsSpec>,
    /// USSD request → reply scripts, TOML `[[ussd]]`.
    #[serde(rename = "ussd")]
    pub ussd: Vec<UssdSpec>,
    /// Phonebook entries on the SIM, TOML `[[phonebook]]`.
    #[serde(rename = "phonebook")]
    pub phonebook: Vec<PhonebookSpec>,
    /// The network's time and zone (MS Voice Extensions NITZ).
    pub nitz: NitzSpec,
    /// Things that happen by themselves, TOML `[[event]]`.
    #[serde(rename = "event")]
    pub timeline: Vec<TimelineEvent>,
    /// How long operations take.
    pub timing: TimingSpec,
    /// Faults injected from the start, TOML `[[fault]]`.
    #[serde(rename = "fault")]
    pub faults: Vec<FaultRule>,
}

impl Default for Scenario {
    fn default() -> Self {
        Scenario {
            device: DeviceSpec::default(),
            sim: SimSpec::default(),
            home: NetworkSpec::default(),
            networks: vec![
                NetworkSpec::default(),
                NetworkSpec {
                    id: "00102".into(),
                    name: "Other Network".into(),
                    rssi: 12,
                    forbidden: true,
                    ..NetworkSpec::default()
                },
            ],
            preferred: Vec::new(),
            registration: RegistrationSpec::default(),
            signal: SignalSpec::default(),
            packet_service: PacketServiceSpec::default(),
            apns: vec![ApnSpec::default()],
            unknown_apn_status: Status::INVALID_ACCESS_STRING,
            contexts: vec![ContextSpec::default()],
            sms: Vec::new(),
            ussd: Vec::new(),
            phonebook: Vec::new(),
            nitz: NitzSpec::default(),
            timeline: Vec::new(),
            timing: TimingSpec::default(),
            faults: Vec::new(),
        }
    }
}

impl Scenario {
    /// The built-in scenario: a hot SIM on "Test Network" (00101), APN `internet`.
    pub fn builtin() -> Scenario {
        Scenario::default()
    }

    /// Parse a scenario from TOML text; `origin` names it in errors.
    pub fn from_toml(text: &str, origin: &str) -> Result<Scenario, ScenarioError> {
        let s: Scenario = toml::from_str(text).map_err(|e| {
            let (line, column) = e
                .span()
                .map(|sp| line_column(text, sp.start))
                .unwrap_or((0, 0));
            ScenarioError::Invalid {
                origin: origin.to_string(),
                line,
                column,
                message: e.message().trim().to_string(),
            }
        })?;
        s.check(origin)?;
        Ok(s)
    }

    /// Load a scenario file.
    pub fn load(path: &Path) -> Result<Scenario, ScenarioError> {
        let text = std::fs::read_to_string(path).map_err(|source| ScenarioError::Read {
            path: path.display().to_string(),
            source,
        })?;
        Scenario::from_toml(&text, &path.display().to_string())
    }

    /// Cross-field checks that serde cannot express.
    fn check(&self, origin: &str) -> Result<(), ScenarioError> {
        let bad = |message: String| ScenarioError::Invalid {
            origin: origin.to_string(),
            line: 0,
            column: 0,
            message,
        };
        if self.device.max_control_transfer < 64 {
            return Err(bad(format!(
                "device.max_control_transfer {} is below 64",
                self.device.max_control_transfer
            )));
        }
        if self.device.max_sessions == 0 {
            return Err(bad("device.max_sessions must be at least 1".into()));
        }
        // MBIM size limits (bytes of UTF-16) that the payload encoders enforce:
        // refuse here rather than answer FAILURE at run time.
        let fits = |what: String, s: &str, max: usize| {
            let bytes = s.encode_utf16().count() * 2;
            if bytes > max {
                Err(bad(format!(
                    "{what} `{s}` is {bytes} bytes in UTF-16, over MBIM's {max}"
                )))
            } else {
                Ok(())
            }
        };
        let nets = std::iter::once(("home", &self.home))
            .chain(self.networks.iter().map(|n| ("network", n)))
            .chain(self.preferred.iter().map(|n| ("preferred", n)));
        for (what, n) in nets {
            fits(format!("{what} id"), &n.id, 12)?;
            fits(format!("{what} name"), &n.name, 40)?;
        }
        fits(
            "registration.provider_name".into(),
            &self.registration.provider_name,
            40,
        )?;
        fits(
            "registration.roaming_text".into(),
            &self.registration.roaming_text,
            126,
        )?;
        for a in &self.apns {
            fits("apn name".into(), &a.name, 200)?;
        }
        let capacity = self.phonebook_capacity();
        let mut seen = std::collections::BTreeSet::new();
        for e in &self.phonebook {
            if e.index == 0 || e.index > capacity {
                return Err(bad(format!(
                    "phonebook index {} is outside 1..={capacity} (sim.phonebook_capacity)",
                    e.index
                )));
            }
            if !seen.insert(e.index) {
                return Err(bad(format!("phonebook index {} appears twice", e.index)));
            }
            if e.number.chars().count() > PHONEBOOK_MAX_NUMBER as usize {
                return Err(bad(format!(
                    "phonebook number `{}` is over {PHONEBOOK_MAX_NUMBER} characters",
                    e.number
                )));
            }
            if e.name.chars().count() > PHONEBOOK_MAX_NAME as usize {
                return Err(bad(format!(
                    "phonebook name `{}` is over {PHONEBOOK_MAX_NAME} characters",
                    e.name
                )));
            }
        }
        Ok(())
    }

    /// Whether the modem has a phonebook (Phonebook service listed and answered):
    /// a `sim.phonebook_capacity` or any `[[phonebook]]` entry.
    pub fn has_phonebook(&self) -> bool {
        self.sim.phonebook_capacity > 0 || !self.phonebook.is_empty()
    }

    /// How many entries the phonebook holds: `sim.phonebook_capacity`, or
    /// [`DEFAULT_PHONEBOOK_CAPACITY`] when only entries are given.
    pub fn phonebook_capacity(&self) -> u32 {
        if self.sim.phonebook_capacity > 0 {
            self.sim.phonebook_capacity
        } else {
            DEFAULT_PHONEBOOK_CAPACITY
        }
    }

    /// The outcome configured for `apn` (compared case-insensitively, as networks do).
    pub fn apn(&self, apn: &str) -> Option<&ApnSpec> {
        self.apns.iter().find(|a| a.name.eq_ignore_ascii_case(apn))
    }
}

/// 1-based line and column of a byte offset.
fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let mut end = offset.min(text.len());
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let before = &text[..end];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

/// `[device]`: what DEVICE_CAPS reports, and protocol limits.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DeviceSpec {
    /// DeviceId (the IMEI for GSM-class devices).
    pub imei: String,
    /// FirmwareInfo.
    pub firmware: String,
    /// HardwareInfo.
    pub hardware: String,
    /// CustomDataClass.
    pub custom_data_class: String,
    #[serde(deserialize_with = "de_device_type")]
    pub device_type: DeviceType,
    #[serde(deserialize_with = "de_cellular_class")]
    pub cellular_class: CellularClass,
    /// Data classes the device supports (names as in libmbim: `lte`, `umts`, ...).
    #[serde(deserialize_with = "de_data_class")]
    pub data_class: DataClass,
    /// How many PDP contexts may be active at once.
    pub max_sessions: u32,
    /// The device's wMaxControlMessage: responses longer than this (or the
    /// host's MaxControlTransfer, whichever is smaller) are fragmented.
    pub max_control_transfer: u32,
    /// MBIMEx version offered through MS Basic Connect Extensions VERSION
    /// (`"1.0"` = no extensions, `"2.0"`, `"3.0"`).
    #[serde(deserialize_with = "de_version")]
    pub mbimex_version: u16,
    /// Whether the radio starts on (software switch).
    pub radio_on: bool,
    /// The hardware radio switch.
    pub hw_radio_on: bool,
    /// LTE bands reported by MS DEVICE_CAPS under MBIMEx 3.0.
    pub lte_bands: Vec<u16>,
    /// 5G NR bands reported by MS DEVICE_CAPS under MBIMEx 3.0.
    pub nr_bands: Vec<u16>,
    /// Whether MS Basic Connect Extensions LOCATION_INFO_STATUS (the
    /// serving cell's LAC/TAC/cell id) is offered; only with an MBIMEx
    /// version of 2.0 or later, which is what brings the service.
    pub location_info: bool,
    /// Whether the MS Voice Extensions service with NITZ is offered.
    pub nitz: bool,
    /// Whether MS UICC low-level access READ_BINARY is offered, serving
    /// EF_SPN and EF_GID1 from `[sim] spn` / `gid1`.
    pub uicc_files: bool,
}

impl Default for DeviceSpec {
    fn default() -> Self {
        DeviceSpec {
            imei: "359072060000001".into(),
            firmware: "MBIMD-SIM 1.0".into(),
            hardware: "mbimd simulated modem".into(),
            custom_data_class: String::new(),
            device_type: DeviceType::EMBEDDED,
            cellular_class: CellularClass::GSM,
            data_class: DataClass::GPRS
                | DataClass::EDGE
                | DataClass::UMTS
                | DataClass::HSDPA
                | DataClass::HSUPA
                | DataClass::LTE,
            max_sessions: 8,
            max_control_transfer: 4096,
            mbimex_version: 0x0100,
            radio_on: true,
            hw_radio_on: true,
            lte_bands: vec![1, 3, 7, 20],
            nr_bands: Vec::new(),
            location_info: true,
            nitz: true,
            uicc_files: false,
        }
    }
}

/// What the SIM's subscription allows (the project's cold / warm / hot).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Plan {
    /// No plan: CONNECT fails with SERVICE_NOT_ACTIVATED.
    Cold,
    /// Ready for a plan: CONNECT succeeds but there is no internet behind it.
    Warm,
    /// An active plan: CONNECT succeeds and the internet works.
    Hot,
}

/// Which code guards the SIM at start.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Lock {
    None,
    Pin,
    Puk,
}

/// `[sim]`: the card and the subscription.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SimSpec {
    /// false = no SIM inserted.
    pub present: bool,
    pub plan: Plan,
    pub lock: Lock,
    pub pin: String,
    pub puk: String,
    pub pin_retries: u32,
    pub puk_retries: u32,
    pub imsi: String,
    pub iccid: String,
    pub msisdns: Vec<String>,
    /// Service provider name (EF_SPN), served by READ_BINARY when
    /// `[device] uicc_files` is set; empty = the card has no EF_SPN.
    pub spn: String,
    /// EF_GID1, hex (served like `spn`); empty or bad hex = no EF_GID1.
    pub gid1: String,
    /// SMS service centre address (SMS CONFIGURATION).
    pub smsc: String,
    /// How many SMS the store holds.
    pub sms_capacity: u32,
    /// How many phonebook entries the SIM holds; 0 = no phonebook unless
    /// `[[phonebook]]` entries are given.
    pub phonebook_capacity: u32,
    /// The carrier data (hex) that SERVICE_ACTIVATION must carry to succeed;
    /// absent = any data is accepted. Other data fails with FAILURE and the
    /// plan stays as it is.
    #[serde(deserialize_with = "de_opt_hex")]
    pub activation_data: Option<Vec<u8>>,
    /// The plan a successful SERVICE_ACTIVATION leaves (default hot).
    pub activated_plan: Plan,
}

impl Default for SimSpec {
    fn default() -> Self {
        SimSpec {
            present: true,
            plan: Plan::Hot,
            lock: Lock::None,
            pin: "1234".into(),
            puk: "12345678".into(),
            pin_retries: 3,
            puk_retries: 10,
            imsi: "001010123456789".into(),
            iccid: "8988211000000000001".into(),
            msisdns: vec!["+15555550100".into()],
            spn: "Test Network".into(),
            gid1: String::new(),
            smsc: "+15555550000".into(),
            sms_capacity: 32,
            phonebook_capacity: 0,
            activation_data: None,
            activated_plan: Plan::Hot,
        }
    }
}

/// A network: the home operator, a visible or a preferred one.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct NetworkSpec {
    /// MCC+MNC.
    pub id: String,
    pub name: String,
    /// 0–31, 99 unknown.
    pub rssi: u32,
    /// 0–7, 99 unknown.
    pub error_rate: u32,
    /// Registration on it is forbidden.
    pub forbidden: bool,
    #[serde(deserialize_with = "de_cellular_class")]
    pub cellular_class: CellularClass,
}

impl Default for NetworkSpec {
    fn default() -> Self {
        NetworkSpec {
            id: "00101".into(),
            name: "Test Network".into(),
            rssi: 20,
            error_rate: 0,
            forbidden: false,
            cellular_class: CellularClass::GSM,
        }
    }
}

/// `[registration]`: where the modem registers once the SIM is ready and the radio on.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RegistrationSpec {
    /// `home`, `roaming`, `partner`, `denied`, `searching`, `deregistered`.
    #[serde(deserialize_with = "de_register_state")]
    pub state: RegisterState,
    /// The network registered on; empty = the home operator.
    pub provider_id: String,
    /// Its name; empty = the home operator's (or the visible network's) name.
    pub provider_name: String,
    pub roaming_text: String,
    /// NwError reported with the state (e.g. 11 plmn-not-allowed when denied).
    #[serde(deserialize_with = "de_nw_error")]
    pub nw_error: NwError,
    /// Data class in use once registered (`lte`).
    #[serde(deserialize_with = "de_data_class")]
    pub data_class: DataClass,
    /// Tracking area code of the serving cell (MBIMEx 3.0 PACKET_SERVICE
    /// TAI, MS LOCATION_INFO_STATUS).
    pub tac: u32,
    /// Location area code of the serving cell (MS LOCATION_INFO_STATUS).
    pub lac: u32,
    /// Cell identity of the serving cell (MS LOCATION_INFO_STATUS).
    pub cell_id: u32,
}

impl Default for RegistrationSpec {
    fn default() -> Self {
        RegistrationSpec {
            state: RegisterState::HOME,
            provider_id: String::new(),
            provider_name: String::new(),
            roaming_text: String::new(),
            nw_error: NwError::NONE,
            data_class: DataClass::LTE,
            tac: 1,
            lac: 0x1F40,
            cell_id: 0x0123_ABCD,
        }
    }
}

/// A UTC date and time, written `2026-11-25T10:20:30` (a trailing `Z` is
/// accepted).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UtcTime {
    pub year: u32,
    pub month: u32,
    pub day: u32,
    pub hour: u32,
    pub minute: u32,
    pub second: u32,
}

impl UtcTime {
    /// Parse `YYYY-MM-DDTHH:MM:SS[Z]`, checking the ranges (days per month
    /// included).
    pub fn parse(s: &str) -> Option<UtcTime> {
        let s = s.strip_suffix('Z').unwrap_or(s);
        let (date, time) = s.split_once('T')?;
        let num = |p: &str, len: usize| -> Option<u32> {
            (p.len() == len && p.bytes().all(|b| b.is_ascii_digit()))
                .then(|| p.parse().ok())
                .flatten()
        };
        let d: Vec<&str> = date.split('-').collect();
        let t: Vec<&str> = time.split(':').collect();
        let ([y, mo, da], [h, mi, se]) = (d.as_slice(), t.as_slice()) else {
            return None;
        };
        let u = UtcTime {
            year: num(y, 4)?,
            month: num(mo, 2)?,
            day: num(da, 2)?,
            hour: num(h, 2)?,
            minute: num(mi, 2)?,
            second: num(se, 2)?,
        };
        let leap =
            u.year.is_multiple_of(4) && (!u.year.is_multiple_of(100) || u.year.is_multiple_of(400));
        let days = match u.month {
            2 if leap => 29,
            2 => 28,
            4 | 6 | 9 | 11 => 30,
            1..=12 => 31,
            _ => return None,
        };
        (u.day >= 1 && u.day <= days && u.hour < 24 && u.minute < 60 && u.second < 60).then_some(u)
    }
}

/// `[nitz]`: the network's time and time zone, as the modem last received
/// them (3GPP TS 24.008 §10.5.3.8/9, carried by MS Voice Extensions NITZ).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct NitzSpec {
    /// The network's universal time.
    #[serde(deserialize_with = "de_utc_time")]
    pub time: UtcTime,
    /// Local time zone in minutes east of UTC, daylight saving included
    /// (the 3GPP Time Zone IE).
    pub tz_offset: i32,
    /// The daylight-saving adjustment in minutes.
    pub dst_offset: i32,
}

impl Default for NitzSpec {
    fn default() -> Self {
        NitzSpec {
            time: UtcTime {
                year: 2026,
                month: 11,
                day: 25,
                hour: 10,
                minute: 20,
                second: 30,
            },
            tz_offset: 60,
            dst_offset: 0,
        }
    }
}

/// `[signal]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SignalSpec {
    /// 0–31 (−113 dBm + 2·n), 99 unknown.
    pub rssi: u32,
    /// 0–7, 99 unknown.
    pub error_rate: u32,
}

impl Default for SignalSpec {
    fn default() -> Self {
        SignalSpec {
            rssi: 20,
            error_rate: 0,
        }
    }
}

/// `[packet_service]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct PacketServiceSpec {
    /// Attach by itself once registered (most modems do).
    pub auto_attach: bool,
    pub uplink_bps: u64,
    pub downlink_bps: u64,
    /// A non-success status makes attach fail with it.
    #[serde(deserialize_with = "de_status")]
    pub attach_status: Status,
}

impl Default for PacketServiceSpec {
    fn default() -> Self {
        PacketServiceSpec {
            auto_attach: true,
            uplink_bps: 50_000_000,
            downlink_bps: 150_000_000,
            attach_status: Status::SUCCESS,
        }
    }
}

/// An IPv4 address with its on-link prefix length, `10.0.0.2/24`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ipv4Net {
    pub address: Ipv4Addr,
    pub prefix: u32,
}

/// An IPv6 address with its on-link prefix length, `2001:db8::2/64`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ipv6Net {
    pub address: Ipv6Addr,
    pub prefix: u32,
}

/// Credentials an APN requires.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuthSpec {
    pub user: String,
    pub password: String,
    /// `pap`, `chap`, `mschapv2`, or `none` to accept any protocol.
    #[serde(default = "default_auth_protocol", deserialize_with = "de_auth")]
    pub protocol: AuthProtocol,
}

fn default_auth_protocol() -> AuthProtocol {
    AuthProtocol::NONE
}

/// Data counted per connected session (PACKET_STATISTICS).
#[derive(Debug, Clone, Copy, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct TrafficSpec {
    pub in_octets: u64,
    pub out_octets: u64,
    pub in_packets: u64,
    pub out_packets: u64,
    /// Added every second while connected.
    pub in_octets_per_sec: u64,
    pub out_octets_per_sec: u64,
}

/// `[[apn]]`: what CONNECT to this APN does.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ApnSpec {
    pub name: String,
    /// Make CONNECT fail with this status (and `nw_error`).
    #[serde(deserialize_with = "de_opt_status")]
    pub error: Option<Status>,
    #[serde(deserialize_with = "de_nw_error")]
    pub nw_error: NwError,
    /// Credentials the network requires; wrong or missing ones fail with
    /// INVALID_USER_NAME_PWD.
    pub auth: Option<AuthSpec>,
    /// IP families granted: `ipv4`, `ipv6`, `ipv4v6`.
    #[serde(deserialize_with = "de_ip_type")]
    pub ip_type: ContextIpType,
    #[serde(deserialize_with = "de_opt_ipv4net")]
    pub ipv4: Option<Ipv4Net>,
    #[serde(deserialize_with = "de_opt_ipv4")]
    pub ipv4_gateway: Option<Ipv4Addr>,
    #[serde(deserialize_with = "de_ipv4s")]
    pub ipv4_dns: Vec<Ipv4Addr>,
    #[serde(deserialize_with = "de_opt_ipv6net")]
    pub ipv6: Option<Ipv6Net>,
    #[serde(deserialize_with = "de_opt_ipv6")]
    pub ipv6_gateway: Option<Ipv6Addr>,
    #[serde(deserialize_with = "de_ipv6s")]
    pub ipv6_dns: Vec<Ipv6Addr>,
    pub mtu: u32,
    /// Whether the internet is reachable through this APN; `None` = follows
    /// the SIM plan (hot: yes, warm: no). The daemon's connectivity check asks.
    pub internet: Option<bool>,
    pub traffic: TrafficSpec,
}

impl Default for ApnSpec {
    fn default() -> Self {
        ApnSpec {
            name: "internet".into(),
            error: None,
            nw_error: NwError::NONE,
            auth: None,
            ip_type: ContextIpType::IPV4V6,
            ipv4: Some(Ipv4Net {
                address: Ipv4Addr::new(10, 64, 0, 2),
                prefix: 24,
            }),
            ipv4_gateway: Some(Ipv4Addr::new(10, 64, 0, 1)),
            ipv4_dns: vec![Ipv4Addr::new(10, 64, 0, 53)],
            ipv6: Some(Ipv6Net {
                address: Ipv6Addr::new(0x2001, 0xdb8, 0, 0x40, 0, 0, 0, 2),
                prefix: 64,
            }),
            ipv6_gateway: Some(Ipv6Addr::new(0x2001, 0xdb8, 0, 0x40, 0, 0, 0, 1)),
            ipv6_dns: vec![Ipv6Addr::new(0x2001, 0xdb8, 0, 0x40, 0, 0, 0, 0x53)],
            mtu: 1500,
            internet: None,
            traffic: TrafficSpec {
                in_octets: 4096,
                out_octets: 1024,
                in_packets: 8,
                out_packets: 4,
                in_octets_per_sec: 0,
                out_octets_per_sec: 0,
            },
        }
    }
}

/// `[[context]]`: a provisioned context.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ContextSpec {
    pub id: u32,
    /// Context type name (`internet`, `ims`, `mms`, `purchase`, ...).
    #[serde(rename = "type")]
    pub context_type: String,
    pub apn: String,
    pub user: String,
    pub password: String,
    #[serde(deserialize_with = "de_auth")]
    pub auth: AuthProtocol,
}

impl Default for ContextSpec {
    fn default() -> Self {
        ContextSpec {
            id: 1,
            context_type: "internet".into(),
            apn: "internet".into(),
            user: String::new(),
            password: String::new(),
            auth: AuthProtocol::NONE,
        }
    }
}

/// `[[sms]]`: a message in the store.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SmsSpec {
    /// The 3GPP TS 23.040 PDU (with SMSC address), hex.
    #[serde(deserialize_with = "de_hex")]
    pub pdu: Vec<u8>,
    /// `new`, `old`, `draft`, `sent`.
    #[serde(default = "default_sms_status")]
    pub status: String,
}

fn default_sms_status() -> String {
    "new".into()
}

/// Phonebook capacity when the scenario lists entries but no capacity.
pub const DEFAULT_PHONEBOOK_CAPACITY: u32 = 100;
/// Longest phonebook number, in characters (reported by CONFIGURATION).
pub const PHONEBOOK_MAX_NUMBER: u32 = 40;
/// Longest phonebook name, in characters (reported by CONFIGURATION).
pub const PHONEBOOK_MAX_NAME: u32 = 32;

/// `[[phonebook]]`: an entry in the SIM phonebook.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PhonebookSpec {
    /// 1-based location.
    pub index: u32,
    pub number: String,
    #[serde(default)]
    pub name: String,
}

/// `[[ussd]]`: a scripted USSD exchange.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UssdSpec {
    /// The request string (`*100#`).
    pub request: String,
    /// The network's reply.
    pub reply: String,
    /// Whether the network keeps the session open for a further request.
    #[serde(default)]
    pub more: bool,
}

/// `[[event]]`: something that happens `at` seconds after the first OPEN.
// No deny_unknown_fields here: serde cannot combine it with `flatten`;
// `EventKind` rejects unknown keys itself.
#[derive(Debug, Clone, Deserialize)]
pub struct TimelineEvent {
    /// Seconds after the first OPEN (fractions allowed).
    pub at: f64,
    #[serde(flatten)]
    pub what: EventKind,
}

/// What a timeline event (or a run-time trigger) does.
#[derive(Debug, Clone, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case", deny_unknown_fields)]
pub enum EventKind {
    /// An SMS arrives: stored, and announced to the host.
    Sms {
        #[serde(deserialize_with = "de_hex")]
        pdu: Vec<u8>,
    },
    /// The signal changes.
    Signal { rssi: u32, error_rate: Option<u32> },
    /// Registration changes (e.g. to roaming or denied).
    Register {
        #[serde(deserialize_with = "de_register_state")]
        state: RegisterState,
        #[serde(default)]
        provider_id: String,
        #[serde(default)]
        provider_name: String,
    },
    /// The network drops every data session.
    Disconnect,
    /// The plan changes (a purchase made a warm SIM hot).
    Plan { plan: Plan },
    /// The network sends a USSD string (MBIM USSD indication): a
    /// notification, or with `request = true` a question the host answers
    /// with a CONTINUE (matched against the `[[ussd]]` scripts).
    Ussd {
        text: String,
        #[serde(default)]
        request: bool,
    },
    /// The network ends the USSD session (response "terminated by network").
    UssdEnd,
    /// Data flows: octets added to a connected session's counters
    /// (PACKET_STATISTICS); a timeline of these is a scripted traffic ramp.
    Traffic {
        /// The session (default: the first connected one).
        #[serde(default)]
        session_id: Option<u32>,
        #[serde(default)]
        in_octets: u64,
        #[serde(default)]
        out_octets: u64,
    },
    /// The modem moves to another cell (LOCATION_INFO_STATUS indication);
    /// unset codes keep their values.
    Cell {
        #[serde(default)]
        lac: Option<u32>,
        #[serde(default)]
        tac: Option<u32>,
        cell_id: u32,
    },
    /// The network sends its time (NITZ indication); unset offsets keep
    /// their values.
    Nitz {
        #[serde(deserialize_with = "de_utc_time")]
        time: UtcTime,
        #[serde(default)]
        tz_offset: Option<i32>,
        #[serde(default)]
        dst_offset: Option<i32>,
    },
}

/// `[timing]`: how long things take (0 = answer at once).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct TimingSpec {
    /// A VISIBLE_PROVIDERS scan; meanwhile another scan gets BUSY.
    pub scan_ms: u64,
    /// A CONNECT activation; meanwhile another CONNECT on the session gets BUSY.
    pub connect_ms: u64,
    /// From radio on / SIM unlock to registered (searching meanwhile).
    pub register_ms: u64,
}

// ---------------------------------------------------------------------------
// Field parsers: named values as in libmbim's printable names.
// ---------------------------------------------------------------------------

fn named<T: Copy>(all: &[T], name_of: impl Fn(T) -> Option<&'static str>, s: &str) -> Option<T> {
    all.iter().copied().find(|v| name_of(*v) == Some(s))
}

macro_rules! de_named {
    ($fn:ident, $T:ty, $what:literal) => {
        fn $fn<'de, D: Deserializer<'de>>(d: D) -> Result<$T, D::Error> {
            let s = String::deserialize(d)?;
            named(<$T>::ALL, |v| v.name(), &s).ok_or_else(|| {
                let names: Vec<&str> = <$T>::ALL.iter().filter_map(|v| v.name()).collect();
                serde::de::Error::custom(format!(
                    "unknown {} `{}`, expected one of: {}",
                    $what,
                    s,
                    names.join(", ")
                ))
            })
        }
    };
}

de_named!(de_device_type, DeviceType, "device type");

fn de_cellular_class<'de, D: Deserializer<'de>>(d: D) -> Result<CellularClass, D::Error> {
    let s = String::deserialize(d)?;
    named(CellularClass::ALL, |v| v.names().0.first().copied(), &s).ok_or_else(|| {
        serde::de::Error::custom(format!(
            "unknown cellular class `{s}`, expected gsm or cdma"
        ))
    })
}
de_named!(de_register_state, RegisterState, "register state");
de_named!(de_auth, AuthProtocol, "auth protocol");
de_named!(de_ip_type, ContextIpType, "IP type");

fn de_status<'de, D: Deserializer<'de>>(d: D) -> Result<Status, D::Error> {
    let s = String::deserialize(d)?;
    status_by_name(&s).ok_or_else(|| {
        serde::de::Error::custom(format!(
            "unknown status `{s}` (use MBIM status names like `service-not-activated`)"
        ))
    })
}

fn de_opt_status<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Status>, D::Error> {
    de_status(d).map(Some)
}

/// Look up an MBIM status by its libmbim-style name.
pub fn status_by_name(s: &str) -> Option<Status> {
    named(Status::ALL, |v| v.name(), s)
}

fn de_nw_error<'de, D: Deserializer<'de>>(d: D) -> Result<NwError, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum NumOrName {
        Num(u32),
        Name(String),
    }
    match NumOrName::deserialize(d)? {
        NumOrName::Num(n) => Ok(NwError(n)),
        NumOrName::Name(s) => named(NwError::ALL, |v| v.name(), &s)
            .ok_or_else(|| serde::de::Error::custom(format!("unknown nw_error `{s}`"))),
    }
}

fn de_data_class<'de, D: Deserializer<'de>>(d: D) -> Result<DataClass, D::Error> {
    let v = Vec::<String>::deserialize(d)?;
    let mut out = DataClass::NONE;
    for s in v {
        let one = named(DataClass::ALL, |c| c.names().0.first().copied(), &s)
            .ok_or_else(|| serde::de::Error::custom(format!("unknown data class `{s}`")))?;
        out |= one;
    }
    Ok(out)
}

fn de_version<'de, D: Deserializer<'de>>(d: D) -> Result<u16, D::Error> {
    let s = String::deserialize(d)?;
    match s.as_str() {
        "1.0" => Ok(0x0100),
        "2.0" => Ok(0x0200),
        "3.0" => Ok(0x0300),
        "4.0" => Ok(0x0400),
        _ => Err(serde::de::Error::custom(format!(
            "unknown MBIMEx version `{s}`, expected 1.0, 2.0, 3.0 or 4.0"
        ))),
    }
}

fn de_utc_time<'de, D: Deserializer<'de>>(d: D) -> Result<UtcTime, D::Error> {
    let s = String::deserialize(d)?;
    UtcTime::parse(&s).ok_or_else(|| {
        serde::de::Error::custom(format!("`{s}` is not a UTC time like 2026-11-25T10:20:30"))
    })
}

fn de_hex<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
    let s = String::deserialize(d)?;
    mbim_proto::hex::decode(&s).map_err(|e| serde::de::Error::custom(format!("bad hex: {e}")))
}

fn de_opt_hex<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Vec<u8>>, D::Error> {
    de_hex(d).map(Some)
}

fn parse_net<A: std::str::FromStr>(s: &str, max: u32) -> Result<(A, u32), String> {
    let (a, p) = s
        .split_once('/')
        .ok_or_else(|| format!("`{s}`: expected ADDRESS/PREFIX"))?;
    let a = a
        .parse::<A>()
        .map_err(|_| format!("`{a}` is not an IP address"))?;
    let p: u32 = p
        .parse()
        .ok()
        .filter(|p| *p <= max)
        .ok_or_else(|| format!("`{p}` is not a prefix length 0..={max}"))?;
    Ok((a, p))
}

fn de_opt_ipv4net<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Ipv4Net>, D::Error> {
    let s = String::deserialize(d)?;
    let (address, prefix) = parse_net::<Ipv4Addr>(&s, 32).map_err(serde::de::Error::custom)?;
    Ok(Some(Ipv4Net { address, prefix }))
}

fn de_opt_ipv6net<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Ipv6Net>, D::Error> {
    let s = String::deserialize(d)?;
    let (address, prefix) = parse_net::<Ipv6Addr>(&s, 128).map_err(serde::de::Error::custom)?;
    Ok(Some(Ipv6Net { address, prefix }))
}

fn de_opt_ipv4<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Ipv4Addr>, D::Error> {
    Ipv4Addr::deserialize(d).map(Some)
}

fn de_opt_ipv6<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Ipv6Addr>, D::Error> {
    Ipv6Addr::deserialize(d).map(Some)
}

fn de_ipv4s<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<Ipv4Addr>, D::Error> {
    Vec::<Ipv4Addr>::deserialize(d)
}

fn de_ipv6s<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<Ipv6Addr>, D::Error> {
    Vec::<Ipv6Addr>::deserialize(d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_file_is_the_builtin_scenario() {
        let s = Scenario::from_toml("", "t").unwrap();
        assert_eq!(s.home.id, "00101");
        assert_eq!(s.home.name, "Test Network");
        assert_eq!(s.sim.plan, Plan::Hot);
        assert!(s.apn("INTERNET").is_some());
    }

    #[test]
    fn service_activation_data_is_hex_and_optional() {
        let s = Scenario::from_toml(
            "[sim]\nplan = \"cold\"\nactivation_data = \"c0ffee\"\nactivated_plan = \"warm\"\n",
            "t",
        )
        .unwrap();
        assert_eq!(s.sim.activation_data, Some(vec![0xc0, 0xff, 0xee]));
        assert_eq!(s.sim.activated_plan, Plan::Warm);
        let d = Scenario::from_toml("", "t").unwrap();
        assert_eq!(d.sim.activation_data, None);
        assert_eq!(d.sim.activated_plan, Plan::Hot);
        let e = Scenario::from_toml("[sim]\nactivation_data = \"xyz\"\n", "t").unwrap_err();
        assert!(e.to_string().starts_with("t:2:"), "{e}");
    }

    #[test]
    fn unknown_field_error_names_line_and_field() {
        let text = "[device]\nimei = \"1\"\nfirmwear = \"x\"\n";
        let e = Scenario::from_toml(text, "bad.toml").unwrap_err();
        let ScenarioError::Invalid {
            line,
            message,
            origin,
            ..
        } = &e
        else {
            panic!("{e}")
        };
        assert_eq!(*line, 3);
        assert!(message.contains("firmwear"), "{message}");
        assert_eq!(origin, "bad.toml");
        assert!(e.to_string().starts_with("bad.toml:3:"), "{e}");
    }

    #[test]
    fn bad_value_error_names_line() {
        let text = "[[apn]]\nname = \"x\"\n\nipv4 = \"10.0.0.300/24\"\n";
        let e = Scenario::from_toml(text, "t").unwrap_err();
        let ScenarioError::Invalid { line, message, .. } = &e else {
            panic!("{e}")
        };
        assert_eq!(*line, 4, "{e}");
        assert!(message.contains("10.0.0.300"), "{message}");
        let e = Scenario::from_toml("[registration]\nstate = \"homee\"\n", "t").unwrap_err();
        assert!(e.to_string().contains(":2:"), "{e}");
        assert!(e.to_string().contains("homee"), "{e}");
    }

    #[test]
    fn example_scenarios_load() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
        let mut n = 0;
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "toml") {
                Scenario::load(&path).unwrap_or_else(|e| panic!("{e}"));
                n += 1;
            }
        }
        assert!(n >= 4);
    }

    #[test]
    fn refuses_strings_over_mbim_limits() {
        let e = Scenario::from_toml(
            "[[network]]\nid = \"00101\"\nname = \"A network name far too long\"\n",
            "t",
        )
        .unwrap_err();
        assert!(e.to_string().contains("network name"), "{e}");
    }

    #[test]
    fn parses_a_full_scenario() {
        let text = r#"
            unknown_apn_status = "service-not-activated"
            [device]
            imei = "490154203237518"
            data_class = ["umts", "lte", "5g-nsa"]
            mbimex_version = "2.0"
            [sim]
            plan = "warm"
            lock = "pin"
            msisdns = ["+4915112345678"]
            [[apn]]
            name = "web"
            ipv4 = "100.64.1.2/30"
            internet = false
            auth = { user = "u", password = "p", protocol = "chap" }
            [[event]]
            at = 2.5
            kind = "signal"
            rssi = 5
            [[fault]]
            kind = "drop"
            cid = 1
        "#;
        let s = Scenario::from_toml(text, "t").unwrap();
        assert_eq!(s.device.mbimex_version, 0x0200);
        assert!(s.device.data_class.contains(DataClass::NR5G_NSA));
        assert_eq!(s.sim.lock, Lock::Pin);
        assert_eq!(s.unknown_apn_status, Status::SERVICE_NOT_ACTIVATED);
        let apn = s.apn("web").unwrap();
        assert_eq!(apn.ipv4.unwrap().prefix, 30);
        assert_eq!(apn.auth.as_ref().unwrap().protocol, AuthProtocol::CHAP);
        assert_eq!(s.timeline.len(), 1);
        assert_eq!(s.faults.len(), 1);
    }
}
