//! Service metadata (windows-operator-formats.md §2): the typed files on the
//! shared examples, errors with positions, locale fallback, install from a
//! directory and from a cabinet, refusal of bad packages with the installed
//! ones intact, HWID matching order, and the resolver's service-metadata
//! source.

use apn_db::hwid::{Hwid, HwidKind};
use apn_db::lookup::Identity;
use apn_db::model::Purpose;
use apn_db::resolver::{NoProvisioning, SettingsSource, resolve};
use mbimd::provisioning::metadata::schema::{AllowTethering, PrivilegedApplications, is_file_type};
use mbimd::provisioning::metadata::store::parse_order;
use mbimd::provisioning::metadata::{
    MatchConfig, MetadataError, MetadataStore, MobileBroadbandInfo, Package, PackageInfo,
    ServiceInfo, SoftwareInfo, cab,
};
use std::path::{Path, PathBuf};

const FIXTURE_ID: &str = "7c9e6679-7425-40de-944b-e07fc1f90ae7";
const SIM_IMSI: &str = "001010123456789";
const SIM_ICCID: &str = "8988211000000000001";

fn fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/service-metadata")
        .join(FIXTURE_ID)
}

/// `shared/data` next to the repository (the CI lays it beside the clone).
fn shared_data() -> PathBuf {
    if let Some(d) = std::env::var_os("MBIMD_SHARED_DATA") {
        return PathBuf::from(d);
    }
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    for up in manifest.ancestors() {
        for cand in [up.join("shared/data"), up.join("../shared/data")] {
            if cand.join("examples").exists() {
                return cand;
            }
        }
    }
    PathBuf::from("/work/shared/data")
}

fn config(order: &[HwidKind], locale: Option<&str>) -> MatchConfig {
    MatchConfig {
        order: order.to_vec(),
        locale: locale.map(str::to_owned),
    }
}

fn sim_identity() -> Identity {
    Identity {
        imsi: Some(SIM_IMSI.into()),
        iccid: Some(SIM_ICCID.into()),
        provider_name: Some("Test Network".into()),
        ..Identity::default()
    }
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let dst = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &dst);
        } else {
            std::fs::copy(e.path(), dst).unwrap();
        }
    }
}

/// A copy of the fixture package named `name` in `parent`, keyed by `hwids`
/// and dated `date`, with ServiceProvider `provider`.
fn variant(parent: &Path, name: &str, hwids: &[Hwid], date: &str, provider: &str) -> PathBuf {
    let dir = parent.join(name);
    copy_dir(&fixture(), &dir);
    let ids: String = hwids
        .iter()
        .map(|h| format!("<HardwareID>{}</HardwareID>", h.package_form()))
        .collect();
    let pi = dir.join("PackageInfo.xml");
    let text = std::fs::read_to_string(&pi).unwrap();
    let start = text.find("<HardwareIDList>").unwrap() + "<HardwareIDList>".len();
    let end = text.find("</HardwareIDList>").unwrap();
    let mut text = format!("{}{ids}{}", &text[..start], &text[end..]);
    text = text.replace("2026-03-01T12:00:00Z", date);
    std::fs::write(&pi, text).unwrap();
    let si = dir.join("ServiceInformation/ServiceInfo.xml");
    let t = std::fs::read_to_string(&si).unwrap().replace(
        "<ServiceProvider>Example Mobile<",
        &format!("<ServiceProvider>{provider}<"),
    );
    std::fs::write(&si, t).unwrap();
    dir
}

/// Every file under `dir` as (relative name with `\`, bytes).
fn files_of(dir: &Path) -> Vec<(String, Vec<u8>)> {
    fn walk(base: &Path, d: &Path, out: &mut Vec<(String, Vec<u8>)>) {
        let mut entries: Vec<_> = std::fs::read_dir(d).unwrap().map(|e| e.unwrap()).collect();
        entries.sort_by_key(|e| e.file_name());
        for e in entries {
            if e.file_type().unwrap().is_dir() {
                walk(base, &e.path(), out);
            } else {
                let rel = e
                    .path()
                    .strip_prefix(base)
                    .unwrap()
                    .to_string_lossy()
                    .replace('/', "\\");
                out.push((rel, std::fs::read(e.path()).unwrap()));
            }
        }
    }
    let mut v = Vec::new();
    walk(dir, dir, &mut v);
    v
}

fn write_cab(dir: &Path, files: &[(String, Vec<u8>)], name: &str) -> PathBuf {
    let members: Vec<(&str, &[u8])> = files
        .iter()
        .map(|(n, b)| (n.as_str(), b.as_slice()))
        .collect();
    let bytes = cab::build(&members).unwrap();
    let p = dir.join(name);
    std::fs::write(&p, bytes).unwrap();
    p
}

// ------------------------------------------------------------------ files

#[test]
fn shared_mobile_broadband_info_example_parses_with_every_field() {
    let text =
        std::fs::read_to_string(shared_data().join("examples/MobileBroadbandInfo.xml")).unwrap();
    let m = MobileBroadbandInfo::parse("MobileBroadbandInfo.xml", &text).unwrap();
    let nc = m.network_configuration.as_ref().unwrap();
    assert_eq!(nc.purchase.as_deref(), Some("PurchaseProfile.xml"));
    assert_eq!(nc.internet.as_deref(), Some("InternetProfile.xml"));
    assert_eq!(nc.allow_standard_user_pin_unlock, Some(true));
    assert_eq!(
        m.allow_tethering(),
        AllowTethering::EntitlementCheckRequired
    );
    assert_eq!(m.trusted_certificates.len(), 1);
    assert_eq!(
        m.trusted_certificates[0].subject_name,
        "CN=provisioning.example.net, O=Example Mobile, C=US"
    );
    assert_eq!(
        m.trusted_certificates[0].issuer_name,
        "CN=Example EV CA, O=Example Trust, C=US"
    );
}

#[test]
fn shared_software_info_example_names_the_operator_app_and_privileged_apps() {
    let text = std::fs::read_to_string(shared_data().join("examples/SoftwareInfo.xml")).unwrap();
    let s = SoftwareInfo::parse("SoftwareInfo.xml", &text).unwrap();
    let app = &s.device_companion_applications[0];
    assert_eq!(app.identity.name, "ExampleMobile.OperatorApp");
    assert_eq!(app.application_id, "App");
    assert_eq!(
        app.device_notification_handlers[0].event_id,
        "MobileOperatorNotificationHandler"
    );
    match s.privileged_applications.unwrap() {
        PrivilegedApplications::Packages(p) => {
            assert_eq!(p.len(), 1);
            assert_eq!(p[0].identity.name, "ExampleMobile.OperatorApp");
            assert_eq!(p[0].access_custom_driver, Some(false));
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn absent_policies_mean_tethering_allowed_and_no_standard_user_pin_unlock() {
    let m = MobileBroadbandInfo::parse(
        "m.xml",
        r#"<MobileBroadbandInfo xmlns="http://schemas.microsoft.com/windows/2010/12/DeviceMetadata/MobileBroadbandInfo"/>"#,
    )
    .unwrap();
    assert_eq!(m.allow_tethering(), AllowTethering::Always);
    assert!(!m.allow_standard_user_pin_unlock());
}

#[test]
fn a_bad_enumeration_value_is_reported_with_element_line_and_column() {
    let xml = "<MobileBroadbandInfo xmlns=\"http://schemas.microsoft.com/windows/2010/12/DeviceMetadata/MobileBroadbandInfo\">\n  <NetworkConfiguration>\n    <AllowTethering>Sometimes</AllowTethering>\n  </NetworkConfiguration>\n</MobileBroadbandInfo>";
    match MobileBroadbandInfo::parse("m.xml", xml).unwrap_err() {
        MetadataError::Parse {
            file,
            element,
            line,
            column,
            message,
        } => {
            assert_eq!(
                (file.as_str(), element.as_str()),
                ("m.xml", "AllowTethering")
            );
            assert_eq!((line, column), (3, 5));
            assert!(message.contains("Sometimes"), "{message}");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn children_out_of_schema_order_are_refused() {
    let xml = r#"<MobileBroadbandInfo xmlns="http://schemas.microsoft.com/windows/2010/12/DeviceMetadata/MobileBroadbandInfo"><NetworkConfiguration><AllowTethering>Never</AllowTethering><AllowStandardUserPinUnlock>true</AllowStandardUserPinUnlock></NetworkConfiguration></MobileBroadbandInfo>"#;
    let e = MobileBroadbandInfo::parse("m.xml", xml)
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("AllowStandardUserPinUnlock") && e.contains("before"),
        "{e}"
    );
}

#[test]
fn extension_elements_of_other_namespaces_are_skipped() {
    let xml = r#"<MobileBroadbandInfo xmlns="http://schemas.microsoft.com/windows/2010/12/DeviceMetadata/MobileBroadbandInfo" xmlns:x="urn:x"><NetworkConfiguration><x:Extra/><AllowTethering>Never</AllowTethering></NetworkConfiguration><x:More/></MobileBroadbandInfo>"#;
    let m = MobileBroadbandInfo::parse("m.xml", xml).unwrap();
    assert_eq!(m.allow_tethering(), AllowTethering::Never);
}

#[test]
fn more_than_256_trusted_certificates_are_refused() {
    let one = "<TrustedCertificate><SubjectName>CN=a</SubjectName><IssuerName>CN=b</IssuerName></TrustedCertificate>";
    let xml = |n: usize| {
        format!(
            r#"<MobileBroadbandInfo xmlns="http://schemas.microsoft.com/windows/2010/12/DeviceMetadata/MobileBroadbandInfo"><ProvisioningEngine><TrustedCertificates>{}</TrustedCertificates></ProvisioningEngine></MobileBroadbandInfo>"#,
            one.repeat(n)
        )
    };
    assert_eq!(
        MobileBroadbandInfo::parse("m", &xml(256))
            .unwrap()
            .trusted_certificates
            .len(),
        256
    );
    assert!(MobileBroadbandInfo::parse("m", &xml(257)).is_err());
}

#[test]
fn file_type_pattern_matches_the_xsd() {
    assert!(is_file_type("Purchase Profile_1.xml"));
    assert!(is_file_type("Profil-ü.xml"));
    assert!(!is_file_type("../x.xml"));
    assert!(!is_file_type("a/b.xml"));
    assert!(!is_file_type(""));
    assert!(!is_file_type(&"a".repeat(261)));
}

#[test]
fn software_info_refuses_bad_identities_and_mixed_privileged_choices() {
    let ns = "http://schemas.microsoft.com/windows/2010/08/DeviceMetadata/SoftwareInfo";
    let only_any = format!(
        r#"<SoftwareInfo xmlns="{ns}"><PrivilegedApplications><AnyApplication/></PrivilegedApplications></SoftwareInfo>"#
    );
    assert_eq!(
        SoftwareInfo::parse("s", &only_any)
            .unwrap()
            .privileged_applications,
        Some(PrivilegedApplications::AnyApplication)
    );
    let both = format!(
        r#"<SoftwareInfo xmlns="{ns}"><PrivilegedApplications><AnyApplication/><Package><Identity Name="abc" Publisher="CN=x"/></Package></PrivilegedApplications></SoftwareInfo>"#
    );
    assert!(SoftwareInfo::parse("s", &both).is_err());
    for name in ["ab", "has_underscore", "has space"] {
        let x = format!(
            r#"<SoftwareInfo xmlns="{ns}"><PrivilegedApplications><Package><Identity Name="{name}" Publisher="CN=x"/></Package></PrivilegedApplications></SoftwareInfo>"#
        );
        let e = SoftwareInfo::parse("s", &x).unwrap_err().to_string();
        assert!(e.contains("<Identity>"), "{name}: {e}");
    }
    let empty = format!(r#"<SoftwareInfo xmlns="{ns}"/>"#);
    assert!(SoftwareInfo::parse("s", &empty).is_err());
}

#[test]
fn service_info_accepts_the_microsoft_example_spelling_and_checks_lengths() {
    let fr =
        std::fs::read_to_string(fixture().join("ServiceInformation/fr/ServiceInfo.xml")).unwrap();
    let s = ServiceInfo::parse("fr", &fr).unwrap();
    assert_eq!(s.service_icon_file.as_deref(), Some("ExampleMobile.ico"));
    assert_eq!(s.service_provider, "Exemple Mobile");
    let long = fr.replace("Exemple Mobile<", "An operator name longer than twenty<");
    let e = ServiceInfo::parse("fr", &long).unwrap_err().to_string();
    assert!(e.contains("<ServiceProvider>"), "{e}");
    let bad_guid = fr.replace("A1B2C3D4-E5F6", "not-a-guid");
    assert!(
        ServiceInfo::parse("fr", &bad_guid)
            .unwrap_err()
            .to_string()
            .contains("<ServiceNumber>")
    );
}

#[test]
fn package_info_of_the_fixture_parses() {
    let text = std::fs::read_to_string(fixture().join("PackageInfo.xml")).unwrap();
    let p = PackageInfo::parse("PackageInfo.xml", &text).unwrap();
    assert_eq!(p.metadata_key.hardware_ids.len(), 3);
    assert_eq!(p.metadata_key.locale.tag, "EN-US");
    assert!(p.metadata_key.locale.default);
    assert_eq!(p.metadata_key.multiple_locale, Some(true));
    assert_eq!(p.part("ServiceInfo"), Some("ServiceInformation"));
    let no_ids = text.replace("HardwareIDList", "Ignored");
    assert!(PackageInfo::parse("PackageInfo.xml", &no_ids).is_err());
    let bad_date = text.replace("2026-03-01T12:00:00Z", "March 2026");
    let e = PackageInfo::parse("PackageInfo.xml", &bad_date)
        .unwrap_err()
        .to_string();
    assert!(e.contains("<LastModifiedDate>"), "{e}");
}

// ------------------------------------------------------------------ locale

#[test]
fn locale_fallback_goes_exact_then_language_then_neutral() {
    let p = Package::open(&fixture()).unwrap();
    p.validate().unwrap();
    let provider = |want: Option<&str>| p.service(want).unwrap().service_info.service_provider;
    assert_eq!(provider(Some("de-DE")), "Beispiel Mobil");
    assert_eq!(
        provider(Some("DE_de")),
        "Beispiel Mobil",
        "case and _ do not matter"
    );
    assert_eq!(provider(Some("de-AT")), "Beispiel Mobil", "same language");
    assert_eq!(provider(Some("fr-CA")), "Exemple Mobile", "language folder");
    assert_eq!(provider(Some("ja-JP")), "Example Mobile", "neutral copy");
    assert_eq!(provider(None), "Example Mobile");
    // A locale folder without its own MobileBroadbandInfo uses the neutral one.
    let de = p.service(Some("de-DE")).unwrap();
    assert_eq!(de.locale.as_deref(), Some("de-DE"));
    assert_eq!(
        de.internet_profile.unwrap().access_string.as_deref(),
        Some("internet.example.net")
    );
}

#[test]
fn without_a_neutral_copy_the_default_locale_folder_is_next() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("p");
    copy_dir(&fixture(), &dir);
    let si = dir.join("ServiceInformation");
    std::fs::create_dir(si.join("en-US")).unwrap();
    std::fs::rename(si.join("ServiceInfo.xml"), si.join("en-US/ServiceInfo.xml")).unwrap();
    let p = Package::open(&dir).unwrap();
    assert_eq!(
        p.locale_order(Some("ja-JP")),
        vec![
            Some("en-US".to_string()),
            Some("de-DE".to_string()),
            Some("fr".to_string())
        ]
    );
}

// ------------------------------------------------------------------ install

#[test]
fn installing_a_directory_and_the_same_package_as_a_cabinet_gives_the_same_metadata() {
    let tmp = tempfile::tempdir().unwrap();
    let a = MetadataStore::open(&tmp.path().join("a"), config(&[HwidKind::Imsi100], None)).unwrap();
    let e = a.install(&fixture()).unwrap();
    assert_eq!(e.id, FIXTURE_ID);
    assert_eq!(e.service_provider, "Example Mobile");

    let files = files_of(&fixture());
    assert!(
        files
            .iter()
            .any(|(n, _)| n == "ServiceInformation\\de-DE\\ServiceInfo.xml")
    );
    let cab_path = write_cab(
        tmp.path(),
        &files,
        &format!("{}.devicemetadata-ms", FIXTURE_ID.to_uppercase()),
    );
    let b = MetadataStore::open(&tmp.path().join("b"), config(&[HwidKind::Imsi100], None)).unwrap();
    let eb = b.install(&cab_path).unwrap();
    assert_eq!(eb.id, FIXTURE_ID, "the id is the cabinet's GUID");

    let ma = a.for_identity(&sim_identity()).unwrap();
    let mb = b.for_identity(&sim_identity()).unwrap();
    assert_eq!(ma.operator_name, "Example Mobile");
    assert_eq!(
        serde_json::to_value(&ma.operator_app).unwrap(),
        serde_json::to_value(&mb.operator_app).unwrap()
    );
    assert_eq!(ma.internet_profile, mb.internet_profile);
    assert_eq!(ma.trusted_certificates, mb.trusted_certificates);
    assert_eq!(
        std::fs::read(ma.icon.unwrap()).unwrap(),
        std::fs::read(mb.icon.unwrap()).unwrap()
    );
}

#[test]
fn a_cabinet_made_by_gcab_installs_the_same_files_as_the_directory() {
    let cab_path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/service-metadata/cabinets")
        .join(format!("{}.devicemetadata-ms", FIXTURE_ID.to_uppercase()));
    let tmp = tempfile::tempdir().unwrap();
    let s = MetadataStore::open(tmp.path(), MatchConfig::default()).unwrap();
    let e = s.install(&cab_path).unwrap();
    assert_eq!(e.id, FIXTURE_ID);
    assert_eq!(e.locales, vec!["de-DE".to_string(), "fr".to_string()]);
    let installed = tmp.path().join("metadata/packages").join(FIXTURE_ID);
    let mut want = files_of(&fixture());
    let mut got = files_of(&installed);
    want.sort();
    got.sort();
    assert_eq!(got, want, "the gcab fixture is stale: see its README");
}

#[test]
fn gcab_reads_the_cabinets_we_write() {
    let Ok(out) = std::process::Command::new("gcab").arg("--version").output() else {
        eprintln!("NOTICE: gcab not installed; skipping the cross-check of our cabinet writer");
        return;
    };
    assert!(out.status.success());
    let tmp = tempfile::tempdir().unwrap();
    let files = files_of(&fixture());
    let cab_path = write_cab(tmp.path(), &files, "ours.cab");
    let dest = tmp.path().join("x");
    std::fs::create_dir(&dest).unwrap();
    let st = std::process::Command::new("gcab")
        .arg("-x")
        .arg("-C")
        .arg(&dest)
        .arg(&cab_path)
        .status()
        .unwrap();
    assert!(st.success());
    let mut got = files_of(&dest);
    let mut want = files;
    got.sort();
    want.sort();
    assert_eq!(got, want);
}

#[test]
fn the_installed_index_survives_reopening() {
    let tmp = tempfile::tempdir().unwrap();
    {
        let s = MetadataStore::open(tmp.path(), MatchConfig::default()).unwrap();
        s.install(&fixture()).unwrap();
    }
    let s = MetadataStore::open(tmp.path(), config(&[HwidKind::Imsi100], Some("de-DE"))).unwrap();
    assert_eq!(s.list().len(), 1);
    let m = s.for_identity(&sim_identity()).unwrap();
    assert_eq!(m.operator_name, "Beispiel Mobil");
    assert_eq!(m.locale.as_deref(), Some("de-DE"));
    assert!(tmp.path().join("metadata/index.json").exists());
}

fn assert_refused_and_intact(store: &MetadataStore, root: &Path, bad: &Path, expect: &str) {
    let index_before = std::fs::read(root.join("metadata/index.json")).unwrap();
    let e = store.install(bad).unwrap_err().to_string();
    assert!(e.contains(expect), "expected {expect:?} in: {e}");
    assert_eq!(
        std::fs::read(root.join("metadata/index.json")).unwrap(),
        index_before
    );
    assert_eq!(store.list().len(), 1);
    let m = store
        .for_identity(&sim_identity())
        .expect("installed package still matches");
    assert_eq!(m.operator_name, "Example Mobile");
    let leftovers: Vec<_> = std::fs::read_dir(root.join("metadata"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with('.'))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn a_bad_package_is_refused_and_the_installed_one_stays() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("state");
    let store = MetadataStore::open(&root, config(&DEFAULT_ORDER, None)).unwrap();
    store.install(&fixture()).unwrap();

    // Same id, a named profile file missing: the installed copy must survive.
    let missing = tmp.path().join("m").join(FIXTURE_ID);
    copy_dir(&fixture(), &missing);
    std::fs::remove_file(missing.join("ServiceInformation/InternetProfile.xml")).unwrap();
    assert_refused_and_intact(
        &store,
        &root,
        &missing,
        "InternetProfile.xml is named but missing",
    );

    // A malformed file in a locale folder: the error names the file and position.
    let broken = tmp.path().join("b").join(FIXTURE_ID);
    copy_dir(&fixture(), &broken);
    std::fs::write(
        broken.join("ServiceInformation/de-DE/ServiceInfo.xml"),
        "<ServiceInfo>\n<oops",
    )
    .unwrap();
    assert_refused_and_intact(
        &store,
        &root,
        &broken,
        "ServiceInformation/de-DE/ServiceInfo.xml:2:",
    );

    // Not a cabinet at all.
    let junk = tmp.path().join("junk.devicemetadata-ms");
    std::fs::write(&junk, b"MSCF but not really").unwrap();
    assert_refused_and_intact(&store, &root, &junk, "bad cabinet");

    // A cabinet whose member climbs out of the package.
    let mut files = files_of(&fixture());
    files.push(("..\\evil.txt".into(), b"x".to_vec()));
    let evil = write_cab(tmp.path(), &files, "evil.devicemetadata-ms");
    assert_refused_and_intact(&store, &root, &evil, "leaves the package");
    assert!(!root.join("evil.txt").exists() && !root.join("metadata/evil.txt").exists());
}

use mbimd::provisioning::metadata::store::DEFAULT_ORDER;

// ------------------------------------------------------------------ matching

#[test]
fn hwid_kinds_are_tried_in_the_configured_order() {
    let tmp = tempfile::tempdir().unwrap();
    let id = sim_identity();
    let iccid = Hwid::from_iccid(SIM_ICCID).unwrap();
    let imsi = Hwid::from_imsi(SIM_IMSI).unwrap();
    let provider = Hwid::from_provider("Test Network").unwrap();
    let pkgs = tmp.path().join("pkgs");
    let p_iccid = variant(
        &pkgs,
        "by-iccid",
        &[iccid],
        "2026-01-01T00:00:00Z",
        "By ICCID",
    );
    let p_imsi = variant(&pkgs, "by-imsi", &[imsi], "2026-01-01T00:00:00Z", "By IMSI");
    let p_prov = variant(
        &pkgs,
        "by-provider",
        &[provider],
        "2026-01-01T00:00:00Z",
        "By provider",
    );
    for (order, want) in [
        ("iccid,imsi,sid,provider", "By ICCID"),
        ("imsi,iccid,provider", "By IMSI"),
        ("provider,iccid,imsi", "By provider"),
        ("imsi", "By IMSI"),
    ] {
        let s = MetadataStore::open(
            &tmp.path().join(order.replace(',', "_")),
            config(&parse_order(order).unwrap(), None),
        )
        .unwrap();
        for p in [&p_iccid, &p_imsi, &p_prov] {
            s.install(p).unwrap();
        }
        assert_eq!(
            s.for_identity(&id).unwrap().operator_name,
            want,
            "order {order}"
        );
    }
    // The default follows "ICCID ranges get first priority".
    assert_eq!(MatchConfig::default().order, DEFAULT_ORDER.to_vec());
    assert!(parse_order("iccid,iccid").is_err());
    assert!(parse_order("imei").is_err());
}

#[test]
fn the_newest_package_wins_for_the_same_hwid_and_unknown_sims_match_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let imsi = Hwid::from_imsi(SIM_IMSI).unwrap();
    let pkgs = tmp.path().join("pkgs");
    let old = variant(
        &pkgs,
        "old",
        std::slice::from_ref(&imsi),
        "2025-01-01T00:00:00Z",
        "Old",
    );
    let new = variant(&pkgs, "new", &[imsi], "2026-01-01T00:00:00+05:00", "New");
    let s = MetadataStore::open(&tmp.path().join("s"), MatchConfig::default()).unwrap();
    s.install(&new).unwrap();
    s.install(&old).unwrap();
    assert_eq!(
        s.for_identity(&sim_identity()).unwrap().operator_name,
        "New"
    );
    let other = Identity {
        imsi: Some("310410999999999".into()),
        ..Identity::default()
    };
    assert!(s.for_identity(&other).is_none());
    // The IMSI block is 100 wide: the last two digits do not matter.
    let neighbour = Identity {
        imsi: Some("001010123456700".into()),
        ..Identity::default()
    };
    assert_eq!(s.for_identity(&neighbour).unwrap().operator_name, "New");
}

#[test]
fn the_resolver_takes_the_internet_profile_from_service_metadata() {
    let tmp = tempfile::tempdir().unwrap();
    let s = MetadataStore::open(tmp.path(), MatchConfig::default()).unwrap();
    s.install(&fixture()).unwrap();
    let id = sim_identity();
    let hw = apn_db::hwid::hwids(&id);
    let r = resolve(&id, &hw, Purpose::Internet, &NoProvisioning, &s, None);
    assert_eq!(r.source, Some(SettingsSource::ServiceMetadata));
    let c = &r.candidates[0].settings;
    assert_eq!(c.apn, "internet.example.net");
    assert_eq!(c.username.as_deref(), Some("web"));
    assert_eq!(c.auth, Some(apn_db::model::Auth::Pap));
    assert!(c.origin.contains(FIXTURE_ID), "{}", c.origin);
    let mms = resolve(&id, &hw, Purpose::Mms, &NoProvisioning, &s, None);
    assert_eq!(mms.source, None);
    let m = s.for_identity(&id).unwrap();
    assert_eq!(m.purchase_settings().unwrap().apn, "shop.example.net");
    assert_eq!(
        m.privileged_apps,
        vec!["ExampleMobile.OperatorApp".to_string()]
    );
    assert_eq!(s.all_trusted_certificates().len(), 1);
}
