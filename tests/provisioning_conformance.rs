//! The provisioning parser against `xmllint --schema` (libxml2) and the
//! published XSDs: every example parses, and a corpus of variants — each
//! element's boundaries (ranges, lengths, patterns, enumerations, order,
//! cardinality, required elements and attributes, wildcards) — gets the same
//! verdict from both, except the documented leniencies listed in
//! [`LENIENT`], which xmllint must reject and we must accept.
//!
//! xmllint gets a wrapper schema importing CarrierControl v1 (which imports
//! v2, WWAN, WLAN, Plans, Base and XML-DSig) plus WLAN v2 and
//! HotspotProfile, so that the lax wildcards validate those blocks too — as
//! our parser does.

use mbimd::provisioning::document;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Each variant: (name, text to find in the base document, replacement).
/// The replacements [`EMPTY`] and [`REMOVE`] act on the whole element whose
/// start tag begins with the text found.
type Variant = (&'static str, &'static str, &'static str);

/// Remove the element's content (keep its start tag's attributes).
const EMPTY: &str = "\u{1}empty";
/// Remove the element.
const REMOVE: &str = "\u{1}remove";

/// Variants xmllint rejects and we accept on purpose
/// (windows-operator-formats.md §10, §1.1, §1.7, §1.9).
const LENIENT: &[Variant] = &[
    (
        "Message@RuleId (documented, missing from the XSD)",
        r#"<Message Silent="false">"#,
        r#"<Message RuleId="state-ussd" Silent="false">"#,
    ),
    (
        "UsageTimestamp@AmToken/@PmToken",
        r#"Format="%m/%d %#I:%M %p""#,
        r#"Format="%m/%d %#I:%M %p" AmToken="AM" PmToken="PM""#,
    ),
    (
        "Locale in the en-US form",
        "<Locale>English_United States.1252</Locale>",
        "<Locale>en-US</Locale>",
    ),
    (
        "ProviderID/ProviderName in the WWAN namespace",
        "<base:ProviderID>26201</base:ProviderID>\n          <base:ProviderName>PartnerNet</base:ProviderName>",
        "<ProviderID>26201</ProviderID>\n          <ProviderName>PartnerNet</ProviderName>",
    ),
    (
        "SubjectName/IssuerName in the CarrierControl namespace",
        "<base:SubjectName>CN=provisioning.example.net, O=Example Mobile, C=US</base:SubjectName>\n        <base:IssuerName>CN=Example EV CA, O=Example Trust, C=US</base:IssuerName>",
        "<SubjectName>CN=provisioning.example.net, O=Example Mobile, C=US</SubjectName>\n        <IssuerName>CN=Example EV CA, O=Example Trust, C=US</IssuerName>",
    ),
    (
        "HotspotProfile credentials without BasicAuth",
        "<BasicAuth>\n              <UserName>u310260123456700</UserName>\n              <Password>s3cret</Password>\n            </BasicAuth>",
        "<UserName>u310260123456700</UserName>\n              <Password>s3cret</Password>",
    ),
    (
        "RefreshParameters/Username",
        "<RefreshURL>https://provisioning.example.net/refresh</RefreshURL>",
        "<RefreshURL>https://provisioning.example.net/refresh</RefreshURL><Username>u</Username>",
    ),
    (
        "BillingCycle@Duration as an end dateTime",
        r#"Duration="P1M""#,
        r#"Duration="2025-02-01T00:00:00Z""#,
    ),
];

/// Variants on which we must agree with xmllint.
const SAME: &[Variant] = &[
    // Lexical corners
    (
        "root: xsi:schemaLocation",
        "<CarrierProvisioning ",
        "<CarrierProvisioning xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" xsi:schemaLocation=\"urn:x x.xsd\" ",
    ),
    (
        "root: xml:lang",
        "<CarrierProvisioning ",
        "<CarrierProvisioning xml:lang=\"en\" ",
    ),
    ("Priority: padded", r#"Priority="1""#, r#"Priority=" 1 ""#),
    ("Priority: plus sign", r#"Priority="1""#, r#"Priority="+1""#),
    (
        "Priority: leading zeros",
        r#"Priority="1""#,
        r#"Priority="0009""#,
    ),
    (
        "Priority: minus zero",
        r#"Priority="1""#,
        r#"Priority="-0""#,
    ),
    (
        "RetryCount: decimal",
        r#"RetryCount="3""#,
        r#"RetryCount="3.0""#,
    ),
    (
        "Delay: fractional",
        r#"Delay="PT10S""#,
        r#"Delay="PT10.5S""#,
    ),
    (
        "Delay: zero fields",
        r#"Delay="PT10S""#,
        r#"Delay="P0Y0M0DT0H59M""#,
    ),
    (
        "Delay: minutes as seconds",
        r#"Delay="PT10S""#,
        r#"Delay="PT3599S""#,
    ),
    (
        "Delay: 3600 seconds",
        r#"Delay="PT10S""#,
        r#"Delay="PT3600S""#,
    ),
    (
        "Silent: TRUE",
        r#"<Message Silent="false">"#,
        r#"<Message Silent="TRUE">"#,
    ),
    (
        "Silent: padded",
        r#"<Message Silent="false">"#,
        r#"<Message Silent=" false ">"#,
    ),
    (
        "Usage: Group +1",
        "<Usage Group=\"1\" UnitGroup=\"2\" DefaultUnit=\"M\"/>",
        "<Usage Group=\"+1\" UnitGroup=\"2\" DefaultUnit=\"M\"/>",
    ),
    (
        "Usage: huge Group",
        "<Usage Group=\"1\" UnitGroup=\"2\" DefaultUnit=\"M\"/>",
        "<Usage Group=\"1\" UnitGroup=\"99999999999999999999999999999\" DefaultUnit=\"M\"/>",
    ),
    (
        "SSID: upper-case hex with spaces",
        "<SSID><name>Example-Secure</name></SSID>",
        "<SSID><hex> 4578616D </hex></SSID>",
    ),
    (
        "SSID: 32 multibyte characters",
        "<SSID><name>Example-Secure</name></SSID>",
        "<SSID><name>éééééééééééééééééééééééééééééééé</name></SSID>",
    ),
    (
        "SSID: 31 multibyte characters",
        "<SSID><name>Example-Secure</name></SSID>",
        "<SSID><name>ééééééééééééééééééééééééééééééé</name></SSID>",
    ),
    (
        "SSID: name with a comment",
        "<SSID><name>Example-Secure</name></SSID>",
        "<SSID><name>Exam<!-- c -->ple</name></SSID>",
    ),
    (
        "SSID: name from CDATA and references",
        "<SSID><name>Example-Secure</name></SSID>",
        "<SSID><name><![CDATA[a<b]]>&amp;&#x41;</name></SSID>",
    ),
    (
        "SSID: blank text around the choice",
        "<SSID><name>Example-Secure</name></SSID>",
        "<SSID>\n  <name>Example-Secure</name>\n</SSID>",
    ),
    (
        "DeviceId: Arabic-Indic digits",
        "</SubscriberId>",
        "</SubscriberId><DeviceId>٠١٢٣٤٥٦٧٨٩٠١٢٣٤</DeviceId>",
    ),
    (
        "SubscriberId: symbol",
        "<SubscriberId>310260123456700<",
        "<SubscriberId>abc€<",
    ),
    (
        "SubscriberId: collapsed inner spaces",
        "<SubscriberId>310260123456700<",
        "<SubscriberId> 310260 <",
    ),
    (
        "Profile Name: inner runs of spaces",
        "<Name>Example Mobile Internet</Name>",
        "<Name>Example   Mobile\tInternet</Name>",
    ),
    (
        "AccessString: 100 after collapsing",
        "<AccessString>internet.example.net</AccessString>",
        "<AccessString>   aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa   </AccessString>",
    ),
    ("Plan: empty Name", r#" Name="Data5GB">"#, r#" Name="">"#),
    (
        "DataLimitInMegabytes: leading zeros",
        "<DataLimitInMegabytes>5120</DataLimitInMegabytes>",
        "<DataLimitInMegabytes>005120</DataLimitInMegabytes>",
    ),
    (
        "StartDate: 24:00:00",
        r#"StartDate="2025-01-01T00:00:00Z""#,
        r#"StartDate="2025-01-01T24:00:00Z""#,
    ),
    (
        "StartDate: leap day",
        r#"StartDate="2025-01-01T00:00:00Z""#,
        r#"StartDate="2024-02-29T00:00:00Z""#,
    ),
    (
        "StartDate: year 10000",
        r#"StartDate="2025-01-01T00:00:00Z""#,
        r#"StartDate="10000-01-01T00:00:00Z""#,
    ),
    (
        "StartDate: zone -14:00",
        r#"StartDate="2025-01-01T00:00:00Z""#,
        r#"StartDate="2025-01-01T00:00:00-14:00""#,
    ),
    (
        "Duration: PT0.5S",
        r#"Duration="P1M""#,
        r#"Duration="PT0.5S""#,
    ),
    (
        "Duration: P1Y2M3DT4H5M6S",
        r#"Duration="P1M""#,
        r#"Duration="P1Y2M3DT4H5M6S""#,
    ),
    (
        "RefreshURL: with spaces around",
        "<RefreshURL>https://provisioning.example.net/refresh</RefreshURL>",
        "<RefreshURL>  https://provisioning.example.net/refresh  </RefreshURL>",
    ),
    (
        "CarrierSpecificData: base64 with line breaks",
        "<ReconnectToNetwork xmlns=\"http://www.microsoft.com/networking/CarrierControl/WWAN/v1\"\n                        Delay=\"PT10S\" RetryCount=\"3\" RetryInterval=\"PT1M\"/>",
        "<ServiceActivation xmlns=\"http://www.microsoft.com/networking/CarrierControl/WWAN/v1\"><CarrierSpecificData>KjIy\nOA==</CarrierSpecificData></ServiceActivation>",
    ),
    (
        "CarrierSpecificData: empty",
        "<ReconnectToNetwork xmlns=\"http://www.microsoft.com/networking/CarrierControl/WWAN/v1\"\n                        Delay=\"PT10S\" RetryCount=\"3\" RetryInterval=\"PT1M\"/>",
        "<ServiceActivation xmlns=\"http://www.microsoft.com/networking/CarrierControl/WWAN/v1\"><CarrierSpecificData/></ServiceActivation>",
    ),
    (
        "Global: foreign attribute",
        "<Global>",
        "<Global xmlns:x=\"urn:x\" x:a=\"1\">",
    ),
    // Root and Global
    (
        "root: unknown attribute",
        "<CarrierProvisioning ",
        "<CarrierProvisioning foo=\"1\" ",
    ),
    ("Global: text content", "<Global>", "<Global>text"),
    (
        "CarrierId: no braces",
        "{5D3F2A71-9C4E-4B8A-A0E2-7F1C0B9D6E34}",
        "5D3F2A71-9C4E-4B8A-A0E2-7F1C0B9D6E34",
    ),
    (
        "CarrierId: lower-case hex",
        "{5D3F2A71-9C4E-4B8A-A0E2-7F1C0B9D6E34}",
        "{5d3f2a71-9c4e-4b8a-a0e2-7f1c0b9d6e34}",
    ),
    (
        "CarrierId: short group",
        "{5D3F2A71-9C4E-4B8A-A0E2-7F1C0B9D6E34}",
        "{5D3F2A7-9C4E-4B8A-A0E2-7F1C0B9D6E34}",
    ),
    (
        "CarrierId: surrounding space",
        "<CarrierId>{",
        "<CarrierId>  {",
    ),
    (
        "SubscriberId: 20 characters",
        "<SubscriberId>310260123456700<",
        "<SubscriberId>31026012345670012345<",
    ),
    (
        "SubscriberId: 21 characters",
        "<SubscriberId>310260123456700<",
        "<SubscriberId>310260123456700123456<",
    ),
    (
        "SubscriberId: hyphen",
        "<SubscriberId>310260123456700<",
        "<SubscriberId>310-260<",
    ),
    (
        "SubscriberId: underscore",
        "<SubscriberId>310260123456700<",
        "<SubscriberId>310_260<",
    ),
    (
        "SubscriberId: plus sign is \\w",
        "<SubscriberId>310260123456700<",
        "<SubscriberId>+310260<",
    ),
    (
        "SubscriberId: inner space",
        "<SubscriberId>310260123456700<",
        "<SubscriberId>310 260<",
    ),
    (
        "SubscriberId: empty",
        "<SubscriberId>310260123456700</SubscriberId>",
        "<SubscriberId></SubscriberId>",
    ),
    (
        "SubscriberId: missing",
        "<SubscriberId>310260123456700</SubscriberId>",
        "",
    ),
    (
        "Global: order",
        "<CarrierId>{5D3F2A71-9C4E-4B8A-A0E2-7F1C0B9D6E34}</CarrierId>\n    <SubscriberId>310260123456700</SubscriberId>",
        "<SubscriberId>310260123456700</SubscriberId><CarrierId>{5D3F2A71-9C4E-4B8A-A0E2-7F1C0B9D6E34}</CarrierId>",
    ),
    (
        "DeviceId: 15 digits",
        "</SubscriberId>",
        "</SubscriberId><DeviceId>490154203237518</DeviceId>",
    ),
    (
        "DeviceId: 16 digits",
        "</SubscriberId>",
        "</SubscriberId><DeviceId>4901542032375181</DeviceId>",
    ),
    (
        "DeviceId: 14 digits",
        "</SubscriberId>",
        "</SubscriberId><DeviceId>49015420323751</DeviceId>",
    ),
    (
        "DeviceId: 17 digits",
        "</SubscriberId>",
        "</SubscriberId><DeviceId>49015420323751811</DeviceId>",
    ),
    (
        "DeviceId: MAC",
        "</SubscriberId>",
        "</SubscriberId><DeviceId>00:1a:2B:3c:4d:5e</DeviceId>",
    ),
    (
        "DeviceId: MAC with dashes",
        "</SubscriberId>",
        "</SubscriberId><DeviceId>00-1a-2B-3c-4d-5e</DeviceId>",
    ),
    (
        "Global: undeclared foreign element (strict)",
        "</SubscriberId>",
        "</SubscriberId><x:y xmlns:x=\"urn:example\"/>",
    ),
    (
        "Global: declared foreign element",
        "</SubscriberId>",
        "</SubscriberId><w:USSDBearer xmlns:w=\"http://www.microsoft.com/networking/CarrierControl/WWAN/v1\"/>",
    ),
    (
        "Global: CarrierControl element in the wildcard",
        "</SubscriberId>",
        "</SubscriberId><Activation/>",
    ),
    (
        "Global: missing",
        "<Global>\n    <CarrierId>{5D3F2A71-9C4E-4B8A-A0E2-7F1C0B9D6E34}</CarrierId>\n    <SubscriberId>310260123456700</SubscriberId>\n  </Global>",
        "",
    ),
    // Activation
    ("Delay: PT59M59S", r#"Delay="PT10S""#, r#"Delay="PT59M59S""#),
    ("Delay: PT1H", r#"Delay="PT10S""#, r#"Delay="PT1H""#),
    ("Delay: negative", r#"Delay="PT10S""#, r#"Delay="-PT1S""#),
    ("Delay: a day", r#"Delay="PT10S""#, r#"Delay="P1D""#),
    ("Delay: not a duration", r#"Delay="PT10S""#, r#"Delay="10""#),
    (
        "Delay: fractional seconds",
        r#"Delay="PT10S""#,
        r#"Delay="PT0.5S""#,
    ),
    ("RetryCount: 10", r#"RetryCount="3""#, r#"RetryCount="10""#),
    ("RetryCount: 11", r#"RetryCount="3""#, r#"RetryCount="11""#),
    ("RetryCount: -1", r#"RetryCount="3""#, r#"RetryCount="-1""#),
    (
        "RetryInterval: PT59S",
        r#"RetryInterval="PT1M""#,
        r#"RetryInterval="PT59S""#,
    ),
    (
        "RetryInterval: PT1H",
        r#"RetryInterval="PT1M""#,
        r#"RetryInterval="PT1H""#,
    ),
    (
        "RetryInterval: PT60M",
        r#"RetryInterval="PT1M""#,
        r#"RetryInterval="PT60M""#,
    ),
    (
        "RetryInterval: PT1H1S",
        r#"RetryInterval="PT1M""#,
        r#"RetryInterval="PT1H1S""#,
    ),
    (
        "Activation: unknown attribute",
        r#"RetryInterval="PT1M""#,
        r#"RetryInterval="PT1M" Foo="1""#,
    ),
    (
        "Activation: Reregister",
        "<ReconnectToNetwork ",
        "<ReregisterToNetwork ",
    ),
    (
        "Activation: ServiceActivation with data",
        "<ReconnectToNetwork xmlns=\"http://www.microsoft.com/networking/CarrierControl/WWAN/v1\"\n                        Delay=\"PT10S\" RetryCount=\"3\" RetryInterval=\"PT1M\"/>",
        "<ServiceActivation xmlns=\"http://www.microsoft.com/networking/CarrierControl/WWAN/v1\"><CarrierSpecificData>KjIyOA==</CarrierSpecificData></ServiceActivation>",
    ),
    (
        "Activation: ServiceActivation without data",
        "<ReconnectToNetwork xmlns=\"http://www.microsoft.com/networking/CarrierControl/WWAN/v1\"\n                        Delay=\"PT10S\" RetryCount=\"3\" RetryInterval=\"PT1M\"/>",
        "<ServiceActivation xmlns=\"http://www.microsoft.com/networking/CarrierControl/WWAN/v1\"/>",
    ),
    (
        "Activation: ServiceActivation bad base64",
        "<ReconnectToNetwork xmlns=\"http://www.microsoft.com/networking/CarrierControl/WWAN/v1\"\n                        Delay=\"PT10S\" RetryCount=\"3\" RetryInterval=\"PT1M\"/>",
        "<ServiceActivation xmlns=\"http://www.microsoft.com/networking/CarrierControl/WWAN/v1\"><CarrierSpecificData>*228</CarrierSpecificData></ServiceActivation>",
    ),
    (
        "Activation: abstract head",
        "<ReconnectToNetwork ",
        "<ActivationMethod ",
    ),
    (
        "Activation: two methods",
        "RetryInterval=\"PT1M\"/>\n  </Activation>",
        "RetryInterval=\"PT1M\"/><ReregisterToNetwork xmlns=\"http://www.microsoft.com/networking/CarrierControl/WWAN/v1\"/>\n  </Activation>",
    ),
    (
        "Activation: empty",
        "<Activation>\n    <ReconnectToNetwork xmlns=\"http://www.microsoft.com/networking/CarrierControl/WWAN/v1\"\n                        Delay=\"PT10S\" RetryCount=\"3\" RetryInterval=\"PT1M\"/>\n  </Activation>",
        "<Activation/>",
    ),
    (
        "Activation: text in ReconnectToNetwork",
        "RetryInterval=\"PT1M\"/>",
        "RetryInterval=\"PT1M\">x</ReconnectToNetwork>",
    ),
    // MBN profiles
    ("Priority: 9", r#"Priority="1""#, r#"Priority="9""#),
    ("Priority: 10", r#"Priority="1""#, r#"Priority="10""#),
    ("Priority: text", r#"Priority="1""#, r#"Priority="high""#),
    (
        "Profile Name: empty",
        "<Name>Example Mobile Internet</Name>",
        "<Name></Name>",
    ),
    (
        "Profile Name: blanks only",
        "<Name>Example Mobile Internet</Name>",
        "<Name>   </Name>",
    ),
    (
        "Profile Name: 255 characters",
        "<Name>Example Mobile Internet</Name>",
        concat!(
            "<Name>",
            "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
            "</Name>"
        ),
    ),
    (
        "Profile Name: 256 characters",
        "<Name>Example Mobile Internet</Name>",
        concat!(
            "<Name>",
            "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
            "</Name>"
        ),
    ),
    (
        "Profile: Description before Name",
        "<Name>Example Mobile Internet</Name>\n      <Description>Postpaid 5 GB data</Description>",
        "<Description>Postpaid 5 GB data</Description><Name>Example Mobile Internet</Name>",
    ),
    (
        "Profile: Name missing",
        "<Name>Example Mobile Internet</Name>",
        "",
    ),
    (
        "Profile: element in Name",
        "<Name>Example Mobile Internet</Name>",
        "<Name>Example<b/></Name>",
    ),
    (
        "HomeProviderName: 20",
        "<AssociatedPlan>Data5GB</AssociatedPlan>\n      <Context>\n        <AccessString>internet",
        "<AssociatedPlan>Data5GB</AssociatedPlan><HomeProviderName>abcdefghijabcdefghij</HomeProviderName>\n      <Context>\n        <AccessString>internet",
    ),
    (
        "HomeProviderName: 21",
        "<AssociatedPlan>Data5GB</AssociatedPlan>\n      <Context>\n        <AccessString>internet",
        "<AssociatedPlan>Data5GB</AssociatedPlan><HomeProviderName>abcdefghijabcdefghijk</HomeProviderName>\n      <Context>\n        <AccessString>internet",
    ),
    (
        "AccessString: 100",
        "<AccessString>internet.example.net</AccessString>",
        "<AccessString>aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa</AccessString>",
    ),
    (
        "AccessString: 101",
        "<AccessString>internet.example.net</AccessString>",
        "<AccessString>aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa</AccessString>",
    ),
    (
        "AccessString: empty",
        "<AccessString>internet.example.net</AccessString>",
        "<AccessString/>",
    ),
    (
        "AuthProtocol: MsCHAPv2",
        "<AuthProtocol>PAP</AuthProtocol>",
        "<AuthProtocol>MsCHAPv2</AuthProtocol>",
    ),
    (
        "AuthProtocol: wrong case",
        "<AuthProtocol>PAP</AuthProtocol>",
        "<AuthProtocol>pap</AuthProtocol>",
    ),
    (
        "AuthProtocol: padded token",
        "<AuthProtocol>PAP</AuthProtocol>",
        "<AuthProtocol> PAP </AuthProtocol>",
    ),
    (
        "Compression: ENABLE",
        "<Compression>DISABLE</Compression>",
        "<Compression>ENABLE</Compression>",
    ),
    (
        "Compression: after AuthProtocol",
        "<Compression>DISABLE</Compression>\n        <AuthProtocol>PAP</AuthProtocol>",
        "<AuthProtocol>PAP</AuthProtocol><Compression>DISABLE</Compression>",
    ),
    (
        "UserLogonCred: no UserName",
        "<UserName>web</UserName>\n          <Password>web</Password>",
        "<Password>web</Password>",
    ),
    (
        "UserLogonCred: no Password",
        "<UserName>web</UserName>\n          <Password>web</Password>",
        "<UserName>web</UserName>",
    ),
    (
        "ProviderID: 6 digits",
        "<base:ProviderID>26201</base:ProviderID>",
        "<base:ProviderID>310260</base:ProviderID>",
    ),
    (
        "ProviderID: 7 digits",
        "<base:ProviderID>26201</base:ProviderID>",
        "<base:ProviderID>3102601</base:ProviderID>",
    ),
    (
        "ProviderID: letters",
        "<base:ProviderID>26201</base:ProviderID>",
        "<base:ProviderID>26a01</base:ProviderID>",
    ),
    (
        "ProviderName: 21",
        "<base:ProviderName>PartnerNet</base:ProviderName>",
        "<base:ProviderName>abcdefghijabcdefghijk</base:ProviderName>",
    ),
    (
        "DataRoamingPartners: empty",
        "<DataRoamingPartners>\n        <Provider>\n          <base:ProviderID>26201</base:ProviderID>\n          <base:ProviderName>PartnerNet</base:ProviderName>\n        </Provider>\n      </DataRoamingPartners>",
        "<DataRoamingPartners/>",
    ),
    (
        "Profile Extensions: foreign element (lax)",
        "</DataRoamingPartners>",
        "</DataRoamingPartners><Extensions><x:y xmlns:x=\"urn:example\"><z/></x:y></Extensions>",
    ),
    (
        "Profile Extensions: WWAN element",
        "</DataRoamingPartners>",
        "</DataRoamingPartners><Extensions><Name>x</Name></Extensions>",
    ),
    (
        "MBNProfiles: Purchase before Default",
        "<MBNProfiles>\n    <DefaultProfile",
        "<MBNProfiles>\n    <PurchaseProfile xmlns=\"http://www.microsoft.com/networking/CarrierControl/WWAN/v1\"><Name>x</Name></PurchaseProfile><DefaultProfile",
    ),
    ("MBNProfiles: empty", "<MBNProfiles>", EMPTY),
    (
        "Branding: name 20",
        "    </Messages>\n",
        "    </Messages>\n<Branding xmlns=\"http://www.microsoft.com/networking/CarrierControl/WWAN/v1\"><Name>abcdefghijabcdefghij</Name></Branding>",
    ),
    (
        "Branding: name 21",
        "    </Messages>\n",
        "    </Messages>\n<Branding xmlns=\"http://www.microsoft.com/networking/CarrierControl/WWAN/v1\"><Name>abcdefghijabcdefghijk</Name></Branding>",
    ),
    (
        "Branding: logo",
        "    </Messages>\n",
        "    </Messages>\n<Branding xmlns=\"http://www.microsoft.com/networking/CarrierControl/WWAN/v1\"><Logo>iVBORw0KGgo=</Logo></Branding>",
    ),
    (
        "Branding: bad logo",
        "    </Messages>\n",
        "    </Messages>\n<Branding xmlns=\"http://www.microsoft.com/networking/CarrierControl/WWAN/v1\"><Logo>iVBORw0KGgo</Logo></Branding>",
    ),
    (
        "Branding: foreign (strict)",
        "    </Messages>\n",
        "    </Messages>\n<Branding xmlns=\"http://www.microsoft.com/networking/CarrierControl/WWAN/v1\"><x:y xmlns:x=\"urn:example\"/></Branding>",
    ),
    (
        "Branding: before Messages",
        "    <Messages xmlns",
        "<Branding xmlns=\"http://www.microsoft.com/networking/CarrierControl/WWAN/v1\"/>\n    <Messages xmlns",
    ),
    // Messages
    (
        "Message: no bearer",
        "<USSDBearer/>\n        <Pattern>Status",
        "<Pattern>Status",
    ),
    (
        "Message: USSD then SMS",
        "<USSDBearer/>\n        <Pattern>Status",
        "<USSDBearer/><SMSBearer/>\n        <Pattern>Status",
    ),
    (
        "Message: SMS then USSD",
        "<USSDBearer/>\n        <Pattern>Status",
        "<SMSBearer/><USSDBearer/>\n        <Pattern>Status",
    ),
    (
        "Message: two USSD",
        "<USSDBearer/>\n        <Pattern>Status",
        "<USSDBearer/><USSDBearer/>\n        <Pattern>Status",
    ),
    (
        "Message: no Pattern",
        "<Pattern>EXAMPLE-CONFIG (UPDATE)</Pattern>",
        "",
    ),
    (
        "Message: Silent yes",
        r#"<Message Silent="false">"#,
        r#"<Message Silent="yes">"#,
    ),
    (
        "Message: unknown attribute",
        r#"<Message Silent="false">"#,
        r#"<Message Silent="false" Foo="x">"#,
    ),
    (
        "SMSBearer: ClassZeroOnly 1",
        r#"ClassZeroOnly="true""#,
        r#"ClassZeroOnly="1""#,
    ),
    (
        "SMSBearer: ClassZeroOnly maybe",
        r#"ClassZeroOnly="true""#,
        r#"ClassZeroOnly="maybe""#,
    ),
    (
        "SMSBearer: child element",
        r#"<SMSBearer Sender="12345" ClassZeroOnly="true"/>"#,
        r#"<SMSBearer Sender="12345" ClassZeroOnly="true"><x/></SMSBearer>"#,
    ),
    ("Messages: empty", "<Messages ", EMPTY),
    ("Messages: removed", "<Messages ", REMOVE),
    (
        "Locale: German C-runtime form",
        "<Locale>English_United States.1252</Locale>",
        "<Locale>German_Germany.1252</Locale>",
    ),
    (
        "Locale: hyphen in the C-runtime form",
        "<Locale>English_United States.1252</Locale>",
        "<Locale>English_United-States.1252</Locale>",
    ),
    (
        "Locale: before Pattern",
        "<Pattern>Example: ([\\d.]+) ?(MB|GB) of ([\\d.]+) ?(MB|GB) used as of (\\d{2}/\\d{2} \\d{1,2}:\\d{2} ?[AP]M)</Pattern>\n        <Locale>English_United States.1252</Locale>",
        "<Locale>English_United States.1252</Locale><Pattern>Example: ([\\d.]+) ?(MB|GB) of ([\\d.]+) ?(MB|GB) used as of (\\d{2}/\\d{2} \\d{1,2}:\\d{2} ?[AP]M)</Pattern>",
    ),
    (
        "Units: Gi",
        r#"<Units M="MB" G="GB"/>"#,
        r#"<Units M="MB" G="GB" Gi="GiB GIB"/>"#,
    ),
    (
        "Units: unknown unit",
        r#"<Units M="MB" G="GB"/>"#,
        r#"<Units M="MB" P="PB"/>"#,
    ),
    (
        "Fields: any order",
        "<Usage Group=\"1\" UnitGroup=\"2\" DefaultUnit=\"M\"/>\n          <UsageTimestamp",
        "<DataLimit Group=\"3\" UnitGroup=\"4\" DefaultUnit=\"M\"/><Usage Group=\"1\" UnitGroup=\"2\" DefaultUnit=\"M\"/>\n          <UsageTimestamp",
    ),
    (
        "Fields: duplicate",
        "<Usage Group=\"1\" UnitGroup=\"2\" DefaultUnit=\"M\"/>",
        "<Usage Group=\"1\" UnitGroup=\"2\" DefaultUnit=\"M\"/><Usage Group=\"1\"/>",
    ),
    (
        "Fields: unknown field",
        "<Usage Group=\"1\" UnitGroup=\"2\" DefaultUnit=\"M\"/>",
        "<Usage Group=\"1\" UnitGroup=\"2\" DefaultUnit=\"M\"/><Balance Group=\"1\"/>",
    ),
    (
        "Usage: no Group",
        "<Usage Group=\"1\" UnitGroup=\"2\" DefaultUnit=\"M\"/>",
        "<Usage UnitGroup=\"2\" DefaultUnit=\"M\"/>",
    ),
    (
        "Usage: Group 0",
        "<Usage Group=\"1\" UnitGroup=\"2\" DefaultUnit=\"M\"/>",
        "<Usage Group=\"0\" UnitGroup=\"2\" DefaultUnit=\"M\"/>",
    ),
    (
        "Usage: DefaultUnit X",
        "<Usage Group=\"1\" UnitGroup=\"2\" DefaultUnit=\"M\"/>",
        "<Usage Group=\"1\" UnitGroup=\"2\" DefaultUnit=\"X\"/>",
    ),
    (
        "Usage: DefaultUnit Ti",
        "<Usage Group=\"1\" UnitGroup=\"2\" DefaultUnit=\"M\"/>",
        "<Usage Group=\"1\" UnitGroup=\"2\" DefaultUnit=\"Ti\"/>",
    ),
    (
        "UsageTimestamp: no Format",
        r#"<UsageTimestamp Group="5" Format="%m/%d %#I:%M %p"/>"#,
        r#"<UsageTimestamp Group="5"/>"#,
    ),
    (
        "OverDataLimit: Default maybe",
        r#"Default="false"/>"#,
        r#"Default="maybe"/>"#,
    ),
    (
        "PlanType: Default Capped",
        r#"Default="Fixed""#,
        r#"Default="Capped""#,
    ),
    (
        "RefreshProvisioning: no Group",
        r#"<RefreshProvisioning Group="1" TrueToken="UPDATE"/>"#,
        r#"<RefreshProvisioning TrueToken="UPDATE"/>"#,
    ),
    // WLAN profiles
    ("WLANProfiles: empty", "<WLANProfiles>", EMPTY),
    (
        "WLANProfile: Priority 10",
        r#"xmlns:v2="http://www.microsoft.com/networking/CarrierControl/WLAN/v2" Priority="3""#,
        r#"xmlns:v2="http://www.microsoft.com/networking/CarrierControl/WLAN/v2" Priority="10""#,
    ),
    (
        "WLANProfile: name missing",
        "<name>Example Hotspot</name>",
        "",
    ),
    (
        "WLANProfile: SSIDConfig missing",
        "<SSIDConfig>\n        <SSID><name>Example-Secure</name></SSID>\n      </SSIDConfig>",
        "",
    ),
    (
        "SSID: 32 characters",
        "<SSID><name>Example-Secure</name></SSID>",
        "<SSID><name>abcdefghijabcdefghijabcdefghijab</name></SSID>",
    ),
    (
        "SSID: 33 characters",
        "<SSID><name>Example-Secure</name></SSID>",
        "<SSID><name>abcdefghijabcdefghijabcdefghijabc</name></SSID>",
    ),
    (
        "SSID: hex",
        "<SSID><name>Example-Secure</name></SSID>",
        "<SSID><hex>4578616d706c65</hex></SSID>",
    ),
    (
        "SSID: odd hex",
        "<SSID><name>Example-Secure</name></SSID>",
        "<SSID><hex>4578616d706c6</hex></SSID>",
    ),
    (
        "SSID: 33 octets hex",
        "<SSID><name>Example-Secure</name></SSID>",
        "<SSID><hex>000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20</hex></SSID>",
    ),
    (
        "SSID: both hex and name",
        "<SSID><name>Example-Secure</name></SSID>",
        "<SSID><hex>41</hex><name>A</name></SSID>",
    ),
    (
        "SSID: empty",
        "<SSID><name>Example-Secure</name></SSID>",
        "<SSID/>",
    ),
    (
        "SSID: 25",
        "<SSID><name>Example-Secure</name></SSID>",
        "<SSID><name>a</name></SSID><SSID><name>a</name></SSID><SSID><name>a</name></SSID><SSID><name>a</name></SSID><SSID><name>a</name></SSID><SSID><name>a</name></SSID><SSID><name>a</name></SSID><SSID><name>a</name></SSID><SSID><name>a</name></SSID><SSID><name>a</name></SSID><SSID><name>a</name></SSID><SSID><name>a</name></SSID><SSID><name>a</name></SSID><SSID><name>a</name></SSID><SSID><name>a</name></SSID><SSID><name>a</name></SSID><SSID><name>a</name></SSID><SSID><name>a</name></SSID><SSID><name>a</name></SSID><SSID><name>a</name></SSID><SSID><name>a</name></SSID><SSID><name>a</name></SSID><SSID><name>a</name></SSID><SSID><name>a</name></SSID><SSID><name>a</name></SSID>",
    ),
    (
        "SSID: 26",
        "<SSID><name>Example-Secure</name></SSID>",
        "<SSID><name>a</name></SSID><SSID><name>a</name></SSID><SSID><name>a</name></SSID><SSID><name>a</name></SSID><SSID><name>a</name></SSID><SSID><name>a</name></SSID><SSID><name>a</name></SSID><SSID><name>a</name></SSID><SSID><name>a</name></SSID><SSID><name>a</name></SSID><SSID><name>a</name></SSID><SSID><name>a</name></SSID><SSID><name>a</name></SSID><SSID><name>a</name></SSID><SSID><name>a</name></SSID><SSID><name>a</name></SSID><SSID><name>a</name></SSID><SSID><name>a</name></SSID><SSID><name>a</name></SSID><SSID><name>a</name></SSID><SSID><name>a</name></SSID><SSID><name>a</name></SSID><SSID><name>a</name></SSID><SSID><name>a</name></SSID><SSID><name>a</name></SSID><SSID><name>a</name></SSID>",
    ),
    (
        "SSID: v2 only",
        "<SSID><name>Example-WiFi</name></SSID>\n        <v2:SSIDPrefix>",
        "<v2:SSIDPrefix>",
    ),
    (
        "SSID: v2 SSID",
        "<v2:SSIDPrefix><v2:name>Example-</v2:name></v2:SSIDPrefix>",
        "<v2:SSID><v2:name>Other</v2:name></v2:SSID><v2:SSIDPrefix><v2:name>Example-</v2:name></v2:SSIDPrefix>",
    ),
    (
        "SSIDPrefix: 4 characters",
        "<v2:name>Example-</v2:name>",
        "<v2:name>Exam</v2:name>",
    ),
    (
        "SSIDPrefix: 3 characters",
        "<v2:name>Example-</v2:name>",
        "<v2:name>Exa</v2:name>",
    ),
    (
        "SSIDPrefix: 3 octets hex",
        "<v2:name>Example-</v2:name>",
        "<v2:hex>414243</v2:hex>",
    ),
    (
        "SSIDPrefix: 4 octets hex",
        "<v2:name>Example-</v2:name>",
        "<v2:hex>41424344</v2:hex>",
    ),
    (
        "SSIDPrefix: v1 element after the wildcard",
        "<v2:SSIDPrefix><v2:name>Example-</v2:name></v2:SSIDPrefix>",
        "<v2:SSIDPrefix><v2:name>Example-</v2:name></v2:SSIDPrefix><SSID><name>x</name></SSID>",
    ),
    (
        "authentication: WPA3",
        "<authentication>WPA2</authentication>",
        "<authentication>WPA3</authentication>",
    ),
    (
        "authentication: padded",
        "<authentication>WPA2</authentication>",
        "<authentication> WPA2</authentication>",
    ),
    (
        "encryption: TKIP",
        "<encryption>AES</encryption>",
        "<encryption>TKIP</encryption>",
    ),
    (
        "useOneX: yes",
        "<useOneX>true</useOneX>",
        "<useOneX>yes</useOneX>",
    ),
    (
        "security: keyIndex 3",
        "<useOneX>true</useOneX>\n          </authEncryption>",
        "<useOneX>true</useOneX>\n          </authEncryption><keyIndex>3</keyIndex>",
    ),
    (
        "security: keyIndex 4",
        "<useOneX>true</useOneX>\n          </authEncryption>",
        "<useOneX>true</useOneX>\n          </authEncryption><keyIndex>4</keyIndex>",
    ),
    (
        "security: PMKCacheTTL 4",
        "<useOneX>true</useOneX>\n          </authEncryption>",
        "<useOneX>true</useOneX>\n          </authEncryption><PMKCacheTTL>4</PMKCacheTTL>",
    ),
    (
        "security: PMKCacheTTL 1440",
        "<useOneX>true</useOneX>\n          </authEncryption>",
        "<useOneX>true</useOneX>\n          </authEncryption><PMKCacheTTL>1440</PMKCacheTTL>",
    ),
    (
        "security: PMKCacheSize 256",
        "<useOneX>true</useOneX>\n          </authEncryption>",
        "<useOneX>true</useOneX>\n          </authEncryption><PMKCacheSize>256</PMKCacheSize>",
    ),
    (
        "security: preAuthThrottle 16",
        "<useOneX>true</useOneX>\n          </authEncryption>",
        "<useOneX>true</useOneX>\n          </authEncryption><preAuthThrottle>16</preAuthThrottle>",
    ),
    (
        "security: preAuthThrottle 0",
        "<useOneX>true</useOneX>\n          </authEncryption>",
        "<useOneX>true</useOneX>\n          </authEncryption><preAuthThrottle>0</preAuthThrottle>",
    ),
    (
        "security: sharedKey",
        "<useOneX>true</useOneX>\n          </authEncryption>",
        "<useOneX>true</useOneX>\n          </authEncryption><sharedKey><keyType>passPhrase</keyType><protected>false</protected><keyMaterial>secret123</keyMaterial></sharedKey>",
    ),
    (
        "security: sharedKey without protected",
        "<useOneX>true</useOneX>\n          </authEncryption>",
        "<useOneX>true</useOneX>\n          </authEncryption><sharedKey><keyType>passPhrase</keyType><keyMaterial>secret123</keyMaterial></sharedKey>",
    ),
    (
        "security: keyIndex after PMKCacheMode",
        "<useOneX>true</useOneX>\n          </authEncryption>",
        "<useOneX>true</useOneX>\n          </authEncryption><PMKCacheMode>enabled</PMKCacheMode><keyIndex>1</keyIndex>",
    ),
    (
        "security: authEncryption missing",
        "<authEncryption>\n            <authentication>open</authentication>\n            <encryption>none</encryption>\n            <useOneX>false</useOneX>\n          </authEncryption>",
        "",
    ),
    (
        "OneX: anything inside (lax)",
        "<DontRevealPermanentID>true</DontRevealPermanentID>",
        "<DontRevealPermanentID>maybe</DontRevealPermanentID><Extra a=\"b\"/>",
    ),
    (
        "HotspotProfile: BasicAuth without TrustedDomains",
        "<TrustedDomains>\n              <TrustedDomain>.hotspot.example.net</TrustedDomain>\n            </TrustedDomains>\n            <UserAgent>",
        "<UserAgent>",
    ),
    (
        "HotspotProfile: ExtAuth without TrustedDomains",
        "<BasicAuth>\n              <UserName>u310260123456700</UserName>\n              <Password>s3cret</Password>\n            </BasicAuth>\n            <TrustedDomains>\n              <TrustedDomain>.hotspot.example.net</TrustedDomain>\n            </TrustedDomains>",
        "<ExtAuth><ExtensionId>Example.App_abc</ExtensionId></ExtAuth>",
    ),
    (
        "HotspotProfile: no credentials",
        "<BasicAuth>\n              <UserName>u310260123456700</UserName>\n              <Password>s3cret</Password>\n            </BasicAuth>\n            <TrustedDomains>\n              <TrustedDomain>.hotspot.example.net</TrustedDomain>\n            </TrustedDomains>",
        "",
    ),
    (
        "HotspotProfile: empty TrustedDomains",
        "<TrustedDomain>.hotspot.example.net</TrustedDomain>",
        "",
    ),
    (
        "HotspotProfile: BasicAuth without Password",
        "<Password>s3cret</Password>",
        "",
    ),
    (
        "HotspotProfile: secondary SSIDs",
        "<UserAgent>ExampleSmartClient/1.0</UserAgent>",
        "<UserAgent>ExampleSmartClient/1.0</UserAgent><SSIDConfig><SSID><namePrefix>Exam</namePrefix></SSID><SSID><hexPrefix>41424344</hexPrefix></SSID></SSIDConfig>",
    ),
    (
        "HotspotProfile: short namePrefix",
        "<UserAgent>ExampleSmartClient/1.0</UserAgent>",
        "<UserAgent>ExampleSmartClient/1.0</UserAgent><SSIDConfig><SSID><namePrefix>Exa</namePrefix></SSID></SSIDConfig>",
    ),
    (
        "HotspotProfile: UserAgent before TrustedDomains",
        "<TrustedDomains>\n              <TrustedDomain>.hotspot.example.net</TrustedDomain>\n            </TrustedDomains>\n            <UserAgent>ExampleSmartClient/1.0</UserAgent>",
        "<UserAgent>ExampleSmartClient/1.0</UserAgent><TrustedDomains><TrustedDomain>.hotspot.example.net</TrustedDomain></TrustedDomains>",
    ),
    // Plans
    ("Plans: empty", "<Plans>", EMPTY),
    ("Plan: no Name", r#" Name="Data5GB">"#, ">"),
    ("Plan: Usage only", "<Description PlanType=", REMOVE),
    (
        "PlanType: lower case",
        r#"PlanType="Fixed""#,
        r#"PlanType="fixed""#,
    ),
    (
        "PlanType: padded",
        r#"PlanType="Fixed""#,
        r#"PlanType=" Fixed""#,
    ),
    (
        "PlanType: missing",
        r#"<Description PlanType="Fixed">"#,
        "<Description>",
    ),
    (
        "BillingCycle: P0D",
        r#"Duration="P1M""#,
        r#"Duration="P0D""#,
    ),
    (
        "BillingCycle: PT1S",
        r#"Duration="P1M""#,
        r#"Duration="PT1S""#,
    ),
    (
        "BillingCycle: negative",
        r#"Duration="P1M""#,
        r#"Duration="-P1M""#,
    ),
    ("BillingCycle: no Duration", r#" Duration="P1M""#, ""),
    (
        "StartDate: Feb 30",
        r#"StartDate="2025-01-01T00:00:00Z""#,
        r#"StartDate="2025-02-30T00:00:00Z""#,
    ),
    (
        "StartDate: no zone",
        r#"StartDate="2025-01-01T00:00:00Z""#,
        r#"StartDate="2025-01-01T00:00:00""#,
    ),
    (
        "StartDate: offset",
        r#"StartDate="2025-01-01T00:00:00Z""#,
        r#"StartDate="2025-01-01T00:00:00+05:30""#,
    ),
    (
        "StartDate: date only",
        r#"StartDate="2025-01-01T00:00:00Z""#,
        r#"StartDate="2025-01-01""#,
    ),
    (
        "StartDate: fractional",
        r#"StartDate="2025-01-01T00:00:00Z""#,
        r#"StartDate="2025-01-01T00:00:00.250Z""#,
    ),
    ("Resets: 0", r#"Resets="true""#, r#"Resets="0""#),
    (
        "DataLimitInMegabytes: 0",
        "<DataLimitInMegabytes>5120</DataLimitInMegabytes>",
        "<DataLimitInMegabytes>0</DataLimitInMegabytes>",
    ),
    (
        "DataLimitInMegabytes: +1",
        "<DataLimitInMegabytes>5120</DataLimitInMegabytes>",
        "<DataLimitInMegabytes>+1</DataLimitInMegabytes>",
    ),
    (
        "DataLimitInMegabytes: decimal",
        "<DataLimitInMegabytes>5120</DataLimitInMegabytes>",
        "<DataLimitInMegabytes>5.5</DataLimitInMegabytes>",
    ),
    (
        "InboundBandwidthInKbps: 0",
        "<InboundBandwidthInKbps>50000</InboundBandwidthInKbps>",
        "<InboundBandwidthInKbps>0</InboundBandwidthInKbps>",
    ),
    (
        "InboundBandwidthInKbps: -1",
        "<InboundBandwidthInKbps>50000</InboundBandwidthInKbps>",
        "<InboundBandwidthInKbps>-1</InboundBandwidthInKbps>",
    ),
    (
        "MaxTransferSize: before Outbound",
        "<OutboundBandwidthInKbps>10000</OutboundBandwidthInKbps>\n        <MaxTransferSizeInMegabytes>100</MaxTransferSizeInMegabytes>",
        "<MaxTransferSizeInMegabytes>100</MaxTransferSizeInMegabytes><OutboundBandwidthInKbps>10000</OutboundBandwidthInKbps>",
    ),
    (
        "SecurityUpdatesExempt: yes",
        "<SecurityUpdatesExempt>true</SecurityUpdatesExempt>",
        "<SecurityUpdatesExempt>yes</SecurityUpdatesExempt>",
    ),
    ("Usage: no CurrentUsage", r#"CurrentUsage="1234" "#, ""),
    (
        "Usage: negative CurrentUsage",
        r#"CurrentUsage="1234""#,
        r#"CurrentUsage="-5""#,
    ),
    (
        "Usage: bad timestamp",
        r#"UsageTimestamp="2025-01-12T08:30:00Z""#,
        r#"UsageTimestamp="yesterday""#,
    ),
    (
        "Usage: OverLimit 1",
        r#"OverLimit="false""#,
        r#"OverLimit="1""#,
    ),
    (
        "Plan: two Descriptions",
        "      <Usage CurrentUsage",
        "<Description PlanType=\"Fixed\"/>      <Usage CurrentUsage",
    ),
    // Provisioning
    (
        "DelayInDays: 730",
        "<DelayInDays>30</DelayInDays>",
        "<DelayInDays>730</DelayInDays>",
    ),
    (
        "DelayInDays: 731",
        "<DelayInDays>30</DelayInDays>",
        "<DelayInDays>731</DelayInDays>",
    ),
    (
        "DelayInDays: 0",
        "<DelayInDays>30</DelayInDays>",
        "<DelayInDays>0</DelayInDays>",
    ),
    (
        "RefreshURL: http",
        "<RefreshURL>https://provisioning",
        "<RefreshURL>http://provisioning",
    ),
    (
        "RefreshURL: bare scheme",
        "<RefreshURL>https://provisioning.example.net/refresh</RefreshURL>",
        "<RefreshURL>https://</RefreshURL>",
    ),
    (
        "RefreshURL: missing",
        "<RefreshURL>https://provisioning.example.net/refresh</RefreshURL>",
        "",
    ),
    (
        "RefreshParameters: credentials",
        "<RefreshURL>https://provisioning.example.net/refresh</RefreshURL>",
        "<RefreshURL>https://provisioning.example.net/refresh</RefreshURL><UserName>u</UserName><Password>p</Password>",
    ),
    (
        "RefreshParameters: Password before UserName",
        "<RefreshURL>https://provisioning.example.net/refresh</RefreshURL>",
        "<RefreshURL>https://provisioning.example.net/refresh</RefreshURL><Password>p</Password><UserName>u</UserName>",
    ),
    ("TrustedCertificates: empty", "<TrustedCertificates>", EMPTY),
    (
        "TrustedCertificate: IssuerName missing",
        "<base:IssuerName>CN=Example EV CA, O=Example Trust, C=US</base:IssuerName>",
        "",
    ),
    (
        "Provisioning: Refresh before Trusted",
        "<Provisioning>\n    <TrustedCertificates>",
        "<Provisioning><RefreshParameters><RefreshURL>https://x</RefreshURL></RefreshParameters>\n    <TrustedCertificates>",
    ),
    // Extensions_v2
    (
        "IPv4LinkMTU: 1279",
        "<IPv4LinkMTU>1430</IPv4LinkMTU>",
        "<IPv4LinkMTU>1279</IPv4LinkMTU>",
    ),
    (
        "IPv4LinkMTU: 1280",
        "<IPv4LinkMTU>1430</IPv4LinkMTU>",
        "<IPv4LinkMTU>1280</IPv4LinkMTU>",
    ),
    (
        "IPv4LinkMTU: 1500",
        "<IPv4LinkMTU>1430</IPv4LinkMTU>",
        "<IPv4LinkMTU>1500</IPv4LinkMTU>",
    ),
    (
        "IPv6LinkMTU: 1501",
        "<IPv6LinkMTU>1430</IPv6LinkMTU>",
        "<IPv6LinkMTU>1501</IPv6LinkMTU>",
    ),
    (
        "DNSRetryCount: 5",
        "<DNSRetryCount>3</DNSRetryCount>",
        "<DNSRetryCount>5</DNSRetryCount>",
    ),
    (
        "DNSRetryCount: 0",
        "<DNSRetryCount>3</DNSRetryCount>",
        "<DNSRetryCount>0</DNSRetryCount>",
    ),
    (
        "DNSRetrySettings: count missing",
        "<DNSRetryCount>3</DNSRetryCount>",
        "",
    ),
    (
        "DNSRetryInterval: 4",
        "<DNSRetryIntervalInSeconds>2</DNSRetryIntervalInSeconds>",
        "<DNSRetryIntervalInSeconds>4</DNSRetryIntervalInSeconds>",
    ),
    (
        "FriendlyName: 15",
        "<LTE>4G+</LTE>",
        "<LTE>abcdefghijabcde</LTE>",
    ),
    (
        "FriendlyName: 16",
        "<LTE>4G+</LTE>",
        "<LTE>abcdefghijabcdef</LTE>",
    ),
    ("FriendlyName: empty", "<LTE>4G+</LTE>", "<LTE/>"),
    (
        "FriendlyName: order",
        "<LTE>4G+</LTE>",
        "<LTE>4G+</LTE><GPRS>2G</GPRS>",
    ),
    (
        "FriendlyName: UMB and CUSTOM",
        "<LTE>4G+</LTE>",
        "<LTE>4G+</LTE><UMB>u</UMB><CUSTOM>c</CUSTOM>",
    ),
    (
        "FriendlyName: unknown class",
        "<LTE>4G+</LTE>",
        "<LTE>4G+</LTE><NR>5G</NR>",
    ),
    (
        "SupportPhone: 25",
        "<CustomerSupportPhoneNumber>+1 800 555 0100</CustomerSupportPhoneNumber>",
        "<CustomerSupportPhoneNumber>1234567890123456789012345</CustomerSupportPhoneNumber>",
    ),
    (
        "SupportPhone: 26",
        "<CustomerSupportPhoneNumber>+1 800 555 0100</CustomerSupportPhoneNumber>",
        "<CustomerSupportPhoneNumber>12345678901234567890123456</CustomerSupportPhoneNumber>",
    ),
    (
        "SupportPhone: empty",
        "<CustomerSupportPhoneNumber>+1 800 555 0100</CustomerSupportPhoneNumber>",
        "<CustomerSupportPhoneNumber/>",
    ),
    (
        "MaxNumberOfDevices: 2",
        "<MaxNumberOfDevices>5</MaxNumberOfDevices>",
        "<MaxNumberOfDevices>2</MaxNumberOfDevices>",
    ),
    (
        "MaxNumberOfDevices: 3",
        "<MaxNumberOfDevices>5</MaxNumberOfDevices>",
        "<MaxNumberOfDevices>3</MaxNumberOfDevices>",
    ),
    (
        "MaxNumberOfDevices: 10",
        "<MaxNumberOfDevices>5</MaxNumberOfDevices>",
        "<MaxNumberOfDevices>10</MaxNumberOfDevices>",
    ),
    (
        "MaxNumberOfDevices: 11",
        "<MaxNumberOfDevices>5</MaxNumberOfDevices>",
        "<MaxNumberOfDevices>11</MaxNumberOfDevices>",
    ),
    (
        "MultiplePDPContextSupport: false",
        r#"MultiplePDPContextSupport="true""#,
        r#"MultiplePDPContextSupport="false""#,
    ),
    (
        "MultiplePDPContextSupport: no",
        r#"MultiplePDPContextSupport="true""#,
        r#"MultiplePDPContextSupport="no""#,
    ),
    (
        "PDPContextPolicy: AppIDList missing",
        "<AppIDList>\n              <AppID>Example.VideoApp_abcdefghijk12</AppID>\n            </AppIDList>",
        "",
    ),
    (
        "PDPContextPolicy: empty AppIDList",
        "<AppID>Example.VideoApp_abcdefghijk12</AppID>",
        "",
    ),
    (
        "PDPContextPolicy: Context missing",
        "<Context>\n              <AccessString>video.example.net</AccessString>\n            </Context>",
        "",
    ),
    (
        "TetheringProfile: Name missing",
        "<Name>Example Tethering</Name>",
        "",
    ),
    (
        "Extensions_v2: AdditionalPDPContexts first",
        "<Extensions_v2 xmlns=\"http://www.microsoft.com/networking/CarrierControl/v2\">",
        "<Extensions_v2 xmlns=\"http://www.microsoft.com/networking/CarrierControl/v2\"><AdditionalPDPContexts/>",
    ),
    (
        "Extensions: undeclared foreign element (strict)",
        "<Extensions>",
        "<Extensions><x:y xmlns:x=\"urn:example\"/>",
    ),
    (
        "Extensions: CarrierControl element",
        "<Extensions>",
        "<Extensions><Global/>",
    ),
    ("Extensions: empty", "<Extensions>", EMPTY),
    ("Extensions_v2: empty", "<Extensions_v2 ", EMPTY),
    (
        "CarrierNetworkMetadata: empty",
        "<CarrierNetworkMetadata>",
        EMPTY,
    ),
    (
        "AdditionalPDPContexts: removed",
        "<AdditionalPDPContexts>",
        REMOVE,
    ),
    (
        "MultiplePDPContextPolicies: empty",
        "<MultiplePDPContextPolicies ",
        EMPTY,
    ),
    ("TetheringSettings: empty", "<TetheringSettings>", EMPTY),
    ("Activation: removed", "<Activation>", REMOVE),
    ("Provisioning: empty", "<Provisioning>", EMPTY),
    ("RefreshParameters: empty", "<RefreshParameters>", EMPTY),
    ("Fields: empty", "<Fields>", EMPTY),
    ("MSM: empty", "<MSM>", EMPTY),
    ("security: empty", "<security>", EMPTY),
    ("UserLogonCred: empty", "<UserLogonCred>", EMPTY),
    ("Context: empty", "<Context>", EMPTY),
    ("Description: empty", "<Description PlanType=", EMPTY),
    ("BillingCycle: removed", "<BillingCycle ", REMOVE),
    ("Usage: removed", "<Usage CurrentUsage", REMOVE),
    ("Signature: removed", "<Signature ", REMOVE),
    ("Signature: empty", "<Signature ", EMPTY),
    ("SignedInfo: empty", "<SignedInfo>", EMPTY),
    ("Transforms: empty", "<Transforms>", EMPTY),
    ("DigestValue: empty", "<DigestValue>", EMPTY),
    ("DigestValue: removed", "<DigestValue>", REMOVE),
    ("WLANProfile: removed", "<WLANProfile ", REMOVE),
    ("OneX: removed", "<OneX ", REMOVE),
    ("HotspotProfile: empty", "<HotspotProfile ", EMPTY),
    (
        "DataClassFriendlyNames: empty",
        "<DataClassFriendlyNames>",
        EMPTY,
    ),
    ("PDPContextPolicy: empty", "<PDPContextPolicy>", EMPTY),
    ("TetheringProfile: empty", "<TetheringProfile>", EMPTY),
    ("Global: empty", "<Global>", EMPTY),
    // Signature
    (
        "Signature: exclusive c14n",
        "http://www.w3.org/TR/2001/REC-xml-c14n-20010315\"/>",
        "http://www.w3.org/2001/10/xml-exc-c14n#\"/>",
    ),
    (
        "Signature: unknown c14n",
        "http://www.w3.org/TR/2001/REC-xml-c14n-20010315\"/>",
        "http://www.w3.org/2006/12/xml-c14n11\"/>",
    ),
    (
        "Signature: Reference URI",
        r#"<Reference URI="">"#,
        r##"<Reference URI="#doc">"##,
    ),
    (
        "Signature: Reference without URI",
        r#"<Reference URI="">"#,
        "<Reference>",
    ),
    (
        "Signature: other transform",
        "xmldsig#enveloped-signature",
        "xmldsig#base64",
    ),
    (
        "Signature: two transforms",
        "<Transform Algorithm=\"http://www.w3.org/2000/09/xmldsig#enveloped-signature\"/>",
        "<Transform Algorithm=\"http://www.w3.org/2000/09/xmldsig#enveloped-signature\"/><Transform Algorithm=\"http://www.w3.org/2000/09/xmldsig#enveloped-signature\"/>",
    ),
    (
        "Signature: SignatureValue not base64",
        "<SignatureValue>AAAA</SignatureValue>",
        "<SignatureValue>A!AA</SignatureValue>",
    ),
    (
        "Signature: no KeyInfo",
        "<KeyInfo>\n      <X509Data>\n        <X509Certificate>AAAA</X509Certificate><!-- placeholder: base64 DER -->\n      </X509Data>\n    </KeyInfo>",
        "",
    ),
    (
        "Signature: empty KeyInfo",
        "<KeyInfo>\n      <X509Data>\n        <X509Certificate>AAAA</X509Certificate><!-- placeholder: base64 DER -->\n      </X509Data>\n    </KeyInfo>",
        "<KeyInfo/>",
    ),
    (
        "Signature: empty X509Data",
        "<X509Certificate>AAAA</X509Certificate>",
        "",
    ),
    (
        "Signature: RSAKeyValue",
        "<X509Data>",
        "<KeyValue><RSAKeyValue><Modulus>AQAB</Modulus><Exponent>AQAB</Exponent></RSAKeyValue></KeyValue><X509Data>",
    ),
    (
        "Signature: KeyValue empty",
        "<X509Data>",
        "<KeyValue/><X509Data>",
    ),
    (
        "Signature: Id",
        "<Signature xmlns",
        "<Signature Id=\"sig1\" xmlns",
    ),
    (
        "Signature: Id not NCName",
        "<Signature xmlns",
        "<Signature Id=\"1sig\" xmlns",
    ),
    (
        "Signature: SignedInfo missing Reference",
        "<Reference URI=",
        REMOVE,
    ),
    (
        "Signature: before Extensions",
        "  <Extensions>",
        "<Signature xmlns=\"http://www.w3.org/2000/09/xmldsig#\"/>  <Extensions>",
    ),
    (
        "Signature: HMACOutputLength",
        "rsa-sha256\"/>",
        "rsa-sha256\"><HMACOutputLength>128</HMACOutputLength></SignatureMethod>",
    ),
    (
        "Root: element after Signature",
        "</Signature>\n",
        "</Signature><Plans/>\n",
    ),
];

/// `shared/data` beside the repository (as apn-db's tests find it), or
/// `MBIMD_SHARED_DATA`.
fn shared_data() -> PathBuf {
    if let Some(d) = std::env::var_os("MBIMD_SHARED_DATA") {
        return PathBuf::from(d);
    }
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    for up in manifest.ancestors() {
        for cand in [up.join("shared/data"), up.join("../shared/data")] {
            if cand.join("xsd/cc.xsd").exists() {
                return cand;
            }
        }
    }
    PathBuf::from("/work/shared/data")
}

fn xsd_dir() -> PathBuf {
    shared_data().join("xsd")
}

/// The example with the undeclared-but-documented attributes removed, so
/// that xmllint accepts it (they come back as lenient variants).
fn base_document() -> String {
    let x = std::fs::read_to_string(shared_data().join("examples/provisioning-full.xml")).unwrap();
    let x = x
        .replace(r#" RuleId="usage-sms""#, "")
        .replace(r#" RuleId="state-ussd""#, "")
        .replace(r#" RuleId="refresh""#, "")
        .replace(r#" AmToken="AM" PmToken="PM""#, "");
    assert!(!x.contains("RuleId"));
    x
}

fn wrapper_schema(dir: &Path) -> PathBuf {
    let xsd = xsd_dir();
    let imp = |ns: &str, f: &str| {
        format!(
            r#"  <xs:import namespace="{ns}" schemaLocation="{}"/>"#,
            xsd.join(f).display()
        )
    };
    let text = format!(
        "<xs:schema xmlns:xs=\"http://www.w3.org/2001/XMLSchema\" targetNamespace=\"urn:mbimd:test:all\">\n{}\n{}\n{}\n</xs:schema>\n",
        imp(document::NS_CC, "cc.xsd"),
        imp(document::NS_WLAN2, "wlan2.xsd"),
        imp(document::NS_HS, "hs.xsd"),
    );
    let p = dir.join("all.xsd");
    std::fs::write(&p, text).unwrap();
    p
}

/// xmllint's verdict for each file (true: validates).
fn xmllint(schema: &Path, files: &[PathBuf]) -> Vec<bool> {
    let out = Command::new("xmllint")
        .arg("--noout")
        .arg("--schema")
        .arg(schema)
        .args(files)
        .output()
        .expect("xmllint runs (libxml2-utils, scripts/install-deps)");
    let stderr = String::from_utf8_lossy(&out.stderr);
    files
        .iter()
        .map(|f| {
            let name = f.display().to_string();
            // Not well-formed files get a parser error and no verdict line.
            stderr.contains(&format!("{name} validates"))
        })
        .collect()
}

fn apply(base: &str, (name, find, replace): &Variant) -> String {
    let Some(at) = base.find(find) else {
        panic!("variant {name:?}: {find:?} is not in the base document");
    };
    if *replace != EMPTY && *replace != REMOVE {
        return base.replacen(find, replace, 1);
    }
    // The element named by the start tag at `at`, up to its end tag (the
    // corpus never nests an element in one of the same name).
    let tag: String = find[1..]
        .chars()
        .take_while(|c| !c.is_whitespace() && *c != '>')
        .collect();
    let open_end = at + base[at..].find('>').unwrap() + 1;
    if base[..open_end].ends_with("/>") {
        return if *replace == EMPTY {
            base.to_string()
        } else {
            format!("{}{}", &base[..at], &base[open_end..])
        };
    }
    let close = format!("</{tag}>");
    let close_at = open_end + base[open_end..].find(&close).unwrap();
    let close_end = close_at + close.len();
    if *replace == EMPTY {
        format!("{}{}", &base[..open_end], &base[close_at..])
    } else {
        format!("{}{}", &base[..at], &base[close_end..])
    }
}

#[test]
fn the_published_example_parses_with_every_section() {
    let x = std::fs::read_to_string(shared_data().join("examples/provisioning-full.xml")).unwrap();
    let d = document::parse(&x).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        d.global.carrier_id,
        "{5D3F2A71-9C4E-4B8A-A0E2-7F1C0B9D6E34}"
    );
    let a = d.activation.as_ref().unwrap();
    assert_eq!(a.method, document::ActivationMethod::ReconnectToNetwork);
    assert_eq!(
        (a.delay.as_secs(), a.retry_count, a.retry_interval.as_secs()),
        (10, 3, 60)
    );
    let m = d.mbn_profiles.as_ref().unwrap();
    let def = m.default_profile.as_ref().unwrap();
    assert_eq!(def.priority, 1);
    assert_eq!(
        def.context.as_ref().unwrap().access_string.as_deref(),
        Some("internet.example.net")
    );
    assert_eq!(def.data_roaming_partners[0].provider_id, "26201");
    assert_eq!(m.purchase_profile.as_ref().unwrap().priority, 5);
    let rules = &m.messages.as_ref().unwrap().rules;
    assert_eq!(
        rules.rule_ids(),
        vec![
            Some("usage-sms".into()),
            Some("state-ussd".into()),
            Some("refresh".into())
        ]
    );
    let w = d.wlan_profiles.as_ref().unwrap();
    assert_eq!(w.len(), 2);
    assert_eq!(w[0].ssid_prefixes.len(), 1);
    let hs = w[0].security.as_ref().unwrap().hotspot.as_ref().unwrap();
    assert_eq!(hs.trusted_domains, vec![".hotspot.example.net".to_string()]);
    assert_eq!(
        w[1].security
            .as_ref()
            .unwrap()
            .one_x
            .as_ref()
            .unwrap()
            .eap_type,
        Some(23)
    );
    let p = &d.plans.as_ref().unwrap()[0];
    assert_eq!(
        p.description.as_ref().unwrap().data_limit_in_megabytes,
        Some(5120)
    );
    assert_eq!(p.usage.as_ref().unwrap().current_usage, 1234);
    let prov = d.provisioning.as_ref().unwrap();
    assert_eq!(
        prov.refresh_parameters.as_ref().unwrap().delay_in_days,
        Some(30)
    );
    let ext = d.extensions_v2.as_ref().unwrap();
    let apc = ext.additional_pdp_contexts.as_ref().unwrap();
    assert_eq!(
        apc.policies[0].app_ids,
        vec!["Example.VideoApp_abcdefghijk12".to_string()]
    );
    assert_eq!(
        apc.tethering_settings
            .as_ref()
            .unwrap()
            .max_number_of_devices,
        Some(5)
    );
    let sig = d.signature.as_ref().unwrap();
    assert!(x[sig.span.clone()].starts_with("<Signature"));
    assert!(x[sig.span.clone()].ends_with("</Signature>"));
    assert!(x[sig.signed_info_span.clone()].starts_with("<SignedInfo>"));
}

#[test]
fn every_variant_gets_xmllints_verdict_except_the_documented_leniencies() {
    let dir = tempfile::tempdir().unwrap();
    let schema = wrapper_schema(dir.path());
    let base = base_document();
    let mut files = vec![dir.path().join("base.xml")];
    std::fs::write(&files[0], &base).unwrap();
    let all: Vec<(&Variant, bool)> = LENIENT
        .iter()
        .map(|v| (v, true))
        .chain(SAME.iter().map(|v| (v, false)))
        .collect();
    for (i, (v, _)) in all.iter().enumerate() {
        let f = dir.path().join(format!("v{i}.xml"));
        std::fs::write(&f, apply(&base, v)).unwrap();
        files.push(f);
    }
    let verdicts = xmllint(&schema, &files);
    assert!(verdicts[0], "xmllint rejects the base document");
    assert!(
        document::parse(&base).is_ok(),
        "{:?}",
        document::parse(&base).err()
    );
    let mut mismatches = Vec::new();
    let (mut valid, mut invalid) = (0, 0);
    for (i, ((v, lenient), xl)) in all.iter().zip(&verdicts[1..]).enumerate() {
        let text = std::fs::read_to_string(&files[i + 1]).unwrap();
        let ours = document::parse(&text);
        if *xl {
            valid += 1;
        } else {
            invalid += 1;
        }
        let expected = if *lenient {
            if *xl {
                mismatches.push(format!("{}: listed as lenient but xmllint accepts it", v.0));
            }
            true
        } else {
            *xl
        };
        if ours.is_ok() != expected {
            mismatches.push(format!(
                "{}: xmllint {}, ours {}",
                v.0,
                if *xl { "valid" } else { "invalid" },
                match &ours {
                    Ok(_) => "valid".to_string(),
                    Err(e) => format!("invalid ({e})"),
                }
            ));
        }
        if let Err(e) = &ours {
            assert!(
                e.errors.iter().all(|e| e.line >= 1 && e.column >= 1),
                "{}: error without a position",
                v.0
            );
        }
    }
    println!("{valid} variants valid and {invalid} invalid for xmllint");
    assert!(
        mismatches.is_empty(),
        "{} mismatches:\n{}",
        mismatches.len(),
        mismatches.join("\n")
    );
    // The corpus exercises both sides of the boundaries.
    assert!(
        valid >= 40 && invalid >= 100,
        "valid {valid}, invalid {invalid}"
    );
}

#[test]
fn errors_name_the_element_line_and_column() {
    let base = base_document();
    let bad = base.replacen("<MaxNumberOfDevices>5<", "<MaxNumberOfDevices>11<", 1);
    let e = document::parse(&bad).unwrap_err();
    let line = bad[..bad.find("<MaxNumberOfDevices>").unwrap()]
        .matches('\n')
        .count()
        + 1;
    assert_eq!(e.errors.len(), 1, "{e}");
    assert_eq!(e.errors[0].element, "MaxNumberOfDevices");
    assert_eq!(e.errors[0].line, line);
    assert_eq!(e.errors[0].column, 11);
    // Two independent errors are both reported.
    let bad2 = bad.replacen("<IPv4LinkMTU>1430<", "<IPv4LinkMTU>99<", 1);
    assert_eq!(document::parse(&bad2).unwrap_err().errors.len(), 2);
}
