//! The simulated MS UICC low-level access service, READ_BINARY only
//! (windows-operator-formats.md §7.2): the USIM's EF_SPN and EF_GID1
//! (3GPP TS 31.102 §4.2.12, §4.2.10) built from the scenario's `[sim] spn`
//! and `gid1`. Offered when `[device] uicc_files` is set.
//!
//! The card's answer is in the response's status words (TS 102 221
//! §10.2.1): 90 00 with the data, 6A 82 for a file the card does not have,
//! 6B 00 for an offset past the end. It never writes a file and has no other
//! file, channel or APDU.

use super::modem::{Modem, Reply, invalid};
use crate::messaging::gsm7;
use mbim_proto::Status;
use mbim_proto::services::Payload;
use mbim_proto::services::ms_uicc_low_level_access::{UiccAccessBinary, UiccResponse, cid};

/// MS UICC low-level access CIDs the simulator answers.
pub(super) const CIDS: &[u32] = &[cid::READ_BINARY];

/// ADF USIM then EF_SPN / EF_GID1 (TS 31.101 §8.4.2 path form).
const PATH_SPN: [u8; 4] = [0x7F, 0xFF, 0x6F, 0x46];
const PATH_GID1: [u8; 4] = [0x7F, 0xFF, 0x6F, 0x3E];
/// EF_SPN is 17 bytes: display condition and a 16-byte name.
const SPN_LEN: usize = 17;

/// EF_SPN for `name`: display condition 0x01 (show the registered PLMN
/// too), the name unpacked in the GSM default alphabet when it fits, else
/// the 0x80 UCS-2 form; padded with 0xFF.
pub(super) fn spn_file(name: &str) -> Vec<u8> {
    let mut f = vec![0x01];
    match gsm7::to_septets(name, "spn") {
        Ok(s) => f.extend_from_slice(&s),
        Err(_) => {
            f.push(0x80);
            for u in name.encode_utf16() {
                f.extend_from_slice(&u.to_be_bytes());
            }
        }
    }
    if f.len() < SPN_LEN {
        f.resize(SPN_LEN, 0xFF);
    }
    f
}

fn card(sw1: u8, sw2: u8, data: Vec<u8>) -> Reply {
    Reply::ok(&UiccResponse {
        version: 1,
        status_word1: u32::from(sw1),
        status_word2: u32::from(sw2),
        data,
    })
}

impl Modem {
    /// MS UICC low-level access: READ_BINARY queries of EF_SPN and EF_GID1.
    pub(super) fn uicc_low_level_access(&mut self, c: u32, set: bool, buf: &[u8]) -> Reply {
        if c != cid::READ_BINARY || set {
            return Reply::status(Status::NO_DEVICE_SUPPORT);
        }
        if let Err(s) = self.sim_gate() {
            return Reply::status(s);
        }
        let Ok(req) = UiccAccessBinary::decode(buf) else {
            return invalid();
        };
        let sim = &self.scenario.sim;
        let file = match req.file_path.as_slice() {
            p if p == PATH_SPN && !sim.spn.is_empty() => Some(spn_file(&sim.spn)),
            p if p == PATH_GID1 && !sim.gid1.is_empty() => mbim_proto::hex::decode(&sim.gid1).ok(),
            _ => None,
        };
        let Some(file) = file else {
            return card(0x6A, 0x82, Vec::new());
        };
        let start = req.read_offset as usize;
        if start > file.len() {
            return card(0x6B, 0x00, Vec::new());
        }
        // ReadSize 0 reads to the end, like Le = 00 in READ BINARY.
        let end = match req.read_size as usize {
            0 => file.len(),
            n => file.len().min(start.saturating_add(n)),
        };
        card(0x90, 0x00, file[start..end].to_vec())
    }
}

#[cfg(test)]
mod tests {
    use super::super::modem::Handled;
    use super::super::scenario::Scenario;
    use super::*;
    use mbim_proto::message::CommandType;
    use mbim_proto::uuid::MS_UICC_LOW_LEVEL_ACCESS;
    use std::time::Instant;

    fn modem(sim: &str) -> Modem {
        let text = format!("[device]\nuicc_files = true\n[sim]\n{sim}");
        Modem::new(Scenario::from_toml(&text, "t").unwrap())
    }

    fn read(m: &mut Modem, path: &[u8], offset: u32, size: u32) -> UiccResponse {
        let req = UiccAccessBinary {
            version: 1,
            file_path: path.to_vec(),
            read_offset: offset,
            read_size: size,
            ..UiccAccessBinary::default()
        };
        let Handled::Reply(r) = m.handle(
            Instant::now(),
            1,
            MS_UICC_LOW_LEVEL_ACCESS,
            cid::READ_BINARY,
            CommandType::QUERY,
            &req.to_bytes().unwrap(),
        ) else {
            panic!("READ_BINARY is answered at once")
        };
        assert_eq!(r.status, Status::SUCCESS);
        UiccResponse::decode(&r.payload).unwrap()
    }

    #[test]
    fn the_spn_file_is_served_and_decodes_back_to_the_scenario_name() {
        let mut m = modem("spn = \"Tesco Mobile\"\n");
        let r = read(&mut m, &PATH_SPN, 0, 0);
        assert_eq!((r.status_word1, r.status_word2), (0x90, 0x00));
        assert_eq!(r.data.len(), SPN_LEN);
        assert_eq!(
            crate::modem::ops::uicc_files::decode_spn(&r.data).as_deref(),
            Some("Tesco Mobile")
        );
        let r = read(&mut m, &PATH_SPN, 1, 5);
        assert_eq!(r.data, b"Tesco");
    }

    #[test]
    fn a_non_gsm_spn_is_served_in_the_ucs2_form() {
        let f = spn_file("Мегафон");
        assert_eq!(f[1], 0x80);
        assert_eq!(
            crate::modem::ops::uicc_files::decode_spn(&f).as_deref(),
            Some("Мегафон")
        );
    }

    #[test]
    fn gid1_is_served_from_hex_and_a_missing_file_is_6a82() {
        let mut m = modem("gid1 = \"0a1B\"\n");
        let r = read(&mut m, &PATH_GID1, 0, 0);
        assert_eq!((r.status_word1, r.status_word2), (0x90, 0x00));
        assert_eq!(r.data, vec![0x0A, 0x1B]);
        let r = read(&mut m, &[0x7F, 0xFF, 0x6F, 0x07], 0, 0);
        assert_eq!((r.status_word1, r.status_word2), (0x6A, 0x82));
        assert!(r.data.is_empty());
        let r = read(&mut m, &PATH_GID1, 3, 0);
        assert_eq!((r.status_word1, r.status_word2), (0x6B, 0x00));
        let mut none = modem("gid1 = \"\"\n");
        let r = read(&mut none, &PATH_GID1, 0, 0);
        assert_eq!((r.status_word1, r.status_word2), (0x6A, 0x82));
    }

    #[test]
    fn the_service_is_listed_only_when_the_scenario_offers_it() {
        let listed = |m: &Modem| {
            m.supported_services()
                .iter()
                .any(|(s, c)| *s == MS_UICC_LOW_LEVEL_ACCESS && c.contains(&cid::READ_BINARY))
        };
        assert!(listed(&modem("")));
        let plain = Modem::new(Scenario::from_toml("", "t").unwrap());
        assert!(!listed(&plain));
    }

    #[test]
    fn the_example_mvno_scenario_serves_its_spn_and_gid1() {
        let text = include_str!("../../scenarios/mvno-sim.toml");
        let mut m = Modem::new(Scenario::from_toml(text, "mvno-sim.toml").unwrap());
        let r = read(&mut m, &PATH_GID1, 0, 0);
        assert_eq!(r.data, vec![0xA1, 0xB2, 0xFF, 0xFF]);
        let r = read(&mut m, &PATH_SPN, 0, 0);
        assert_eq!(
            crate::modem::ops::uicc_files::decode_spn(&r.data).as_deref(),
            Some("Tiny Mobile")
        );
    }
}
