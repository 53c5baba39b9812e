//! OCMF, pure: the vectors made with Python `cryptography` (`testdata/ocmf/gen_vectors.py`) and the parser's and
//! mapping's refusals (`SubmitOcmf` on the ledger: `crate::tests::ocmf`).

use serde_json::{Value, json};

use super::fields::{parse_time, register, to_wh};
use super::record::OcmfRecord;
/// The vectors (shared with the ledger tests).
pub(crate) const VECTORS: &str = include_str!("../../testdata/ocmf/vectors.json");

pub(crate) fn vectors() -> Value {
    serde_json::from_str(VECTORS).unwrap()
}

pub(crate) fn record(name: &str) -> String {
    let v = vectors();
    let r = v["records"].as_array().unwrap().iter().find(|r| r["name"] == name).unwrap();
    r["record"].as_str().unwrap().to_string()
}

fn public_key() -> Vec<u8> {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.decode(vectors()["publicKey"].as_str().unwrap()).unwrap()
}

/// Every vector verifies (or not) in ring exactly as it did in Python, and maps as the generator says.
#[test]
fn vectors_agree_with_the_independent_implementation() {
    let key = public_key();
    for v in vectors()["records"].as_array().unwrap() {
        let name = v["name"].as_str().unwrap();
        let parsed = OcmfRecord::parse(v["record"].as_str().unwrap()).unwrap();
        assert_eq!(parsed.verify(&key).is_ok(), v["verifies"].as_bool().unwrap(), "{name}");
        match v["expected"].as_object() {
            Some(e) => {
                let m = parsed.map(900).unwrap();
                assert_eq!(
                    json!({"intervalStart": m.interval_start, "register": m.register, "wh": m.wh, "counter": m.counter}),
                    Value::Object(e.clone()),
                    "{name}"
                );
            }
            None if name == "straddles-intervals" => {
                assert!(parsed.map(900).unwrap_err().to_string().contains("more than one 900 s interval"));
                // The same record lies inside one hourly interval.
                assert_eq!(parsed.map(3600).unwrap().wh, 500);
            }
            None => {}
        }
    }
}

#[test]
fn values_convert_to_wh_exactly() {
    assert_eq!(to_wh("1234.56", "kWh"), Ok(1_234_560));
    assert_eq!(to_wh("0.001", "kWh"), Ok(1));
    assert_eq!(to_wh("1.2300", "kWh"), Ok(1_230));
    assert_eq!(to_wh("5000", "Wh"), Ok(5_000));
    assert_eq!(to_wh("0", "Wh"), Ok(0));
    for (rv, unit, why) in [
        ("1.2345", "kWh", "fraction of a Wh"),
        ("1.5", "Wh", "fraction of a Wh"),
        ("1e3", "Wh", "plain decimal"),
        ("-1", "Wh", "plain decimal"),
        ("1.", "kWh", "plain decimal"),
        ("99999999999999999999", "Wh", "too large"),
        ("1", "MWh", "is not Wh or kWh"),
    ] {
        assert!(to_wh(rv, unit).unwrap_err().contains(why), "{rv} {unit}");
    }
    // 1.1 kWh is 1100 Wh, not 1100.0000000000002: no floating point on the way.
    assert_eq!(to_wh("1.1", "kWh"), Ok(1_100));
}

#[test]
fn registers_and_times() {
    for ri in ["1-b:1.8.0", "01-00:01.08.00*FF", "1-0:1.8.0*255", "1.8.0"] {
        assert_eq!(register(ri).as_deref(), Ok("1.8.0"), "{ri}");
    }
    assert_eq!(register("1-b:2.8.0").as_deref(), Ok("2.8.0"));
    assert!(register("1-b:1.7.0").is_err());
    assert!(register("1-b:x").is_err());
    assert_eq!(parse_time("2023-11-14T23:16:00,000+0100 S"), Ok((1_700_000_160_000, 'S')));
    assert_eq!(parse_time("2023-11-14T22:16:00,250+0000 I"), Ok((1_700_000_160_250, 'I')));
    for bad in ["2023-11-14T23:16:00,000+0100", "2023-11-14T23:16:00+0100 S", "2023-11-14T23:16:00,000+0100 Q", ""] {
        assert!(parse_time(bad).is_err(), "{bad:?}");
    }
}

#[test]
fn malformed_records_are_refused_with_short_messages() {
    let session = record("session-kwh-hex");
    let (head, sig) = session.rsplit_once('|').unwrap();
    let cases = [
        ("OCMF|{}".to_string(), "2 sections"),
        (format!("XCMF|{{}}|{sig}"), "header \"XCMF\" is not OCMF"),
        (format!("OCMF|not json|{sig}"), "payload section"),
        (format!("{head}|{{\"SA\":\"ECDSA-secp256r1-SHA256\",\"SD\":\"zz\"}}"), "is not hex"),
        (format!("{head}|{{\"SA\":\"ECDSA-secp256r1-SHA256\",\"SD\":\"{}\"}}", "ab".repeat(80)), "at most 144"),
        (format!("{head}|{{\"SD\":\"00\",\"SE\":\"rot13\"}}"), "SE \"rot13\""),
        (format!("OCMF|{{\"PG\":\"T01\",\"MS\":\"x\",\"RD\":[]}}|{sig}"), "PG \"T01\""),
        (format!("OCMF|{{\"PG\":\"T1\",\"MS\":\"x\",\"RD\":[]}}|{sig}"), "RD needs 1 to 64"),
        (
            format!(
                "OCMF|{{\"PG\":\"T1\",\"MS\":\"x\",\"RD\":[{{\"TM\":\"2023-11-14T23:16:00,000+0100 S\",\"RV\":1,\"RI\":\"1-b:1.8.0\",\"RU\":\"kWh\"}}]}}|{sig}"
            ),
            "ST is missing",
        ),
        ("x".repeat(20_000), "20000 bytes; at most 16384"),
    ];
    for (text, needle) in cases {
        let e = OcmfRecord::parse(&text).unwrap_err().to_string();
        assert!(e.contains(needle), "{e:?} does not contain {needle:?}");
        assert!(e.len() < 400, "a long message: {e}");
    }
    let other_curve = format!("{head}|{{\"SA\":\"ECDSA-brainpool256r1-SHA256\",\"SD\":\"00\"}}");
    let e = OcmfRecord::parse(&other_curve).unwrap().verify(&public_key()).unwrap_err();
    assert!(e.to_string().contains("\"ECDSA-brainpool256r1-SHA256\" is not supported"));
}

#[test]
fn mapping_rules() {
    let signed = |rd: &str| format!("OCMF|{{\"PG\":\"T5\",\"MS\":\"x\",\"RD\":{rd}}}|{{\"SD\":\"00\"}}");
    let at = |t: &str, rv: &str, extra: &str| format!("{{\"TM\":\"2023-11-14T22:{t},000+0000 S\",\"RV\":{rv}{extra}}}");
    let first = at("16:00", "1", ",\"RI\":\"1-b:1.8.0\",\"RU\":\"kWh\",\"ST\":\"G\"");
    let cases = [
        (format!("[{first}]"), "one reading measures no energy"),
        (format!("[{first},{}]", at("17:00", "0.5", "")), "must not decrease"),
        (format!("[{first},{}]", at("17:00", "2", ",\"ST\":\"M\"")), "meter status \"M\""),
        (format!("[{first},{}]", at("17:00", "2", ",\"EF\":\"E\"")), "error flag E"),
        (format!("[{first},{}]", at("17:00", "2", ",\"RI\":\"1-b:2.8.0\"")), "differs from the first"),
        (format!("[{first},{}]", at("31:00", "2", "")), "more than one 900 s interval"),
        (format!("[{first},{}]", "{\"TM\":\"2023-11-14T22:17:00,000+0000 U\",\"RV\":2}"), "sync state U is not S"),
    ];
    for (rd, needle) in cases {
        let e = OcmfRecord::parse(&signed(&rd)).unwrap().map(900).unwrap_err().to_string();
        assert!(e.contains(needle), "{e:?} does not contain {needle:?}");
    }
    let ok = OcmfRecord::parse(&signed(&format!("[{first},{}]", at("30:00", "2.5", "")))).unwrap();
    assert_eq!(ok.map(900).unwrap().wh, 1500, "a last reading exactly at the interval's end counts");
}
