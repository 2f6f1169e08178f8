//! Zero-copy views of the payloads a host decodes most: registration, packet
//! service, signal, connect, IP configuration, visible providers and SMS READ.
//!
//! A view borrows the information buffer: strings are [`Utf16`] slices and
//! lists are validated once and then iterated without allocating. Decoding a
//! view validates exactly what the owned decoder validates (bounds, 4-byte
//! alignment, UTF-16 well-formedness, counts against the bytes present), with
//! the same error field and offset, so any access afterwards is infallible.
//! `to_owned()` gives the owned structure. Use [`decode_view`] on hot paths
//! (indications, benchmarks); payloads without a view give [`View::Other`].

use super::Kind;
use super::basic_connect::{
    self as bc, CellularClass, ConnectInfo, DataClass, IpConfigurationAvailableFlag,
    IpConfigurationInfo, Ipv4Element, Ipv6Element, NwError, PacketServiceInfo, Provider,
    ProviderState, Providers, RadioStateInfo, RegisterMode, RegisterState, RegistrationFlag,
    RegistrationStateInfo, SignalStateInfo,
};
use super::sms::{SmsFormat, SmsMessageStatus, SmsPduRecord, SmsReceiveInfo, SmsStatusInfo};
use super::{ExtendedVersion, Payload, RawBytes};
use crate::error::{DecodeError, DecodeErrorKind};
use crate::wire::{self, PError, PResult, Uuid, check_count, finish, ol, u32le};
use std::fmt;
use std::net::{Ipv4Addr, Ipv6Addr};

/// A validated UTF-16LE string borrowed from a buffer (MBIM 1.0 §10.4).
#[derive(Clone, Copy, PartialEq, Eq, Default)]
pub struct Utf16<'a>(&'a [u8]);

impl<'a> Utf16<'a> {
    /// The raw UTF-16LE bytes.
    pub fn as_bytes(&self) -> &'a [u8] {
        self.0
    }

    /// Whether the string is empty.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The characters (the bytes were validated, so nothing is replaced).
    pub fn chars(&self) -> impl Iterator<Item = char> + 'a {
        char::decode_utf16(
            self.0
                .chunks_exact(2)
                .map(|c| u16::from_le_bytes([c[0], c[1]])),
        )
        .map(|c| c.unwrap_or(char::REPLACEMENT_CHARACTER))
    }

    /// An owned copy (fast for ASCII, the usual case).
    pub fn to_std_string(&self) -> String {
        // Validated at decode time, so this cannot fail; an empty string
        // would only come back for bytes that were never validated.
        wire::utf16_to_string("", self.0).unwrap_or_default()
    }

    /// Whether it equals `s`.
    pub fn eq_str(&self, s: &str) -> bool {
        let mut a = self.chars();
        let mut b = s.chars();
        loop {
            match (a.next(), b.next()) {
                (None, None) => return true,
                (x, y) if x == y => {}
                _ => return false,
            }
        }
    }
}

impl fmt::Display for Utf16<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for c in self.chars() {
            fmt::Write::write_char(f, c)?;
        }
        Ok(())
    }
}

impl fmt::Debug for Utf16<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", self.to_string())
    }
}

/// Check UTF-16LE well-formedness without allocating: even size, surrogates
/// in high-low pairs. Errors match `wire::utf16_to_string`.
fn validate_utf16(field: &'static str, bytes: &[u8]) -> Result<(), nom::Err<PError>> {
    let bad = || nom::Err::Error(PError::new(field, bytes, DecodeErrorKind::InvalidUtf16));
    if !bytes.len().is_multiple_of(2) {
        return Err(bad());
    }
    let mut expect_low = false;
    for c in bytes.chunks_exact(2) {
        let u = u16::from_le_bytes([c[0], c[1]]);
        let high = (0xD800..=0xDBFF).contains(&u);
        let low = (0xDC00..=0xDFFF).contains(&u);
        if expect_low != low {
            return Err(bad());
        }
        expect_low = high;
    }
    if expect_low {
        return Err(bad());
    }
    Ok(())
}

/// An OL pair pointing at a UTF-16LE string, borrowed.
fn string<'a>(base: &'a [u8], field: &'static str) -> impl Fn(&'a [u8]) -> PResult<'a, Utf16<'a>> {
    move |i: &'a [u8]| {
        let (r, data) = ol(base, field)(i)?;
        validate_utf16(field, data)?;
        Ok((r, Utf16(data)))
    }
}

fn view_err<T>(r: Result<T, nom::Err<PError>>, base: &[u8]) -> Result<T, DecodeError> {
    finish(base, r.map_err(wire::err_inner))
}

/// MBIM_REGISTRATION_STATE_INFO, borrowed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RegistrationStateInfoView<'a> {
    pub nw_error: NwError,
    pub register_state: RegisterState,
    pub register_mode: RegisterMode,
    pub available_data_classes: DataClass,
    pub current_cellular_class: CellularClass,
    pub provider_id: Utf16<'a>,
    pub provider_name: Utf16<'a>,
    pub roaming_text: Utf16<'a>,
    pub registration_flag: RegistrationFlag,
}

impl<'a> RegistrationStateInfoView<'a> {
    pub(crate) fn parse(s: &'a [u8]) -> Result<Self, nom::Err<PError>> {
        let (r, nw_error) = u32le("NwError")(s)?;
        let (r, register_state) = u32le("RegisterState")(r)?;
        let (r, register_mode) = u32le("RegisterMode")(r)?;
        let (r, available_data_classes) = u32le("AvailableDataClasses")(r)?;
        let (r, current_cellular_class) = u32le("CurrentCellularClass")(r)?;
        let (r, provider_id) = string(s, "ProviderId")(r)?;
        let (r, provider_name) = string(s, "ProviderName")(r)?;
        let (r, roaming_text) = string(s, "RoamingText")(r)?;
        let (_, registration_flag) = u32le("RegistrationFlag")(r)?;
        Ok(RegistrationStateInfoView {
            nw_error: nw_error.into(),
            register_state: register_state.into(),
            register_mode: register_mode.into(),
            available_data_classes: available_data_classes.into(),
            current_cellular_class: current_cellular_class.into(),
            provider_id,
            provider_name,
            roaming_text,
            registration_flag: registration_flag.into(),
        })
    }

    /// Decode a view of an information buffer.
    pub fn decode(buf: &'a [u8]) -> Result<Self, DecodeError> {
        view_err(Self::parse(buf), buf)
    }

    /// The owned structure.
    pub fn to_owned(&self) -> RegistrationStateInfo {
        RegistrationStateInfo {
            nw_error: self.nw_error,
            register_state: self.register_state,
            register_mode: self.register_mode,
            available_data_classes: self.available_data_classes,
            current_cellular_class: self.current_cellular_class,
            provider_id: self.provider_id.to_std_string(),
            provider_name: self.provider_name.to_std_string(),
            roaming_text: self.roaming_text.to_std_string(),
            registration_flag: self.registration_flag,
        }
    }
}

/// MBIM_PROVIDER, borrowed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProviderView<'a> {
    pub provider_id: Utf16<'a>,
    pub provider_state: ProviderState,
    pub provider_name: Utf16<'a>,
    pub cellular_class: CellularClass,
    pub rssi: u32,
    pub error_rate: u32,
}

impl<'a> ProviderView<'a> {
    pub(crate) fn parse(s: &'a [u8]) -> Result<Self, nom::Err<PError>> {
        let (r, provider_id) = string(s, "ProviderId")(s)?;
        let (r, provider_state) = u32le("ProviderState")(r)?;
        let (r, provider_name) = string(s, "ProviderName")(r)?;
        let (r, cellular_class) = u32le("CellularClass")(r)?;
        let (r, rssi) = u32le("Rssi")(r)?;
        let (_, error_rate) = u32le("ErrorRate")(r)?;
        Ok(ProviderView {
            provider_id,
            provider_state: provider_state.into(),
            provider_name,
            cellular_class: cellular_class.into(),
            rssi,
            error_rate,
        })
    }

    /// The owned structure.
    pub fn to_owned(&self) -> Provider {
        Provider {
            provider_id: self.provider_id.to_std_string(),
            provider_state: self.provider_state,
            provider_name: self.provider_name.to_std_string(),
            cellular_class: self.cellular_class,
            rssi: self.rssi,
            error_rate: self.error_rate,
        }
    }
}

/// An OL-pair list validated once; elements are re-read (cheaply) on iteration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OlList<'a> {
    base: &'a [u8],
    pairs: &'a [u8],
    count: u32,
}

impl<'a> OlList<'a> {
    /// Validate `count` pairs at `i` and each element with `check`.
    fn parse(
        base: &'a [u8],
        i: &'a [u8],
        count: u32,
        field: &'static str,
        check: impl Fn(&'a [u8]) -> Result<(), nom::Err<PError>>,
    ) -> PResult<'a, OlList<'a>> {
        check_count(field, i, count, 8, i.len())?;
        let mut r = i;
        for _ in 0..count {
            let (rest, data) = ol(base, field)(r)?;
            check(data)?;
            r = rest;
        }
        let pairs = &i[..i.len() - r.len()];
        Ok((r, OlList { base, pairs, count }))
    }

    /// Number of elements.
    pub fn len(&self) -> usize {
        self.count as usize
    }

    /// Whether the list is empty.
    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    /// The element slices.
    fn elements(&self) -> impl Iterator<Item = &'a [u8]> + 'a {
        let base = self.base;
        self.pairs.chunks_exact(8).map(move |p| {
            let o = u32::from_le_bytes([p[0], p[1], p[2], p[3]]) as usize;
            let n = u32::from_le_bytes([p[4], p[5], p[6], p[7]]) as usize;
            // Validated in `parse`; `get` keeps this total anyway.
            base.get(o..o + n).unwrap_or(&[])
        })
    }
}

/// MBIM_PROVIDERS, borrowed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProvidersView<'a> {
    list: OlList<'a>,
}

impl<'a> ProvidersView<'a> {
    pub(crate) fn parse(s: &'a [u8]) -> Result<Self, nom::Err<PError>> {
        let (r, count) = u32le("ElementCount")(s)?;
        let (_, list) = OlList::parse(s, r, count, "Providers", |d| {
            ProviderView::parse(d).map(|_| ())
        })?;
        Ok(ProvidersView { list })
    }

    /// Decode a view of an information buffer.
    pub fn decode(buf: &'a [u8]) -> Result<Self, DecodeError> {
        view_err(Self::parse(buf), buf)
    }

    /// Number of providers.
    pub fn len(&self) -> usize {
        self.list.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    /// The providers.
    pub fn iter(&self) -> impl Iterator<Item = ProviderView<'a>> + 'a {
        self.list
            .elements()
            .filter_map(|d| ProviderView::parse(d).ok())
    }

    /// The owned structure.
    pub fn to_owned(&self) -> Providers {
        Providers {
            providers: self.iter().map(|p| p.to_owned()).collect(),
        }
    }
}

/// MBIM_IP_CONFIGURATION_INFO, borrowed: address tables are slices.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IpConfigurationInfoView<'a> {
    pub session_id: u32,
    pub ipv4_configuration_available: IpConfigurationAvailableFlag,
    pub ipv6_configuration_available: IpConfigurationAvailableFlag,
    ipv4_address: &'a [u8],
    ipv6_address: &'a [u8],
    pub ipv4_gateway: Option<Ipv4Addr>,
    pub ipv6_gateway: Option<Ipv6Addr>,
    ipv4_dns_server: &'a [u8],
    ipv6_dns_server: &'a [u8],
    pub ipv4_mtu: u32,
    pub ipv6_mtu: u32,
}

fn table<'a>(
    s: &'a [u8],
    at: &'a [u8],
    field: &'static str,
    count: u32,
    offset: u32,
    each: usize,
) -> Result<&'a [u8], nom::Err<PError>> {
    if count == 0 {
        return Ok(&[]);
    }
    // Same checks, in the same order, as the owned decoder's table().
    let size = (count as u64).saturating_mul(each as u64);
    let size32 = u32::try_from(size).unwrap_or(u32::MAX);
    let data = wire::resolve(s, at, field, offset, size32)?;
    check_count(field, data, count, each, data.len())?;
    Ok(data)
}

fn v4(b: &[u8]) -> Ipv4Addr {
    Ipv4Addr::new(b[0], b[1], b[2], b[3])
}

fn v6(b: &[u8]) -> Ipv6Addr {
    let mut a = [0u8; 16];
    a.copy_from_slice(&b[..16]);
    Ipv6Addr::from(a)
}

impl<'a> IpConfigurationInfoView<'a> {
    pub(crate) fn parse(s: &'a [u8]) -> Result<Self, nom::Err<PError>> {
        let (r, session_id) = u32le("SessionId")(s)?;
        let (r, v4_avail) = u32le("IPv4ConfigurationAvailable")(r)?;
        let (r, v6_avail) = u32le("IPv6ConfigurationAvailable")(r)?;
        let a4 = r;
        let (r, v4_count) = u32le("IPv4AddressCount")(r)?;
        let (r, v4_off) = u32le("IPv4AddressOffset")(r)?;
        let a6 = r;
        let (r, v6_count) = u32le("IPv6AddressCount")(r)?;
        let (r, v6_off) = u32le("IPv6AddressOffset")(r)?;
        let g4 = r;
        let (r, gw4_off) = u32le("IPv4GatewayOffset")(r)?;
        let g6 = r;
        let (r, gw6_off) = u32le("IPv6GatewayOffset")(r)?;
        let d4 = r;
        let (r, dns4_count) = u32le("IPv4DnsServerCount")(r)?;
        let (r, dns4_off) = u32le("IPv4DnsServerOffset")(r)?;
        let d6 = r;
        let (r, dns6_count) = u32le("IPv6DnsServerCount")(r)?;
        let (r, dns6_off) = u32le("IPv6DnsServerOffset")(r)?;
        let (r, ipv4_mtu) = u32le("IPv4Mtu")(r)?;
        let (_, ipv6_mtu) = u32le("IPv6Mtu")(r)?;
        let ipv4_address = table(s, a4, "IPv4Address", v4_count, v4_off, 8)?;
        let ipv6_address = table(s, a6, "IPv6Address", v6_count, v6_off, 20)?;
        let ipv4_gateway = if gw4_off == 0 {
            None
        } else {
            Some(v4(table(s, g4, "IPv4Gateway", 1, gw4_off, 4)?))
        };
        let ipv6_gateway = if gw6_off == 0 {
            None
        } else {
            Some(v6(table(s, g6, "IPv6Gateway", 1, gw6_off, 16)?))
        };
        let ipv4_dns_server = table(s, d4, "IPv4DnsServer", dns4_count, dns4_off, 4)?;
        let ipv6_dns_server = table(s, d6, "IPv6DnsServer", dns6_count, dns6_off, 16)?;
        Ok(IpConfigurationInfoView {
            session_id,
            ipv4_configuration_available: v4_avail.into(),
            ipv6_configuration_available: v6_avail.into(),
            ipv4_address,
            ipv6_address,
            ipv4_gateway,
            ipv6_gateway,
            ipv4_dns_server,
            ipv6_dns_server,
            ipv4_mtu,
            ipv6_mtu,
        })
    }

    /// Decode a view of an information buffer.
    pub fn decode(buf: &'a [u8]) -> Result<Self, DecodeError> {
        view_err(Self::parse(buf), buf)
    }

    /// IPv4 addresses with their prefix lengths.
    pub fn ipv4_address(&self) -> impl Iterator<Item = Ipv4Element> + 'a {
        self.ipv4_address.chunks_exact(8).map(|c| Ipv4Element {
            on_link_prefix_length: u32::from_le_bytes([c[0], c[1], c[2], c[3]]),
            ipv4_address: v4(&c[4..]),
        })
    }

    /// IPv6 addresses with their prefix lengths.
    pub fn ipv6_address(&self) -> impl Iterator<Item = Ipv6Element> + 'a {
        self.ipv6_address.chunks_exact(20).map(|c| Ipv6Element {
            on_link_prefix_length: u32::from_le_bytes([c[0], c[1], c[2], c[3]]),
            ipv6_address: v6(&c[4..]),
        })
    }

    /// IPv4 DNS servers.
    pub fn ipv4_dns_server(&self) -> impl Iterator<Item = Ipv4Addr> + 'a {
        self.ipv4_dns_server.chunks_exact(4).map(v4)
    }

    /// IPv6 DNS servers.
    pub fn ipv6_dns_server(&self) -> impl Iterator<Item = Ipv6Addr> + 'a {
        self.ipv6_dns_server.chunks_exact(16).map(v6)
    }

    /// The owned structure.
    pub fn to_owned(&self) -> IpConfigurationInfo {
        IpConfigurationInfo {
            session_id: self.session_id,
            ipv4_configuration_available: self.ipv4_configuration_available,
            ipv6_configuration_available: self.ipv6_configuration_available,
            ipv4_address: self.ipv4_address().collect(),
            ipv6_address: self.ipv6_address().collect(),
            ipv4_gateway: self.ipv4_gateway,
            ipv6_gateway: self.ipv6_gateway,
            ipv4_dns_server: self.ipv4_dns_server().collect(),
            ipv6_dns_server: self.ipv6_dns_server().collect(),
            ipv4_mtu: self.ipv4_mtu,
            ipv6_mtu: self.ipv6_mtu,
        }
    }
}

/// MBIM_SMS_PDU_RECORD, borrowed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SmsPduRecordView<'a> {
    pub message_index: u32,
    pub message_status: SmsMessageStatus,
    pub pdu_data: &'a [u8],
}

impl<'a> SmsPduRecordView<'a> {
    fn parse(s: &'a [u8]) -> Result<Self, nom::Err<PError>> {
        let (r, message_index) = u32le("MessageIndex")(s)?;
        let (r, message_status) = u32le("MessageStatus")(r)?;
        let (_, pdu_data) = ol(s, "PduData")(r)?;
        Ok(SmsPduRecordView {
            message_index,
            message_status: message_status.into(),
            pdu_data,
        })
    }

    /// The owned structure.
    pub fn to_owned(&self) -> SmsPduRecord {
        SmsPduRecord {
            message_index: self.message_index,
            message_status: self.message_status,
            pdu_data: RawBytes(self.pdu_data.to_vec()),
        }
    }
}

/// MBIM_SMS_RECEIVE_INFO in PDU format, borrowed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SmsReceiveInfoView<'a> {
    list: OlList<'a>,
}

impl<'a> SmsReceiveInfoView<'a> {
    fn parse(s: &'a [u8]) -> Result<Option<Self>, nom::Err<PError>> {
        let (r, format) = u32le("Format")(s)?;
        if SmsFormat(format) != SmsFormat::PDU {
            return Ok(None);
        }
        let (r, count) = u32le("ElementCount")(r)?;
        let (_, list) = OlList::parse(s, r, count, "SmsRefList", |d| {
            SmsPduRecordView::parse(d).map(|_| ())
        })?;
        Ok(Some(SmsReceiveInfoView { list }))
    }

    /// Number of records.
    pub fn len(&self) -> usize {
        self.list.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    /// The records.
    pub fn iter(&self) -> impl Iterator<Item = SmsPduRecordView<'a>> + 'a {
        self.list
            .elements()
            .filter_map(|d| SmsPduRecordView::parse(d).ok())
    }

    /// The owned structure.
    pub fn to_owned(&self) -> SmsReceiveInfo {
        SmsReceiveInfo::Pdu(self.iter().map(|r| r.to_owned()).collect())
    }
}

/// A decoded payload view.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum View<'a> {
    RegistrationState(RegistrationStateInfoView<'a>),
    PacketService(PacketServiceInfo),
    SignalState(SignalStateInfo),
    RadioState(RadioStateInfo),
    Connect(ConnectInfo),
    IpConfiguration(IpConfigurationInfoView<'a>),
    Providers(ProvidersView<'a>),
    SmsRead(SmsReceiveInfoView<'a>),
    SmsStoreStatus(SmsStatusInfo),
    /// No zero-copy view for this payload: use [`super::decode_payload`].
    Other,
}

/// Decode a zero-copy view of a response or indication payload.
pub fn decode_view<'a>(
    service: &Uuid,
    cid: u32,
    kind: Kind,
    version: ExtendedVersion,
    buf: &'a [u8],
) -> Result<View<'a>, DecodeError> {
    if !matches!(kind, Kind::Response | Kind::Indication) || version > ExtendedVersion::V1 {
        return Ok(View::Other);
    }
    if *service == crate::uuid::BASIC_CONNECT {
        Ok(match cid {
            bc::cid::REGISTER_STATE => {
                View::RegistrationState(RegistrationStateInfoView::decode(buf)?)
            }
            bc::cid::PACKET_SERVICE => View::PacketService(PacketServiceInfo::decode(buf)?),
            bc::cid::SIGNAL_STATE => View::SignalState(SignalStateInfo::decode(buf)?),
            bc::cid::RADIO_STATE => View::RadioState(RadioStateInfo::decode(buf)?),
            bc::cid::CONNECT => View::Connect(ConnectInfo::decode(buf)?),
            bc::cid::IP_CONFIGURATION => {
                View::IpConfiguration(IpConfigurationInfoView::decode(buf)?)
            }
            bc::cid::VISIBLE_PROVIDERS
            | bc::cid::PREFERRED_PROVIDERS
            | bc::cid::MULTICARRIER_PROVIDERS => View::Providers(ProvidersView::decode(buf)?),
            _ => View::Other,
        })
    } else if *service == crate::uuid::SMS {
        Ok(match cid {
            2 => match view_err(SmsReceiveInfoView::parse(buf), buf)? {
                Some(v) => View::SmsRead(v),
                None => View::Other,
            },
            5 => View::SmsStoreStatus(SmsStatusInfo::decode(buf)?),
            _ => View::Other,
        })
    } else {
        Ok(View::Other)
    }
}
