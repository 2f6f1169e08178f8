//! The network's time (MS Voice Extensions NITZ query, for `Modem.Time`).

use crate::modem::{ModemHandle, OperationError};
use mbim_proto::services::ms_voice_extensions::{NitzInfo, NitzQuery};

/// Ask the modem for the network time it last received. A single query:
/// it does not take the operation lock (nothing else needs to wait for it).
pub async fn network_time(h: &ModemHandle) -> Result<NitzInfo, OperationError> {
    Ok(h.request(&NitzQuery).await?)
}
