//! A data plan as the provisioning `plans:Plan` element describes it
//! (windows-operator-formats.md §1.8), plus the calendar arithmetic its
//! billing cycle needs (`xs:duration` and "start + k · duration").
//!
//! This type mirrors the provisioning element field by field so the
//! provisioning parser's plan maps onto it one to one; it does no XML
//! parsing and no I/O. Times are Unix seconds (UTC).
use crate::calendar::{civil_from_days, days_from_civil, days_in_month};

use serde::{Deserialize, Serialize};

/// Bytes in one "megabyte" of the plan documents. The provisioning schema
/// does not say; the operator-message `Units` element defines `M` as a power
/// of 1000 (§1.6), so plans use the same decimal megabyte.
pub const MEGABYTE: u64 = 1_000_000;

/// Cost class of a plan (`Description@PlanType`; Windows `NetworkCostType`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
pub enum PlanType {
    /// No plan known (`NetworkCostType.Unknown`).
    #[default]
    Unknown,
    /// No incremental cost.
    Unrestricted,
    /// Quota already paid for.
    Fixed,
    /// Billed per use.
    Variable,
}

impl PlanType {
    /// The `NetworkCostType` value (§4.1: Unknown 0, Unrestricted 1, Fixed 2, Variable 3).
    pub fn value(self) -> u32 {
        match self {
            PlanType::Unknown => 0,
            PlanType::Unrestricted => 1,
            PlanType::Fixed => 2,
            PlanType::Variable => 3,
        }
    }

    /// The schema's name (`Unrestricted`, `Fixed`, `Variable`; `Unknown`).
    pub fn name(self) -> &'static str {
        match self {
            PlanType::Unknown => "Unknown",
            PlanType::Unrestricted => "Unrestricted",
            PlanType::Fixed => "Fixed",
            PlanType::Variable => "Variable",
        }
    }

    /// Parse a schema name (case-insensitive).
    pub fn from_name(s: &str) -> Option<Self> {
        [
            PlanType::Unknown,
            PlanType::Unrestricted,
            PlanType::Fixed,
            PlanType::Variable,
        ]
        .into_iter()
        .find(|t| t.name().eq_ignore_ascii_case(s))
    }

    /// Whether traffic costs (or uses up) something: Fixed and Variable
    /// make a link metered (§4.4: "Fixed/Variable ... metered").
    pub fn metered(self) -> bool {
        matches!(self, PlanType::Fixed | PlanType::Variable)
    }
}

/// An `xs:duration` reduced to what calendar arithmetic needs: whole months
/// (years × 12 + months) and a fixed number of seconds (days, hours,
/// minutes, seconds).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct CycleDuration {
    /// Calendar months.
    pub months: u32,
    /// Fixed seconds added after the months.
    pub seconds: u64,
}

/// A duration string that is not an `xs:duration` we accept.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid xs:duration '{0}' (e.g. P1M, P30D, PT12H)")]
pub struct DurationError(pub String);

impl CycleDuration {
    /// Parse `PnYnMnDTnHnMnS` (XML Schema Part 2 §3.2.6; no sign, no
    /// fractional seconds). A zero duration is refused: the plans schema
    /// requires `> PT0S`.
    pub fn parse(s: &str) -> Result<Self, DurationError> {
        let err = || DurationError(s.to_string());
        let rest = s.strip_prefix('P').ok_or_else(err)?;
        let (date, time) = match rest.split_once('T') {
            Some((d, t)) if !t.is_empty() => (d, Some(t)),
            Some(_) => return Err(err()),
            None => (rest, None),
        };
        let mut months: u64 = 0;
        let mut seconds: u64 = 0;
        let mut any = false;
        let mut parse_part =
            |part: &str, units: &[(char, u64, bool)]| -> Result<(), DurationError> {
                let mut num = String::new();
                let mut next_unit = 0;
                for c in part.chars() {
                    if c.is_ascii_digit() {
                        num.push(c);
                        continue;
                    }
                    let idx = units[next_unit..]
                        .iter()
                        .position(|(u, _, _)| *u == c)
                        .ok_or_else(err)?
                        + next_unit;
                    let n: u64 = num.parse().map_err(|_| err())?;
                    num.clear();
                    let (_, mult, is_month) = units[idx];
                    let v = n.checked_mul(mult).ok_or_else(err)?;
                    if is_month {
                        months = months.checked_add(v).ok_or_else(err)?;
                    } else {
                        seconds = seconds.checked_add(v).ok_or_else(err)?;
                    }
                    any = true;
                    next_unit = idx + 1;
                }
                if num.is_empty() { Ok(()) } else { Err(err()) }
            };
        parse_part(
            date,
            &[('Y', 12, true), ('M', 1, true), ('D', 86_400, false)],
        )?;
        if let Some(t) = time {
            parse_part(t, &[('H', 3_600, false), ('M', 60, false), ('S', 1, false)])?;
        }
        if !any || (months == 0 && seconds == 0) {
            return Err(err());
        }
        Ok(CycleDuration {
            months: u32::try_from(months).map_err(|_| err())?,
            seconds,
        })
    }

    /// `t + k · self` in UTC calendar arithmetic: months are added first
    /// (the day clamped to the month's length, as `2025-01-31 + P1M` =
    /// `2025-02-28`), then the fixed seconds, each multiplied by `k`
    /// from the original `t` (so the day of month does not drift after a
    /// short month).
    pub fn add_times(self, t: i64, k: u32) -> i64 {
        let months = i64::from(self.months) * i64::from(k);
        let secs = i64::try_from(self.seconds)
            .unwrap_or(i64::MAX)
            .saturating_mul(i64::from(k));
        add_months(t, months).saturating_add(secs)
    }

    /// The canonical `xs:duration` text.
    pub fn to_xs(self) -> String {
        let mut s = String::from("P");
        let (y, m) = (self.months / 12, self.months % 12);
        if y > 0 {
            s.push_str(&format!("{y}Y"));
        }
        if m > 0 {
            s.push_str(&format!("{m}M"));
        }
        let d = self.seconds / 86_400;
        let rest = self.seconds % 86_400;
        if d > 0 {
            s.push_str(&format!("{d}D"));
        }
        if rest > 0 {
            s.push_str(&format!("T{rest}S"));
        }
        s
    }
}

/// `t` plus `months` calendar months (UTC), day clamped.
pub fn add_months(t: i64, months: i64) -> i64 {
    let days = t.div_euclid(86_400);
    let secs = t.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    let total = y * 12 + i64::from(m) - 1 + months;
    let ny = total.div_euclid(12);
    let nm = (total.rem_euclid(12) + 1) as u32;
    let nd = d.min(days_in_month(ny, nm));
    days_from_civil(ny, nm, nd) * 86_400 + secs
}

/// Unix seconds of an `xs:dateTime` in UTC (`2025-01-01T00:00:00Z`; a
/// missing zone is read as UTC, fractional seconds are dropped).
pub fn parse_datetime(s: &str) -> Option<i64> {
    let s = s.trim();
    let s = s.strip_suffix('Z').unwrap_or(s);
    let (date, time) = s.split_once('T')?;
    let mut dp = date.split('-');
    let y: i64 = dp.next()?.parse().ok()?;
    let m: u32 = dp.next()?.parse().ok()?;
    let d: u32 = dp.next()?.parse().ok()?;
    if !(1..=12).contains(&m) || d == 0 || d > days_in_month(y, m) {
        return None;
    }
    let time = time.split('.').next()?;
    let mut tp = time.split(':');
    let hh: i64 = tp.next()?.parse().ok()?;
    let mm: i64 = tp.next()?.parse().ok()?;
    let ss: i64 = tp.next().map_or(Some(0), |x| x.parse().ok())?;
    if hh > 23 || mm > 59 || ss > 60 {
        return None;
    }
    Some(days_from_civil(y, m, d) * 86_400 + hh * 3600 + mm * 60 + ss)
}

/// `xs:dateTime` text (UTC, `Z`) of Unix seconds.
pub fn format_datetime(t: i64) -> String {
    let (y, m, d) = civil_from_days(t.div_euclid(86_400));
    let s = t.rem_euclid(86_400);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        s / 3600,
        (s / 60) % 60,
        s % 60
    )
}

/// `BillingCycle`: `StartDate`, `Duration`, `Resets`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct BillingCycle {
    /// `StartDate` (Unix seconds, UTC).
    pub start: i64,
    /// `Duration`.
    pub duration: CycleDuration,
    /// `Resets` (default true): usage returns to zero at each cycle end.
    /// A plan whose cycle does not reset is a pre-paid plan that expires at
    /// `start + duration` (§4.3; the mapping is an inference, see there).
    pub resets: bool,
}

impl BillingCycle {
    /// Start of the cycle containing `now` (the largest `start + k·d ≤ now`,
    /// k ≥ 0), or `None` before the first start.
    pub fn current_start(&self, now: i64) -> Option<i64> {
        if now < self.start {
            return None;
        }
        let k = self.cycles_before(now);
        Some(self.duration.add_times(self.start, k))
    }

    /// Start of the next cycle after `now` (`start` itself before it begins).
    pub fn next_start(&self, now: i64) -> i64 {
        if now < self.start {
            return self.start;
        }
        let k = self.cycles_before(now);
        self.duration.add_times(self.start, k.saturating_add(1))
    }

    /// When a non-resetting (pre-paid) cycle expires.
    pub fn expiry(&self) -> Option<i64> {
        (!self.resets).then(|| self.duration.add_times(self.start, 1))
    }

    /// The largest k with `start + k·d ≤ now` (now ≥ start).
    fn cycles_before(&self, now: i64) -> u32 {
        let approx_len = i64::from(self.duration.months) * 2_629_746
            + i64::try_from(self.duration.seconds).unwrap_or(i64::MAX);
        let approx_len = approx_len.max(1);
        let mut k = u32::try_from(((now - self.start) / approx_len).max(0)).unwrap_or(u32::MAX);
        // The estimate is off by at most a few cycles (month lengths vary):
        // walk to the exact answer.
        while k > 0 && self.duration.add_times(self.start, k) > now {
            k -= 1;
        }
        while k < u32::MAX && self.duration.add_times(self.start, k + 1) <= now {
            k += 1;
        }
        k
    }
}

/// A data plan (`plans:Plan`, §1.8), or the same figures from a DUSM `Cost`
/// document (§1.12) or `SetPlan`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Plan {
    /// `Plan@Name`.
    pub name: String,
    /// `Description@PlanType`.
    pub plan_type: PlanType,
    /// `BillingCycle`.
    pub billing_cycle: Option<BillingCycle>,
    /// `DataLimitInMegabytes`.
    pub data_limit_megabytes: Option<u32>,
    /// `InboundBandwidthInKbps`.
    pub inbound_bandwidth_kbps: Option<u64>,
    /// `OutboundBandwidthInKbps`.
    pub outbound_bandwidth_kbps: Option<u64>,
    /// `MaxTransferSizeInMegabytes`.
    pub max_transfer_size_megabytes: Option<u32>,
    /// `SecurityUpdatesExempt` (default false).
    pub security_updates_exempt: bool,
    /// `DataUsageInMobileOperatorNotificationEnabled` (default false): the
    /// 5 % usage notification (§4.2).
    pub usage_notifications: bool,
    /// `UserSMSEnabled` (default true).
    pub user_sms_enabled: bool,
}

impl Plan {
    /// The limit in bytes.
    pub fn limit_bytes(&self) -> Option<u64> {
        self.data_limit_megabytes
            .map(|mb| u64::from(mb).saturating_mul(MEGABYTE))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_parse_months_and_fixed_seconds() {
        assert_eq!(
            CycleDuration::parse("P1M").unwrap(),
            CycleDuration {
                months: 1,
                seconds: 0
            }
        );
        assert_eq!(
            CycleDuration::parse("P1Y2M3DT4H5M6S").unwrap(),
            CycleDuration {
                months: 14,
                seconds: 3 * 86_400 + 4 * 3600 + 5 * 60 + 6
            }
        );
        assert_eq!(CycleDuration::parse("PT30M").unwrap().seconds, 1800);
        for bad in [
            "", "P", "PT", "P0D", "1M", "PM", "P1H", "P1M2Y", "P-1D", "P1DT",
        ] {
            assert!(CycleDuration::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn month_arithmetic_clamps_the_day_without_drifting() {
        let jan31 = parse_datetime("2025-01-31T10:00:00Z").unwrap();
        let d = CycleDuration {
            months: 1,
            seconds: 0,
        };
        assert_eq!(
            format_datetime(d.add_times(jan31, 1)),
            "2025-02-28T10:00:00Z"
        );
        assert_eq!(
            format_datetime(d.add_times(jan31, 2)),
            "2025-03-31T10:00:00Z"
        );
        assert_eq!(
            format_datetime(d.add_times(jan31, 13)),
            "2026-02-28T10:00:00Z"
        );
        let leap = parse_datetime("2024-02-29T00:00:00Z").unwrap();
        assert_eq!(
            format_datetime(add_months(leap, 12)),
            "2025-02-28T00:00:00Z"
        );
    }

    #[test]
    fn datetimes_round_trip() {
        for s in [
            "1970-01-01T00:00:00Z",
            "2025-01-12T08:30:00Z",
            "2100-12-31T23:59:59Z",
        ] {
            assert_eq!(format_datetime(parse_datetime(s).unwrap()), s);
        }
        assert_eq!(
            parse_datetime("2025-01-12T08:30:00.5Z"),
            parse_datetime("2025-01-12T08:30:00Z")
        );
        assert_eq!(parse_datetime("2025-02-30T00:00:00Z"), None);
    }

    #[test]
    fn billing_cycle_finds_current_and_next_start() {
        let start = parse_datetime("2025-01-15T00:00:00Z").unwrap();
        let c = BillingCycle {
            start,
            duration: CycleDuration::parse("P1M").unwrap(),
            resets: true,
        };
        let now = parse_datetime("2025-06-20T12:00:00Z").unwrap();
        assert_eq!(
            format_datetime(c.current_start(now).unwrap()),
            "2025-06-15T00:00:00Z"
        );
        assert_eq!(format_datetime(c.next_start(now)), "2025-07-15T00:00:00Z");
        // Exactly on a boundary: that cycle has begun.
        let b = parse_datetime("2025-07-15T00:00:00Z").unwrap();
        assert_eq!(c.current_start(b), Some(b));
        assert_eq!(c.current_start(start - 1), None);
        assert_eq!(c.next_start(start - 1), start);
        assert_eq!(c.expiry(), None);
        let prepaid = BillingCycle { resets: false, ..c };
        assert_eq!(
            format_datetime(prepaid.expiry().unwrap()),
            "2025-02-15T00:00:00Z"
        );
    }

    proptest::proptest! {
        #[test]
        fn cycle_start_is_the_last_boundary_not_after_now(
            start in 0i64..4_000_000_000,
            months in 0u32..14,
            days in 0u64..40,
            offset in 0i64..200_000_000,
        ) {
            proptest::prop_assume!(months > 0 || days > 0);
            let c = BillingCycle {
                start,
                duration: CycleDuration { months, seconds: days * 86_400 },
                resets: true,
            };
            let now = start + offset;
            let cur = c.current_start(now).unwrap();
            let next = c.next_start(now);
            proptest::prop_assert!(cur <= now && now < next);
        }
    }
}
