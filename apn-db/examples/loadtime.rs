//! Where the time of loading the in-memory index goes (diagnostic).
use std::time::Instant;
fn main() {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let path = std::env::args().nth(1).unwrap();
    rt.block_on(async {
        let t = Instant::now();
        let db = apn_db::ApnDb::open(&path).await.unwrap();
        let t1 = t.elapsed();
        let j: Option<String> = sqlx::query_scalar("SELECT '[' || group_concat(j, ',') || ']' FROM (SELECT json_array(a.id, a.source_id, s.kind, s.priority, a.seq, a.record, a.mcc, a.mnc, a.country, a.provider, a.primary_flag, a.apn, a.name, a.purposes, a.types_explicit, a.types_raw, a.plan, a.username, a.password, a.auth, a.ip_type, a.roaming_ip_type, a.mvno_type, a.mvno_match, a.carrier_id, a.network_types, a.enabled, a.mmsc, a.mmsproxy, a.mmsport, a.proxy, a.port, a.dns, a.gateway, a.extra) AS j FROM apn a JOIN source s ON s.id = a.source_id ORDER BY a.source_id, a.seq)").fetch_one(db.pool()).await.unwrap();
        let t2 = t.elapsed();
        let v: serde_json::Value = serde_json::from_str(j.as_deref().unwrap()).unwrap();
        let t3 = t.elapsed();
        let rows = db.all_rows().await.unwrap();
        let t4 = t.elapsed();
        let cdma = db.all_cdma().await.unwrap();
        let t5 = t.elapsed();
        let idx = apn_db::ApnIndex::build(rows, cdma);
        let t6 = t.elapsed();
        println!("open {t1:?} small-json-query {:?} parse {:?} all_rows {:?} cdma {:?} build {:?} {} {}", t2 - t1, t3 - t2, t4 - t3, t5 - t4, t6 - t5, idx.row_count(), v.as_array().unwrap().len());
    });
}
