//! Fault injection: what can go wrong between the host and a modem, and when.
//!
//! A [`FaultRule`] pairs a [`Fault`] with a [`Trigger`]: either "the n-th
//! command matching service/CID" or "t seconds after the first OPEN". Rules
//! come from the scenario (`[[fault]]`) or are injected at run time
//! ([`super::device::Device::inject`]). Each rule fires `count` times, then
//! is spent. This module only describes faults; the device applies them.

use serde::{Deserialize, Deserializer};
use std::time::Duration;

/// What goes wrong.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case", deny_unknown_fields)]
pub enum Fault {
    /// The response (all its fragments) leaves `ms` milliseconds late.
    Delay { ms: u64 },
    /// The command is carried out but its response is lost.
    Drop,
    /// These bytes are written just before the response.
    Garbage {
        #[serde(deserialize_with = "de_hex")]
        bytes: Vec<u8>,
    },
    /// Only the first `keep` bytes of the response are written.
    Truncate { keep: usize },
    /// The response is fragmented at `fragment_size` bytes (or the max
    /// control transfer, if smaller) and the first two fragments swap places.
    OutOfOrderFragments { fragment_size: usize },
    /// The command is never carried out nor answered; the transaction is stuck.
    Stuck,
    /// The device resets: state back to the scenario's start, the function
    /// closed, so later commands get FUNCTION_ERROR NOT_OPENED until reopened.
    Reset,
    /// The device disappears: the transport reaches end of file.
    Unplug,
}

impl Fault {
    /// Whether the fault acts on a command's response (as opposed to the device as a whole).
    pub fn is_response_fault(&self) -> bool {
        !matches!(self, Fault::Reset | Fault::Unplug)
    }
}

/// When a rule fires.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Trigger {
    /// Service name (`basic-connect`, `sms`, ...) or UUID; `None` = any.
    pub service: Option<String>,
    /// CID; `None` = any.
    pub cid: Option<u32>,
    /// Matching commands to let through before firing.
    pub skip: u32,
    /// Fire at this time after the first OPEN instead of on a command.
    pub at: Option<Duration>,
}

/// A fault with its trigger and how many times it fires.
#[derive(Debug, Clone, PartialEq)]
pub struct FaultRule {
    pub fault: Fault,
    pub trigger: Trigger,
    /// How many times it fires (each matching command after `skip`).
    pub count: u32,
}

impl FaultRule {
    /// A rule firing once on the next command of `service`/`cid` (either may be `None`).
    pub fn on_command(fault: Fault, service: Option<&str>, cid: Option<u32>) -> FaultRule {
        FaultRule {
            fault,
            trigger: Trigger {
                service: service.map(str::to_string),
                cid,
                skip: 0,
                at: None,
            },
            count: 1,
        }
    }

    /// A rule firing once `at` after the first OPEN.
    pub fn at(fault: Fault, at: Duration) -> FaultRule {
        FaultRule {
            fault,
            trigger: Trigger {
                at: Some(at),
                ..Trigger::default()
            },
            count: 1,
        }
    }

    /// Let `n` matching commands through first.
    pub fn skip(mut self, n: u32) -> FaultRule {
        self.trigger.skip = n;
        self
    }

    /// Fire `n` times.
    pub fn times(mut self, n: u32) -> FaultRule {
        self.count = n;
        self
    }
}

impl<'de> Deserialize<'de> for FaultRule {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        // `[[fault]]` tables mix the fault's own keys with the trigger keys;
        // take the trigger keys out and hand the rest to `Fault`.
        let mut table = toml::Table::deserialize(d)?;
        let service = match table.remove("service") {
            None => None,
            Some(toml::Value::String(s)) => Some(s),
            Some(v) => {
                return Err(serde::de::Error::custom(format!(
                    "service: expected a string, got {v}"
                )));
            }
        };
        let int = |table: &mut toml::Table, k: &str| -> Result<Option<i64>, D::Error> {
            match table.remove(k) {
                None => Ok(None),
                Some(toml::Value::Integer(i)) if i >= 0 => Ok(Some(i)),
                Some(v) => Err(serde::de::Error::custom(format!(
                    "{k}: expected a non-negative integer, got {v}"
                ))),
            }
        };
        let cid = int(&mut table, "cid")?.map(|v| v as u32);
        let skip = int(&mut table, "skip")?.unwrap_or(0) as u32;
        let count = int(&mut table, "count")?.unwrap_or(1) as u32;
        let at = match table.remove("at") {
            None => None,
            Some(toml::Value::Float(f)) if f >= 0.0 => Some(Duration::from_secs_f64(f)),
            Some(toml::Value::Integer(i)) if i >= 0 => Some(Duration::from_secs(i as u64)),
            Some(v) => {
                return Err(serde::de::Error::custom(format!(
                    "at: expected seconds, got {v}"
                )));
            }
        };
        let fault = Fault::deserialize(toml::Value::Table(table))
            .map_err(|e| serde::de::Error::custom(e.message().trim()))?;
        if at.is_some() && (service.is_some() || cid.is_some()) {
            return Err(serde::de::Error::custom(
                "a fault triggers either `at` a time or on a service/cid, not both",
            ));
        }
        Ok(FaultRule {
            fault,
            trigger: Trigger {
                service,
                cid,
                skip,
                at,
            },
            count,
        })
    }
}

fn de_hex<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
    let s = String::deserialize(d)?;
    mbim_proto::hex::decode(&s).map_err(|e| serde::de::Error::custom(format!("bad hex: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Deserialize)]
    struct W {
        fault: Vec<FaultRule>,
    }

    #[test]
    fn parses_rules_with_triggers() {
        let w: W = toml::from_str(
            r#"
            [[fault]]
            kind = "delay"
            ms = 1500
            service = "basic-connect"
            cid = 1
            skip = 2
            count = 3
            [[fault]]
            kind = "unplug"
            at = 4.5
            [[fault]]
            kind = "garbage"
            bytes = "deadbeef"
            "#,
        )
        .unwrap();
        assert_eq!(w.fault[0].fault, Fault::Delay { ms: 1500 });
        assert_eq!(w.fault[0].trigger.cid, Some(1));
        assert_eq!(w.fault[0].trigger.skip, 2);
        assert_eq!(w.fault[0].count, 3);
        assert_eq!(w.fault[1].trigger.at, Some(Duration::from_millis(4500)));
        assert_eq!(
            w.fault[2].fault,
            Fault::Garbage {
                bytes: vec![0xde, 0xad, 0xbe, 0xef]
            }
        );
    }

    #[test]
    fn rejects_unknown_fault_kind() {
        let e = toml::from_str::<W>("[[fault]]\nkind = \"explode\"\n")
            .err()
            .unwrap();
        assert!(e.to_string().contains("explode"), "{e}");
    }
}
