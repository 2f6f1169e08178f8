//! Where the time of an import goes (diagnostic): read, parse, store.
use std::time::Instant;
fn main() {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let files: Vec<String> = std::env::args().skip(1).collect();
    for f in &files {
        let t = Instant::now();
        let data = std::fs::read(f).unwrap();
        let t1 = t.elapsed();
        let p = apn_db::import::parse(&data, std::path::Path::new(f)).unwrap();
        let t2 = t.elapsed();
        println!(
            "{f}: read {t1:?} parse {:?} ({} rows)",
            t2 - t1,
            p.rows.len()
        );
    }
    let dir = tempfile::tempdir().unwrap();
    rt.block_on(async {
        let t = Instant::now();
        let db = apn_db::ApnDb::open(dir.path().join("x.db")).await.unwrap();
        let t1 = t.elapsed();
        for f in &files {
            let t = Instant::now();
            db.import_file(f, &Default::default()).await.unwrap();
            println!("import {f}: {:?}", t.elapsed());
        }
        println!("open+schema {t1:?}");
    });
}
