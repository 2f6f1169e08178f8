//! `org.freedesktop.ModemManager1.Modem.Time` from MBIM NITZ (Microsoft
//! Voice Extensions CID 10): `GetNetworkTime` asks the modem for the
//! network's time, `NetworkTimezone` carries the last zone received, and
//! each NITZ indication is announced with `NetworkTimeChanged`. ModemManager
//! itself has no Time interface for generic MBIM modems (§8.2); semantics
//! follow its `mm-iface-modem-time.c`: the interface exists while the modem
//! is initialised (not LOCKED/FAILED) and lists NITZ, the time needs a
//! registered modem, and the zone dictionary has only the keys the network
//! gave (`offset`, `dst-offset` in minutes; MBIM has no leap seconds).
//!
//! This module formats and serves; the MBIM query lives in
//! `modem::ops::nitz`.
use crate::calendar::{civil_from_days, days_from_civil, days_in_month};

use super::errors::from_operation;
use super::modem::ModemCtx;
use super::view::{Change, Dict, ov, view};
use crate::modem::{ModemEvent, ModemState};
use dbus_interfaces::MmError;
use dbus_interfaces::enums::ModemState as MmState;
use mbim_proto::services::ms_voice_extensions::{self as voice, NitzInfo};
use mbim_proto::uuid;
use std::sync::Arc;
use zbus::interface;
use zbus::message::Header;
use zbus::object_server::SignalEmitter;

const TIME: &str = "org.freedesktop.ModemManager1.Time";

view!(
    /// `org.freedesktop.ModemManager1.Modem.Time`.
    TimeView {
        "NetworkTimezone" network_timezone: Dict = Dict::new(),
    }
);

/// Whether the modem reports the network's time.
pub fn supported(s: &ModemState) -> bool {
    s.supports(&uuid::MS_VOICE_EXTENSIONS, voice::cid::NITZ)
}

/// A signed minutes field of MBIM_NITZ_INFO (`None` for the 0xFFFFFFFF
/// "not available" marker).
fn minutes(v: u32) -> Option<i32> {
    (v != u32::MAX).then(|| i32::from_le_bytes(v.to_le_bytes()))
}

/// Whether a NITZ record holds a real date (a modem that never heard the
/// network reports zeros).
fn valid_date(n: &NitzInfo) -> bool {
    (1..=12).contains(&n.month)
        && n.day >= 1
        && n.day <= days_in_month(i64::from(n.year), n.month)
        && n.year >= 1970
        && n.hour < 24
        && n.minute < 60
        && n.second < 60
}

/// The network time as ModemManager publishes it: ISO 8601 local time with
/// its UTC offset, `2026-11-25T11:20:30+01:00` (`mm_new_iso8601_time`), or
/// the UTC time with `Z` when the network gave no zone. `None` without a
/// valid date.
pub fn network_time(n: &NitzInfo) -> Option<String> {
    if !valid_date(n) {
        return None;
    }
    let secs = days_from_civil(i64::from(n.year), n.month, n.day) * 86_400
        + i64::from(n.hour) * 3600
        + i64::from(n.minute) * 60
        + i64::from(n.second);
    let offset = minutes(n.time_zone_offset_minutes);
    let local = secs + i64::from(offset.unwrap_or(0)) * 60;
    let (y, mo, d) = civil_from_days(local.div_euclid(86_400));
    let t = local.rem_euclid(86_400);
    let mut s = format!(
        "{y:04}-{mo:02}-{d:02}T{:02}:{:02}:{:02}",
        t / 3600,
        t % 3600 / 60,
        t % 60
    );
    match offset {
        Some(o) => {
            let sign = if o < 0 { '-' } else { '+' };
            let a = o.unsigned_abs();
            s.push_str(&format!("{sign}{:02}:{:02}", a / 60, a % 60));
        }
        None => s.push('Z'),
    }
    Some(s)
}

/// The `NetworkTimezone` dictionary: the zone the registered network last
/// sent, with only the keys it gave (empty when unknown or unregistered).
pub fn timezone(s: &ModemState, state: MmState) -> Dict {
    let mut d = Dict::new();
    if state < MmState::Registered {
        return d;
    }
    let Some(n) = s.nitz.as_ref().filter(|n| valid_date(n)) else {
        return d;
    };
    if let Some(o) = minutes(n.time_zone_offset_minutes) {
        d.insert("offset".into(), ov(o));
    }
    if let Some(o) = minutes(n.daylight_saving_time_offset_minutes) {
        d.insert("dst-offset".into(), ov(o));
    }
    d
}

/// The Time view.
pub fn time_view(s: &ModemState, state: MmState) -> TimeView {
    TimeView {
        network_timezone: timezone(s, state),
    }
}

/// D-Bus object state: the modem context, and the task announcing NITZ
/// indications for as long as the interface is on the bus.
#[derive(Debug)]
pub struct TimeIface {
    ctx: Arc<ModemCtx>,
    _announcer: AbortOnDrop,
}

/// Ends the announcer when the interface leaves the bus.
#[derive(Debug)]
struct AbortOnDrop(tokio::task::JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

impl TimeIface {
    /// The Time interface of modem `ctx`; starts announcing NITZ
    /// indications as `NetworkTimeChanged`.
    pub fn new(ctx: Arc<ModemCtx>) -> Self {
        let announcer = AbortOnDrop(tokio::spawn(announce(ctx.clone())));
        TimeIface {
            ctx,
            _announcer: announcer,
        }
    }
    fn v<T>(&self, f: impl FnOnce(&TimeView) -> T) -> T {
        f(&self.ctx.book().time)
    }
}

/// Emit `NetworkTimeChanged(time)` for every NITZ indication (not for
/// query answers: those are the client's own request).
async fn announce(ctx: Arc<ModemCtx>) {
    let mut events = ctx.handle.events();
    loop {
        let ev = match events.recv().await {
            Ok(ev) => ev,
            Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => continue,
            Err(tokio::sync::broadcast::error::RecvError::Closed) => return,
        };
        let ModemEvent::Indication {
            service,
            cid,
            information_buffer,
        } = ev
        else {
            continue;
        };
        if uuid::canonical(service) != uuid::MS_VOICE_EXTENSIONS || cid != voice::cid::NITZ {
            continue;
        }
        use mbim_proto::services::Payload;
        let Some(time) = NitzInfo::decode(&information_buffer)
            .ok()
            .and_then(|n| network_time(&n))
        else {
            continue;
        };
        // The zone may have changed with it: publish that first.
        ctx.sync().await;
        let sent = match SignalEmitter::new(&ctx.conn, &ctx.path) {
            Ok(e) => TimeIface::network_time_changed(&e, time).await,
            Err(e) => Err(e),
        };
        if let Err(e) = sent {
            tracing::warn!(modem = ctx.index, error = %e, "NetworkTimeChanged not sent");
        }
    }
}

#[interface(name = "org.freedesktop.ModemManager1.Modem.Time")]
impl TimeIface {
    async fn get_network_time(&self, #[zbus(header)] hdr: Header<'_>) -> Result<String, MmError> {
        self.ctx.policy.check(&self.ctx.conn, &hdr, TIME).await?;
        if self.ctx.current_state() < MmState::Registered {
            return Err(MmError::WrongState(
                "Cannot load network time: not registered yet".into(),
            ));
        }
        let n = crate::modem::ops::nitz::network_time(&self.ctx.handle)
            .await
            .map_err(|e| from_operation(&e))?;
        network_time(&n).ok_or_else(|| {
            MmError::Failed("Cannot load network time: the network sent none".into())
        })
    }

    #[zbus(signal, name = "NetworkTimeChanged")]
    async fn network_time_changed(emitter: &SignalEmitter<'_>, time: String) -> zbus::Result<()>;

    #[zbus(property, name = "NetworkTimezone")]
    fn network_timezone(&self) -> Dict {
        self.v(|v| v.network_timezone.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use mbim_proto::services::basic_connect::DataClass;

    fn nitz([y, mo, d, h, mi, s]: [u32; 6], tz: i32, dst: i32) -> NitzInfo {
        NitzInfo {
            year: y,
            month: mo,
            day: d,
            hour: h,
            minute: mi,
            second: s,
            time_zone_offset_minutes: tz as u32,
            daylight_saving_time_offset_minutes: dst as u32,
            data_class: DataClass::LTE,
        }
    }

    #[test]
    fn network_time_is_local_time_with_its_offset() {
        let n = nitz([2026, 11, 25, 10, 20, 30], 60, 0);
        assert_eq!(
            network_time(&n).as_deref(),
            Some("2026-11-25T11:20:30+01:00")
        );
        // West of UTC across midnight and a year end.
        let n = nitz([2027, 1, 1, 2, 5, 0], -330, 0);
        assert_eq!(
            network_time(&n).as_deref(),
            Some("2026-12-31T20:35:00-05:30")
        );
        // East across a leap day.
        let n = nitz([2028, 2, 28, 23, 0, 0], 120, 60);
        assert_eq!(
            network_time(&n).as_deref(),
            Some("2028-02-29T01:00:00+02:00")
        );
        // No zone: UTC.
        let mut n = nitz([2026, 3, 1, 0, 0, 0], 0, 0);
        n.time_zone_offset_minutes = u32::MAX;
        assert_eq!(network_time(&n).as_deref(), Some("2026-03-01T00:00:00Z"));
    }

    #[test]
    fn no_time_without_a_valid_date() {
        assert_eq!(network_time(&NitzInfo::default()), None);
        assert_eq!(network_time(&nitz([2026, 2, 29, 0, 0, 0], 0, 0)), None);
        assert_eq!(network_time(&nitz([2026, 13, 1, 0, 0, 0], 0, 0)), None);
    }

    #[test]
    fn civil_days_round_trip() {
        for z in [-1_000_000, -1, 0, 1, 19_000, 20_500, 2_932_896] {
            let (y, m, d) = civil_from_days(z);
            assert_eq!(days_from_civil(y, m, d), z, "{y}-{m}-{d}");
        }
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        assert_eq!(days_from_civil(2000, 3, 1), 11_017);
    }

    #[test]
    fn timezone_has_only_known_keys_and_only_when_registered() {
        let mut s = ModemState {
            nitz: Some(nitz([2026, 11, 25, 10, 20, 30], 120, 60)),
            ..ModemState::default()
        };
        let d = timezone(&s, MmState::Registered);
        assert_eq!(i32::try_from(&*d["offset"]).unwrap(), 120);
        assert_eq!(i32::try_from(&*d["dst-offset"]).unwrap(), 60);
        assert!(!d.contains_key("leap-seconds"));
        assert!(timezone(&s, MmState::Enabled).is_empty());
        s.nitz.as_mut().unwrap().daylight_saving_time_offset_minutes = u32::MAX;
        let d = timezone(&s, MmState::Connected);
        assert_eq!(d.len(), 1);
        s.nitz = Some(NitzInfo::default());
        assert!(timezone(&s, MmState::Connected).is_empty());
    }
}
