//! Where local traffic counters come from: the kernel's interface
//! statistics (`/sys/class/net/<if>/statistics/{rx,tx}_bytes`) when the
//! bearer's network interface is ours to see, else the modem's own MBIM
//! PACKET_STATISTICS (MBIM 1.0 §10.5.19: octets in/out over all sessions of
//! the function), which is also what the simulator's counters answer.
//!
//! A source only reads cumulative counters; differences, resets and usage
//! are the engine's business.

use super::engine::RawCounters;
use crate::modem::ModemHandle;
use mbim_proto::services::basic_connect::PacketStatisticsQuery;
use std::path::{Path, PathBuf};

/// A counter read failed.
#[derive(Debug, thiserror::Error)]
pub enum CounterError {
    /// A sysfs file could not be read or held no number.
    #[error("{path}: {message}")]
    Sysfs {
        /// The file.
        path: PathBuf,
        /// What went wrong.
        message: String,
    },
    /// The modem did not answer PACKET_STATISTICS.
    #[error("PACKET_STATISTICS: {0}")]
    Mbim(#[from] crate::modem::RequestError),
}

/// A counter source.
#[derive(Debug, Clone)]
pub enum CounterSource {
    /// `<dir>/rx_bytes` and `<dir>/tx_bytes` (a netdev's `statistics` directory).
    Sysfs(PathBuf),
    /// MBIM PACKET_STATISTICS through the modem actor.
    Mbim(ModemHandle),
}

impl CounterSource {
    /// The interface statistics of `net_port` under `sysfs` (`/sys`) if
    /// they exist, else the modem's PACKET_STATISTICS.
    pub fn pick(sysfs: &Path, net_port: &str, handle: &ModemHandle) -> Self {
        if !net_port.is_empty() && !net_port.contains('/') {
            let dir = sysfs.join("class/net").join(net_port).join("statistics");
            if dir.join("rx_bytes").is_file() {
                return CounterSource::Sysfs(dir);
            }
        }
        CounterSource::Mbim(handle.clone())
    }

    /// A short name for logs.
    pub fn kind(&self) -> &'static str {
        match self {
            CounterSource::Sysfs(_) => "sysfs",
            CounterSource::Mbim(_) => "mbim",
        }
    }

    /// Read the cumulative counters.
    pub async fn read(&self) -> Result<RawCounters, CounterError> {
        match self {
            CounterSource::Sysfs(dir) => Ok(RawCounters {
                rx: read_number(&dir.join("rx_bytes"))?,
                tx: read_number(&dir.join("tx_bytes"))?,
            }),
            CounterSource::Mbim(h) => {
                let s = h.request(&PacketStatisticsQuery).await?;
                Ok(RawCounters {
                    rx: s.in_octets,
                    tx: s.out_octets,
                })
            }
        }
    }
}

/// One decimal counter file (sysfs files are tiny; a blocking read is fine).
fn read_number(path: &Path) -> Result<u64, CounterError> {
    let err = |message: String| CounterError::Sysfs {
        path: path.to_path_buf(),
        message,
    };
    let text = std::fs::read_to_string(path).map_err(|e| err(e.to_string()))?;
    text.trim()
        .parse()
        .map_err(|_| err(format!("not a counter: {:?}", text.trim())))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn sysfs_statistics_are_read_when_the_interface_exists() {
        let dir = tempfile::tempdir().unwrap();
        let stats = dir.path().join("class/net/wwan0/statistics");
        std::fs::create_dir_all(&stats).unwrap();
        std::fs::write(stats.join("rx_bytes"), "123456\n").unwrap();
        std::fs::write(stats.join("tx_bytes"), "789\n").unwrap();
        let src = CounterSource::Sysfs(stats.clone());
        assert_eq!(
            src.read().await.unwrap(),
            RawCounters {
                rx: 123_456,
                tx: 789
            }
        );
        std::fs::write(stats.join("tx_bytes"), "x").unwrap();
        assert!(src.read().await.is_err());
    }
}
