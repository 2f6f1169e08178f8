//! The lookup workloads of apn-data.md §4.3 (W1, W3–W6) on the real data,
//! plus MVNO rules on small synthetic files, HWIDs and the resolver.

mod common;
use apn_db::hwid::{self, Hwid, HwidKind};
use apn_db::lookup::{Identity, KeyRule, MncLength, MvnoOutcome, Plmn, Rule, TieBreak};
use apn_db::model::MvnoType;
use apn_db::resolver::{self, ProvisioningSource, ServiceMetadataSource, Settings, SettingsSource};
use apn_db::{ApnIndex, ImportOptions, Lookup, Purpose};
use common::*;

fn imsi_for(p: Plmn) -> String {
    let s = format!("{}{}", p.mcc_str(), p.mnc_str());
    format!("{s}{}", &"123456789012345"[..15 - s.len()])
}

fn home(p: Plmn) -> Identity {
    Identity {
        imsi: Some(imsi_for(p)),
        mnc_length: MncLength::from_digits(p.mnc_digits),
        ..Default::default()
    }
}

/// W1: every home network gives candidates, or an explicit empty answer
/// whose rows indeed serve no internet; ambiguity is stated, never hidden.
#[tokio::test]
async fn every_plmn_gives_a_result_or_says_why_not() {
    let t = bench_db().await;
    let idx = ApnIndex::load(&t.db).await.unwrap();
    let (mut ambiguous, mut empty, mut total) = (0, 0, 0);
    for p in idx
        .plmns()
        .filter(|p| p.mnc_digits >= 2)
        .collect::<Vec<_>>()
    {
        total += 1;
        let l = idx.lookup(&home(p), Purpose::Internet, false).unwrap();
        assert_eq!(l.plmn, Some(p));
        assert_eq!(l.key_rule, KeyRule::ImsiMncLength);
        assert_eq!(l.ambiguous(), l.decided_by() == TieBreak::DocumentOrder);
        if l.is_empty() {
            empty += 1;
            assert_eq!(l.decided_by(), TieBreak::None);
            // Nothing for internet: no operator row serves it (or an MVNO rule would be needed).
            assert!(
                idx.rows_for(p)
                    .filter(|r| r.row.mvno.is_none() && r.row.enabled)
                    .all(|r| {
                        !r.row.purposes.contains(Purpose::Internet)
                            && !r.row.purposes.contains(Purpose::Wap)
                    })
            );
        } else {
            // Operator rows, unless the test IMSI happens to fit an MVNO IMSI pattern.
            assert!(
                l.selected.mvno == MvnoOutcome::Matched
                    || l.selected
                        .candidates
                        .iter()
                        .all(|c| c.rule == Rule::Operator)
            );
        }
        if l.ambiguous() {
            ambiguous += 1;
            let a = &l.selected.candidates;
            assert!(
                a.len() >= 2 && !a[0].apn.eq_ignore_ascii_case(&a[1].apn)
                    || a[0].username != a[1].username
                    || a[0].password != a[1].password
                    || a[0].auth != a[1].auth
            );
        }
    }
    assert!(total >= 1290);
    assert!(ambiguous > 100, "{ambiguous} ambiguous of {total}");
    assert!(empty < 60, "{empty} without internet of {total}");
    eprintln!("W1: {total} keys, {ambiguous} ambiguous, {empty} without an internet APN");
}

/// The in-memory index and the SQLite-only path give the same answers.
#[tokio::test]
async fn index_and_sqlite_paths_agree() {
    let t = bench_db().await;
    let idx = ApnIndex::load(&t.db).await.unwrap();
    let plmns: Vec<Plmn> = idx.plmns().collect();
    for p in plmns.iter().step_by(3) {
        for id in [
            home(*p),
            Identity {
                mnc_length: None,
                ..home(*p)
            },
            Identity {
                spn: Some("Lebara".into()),
                ..home(*p)
            },
        ] {
            for purpose in [Purpose::Internet, Purpose::Mms] {
                let a = idx.lookup(&id, purpose, true).unwrap();
                let b = t.db.lookup(&id, purpose, true).await.unwrap();
                assert_eq!(a, b, "{p} {id:?}");
            }
        }
    }
}

/// W3: every MVNO row of the Lineage file, with a matching and a
/// non-matching identity.
#[tokio::test]
async fn mvno_rows_match_their_identity_and_only_theirs() {
    let t = bench_db().await;
    let idx = ApnIndex::load(&t.db).await.unwrap();
    let rows: Vec<_> =
        t.db.all_rows()
            .await
            .unwrap()
            .into_iter()
            .filter(|r| r.row.mvno.is_some() && r.row.enabled && r.row.mcc.is_some())
            .collect();
    assert_eq!(rows.len(), 282);
    let mut checked = 0;
    for r in &rows {
        let p =
            Plmn::from_strs(r.row.mcc.as_deref().unwrap(), r.row.mnc.as_deref().unwrap()).unwrap();
        let (t_, data) = r.row.mvno.clone().unwrap();
        let purpose = r.row.purposes.iter().next().unwrap_or(Purpose::Internet);
        let mut id = home(p);
        let mut miss = home(p);
        match t_ {
            MvnoType::Spn => {
                // Case and SIM padding do not matter.
                id.spn = Some(format!("{}\u{ff}\u{ff}", data.to_uppercase()));
                miss.spn = Some(format!("{data} X"));
            }
            MvnoType::Gid1 => {
                id.gid1 = Some(format!("{}FFFF", data.to_lowercase()));
                let flipped = if data.starts_with(['0']) { "1" } else { "0" };
                miss.gid1 = Some(format!("{flipped}{}", &data[1..]));
            }
            MvnoType::Imsi => {
                let imsi: String = data
                    .chars()
                    .map(|c| if c.eq_ignore_ascii_case(&'x') { '7' } else { c })
                    .collect();
                id.imsi = Some(format!(
                    "{imsi}{}",
                    &"000000000000000"[..15usize.saturating_sub(imsi.len())]
                ));
                // Change the last fixed digit of the pattern.
                let pos = data.rfind(|c: char| c.is_ascii_digit()).unwrap();
                let mut m: Vec<u8> = id.imsi.clone().unwrap().into_bytes();
                m[pos] = if m[pos] == b'9' { b'8' } else { m[pos] + 1 };
                miss.imsi = Some(String::from_utf8(m).unwrap());
            }
            MvnoType::Iccid => unreachable!("no ICCID rows in the Lineage file"),
        }
        let l = idx.lookup(&id, purpose, false).unwrap();
        assert_eq!(l.selected.mvno, MvnoOutcome::Matched, "{data:?} {id:?}");
        // MVNO matches replace the host operator's rows.
        assert!(
            l.selected
                .candidates
                .iter()
                .all(|c| !matches!(c.rule, Rule::Operator | Rule::OperatorSpnName))
        );
        assert!(
            l.selected
                .candidates
                .iter()
                .any(|c| c.apn.eq_ignore_ascii_case(&r.row.apn)),
            "{data:?}: {:?}",
            l.selected.candidates
        );
        let rule_of_row = |l: &Lookup| {
            l.selected.candidates.iter().any(|c| match (&c.rule, t_) {
                (Rule::MvnoSpn { spn }, MvnoType::Spn) => *spn == data,
                (Rule::MvnoGid1 { prefix }, MvnoType::Gid1) => *prefix == data,
                (Rule::MvnoImsi { pattern }, MvnoType::Imsi) => *pattern == data,
                _ => false,
            })
        };
        assert!(rule_of_row(&l));
        let m = idx.lookup(&miss, purpose, false).unwrap();
        assert!(!rule_of_row(&m), "{data:?} matched {miss:?}");
        checked += 1;
    }
    assert_eq!(checked, 282);
}

const SYNTH: &str = r#"<?xml version="1.0"?>
<apns version="8">
  <apn carrier="Host" mcc="999" mnc="99" apn="host.internet" type="default,supl"/>
  <apn carrier="Host MMS" mcc="999" mnc="99" apn="host.mms" type="mms"/>
  <apn carrier="Iccid MVNO" mcc="999" mnc="99" apn="iccid.short" type="default" mvno_type="iccid" mvno_match_data="8999, 899912"/>
  <apn carrier="Iccid MVNO long" mcc="999" mnc="99" apn="iccid.long" type="default" mvno_type="iccid" mvno_match_data="89991234"/>
  <apn carrier="Imsi MVNO" mcc="999" mnc="99" apn="imsi.mvno" type="default" mvno_type="imsi" mvno_match_data="99999x5"/>
  <apn carrier="Gid MVNO" mcc="999" mnc="99" apn="gid.mvno" type="default" mvno_type="gid" mvno_match_data="A1"/>
  <apn carrier="Spn MVNO" mcc="999" mnc="99" apn="spn.mvno" type="default" mvno_type="spn" mvno_match_data="Tiny Mobile"/>
  <apn carrier="Tie A" mcc="999" mnc="98" apn="tie.a" type="default"/>
  <apn carrier="Tie B" mcc="999" mnc="98" apn="tie.b" type="default"/>
  <apn carrier="Star" mcc="999" mnc="98" apn="star" type="*"/>
  <apn carrier="Three" mcc="999" mnc="980" apn="three.digit" type="default" protocol="IP" roaming_protocol="IPV4V6"/>
</apns>"#;

async fn synth() -> (TempDb, ApnIndex) {
    let t = temp_db().await;
    t.db.import_bytes(
        SYNTH.as_bytes(),
        std::path::Path::new("/synthetic/apns.xml"),
        &ImportOptions::default(),
    )
    .await
    .unwrap();
    let idx = ApnIndex::load(&t.db).await.unwrap();
    (t, idx)
}

fn id(imsi: &str) -> Identity {
    Identity {
        imsi: Some(imsi.into()),
        mnc_length: Some(MncLength::Two),
        ..Default::default()
    }
}

#[tokio::test]
async fn mvno_discrimination_by_each_kind_with_ranking() {
    let (t, idx) = synth().await;
    let apns = |l: &Lookup| {
        l.selected
            .candidates
            .iter()
            .map(|c| c.apn.clone())
            .collect::<Vec<_>>()
    };
    // Nothing matches: the host operator's rows, stated as a fallback.
    let l = idx
        .lookup(&id("999990000000000"), Purpose::Internet, false)
        .unwrap();
    assert_eq!(apns(&l), ["host.internet"]);
    assert_eq!(l.selected.mvno, MvnoOutcome::NoneMatched);
    assert_eq!(l.selected.candidates[0].rule, Rule::Operator);
    // ICCID: the longest matching prefix first; both ICCID rows before IMSI/GID/SPN.
    let full = Identity {
        iccid: Some("8999123456789012345".into()),
        gid1: Some("a1b2ffff".into()),
        spn: Some("TINY MOBILE".into()),
        ..id("999991500000000")
    };
    let l = idx.lookup(&full, Purpose::Internet, false).unwrap();
    assert_eq!(
        apns(&l),
        [
            "iccid.long",
            "iccid.short",
            "imsi.mvno",
            "gid.mvno",
            "spn.mvno"
        ]
    );
    assert_eq!(
        l.selected.candidates[0].rule,
        Rule::MvnoIccid {
            prefix: "89991234".into()
        }
    );
    assert_eq!(
        l.selected.candidates[1].rule,
        Rule::MvnoIccid {
            prefix: "899912".into()
        }
    );
    assert_eq!(l.decided_by(), TieBreak::MvnoSpecificity);
    assert!(!l.ambiguous());
    // Each kind alone, matching and not.
    let cases: Vec<(Identity, Option<&str>)> = vec![
        (
            Identity {
                iccid: Some("8999000000000000000".into()),
                ..id("999990000000000")
            },
            Some("iccid.short"),
        ),
        (
            Identity {
                iccid: Some("8998000000000000000".into()),
                ..id("999990000000000")
            },
            None,
        ),
        (id("999997500000000"), Some("imsi.mvno")),
        (id("999997600000000"), None),
        (
            Identity {
                gid1: Some("A1".into()),
                ..id("999990000000000")
            },
            Some("gid.mvno"),
        ),
        (
            Identity {
                gid1: Some("a2".into()),
                ..id("999990000000000")
            },
            None,
        ),
        (
            Identity {
                spn: Some(" tiny mobile ".into()),
                ..id("999990000000000")
            },
            Some("spn.mvno"),
        ),
        (
            Identity {
                spn: Some("Tiny".into()),
                ..id("999990000000000")
            },
            None,
        ),
    ];
    for (ident, want) in cases {
        let l = idx.lookup(&ident, Purpose::Internet, false).unwrap();
        match want {
            Some(a) => {
                assert_eq!(apns(&l), [a], "{ident:?}");
                assert_eq!(l.selected.mvno, MvnoOutcome::Matched);
            }
            None => {
                assert_eq!(apns(&l), ["host.internet"], "{ident:?}");
                assert_eq!(l.selected.mvno, MvnoOutcome::NoneMatched);
            }
        }
        assert_eq!(
            l,
            t.db.lookup(&ident, Purpose::Internet, false).await.unwrap()
        );
    }
    // Android's rule: a matched MVNO without an MMS APN leaves MMS empty
    // rather than falling back to the host's MMS APN.
    let l = idx
        .lookup(
            &Identity {
                gid1: Some("A1".into()),
                ..id("999990000000000")
            },
            Purpose::Mms,
            false,
        )
        .unwrap();
    assert!(l.is_empty());
    let l = idx
        .lookup(&id("999990000000000"), Purpose::Mms, false)
        .unwrap();
    assert_eq!(apns(&l), ["host.mms"]);
}

#[tokio::test]
async fn two_and_three_digit_mncs_are_different_keys() {
    let (_t, idx) = synth().await;
    let imsi = "999980123456789";
    let two = idx
        .lookup(
            &Identity {
                imsi: Some(imsi.into()),
                mnc_length: Some(MncLength::Two),
                ..Default::default()
            },
            Purpose::Internet,
            false,
        )
        .unwrap();
    assert_eq!(two.plmn.unwrap().to_string(), "999-98");
    assert_eq!(two.key_rule, KeyRule::ImsiMncLength);
    assert!(
        two.selected
            .candidates
            .iter()
            .all(|c| c.apn != "three.digit")
    );
    let three = idx
        .lookup(
            &Identity {
                imsi: Some(imsi.into()),
                mnc_length: Some(MncLength::Three),
                ..Default::default()
            },
            Purpose::Internet,
            false,
        )
        .unwrap();
    assert_eq!(three.plmn.unwrap().to_string(), "999-980");
    assert_eq!(three.selected.candidates[0].apn, "three.digit");
    // Unknown length: the 3-digit key first, and the other one is named.
    let guess = idx
        .lookup(
            &Identity {
                imsi: Some(imsi.into()),
                ..Default::default()
            },
            Purpose::Internet,
            false,
        )
        .unwrap();
    assert_eq!(guess.key_rule, KeyRule::ImsiGuessThreeDigits);
    assert_eq!(guess.plmn.unwrap().to_string(), "999-980");
    assert_eq!(guess.alternative_plmn.unwrap().to_string(), "999-98");
    // Only a 2-digit key exists for 999-99x.
    let g2 = idx
        .lookup(
            &Identity {
                imsi: Some("999990123456789".into()),
                ..Default::default()
            },
            Purpose::Internet,
            false,
        )
        .unwrap();
    assert_eq!(g2.key_rule, KeyRule::ImsiGuessTwoDigits);
    assert_eq!(g2.alternative_plmn, None);
}

/// W4 on the real data: the 77 collisions, with and without EF_AD.
#[tokio::test]
async fn real_mnc_collisions_follow_the_sim_mnc_length() {
    let t = bench_db().await;
    let idx = ApnIndex::load(&t.db).await.unwrap();
    let keys: std::collections::BTreeSet<Plmn> = idx.plmns().collect();
    let mut n = 0;
    for p3 in keys.iter().filter(|p| p.mnc_digits == 3) {
        let p2 = Plmn {
            mcc: p3.mcc,
            mnc: p3.mnc / 10,
            mnc_digits: 2,
        };
        if !keys.contains(&p2) {
            continue;
        }
        n += 1;
        let imsi = imsi_for(*p3);
        for (len, want) in [
            (Some(MncLength::Two), p2),
            (Some(MncLength::Three), *p3),
            (None, *p3),
        ] {
            let l = idx
                .lookup(
                    &Identity {
                        imsi: Some(imsi.clone()),
                        mnc_length: len,
                        ..Default::default()
                    },
                    Purpose::Internet,
                    false,
                )
                .unwrap();
            assert_eq!(l.plmn, Some(want));
            assert_eq!(
                l.alternative_plmn,
                if len.is_none() { Some(p2) } else { None }
            );
        }
    }
    assert_eq!(n, 77);
}

#[tokio::test]
async fn ties_are_deterministic_and_reported() {
    let (_t, idx) = synth().await;
    let l = idx
        .lookup(&id("999980000000000"), Purpose::Internet, false)
        .unwrap();
    let apns: Vec<_> = l
        .selected
        .candidates
        .iter()
        .map(|c| c.apn.as_str())
        .collect();
    // Explicit `default` before `*`, then document order; only order separated A from B.
    assert_eq!(apns, ["tie.a", "tie.b", "star"]);
    assert!(l.ambiguous());
    assert_eq!(l.decided_by(), TieBreak::DocumentOrder);
}

/// W5 on the real data: the same answers whatever the import order, on a
/// fresh database, and through both paths.
#[tokio::test]
async fn real_ties_do_not_depend_on_import_order() {
    let a = bench_db().await;
    let b = temp_db().await;
    b.db.import_file(data("apns-conf.xml"), &ImportOptions::default())
        .await
        .unwrap();
    b.db.import_file(data("serviceproviders.xml"), &ImportOptions::default())
        .await
        .unwrap();
    let ia = ApnIndex::load(&a.db).await.unwrap();
    let ib = ApnIndex::load(&b.db).await.unwrap();
    let summary = |l: &Lookup| {
        (
            l.ambiguous(),
            l.decided_by(),
            l.selected
                .candidates
                .iter()
                .map(|c| (c.apn.clone(), c.source, c.seq, c.rule.clone()))
                .collect::<Vec<_>>(),
        )
    };
    let mut tied = 0;
    for p in ia.plmns() {
        let la = ia.lookup(&home(p), Purpose::Internet, false).unwrap();
        let lb = ib.lookup(&home(p), Purpose::Internet, false).unwrap();
        assert_eq!(summary(&la), summary(&lb), "{p}");
        tied += usize::from(la.selected.candidates.len() > 1);
    }
    assert!(tied > 500, "{tied}");
}

/// W6: every CDMA SID finds its provider(s).
#[tokio::test]
async fn every_cdma_sid_finds_its_providers() {
    let t = temp_db().await;
    t.db.import_file(data("serviceproviders.xml"), &ImportOptions::default())
        .await
        .unwrap();
    let idx = ApnIndex::load(&t.db).await.unwrap();
    let sids: Vec<i64> = idx.sids().collect();
    assert_eq!(sids.len(), 726);
    let mut shared = std::collections::BTreeSet::new();
    for sid in &sids {
        let l = idx
            .lookup(
                &Identity {
                    sid: Some(*sid),
                    ..Default::default()
                },
                Purpose::Internet,
                false,
            )
            .unwrap();
        assert_eq!(l.key_rule, KeyRule::CdmaSid);
        assert!(!l.is_empty());
        assert!(
            l.selected
                .candidates
                .iter()
                .all(|c| c.rule == Rule::CdmaSid)
        );
        let providers: std::collections::BTreeSet<_> = l
            .selected
            .candidates
            .iter()
            .map(|c| c.provider.clone())
            .collect();
        if sids.iter().filter(|s| *s == sid).count() > 1 {
            shared.insert(*sid);
            assert_eq!(
                l,
                t.db.lookup(
                    &Identity {
                        sid: Some(*sid),
                        ..Default::default()
                    },
                    Purpose::Internet,
                    false
                )
                .await
                .unwrap()
            );
        }
        assert!(!providers.is_empty());
    }
    assert_eq!(shared.len(), 15);
}

#[tokio::test]
async fn roaming_changes_the_ip_type_not_the_key() {
    let (_t, idx) = synth().await;
    let ident = Identity {
        imsi: Some("999980123456789".into()),
        mnc_length: Some(MncLength::Three),
        ..Default::default()
    };
    let home_l = idx.lookup(&ident, Purpose::Internet, false).unwrap();
    let roam = idx.lookup(&ident, Purpose::Internet, true).unwrap();
    assert_eq!(home_l.plmn, roam.plmn);
    let c = &roam.selected.candidates[0];
    assert_eq!(c.ip_type_for(false), Some(apn_db::IpType::Ipv4));
    assert_eq!(c.ip_type_for(true), Some(apn_db::IpType::Ipv4v6));
    assert!(roam.roaming && !home_l.roaming);
}

#[tokio::test]
async fn mbpi_mvnos_sharing_a_network_are_told_apart_by_spn_name() {
    let t = temp_db().await;
    t.db.import_file(data("serviceproviders.xml"), &ImportOptions::default())
        .await
        .unwrap();
    let idx = ApnIndex::load(&t.db).await.unwrap();
    let p = Plmn::parse("505-02").unwrap();
    let plain = idx.lookup(&home(p), Purpose::Internet, false).unwrap();
    // 16 providers share 505-02 and none is marked primary in the Debian
    // copy: without an SPN only document order separates them, and the
    // result says so.
    assert!(plain.ambiguous());
    assert_eq!(plain.decided_by(), TieBreak::DocumentOrder);
    for name in ["Optus", "Virgin Mobile"] {
        let l = idx
            .lookup(
                &Identity {
                    spn: Some(name.to_uppercase()),
                    ..home(p)
                },
                Purpose::Internet,
                false,
            )
            .unwrap();
        assert_eq!(l.best().unwrap().provider, name);
        assert_eq!(l.best().unwrap().rule, Rule::OperatorSpnName);
        // The named provider's APNs all come before the other providers'.
        let first_other = l
            .selected
            .candidates
            .iter()
            .position(|c| c.rule == Rule::Operator)
            .unwrap();
        assert!(
            l.selected.candidates[..first_other]
                .iter()
                .all(|c| c.provider == name)
        );
        assert!(
            l.selected.candidates[first_other..]
                .iter()
                .all(|c| c.provider != name)
        );
    }
    let other = "Optus".to_string();
    let l = idx
        .lookup(
            &Identity {
                spn: Some(other.to_uppercase()),
                ..home(p)
            },
            Purpose::Internet,
            false,
        )
        .unwrap();
    assert_eq!(
        l,
        t.db.lookup(
            &Identity {
                spn: Some(other.to_uppercase()),
                ..home(p)
            },
            Purpose::Internet,
            false
        )
        .await
        .unwrap()
    );
}

#[tokio::test]
async fn upstream_gid1_with_ff_padding_matches() {
    let t = temp_db().await;
    t.db.import_file(
        data("serviceproviders-upstream.xml"),
        &ImportOptions::default(),
    )
    .await
    .unwrap();
    let idx = ApnIndex::load(&t.db).await.unwrap();
    let drei = idx
        .plmns()
        .find(|p| {
            idx.rows_for(*p)
                .any(|r| r.row.mvno.as_ref().is_some_and(|m| m.1 == "0303"))
        })
        .unwrap();
    let l = idx
        .lookup(
            &Identity {
                gid1: Some("0303FFFFFFFF".into()),
                ..home(drei)
            },
            Purpose::Internet,
            false,
        )
        .unwrap();
    assert_eq!(l.selected.mvno, MvnoOutcome::Matched);
    assert_eq!(
        l.best().unwrap().rule,
        Rule::MvnoGid1 {
            prefix: "0303".into()
        }
    );
    let l = idx
        .lookup(
            &Identity {
                gid1: Some("0304".into()),
                ..home(drei)
            },
            Purpose::Internet,
            false,
        )
        .unwrap();
    assert_ne!(l.selected.mvno, MvnoOutcome::Matched);
}

#[test]
fn bad_imsi_is_an_input_error() {
    let idx = ApnIndex::build(Vec::new(), Vec::new());
    assert!(
        idx.lookup(
            &Identity {
                imsi: Some("31026x".into()),
                ..Default::default()
            },
            Purpose::Internet,
            false
        )
        .is_err()
    );
}

#[test]
fn hwids_follow_the_documented_scheme() {
    // Expected values computed independently (Python hashlib + base64.b32encode).
    let imsi = Hwid::from_imsi("310260000000042").unwrap();
    assert_eq!(imsi.kind, HwidKind::Imsi100);
    assert_eq!(imsi.input, "3102600000000");
    assert_eq!(
        imsi.id,
        "MBAE-OSS:1:IMSI100:YI4C66YVBNZIMZKUXQWBUKALH6WN6F7JZZXPPN7HVBZAT4EMG5MQ"
    );
    assert_eq!(imsi.package_form(), format!("DOID:{}", imsi.id));
    let iccid = Hwid::from_iccid("8901410321111851072F").unwrap();
    assert_eq!(iccid.input, "89014103211118510");
    assert_eq!(
        iccid.id,
        "MBAE-OSS:1:ICCID100:G5OX66IOWFX7C6YFNK7E4PMAUUWC3CKXRAYJHAOYYV3UICUTZCGQ"
    );
    assert_eq!(
        Hwid::from_sid(4).unwrap().id,
        "MBAE-OSS:1:SID:S7HPEYMVHRVUA5KP5PW4JPT7WS4BAN3ZVT4NHCF4RPBYOZN6NR4Q"
    );
    assert_eq!(
        Hwid::from_provider("Verizon").unwrap().id,
        "MBAE-OSS:1:PROVIDER:EPHB6DGNCWHVYTDWLLMQETPPOKQXVTGYGEPUKSPZE4BRWJFXXEVQ"
    );
    // Blocks of 100: the last two digits do not matter.
    assert_eq!(
        Hwid::from_imsi("310260000000099").unwrap(),
        Hwid::from_imsi("310260000000000")
            .unwrap()
            .clone_with_input()
    );
    assert_ne!(Hwid::from_imsi("310260000000100").unwrap().id, imsi.id);
    assert!(Hwid::from_iccid("12").is_none());
    assert!(Hwid::from_sid(0).is_none());
    // Order: ICCID, IMSI, SID; provider name only without a SID.
    let all = hwid::hwids(&Identity {
        imsi: Some("310260000000042".into()),
        iccid: Some("8901410321111851072".into()),
        provider_name: Some("T-Mobile".into()),
        ..Default::default()
    });
    assert_eq!(
        all.iter().map(|h| h.kind).collect::<Vec<_>>(),
        [HwidKind::Iccid100, HwidKind::Imsi100, HwidKind::Provider]
    );
    let cdma = hwid::hwids(&Identity {
        sid: Some(4),
        provider_name: Some("Verizon".into()),
        ..Default::default()
    });
    assert_eq!(
        cdma.iter().map(|h| h.kind).collect::<Vec<_>>(),
        [HwidKind::Sid]
    );
    assert!(all.iter().chain(&cdma).all(|h| {
        h.id.len() <= 207
            && h.id
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b':' || b == b'-')
    }));
}

trait CloneWithInput {
    fn clone_with_input(&self) -> Self;
}
impl CloneWithInput for Hwid {
    fn clone_with_input(&self) -> Self {
        self.clone()
    }
}

struct FakeProvisioning(Vec<Settings>);
impl ProvisioningSource for FakeProvisioning {
    fn settings(&self, _: &Identity, purpose: Purpose) -> Vec<Settings> {
        self.0
            .iter()
            .filter(|s| s.purpose == purpose)
            .cloned()
            .collect()
    }
}
struct FakeMetadata(Vec<Settings>);
impl ServiceMetadataSource for FakeMetadata {
    fn settings(&self, hwids: &[Hwid], purpose: Purpose) -> Vec<Settings> {
        if hwids.is_empty() {
            Vec::new()
        } else {
            self.0
                .iter()
                .filter(|s| s.purpose == purpose)
                .cloned()
                .collect()
        }
    }
}

fn settings(apn: &str, order: Option<u32>) -> Settings {
    Settings {
        apn: apn.into(),
        username: None,
        password: None,
        auth: None,
        ip_type: None,
        purpose: Purpose::Internet,
        purchase_url: None,
        auto_connect_order: order,
        origin: "fake".into(),
    }
}

#[tokio::test]
async fn resolver_precedence_is_provisioning_then_metadata_then_database() {
    let (_t, idx) = synth().await;
    let ident = id("999990000000000");
    let hw = hwid::hwids(&ident);
    let lookup = idx.lookup(&ident, Purpose::Internet, false).unwrap();
    let prov = FakeProvisioning(vec![settings("prov.b", None), settings("prov.a", Some(1))]);
    let meta = FakeMetadata(vec![settings("meta", None)]);
    let none_p = FakeProvisioning(vec![]);
    let none_m = FakeMetadata(vec![]);

    let r = resolver::resolve(&ident, &hw, Purpose::Internet, &prov, &meta, Some(&lookup));
    assert_eq!(r.source, Some(SettingsSource::Provisioning));
    // AutoConnectOrder ascending first, unordered after.
    assert_eq!(
        r.candidates
            .iter()
            .map(|c| c.settings.apn.as_str())
            .collect::<Vec<_>>(),
        ["prov.a", "prov.b"]
    );
    assert!(
        r.candidates
            .iter()
            .all(|c| c.source == SettingsSource::Provisioning)
    );
    assert_eq!(
        r.overridden,
        [SettingsSource::ServiceMetadata, SettingsSource::ApnDatabase]
    );

    let r = resolver::resolve(
        &ident,
        &hw,
        Purpose::Internet,
        &none_p,
        &meta,
        Some(&lookup),
    );
    assert_eq!(r.source, Some(SettingsSource::ServiceMetadata));
    assert_eq!(r.candidates[0].settings.apn, "meta");
    assert_eq!(r.overridden, [SettingsSource::ApnDatabase]);

    let r = resolver::resolve(
        &ident,
        &hw,
        Purpose::Internet,
        &none_p,
        &none_m,
        Some(&lookup),
    );
    assert_eq!(r.source, Some(SettingsSource::ApnDatabase));
    assert_eq!(r.candidates[0].settings.apn, "host.internet");
    assert!(r.candidates[0].settings.origin.contains("operator"));

    let r = resolver::resolve(&ident, &hw, Purpose::Mms, &prov, &meta, None);
    assert_eq!(r.source, None);
    assert!(r.candidates.is_empty());
}

/// apn-data.md §2.2: the Lineage file has duplicate records; they are stored
/// (the counts stay exact) and offered once.
#[tokio::test]
async fn exact_duplicate_records_are_kept_but_offered_once() {
    let t = temp_db().await;
    t.db.import_file(data("apns-conf.xml"), &ImportOptions::default())
        .await
        .unwrap();
    let idx = ApnIndex::load(&t.db).await.unwrap();
    let rows = t.db.all_rows().await.unwrap();
    let strip = |r: &apn_db::model::ApnRow| {
        let mut r = r.clone();
        r.seq = 0;
        r.record = 0;
        r
    };
    let mut dups = 0;
    for (i, a) in rows.iter().enumerate() {
        let Some(b) = rows[..i].iter().find(|b| strip(&b.row) == strip(&a.row)) else {
            continue;
        };
        dups += 1;
        if a.row.mvno.is_some() || !a.row.enabled {
            continue;
        }
        let p =
            Plmn::from_strs(a.row.mcc.as_deref().unwrap(), a.row.mnc.as_deref().unwrap()).unwrap();
        let purpose = a.row.purposes.iter().next().unwrap();
        let l = idx.lookup(&home(p), purpose, false).unwrap();
        let same: Vec<_> = l
            .selected
            .candidates
            .iter()
            .filter(|c| {
                c.apn.eq_ignore_ascii_case(&a.row.apn)
                    && c.username == a.row.username
                    && c.password == a.row.password
                    && c.auth == a.row.auth
            })
            .collect();
        assert_eq!(same.len(), 1, "{p} {}", a.row.apn);
        assert!(same[0].merged >= 1);
        // Identical rows rank by document order: the later copy is merged away.
        assert!(same[0].seq <= b.row.seq);
    }
    // 8 records repeat another one attribute for attribute; after
    // normalisation (empty = absent, trimmed values) more rows coincide.
    assert!(dups >= 8, "{dups}");
}
