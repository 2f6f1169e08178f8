//! Signal polling, only where indications are missing: many modems report
//! SIGNAL_STATE on their own once subscribed (MBIM 1.0 §10.5.11), some never
//! do. The poller queries only when no indication arrived since its last tick,
//! so a reporting modem costs nothing.

use crate::modem::{Link, ModemHandle};
use mbim_proto::services::basic_connect::SignalStateQuery;
use std::time::Duration;

/// Poll until the modem is gone. Each tick: if the modem sent no
/// SIGNAL_STATE indication since the previous tick, query it (the actor
/// folds the answer into the state snapshot like an indication).
pub async fn poll_signal(h: ModemHandle, interval: Duration) {
    let mut seen = h.state().signal_indications;
    let mut tick = tokio::time::interval(interval);
    tick.tick().await; // the first tick fires at once
    loop {
        tick.tick().await;
        let st = h.state();
        match st.link {
            Link::Gone => return,
            Link::Ready => {}
            _ => continue,
        }
        if st.signal_indications == seen {
            // Errors (radio off, not registered) are fine: try next tick.
            let _ = h.request(&SignalStateQuery).await;
        }
        seen = h.state().signal_indications;
    }
}
