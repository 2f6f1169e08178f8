//! Importing the real data sets: counts against apn-data.md, quirks,
//! rejection of broken files, idempotence.

mod common;
use apn_db::import::parse;
use apn_db::lookup::{Identity, MncLength, Plmn};
use apn_db::{ApnDb, ApnIndex, Error, ImportOptions, Purpose, SourceKind};
use common::*;

#[tokio::test]
async fn debian_mbpi_counts_match_the_research_figures() {
    let t = temp_db().await;
    let r =
        t.db.import_file(data("serviceproviders.xml"), &ImportOptions::default())
            .await
            .unwrap();
    assert_eq!(r.kind, SourceKind::Mbpi);
    assert!(!r.unchanged);
    let c = &r.counts;
    assert_eq!(c.countries, 154);
    assert_eq!(c.providers, 700);
    assert_eq!(c.apns, 1304);
    // Quirk 3: a grep finds 986 network-ids; the commented-out ones do not count.
    assert_eq!(c.network_ids, 984);
    // One row per APN and distinct network-id of its provider (§4.1).
    assert_eq!(c.rows, 2405);
    assert_eq!(c.cdma_sids, 726);
    let (apn_rows, cdma_rows) = t.db.row_counts().await.unwrap();
    assert_eq!(apn_rows as u64, c.rows + c.rows_without_plmn);
    assert_eq!(cdma_rows, 726);
    let idx = ApnIndex::load(&t.db).await.unwrap();
    // 818 distinct pairs, 817 of them with APNs (Cricket, US, has none).
    assert_eq!(idx.plmn_count(), 817);
    let mccs: std::collections::BTreeSet<u16> = idx.plmns().map(|p| p.mcc).collect();
    assert_eq!(mccs.len(), 152);
    let two = idx.plmns().filter(|p| p.mnc_digits == 2).count();
    let three = idx.plmns().filter(|p| p.mnc_digits == 3).count();
    assert_eq!(two + three, 817);
}

#[tokio::test]
async fn upstream_mbpi_counts_and_gid1() {
    let t = temp_db().await;
    let r =
        t.db.import_file(
            data("serviceproviders-upstream.xml"),
            &ImportOptions::default(),
        )
        .await
        .unwrap();
    let c = &r.counts;
    assert_eq!(c.countries, 154);
    assert_eq!(c.providers, 710);
    assert_eq!(c.apns, 1292);
    assert_eq!(c.network_ids, 993);
    assert_eq!(c.cdma_sids, 702);
    let idx = ApnIndex::load(&t.db).await.unwrap();
    // 822 distinct pairs; one lists no APN.
    assert_eq!(idx.plmn_count(), 821);
    // 11 <gid1> elements; every row of those providers carries the rule.
    let rows = t.db.all_rows().await.unwrap();
    let gid_providers: std::collections::BTreeSet<(Option<String>, String, String)> = rows
        .iter()
        .filter_map(|r| {
            r.row
                .mvno
                .as_ref()
                .map(|(_, d)| (r.row.country.clone(), r.row.provider.clone(), d.clone()))
        })
        .collect();
    assert_eq!(gid_providers.len(), 11, "{gid_providers:?}");
    assert!(
        gid_providers
            .iter()
            .any(|(_, _, d)| d.starts_with("d3e35801"))
    );
}

#[tokio::test]
async fn lineage_apns_conf_counts_match_the_research_figures() {
    let t = temp_db().await;
    let r =
        t.db.import_file(data("apns-conf.xml"), &ImportOptions::default())
            .await
            .unwrap();
    assert_eq!(r.kind, SourceKind::Android);
    assert_eq!(r.counts.apns, 3793);
    assert_eq!(r.counts.rows, 3793);
    assert_eq!(r.counts.mvno_rows, 282);
    let idx = ApnIndex::load(&t.db).await.unwrap();
    assert_eq!(idx.plmn_count(), 1061);
    let rows = t.db.all_rows().await.unwrap();
    let count = |t: &str| {
        rows.iter()
            .filter(|r| r.row.mvno.as_ref().is_some_and(|m| m.0.as_str() == t))
            .count()
    };
    assert_eq!(
        (count("spn"), count("gid1"), count("imsi"), count("iccid")),
        (132, 125, 25, 0)
    );
    assert_eq!(
        rows.iter().filter(|r| r.row.carrier_id.is_some()).count(),
        107
    );
    assert_eq!(
        rows.iter()
            .filter(|r| r
                .row
                .mvno
                .as_ref()
                .is_some_and(|m| m.0.as_str() == "imsi" && m.1.contains('x')))
            .count(),
        7
    );
}

#[tokio::test]
async fn aosp_full_conf_counts_and_quirks() {
    let t = temp_db().await;
    let r =
        t.db.import_file(data("apns-full-conf.xml"), &ImportOptions::default())
            .await
            .unwrap();
    assert_eq!(r.counts.apns, 3162);
    let rows = t.db.all_rows().await.unwrap();
    assert_eq!(rows.len(), 3162);
    assert_eq!(
        rows.iter().filter(|r| r.row.carrier_id.is_some()).count(),
        2700
    );
    // `carrier_id = "1911"` (spaces around '=') was read.
    assert!(rows.iter().any(|r| r.row.carrier_id == Some(1911)));
    // 563 MVNO rows including one mvno_type="IMSI" in upper case.
    assert_eq!(rows.iter().filter(|r| r.row.mvno.is_some()).count(), 563);
    // 1-digit MNC kept as written (Glo 620-0), a distinct key from 620-00.
    assert!(
        rows.iter()
            .any(|r| r.row.mcc.as_deref() == Some("620") && r.row.mnc.as_deref() == Some("0"))
    );
    // Records with no apn attribute are the empty APN.
    assert!(rows.iter().filter(|r| r.row.apn.is_empty()).count() >= 25);
    // Unknown type tokens are kept and reported, not rejected.
    assert!(rows.iter().any(|r| {
        r.row
            .extra
            .as_deref()
            .is_some_and(|e| e.contains("unknown_types="))
    }));
    assert!(
        r.warnings
            .iter()
            .any(|w| w.message.contains("unknown type token"))
    );
}

#[tokio::test]
async fn both_sources_give_the_bench_database_figures() {
    let t = bench_db().await;
    let rows = t.db.all_rows().await.unwrap();
    let with_plmn = rows.iter().filter(|r| r.row.mcc.is_some()).count();
    assert_eq!(with_plmn, 6198);
    let idx = ApnIndex::load(&t.db).await.unwrap();
    assert_eq!(idx.plmn_count(), 1292);
    let mccs: std::collections::BTreeSet<u16> = idx.plmns().map(|p| p.mcc).collect();
    assert_eq!(mccs.len(), 188);
    let max = idx.plmns().map(|p| idx.rows_for(p).count()).max().unwrap();
    assert_eq!(max, 59);
    // 77 prefix collisions between a 2-digit key and a 3-digit key.
    let keys: std::collections::BTreeSet<Plmn> = idx.plmns().collect();
    let collisions = keys
        .iter()
        .filter(|p| p.mnc_digits == 3)
        .filter(|p| {
            keys.contains(&Plmn {
                mcc: p.mcc,
                mnc: p.mnc / 10,
                mnc_digits: 2,
            })
        })
        .count();
    assert_eq!(collisions, 77);
}

#[tokio::test]
async fn mbpi_quirks_are_handled() {
    let t = temp_db().await;
    let r =
        t.db.import_file(data("serviceproviders.xml"), &ImportOptions::default())
            .await
            .unwrap();
    let rows = t.db.all_rows().await.unwrap();
    // 2: entities in text.
    assert!(rows.iter().any(|r| r.row.provider == "AT&T"));
    assert!(rows.iter().any(|r| r.row.provider.contains("Crazy John's")));
    // 4: the name without xml:lang is the default; the other is kept in extra.
    assert!(rows.iter().any(|r| {
        r.row
            .extra
            .as_deref()
            .is_some_and(|e| e.contains("provider_alt="))
    }));
    // 5: no <usage> serves everything by default, not explicitly.
    let no_usage = rows
        .iter()
        .filter(|r| r.row.types_raw.is_none())
        .map(|r| r.row.record)
        .collect::<std::collections::BTreeSet<_>>();
    assert!(no_usage.len() >= 20, "{}", no_usage.len());
    assert!(
        rows.iter()
            .filter(|r| r.row.types_raw.is_none())
            .all(|r| !r.row.types_explicit)
    );
    // 6: trailing whitespace trimmed, case kept.
    assert!(rows.iter().all(|r| r.row.apn.trim() == r.row.apn));
    assert!(
        r.warnings
            .iter()
            .any(|w| w.message.contains("\"internet \""))
    );
    assert!(
        rows.iter()
            .any(|r| r.row.apn.chars().any(|c| c.is_ascii_uppercase()))
    );
    // 7: providers without network-id are kept, without a key, found by name.
    assert_eq!(
        r.counts.rows_without_plmn,
        rows.iter().filter(|r| r.row.mcc.is_none()).count() as u64
    );
    assert!(r.counts.rows_without_plmn > 0);
    let idx = ApnIndex::load(&t.db).await.unwrap();
    let winsim = idx
        .lookup(
            &Identity {
                provider_name: Some("winSIM".into()),
                ..Default::default()
            },
            Purpose::Internet,
            false,
        )
        .unwrap();
    assert!(!winsim.is_empty());
    // 8: duplicate network-ids stored once (AT&T 310-090).
    let att_090 = rows
        .iter()
        .filter(|r| {
            r.row.provider == "AT&T"
                && r.row.mcc.as_deref() == Some("310")
                && r.row.mnc.as_deref() == Some("090")
        })
        .count();
    let att_records = rows
        .iter()
        .filter(|r| r.row.provider == "AT&T")
        .map(|r| r.row.record)
        .collect::<std::collections::BTreeSet<_>>();
    assert_eq!(att_090, att_records.len());
    // 9: Crimean operators under <country code="ug"> are found by MCC 250.
    let crimea = rows
        .iter()
        .find(|r| r.row.country.as_deref() == Some("ug") && r.row.mcc.as_deref() == Some("250"))
        .unwrap();
    let l = idx
        .lookup(
            &Identity {
                imsi: Some(format!(
                    "250{}0000000000",
                    crimea.row.mnc.as_deref().unwrap()
                )),
                mnc_length: MncLength::from_digits(crimea.row.mnc.as_deref().unwrap().len() as u8),
                ..Default::default()
            },
            Purpose::Internet,
            false,
        )
        .unwrap();
    assert!(
        l.selected
            .candidates
            .iter()
            .any(|c| c.provider == crimea.row.provider)
    );
    // 10: MNCs stay strings: 208-26 and 208-260 are separate keys.
    assert!(idx.rows_for(Plmn::parse("208-26").unwrap()).count() > 0);
    assert!(idx.rows_for(Plmn::parse("208-260").unwrap()).count() > 0);
    assert!(
        idx.rows_for(Plmn::parse("208-26").unwrap())
            .all(|r| r.row.mnc.as_deref() == Some("26"))
    );
    // 12: every network-id of a provider gets rows (not only the first).
    let multi = rows
        .iter()
        .filter(|r| r.row.provider == "AT&T")
        .map(|r| r.row.mnc.clone())
        .collect::<std::collections::BTreeSet<_>>();
    assert!(multi.len() > 5);
}

#[tokio::test]
async fn a_broken_file_is_rejected_with_line_and_reason_and_old_data_stays() {
    let t = bench_db().await;
    let before = t.db.content_checksum().await.unwrap();
    let counts_before = t.db.row_counts().await.unwrap();
    let good = std::fs::read_to_string(data("serviceproviders.xml")).unwrap();
    let cases: Vec<(String, &str)> = vec![
        // Truncated in the middle.
        (
            good[..good[..good.len() / 2].rfind('\n').unwrap()].to_owned(),
            "end of file",
        ),
        // A mismatched closing tag on a known line.
        (good.replacen("</provider>", "</providr>", 1), "XML syntax"),
        // A non-digit MCC.
        (
            good.replacen("mcc=\"310\"", "mcc=\"31O\"", 1),
            "is not 3 digits",
        ),
        // An undefined entity.
        (good.replacen("AT&amp;T", "AT&foo;T", 1), "undefined entity"),
    ];
    for (text, reason) in cases {
        let path = t.dir.path().join("serviceproviders.xml");
        std::fs::write(&path, &text).unwrap();
        let err =
            t.db.import_file(&path, &ImportOptions::default())
                .await
                .unwrap_err();
        let Error::Parse(p) = err else {
            panic!("expected a parse error, got {err:?}")
        };
        assert!(p.reason.contains(reason), "{p}");
        assert!(p.file.ends_with("serviceproviders.xml"));
        assert!(
            p.line >= 1 && p.line as usize <= text.lines().count() + 1,
            "{p}"
        );
        assert_eq!(t.db.content_checksum().await.unwrap(), before);
        assert_eq!(t.db.row_counts().await.unwrap(), counts_before);
    }
    // The line is the line of the offending element.
    let bad = good.replacen("mcc=\"310\"", "mcc=\"31O\"", 1);
    let line = bad.lines().position(|l| l.contains("31O")).unwrap() as u64 + 1;
    let Error::Parse(p) =
        t.db.import_bytes(
            bad.as_bytes(),
            std::path::Path::new("x.xml"),
            &ImportOptions::default(),
        )
        .await
        .unwrap_err()
    else {
        panic!()
    };
    assert_eq!(p.line, line);
    // A bad replacement of an existing source also leaves it intact.
    let src = t.dir.path().join("apns.xml");
    std::fs::copy(data("apns-conf.xml"), &src).unwrap();
    t.db.import_file(&src, &ImportOptions::default())
        .await
        .unwrap();
    let mid = t.db.content_checksum().await.unwrap();
    let apns = std::fs::read_to_string(&src).unwrap();
    std::fs::write(&src, apns.replacen("mnc=\"", "mnc=\"x", 1)).unwrap();
    assert!(
        t.db.import_file(&src, &ImportOptions::default())
            .await
            .is_err()
    );
    assert_eq!(t.db.content_checksum().await.unwrap(), mid);
}

#[tokio::test]
async fn a_second_import_changes_nothing() {
    let t = bench_db().await;
    let sum = t.db.content_checksum().await.unwrap();
    let counts = t.db.row_counts().await.unwrap();
    let sources = t.db.sources().await.unwrap();
    for f in ["serviceproviders.xml", "apns-conf.xml"] {
        let r =
            t.db.import_file(data(f), &ImportOptions::default())
                .await
                .unwrap();
        assert!(r.unchanged, "{f}");
    }
    assert_eq!(t.db.content_checksum().await.unwrap(), sum);
    assert_eq!(t.db.row_counts().await.unwrap(), counts);
    let after = t.db.sources().await.unwrap();
    assert_eq!(
        sources
            .iter()
            .map(|s| (s.id, s.imported_at))
            .collect::<Vec<_>>(),
        after
            .iter()
            .map(|s| (s.id, s.imported_at))
            .collect::<Vec<_>>()
    );
    // Even a forced re-import produces the same content.
    for f in ["serviceproviders.xml", "apns-conf.xml"] {
        let r =
            t.db.import_file(
                data(f),
                &ImportOptions {
                    force: true,
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        assert!(r.replaced && !r.unchanged);
    }
    assert_eq!(t.db.content_checksum().await.unwrap(), sum);
    assert_eq!(t.db.row_counts().await.unwrap(), counts);
}

#[tokio::test]
async fn reopening_keeps_the_schema_version_and_data() {
    let t = bench_db().await;
    let sum = t.db.content_checksum().await.unwrap();
    t.db.close().await;
    let db = ApnDb::open(t.path()).await.unwrap();
    assert_eq!(db.user_version().await.unwrap(), apn_db::db::SCHEMA_VERSION);
    assert_eq!(db.content_checksum().await.unwrap(), sum);
    let ro = ApnDb::open_read_only(t.path()).await.unwrap();
    assert_eq!(ro.content_checksum().await.unwrap(), sum);
}

#[tokio::test]
async fn a_database_from_a_newer_schema_is_refused() {
    let t = temp_db().await;
    sqlx::raw_sql("PRAGMA user_version = 99")
        .execute(t.db.pool())
        .await
        .unwrap();
    t.db.close().await;
    match ApnDb::open(t.path()).await {
        Err(Error::SchemaTooNew { found: 99, .. }) => {}
        other => panic!("{other:?}"),
    }
}

#[test]
fn android_quirks_in_a_small_file() {
    let xml = r#"<?xml version="1.0"?>
<apns version="8">
  <apn carrier="Caf&#233; &amp; Co" carrier_id = "7" mcc="001" mnc="01" apn=" web " type="Default, MMS ,foat" protocol="IPV4" roaming_protocol="IPV4V6" authtype="3" user="" mtusize="1400"/>
  <apn carrier="All" mcc="001" mnc="01" apn="" mvno_type="IMSI" mvno_match_data="00101xx9"/>
  <apn carrier="Star" mcc="001" mnc="001" apn="star" type="*" carrier_enabled="false"/>
</apns>"#;
    let p = parse(xml.as_bytes(), std::path::Path::new("t.xml")).unwrap();
    assert_eq!(p.rows.len(), 3);
    let a = &p.rows[0].clone();
    assert_eq!(a.provider, "Café & Co");
    assert_eq!(a.carrier_id, Some(7));
    assert_eq!(a.apn, "web");
    assert_eq!(a.purposes.names(), "internet,mms");
    assert!(a.types_explicit);
    assert_eq!(a.ip_type, Some(apn_db::IpType::Ipv4));
    assert_eq!(a.roaming_ip_type, Some(apn_db::IpType::Ipv4v6));
    assert_eq!(a.auth, Some(apn_db::Auth::PapChap));
    assert_eq!(a.username, None);
    assert!(a.extra.as_deref().unwrap().contains("mtusize=1400"));
    assert!(a.extra.as_deref().unwrap().contains("unknown_types=foat"));
    let b = &p.rows[1];
    assert!(!b.types_explicit);
    assert_eq!(
        b.mvno.as_ref().map(|m| (m.0.as_str(), m.1.as_str())),
        Some(("imsi", "00101xx9"))
    );
    let c = &p.rows[2];
    assert!(!c.enabled);
    assert_eq!(c.mnc.as_deref(), Some("001"));
    assert_eq!(p.counts.mvno_rows, 1);
    assert!(
        p.warnings
            .iter()
            .any(|w| w.line == 3 && w.message.contains("foat"))
    );
}

#[test]
fn a_file_of_another_kind_is_rejected_with_its_root() {
    let e = parse(
        b"<?xml version=\"1.0\"?>\n<carriers/>",
        std::path::Path::new("c.xml"),
    )
    .unwrap_err();
    assert_eq!(e.line, 2);
    assert!(e.reason.contains("<carriers>"));
}

#[tokio::test]
async fn is_current_says_whether_an_import_would_change_nothing() {
    let t = temp_db().await;
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("serviceproviders.xml");
    let v1 = std::fs::read(data("serviceproviders.xml")).unwrap();
    std::fs::write(&f, &v1).unwrap();
    assert!(!t.db.is_current(&f, &v1).await.unwrap(), "not imported yet");
    t.db.import_file(&f, &ImportOptions::default())
        .await
        .unwrap();
    assert!(t.db.is_current(&f, &v1).await.unwrap());
    let mut v2 = v1.clone();
    v2.extend_from_slice(b"\n<!-- changed -->\n");
    assert!(!t.db.is_current(&f, &v2).await.unwrap(), "other content");
}
