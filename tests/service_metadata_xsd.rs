//! Our MobileBroadbandInfo and SoftwareInfo parsers give the same verdict as
//! `xmllint --schema` with the published XSDs (`shared/data/xsd/mbi.xsd`,
//! `swi.xsd`) on valid and invalid variants: every boundary we check
//! (enumerations, patterns, lengths, order, cardinality, choices). Our one
//! leniency, elements without a namespace, is not in the list.

use mbimd::provisioning::metadata::{MobileBroadbandInfo, SoftwareInfo};
use std::path::PathBuf;
use std::process::Command;

fn shared_data() -> PathBuf {
    if let Some(d) = std::env::var_os("MBIMD_SHARED_DATA") {
        return PathBuf::from(d);
    }
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    for up in manifest.ancestors() {
        for cand in [up.join("shared/data"), up.join("../shared/data")] {
            if cand.join("xsd").exists() {
                return cand;
            }
        }
    }
    PathBuf::from("/work/shared/data")
}

fn xmllint_present() -> bool {
    let ok = Command::new("xmllint")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok {
        if std::env::var("CI").as_deref() == Ok("true") {
            panic!("xmllint (libxml2-utils) must be installed in CI");
        }
        eprintln!("NOTICE: xmllint not installed; skipping the XSD comparison");
    }
    ok
}

fn xmllint_accepts(xsd: &str, xml: &str) -> bool {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("doc.xml");
    std::fs::write(&f, xml).unwrap();
    Command::new("xmllint")
        .args(["--noout", "--schema"])
        .arg(shared_data().join("xsd").join(xsd))
        .arg(&f)
        .output()
        .unwrap()
        .status
        .success()
}

const MBI: &str = "http://schemas.microsoft.com/windows/2010/12/DeviceMetadata/MobileBroadbandInfo";
const SWI: &str = "http://schemas.microsoft.com/windows/2010/08/DeviceMetadata/SoftwareInfo";

fn mbi(body: &str) -> String {
    format!(r#"<MobileBroadbandInfo xmlns="{MBI}" xmlns:x="urn:x">{body}</MobileBroadbandInfo>"#)
}

fn nc(body: &str) -> String {
    mbi(&format!(
        "<NetworkConfiguration>{body}</NetworkConfiguration>"
    ))
}

fn certs(n: usize, one: &str) -> String {
    mbi(&format!(
        "<ProvisioningEngine><TrustedCertificates>{}</TrustedCertificates></ProvisioningEngine>",
        one.repeat(n)
    ))
}

fn swi(body: &str) -> String {
    format!(r#"<SoftwareInfo xmlns="{SWI}" xmlns:x="urn:x">{body}</SoftwareInfo>"#)
}

fn companion(name: &str, publisher: &str, apps: &str) -> String {
    swi(&format!(
        r#"<DeviceCompanionApplications><Package><Identity Name="{name}" Publisher="{publisher}"/><Applications>{apps}</Applications></Package></DeviceCompanionApplications>"#
    ))
}

fn privileged(inner: &str) -> String {
    swi(&format!(
        "<PrivilegedApplications>{inner}</PrivilegedApplications>"
    ))
}

#[test]
fn mobile_broadband_info_verdicts_match_xmllint() {
    if !xmllint_present() {
        return;
    }
    let cert = "<TrustedCertificate><SubjectName>CN=a</SubjectName><IssuerName>CN=b</IssuerName></TrustedCertificate>";
    let example =
        std::fs::read_to_string(shared_data().join("examples/MobileBroadbandInfo.xml")).unwrap();
    let cases: Vec<(&str, String)> = vec![
        ("shared example", example),
        ("empty root", mbi("")),
        (
            "tethering Never",
            nc("<AllowTethering>Never</AllowTethering>"),
        ),
        (
            "tethering bad value",
            nc("<AllowTethering>Sometimes</AllowTethering>"),
        ),
        (
            "tethering lower case",
            nc("<AllowTethering>never</AllowTethering>"),
        ),
        (
            "order swapped",
            nc(
                "<AllowTethering>Never</AllowTethering><AllowStandardUserPinUnlock>true</AllowStandardUserPinUnlock>",
            ),
        ),
        (
            "boolean 1",
            nc("<AllowStandardUserPinUnlock>1</AllowStandardUserPinUnlock>"),
        ),
        (
            "boolean padded",
            nc("<AllowStandardUserPinUnlock> true </AllowStandardUserPinUnlock>"),
        ),
        (
            "boolean yes",
            nc("<AllowStandardUserPinUnlock>yes</AllowStandardUserPinUnlock>"),
        ),
        (
            "twice NetworkConfiguration",
            mbi("<NetworkConfiguration/><NetworkConfiguration/>"),
        ),
        (
            "file name unicode",
            nc(
                "<MobileBroadbandProfiles><Purchase>Profil ü_1-a.xml</Purchase></MobileBroadbandProfiles>",
            ),
        ),
        (
            "file name with slash",
            nc("<MobileBroadbandProfiles><Purchase>../x.xml</Purchase></MobileBroadbandProfiles>"),
        ),
        (
            "file name empty",
            nc("<MobileBroadbandProfiles><Purchase></Purchase></MobileBroadbandProfiles>"),
        ),
        (
            "file name 260",
            nc(&format!(
                "<MobileBroadbandProfiles><Internet>{}</Internet></MobileBroadbandProfiles>",
                "a".repeat(260)
            )),
        ),
        (
            "file name 261",
            nc(&format!(
                "<MobileBroadbandProfiles><Internet>{}</Internet></MobileBroadbandProfiles>",
                "a".repeat(261)
            )),
        ),
        (
            "Internet before Purchase",
            nc(
                "<MobileBroadbandProfiles><Internet>a</Internet><Purchase>b</Purchase></MobileBroadbandProfiles>",
            ),
        ),
        ("256 certificates", certs(256, cert)),
        ("257 certificates", certs(257, cert)),
        (
            "certificate without issuer",
            certs(
                1,
                "<TrustedCertificate><SubjectName>CN=a</SubjectName></TrustedCertificate>",
            ),
        ),
        ("unknown element of the namespace", mbi("<Surprise/>")),
        (
            "extension of another namespace",
            nc("<AllowTethering>Always</AllowTethering><x:Ext/>"),
        ),
        ("wrong root", format!(r#"<MobileBroadband xmlns="{MBI}"/>"#)),
    ];
    for (what, xml) in cases {
        let ours = MobileBroadbandInfo::parse("m.xml", &xml).is_ok();
        let theirs = xmllint_accepts("mbi.xsd", &xml);
        assert_eq!(ours, theirs, "{what}: ours {ours}, xmllint {theirs}");
    }
}

#[test]
fn software_info_verdicts_match_xmllint() {
    if !xmllint_present() {
        return;
    }
    let app = r#"<Application Id="App"/>"#;
    let example = std::fs::read_to_string(shared_data().join("examples/SoftwareInfo.xml")).unwrap();
    let pkg = |attrs: &str| format!("<Package><Identity {attrs}/></Package>");
    let cases: Vec<(&str, String)> = vec![
        ("shared example", example),
        ("AnyApplication alone", privileged("<AnyApplication/>")),
        (
            "AnyApplication and a Package",
            privileged(&format!(
                "<AnyApplication/>{}",
                pkg(r#"Name="abc" Publisher="CN=x""#)
            )),
        ),
        (
            "privileged package",
            privileged(&pkg(
                r#"Name="abc" Publisher="CN=x" AccessCustomDriver="true""#,
            )),
        ),
        (
            "AccessCustomDriver maybe",
            privileged(&pkg(
                r#"Name="abc" Publisher="CN=x" AccessCustomDriver="maybe""#,
            )),
        ),
        (
            "name of 2",
            privileged(&pkg(r#"Name="ab" Publisher="CN=x""#)),
        ),
        (
            "name of 50",
            privileged(&pkg(&format!(
                r#"Name="{}" Publisher="CN=x""#,
                "a".repeat(50)
            ))),
        ),
        (
            "name of 51",
            privileged(&pkg(&format!(
                r#"Name="{}" Publisher="CN=x""#,
                "a".repeat(51)
            ))),
        ),
        (
            "name with underscore",
            privileged(&pkg(r#"Name="a_bc" Publisher="CN=x""#)),
        ),
        (
            "name with space",
            privileged(&pkg(r#"Name="a bc" Publisher="CN=x""#)),
        ),
        (
            "name with plus",
            privileged(&pkg(r#"Name="a+bc" Publisher="CN=x""#)),
        ),
        (
            "publisher with leading space",
            privileged(&pkg(r#"Name="abc" Publisher=" CN=x""#)),
        ),
        ("no publisher", privileged(&pkg(r#"Name="abc""#))),
        ("empty root", swi("")),
        ("companion app", companion("Op.App", "CN=x", app)),
        (
            "companion without Applications",
            swi(
                r#"<DeviceCompanionApplications><Package><Identity Name="abc" Publisher="CN=x"/></Package></DeviceCompanionApplications>"#,
            ),
        ),
        (
            "two Application",
            companion("Op.App", "CN=x", &format!("{app}{app}")),
        ),
        (
            "application id dotted",
            companion("Op.App", "CN=x", r#"<Application Id="App.Sub2"/>"#),
        ),
        (
            "application id with digit first",
            companion("Op.App", "CN=x", r#"<Application Id="1App"/>"#),
        ),
        (
            "application id with dash",
            companion("Op.App", "CN=x", r#"<Application Id="My-App"/>"#),
        ),
        (
            "handler without asset",
            companion(
                "Op.App",
                "CN=x",
                r#"<Application Id="App"><DeviceNotificationHandlers><DeviceNotificationHandler EventID="e"/></DeviceNotificationHandlers></Application>"#,
            ),
        ),
        (
            "privileged then extension without companion",
            swi("<PrivilegedApplications><AnyApplication/></PrivilegedApplications><x:Ext/>"),
        ),
        (
            "companion, privileged, extension",
            swi(&format!(
                r#"<DeviceCompanionApplications><Package><Identity Name="abc" Publisher="CN=x"/><Applications>{app}</Applications></Package></DeviceCompanionApplications><PrivilegedApplications><AnyApplication/></PrivilegedApplications><x:Ext/>"#
            )),
        ),
        (
            "privileged before companion",
            swi(&format!(
                r#"<PrivilegedApplications><AnyApplication/></PrivilegedApplications><DeviceCompanionApplications><Package><Identity Name="abc" Publisher="CN=x"/><Applications>{app}</Applications></Package></DeviceCompanionApplications>"#
            )),
        ),
    ];
    for (what, xml) in cases {
        let ours = SoftwareInfo::parse("s.xml", &xml).is_ok();
        let theirs = xmllint_accepts("swi.xsd", &xml);
        assert_eq!(ours, theirs, "{what}: ours {ours}, xmllint {theirs}");
    }
}
