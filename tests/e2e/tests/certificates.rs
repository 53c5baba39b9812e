//! The certificates chaincode (chaincode/energy/certificates) on the real network: a PV system's meter sends
//! signed readings for two hours; its owner gets certificates equal to each hour's export; sells part of one
//! hour's to a consumer for payment (trade balances checked on all three peers); the consumer claims it against
//! its consumption of the same hour; the matching report shows the hour's match and the day's score as computed
//! here by hand. Double issuance, a claim for another hour, a claim above consumption and a transfer by a
//! non-owner are refused with clear messages. Every submit is endorsed by the peers of all three orgs. Issuance,
//! the sale, the claim, `show --history` and the report go through `gridctl cert` (its tables and `--json`), the
//! rest through the Fabric Gateway (the harness's `submit`/`evaluate`).
//!
//! The hours are a day well in the past (readings only need their interval to have ended), chosen from the clock
//! so a rerun on the same network uses another day, and no other test's readings fall into it.

#[allow(dead_code)]
#[path = "energy/browser.rs"]
mod browser;
#[allow(dead_code)]
#[path = "energy/support.rs"]
mod support;

use gridledger_e2e::gridctl::{json_as, run_as};
use gridledger_e2e::{Identity, Network, ORGS, network, unique};
use gridledger_reading::Reading;
use serde_json::{Value, json};
use support::{Cast, INTERVAL, Meter, account, balances, now, ok, refused, submit, submit_readings};

const HOUR: i64 = 3600;
/// Intervals of the meters (one minute) in an hour.
const PER_HOUR: i64 = HOUR / INTERVAL;

fn asset(id: &str, kind: &str, cp: &str) -> String {
    json!({"id": id, "kind": kind, "nameplateW": 200_000, "connectionPoint": cp,
           "location": {"lat": "52.3702", "lon": "4.8952"}, "commissioned": "2024-03-01"})
    .to_string()
}

/// A registered, connected asset with a one-minute meter; returns the owner's party JSON.
fn connected(net: &Network, cast: &Cast, owner: &Identity, id: &str, kind: &str, meter: &Meter) -> Value {
    let cp = format!("cp-{id}");
    let registered = ok("RegisterAsset", &submit(net, owner, "registry", &["RegisterAsset", &asset(id, kind, &cp)]));
    ok("ApproveConnection", &submit(net, &cast.grid_operator, "registry", &["ApproveConnection", id]));
    ok("RegisterMeter", &submit(net, &cast.installer, "metering", &["RegisterMeter", &meter.registration(id)]));
    registered["owner"].clone()
}

/// One reading per minute of the hour from `hour`, each `wh`, counting `counter` up.
fn hour_of(meter: &Meter, hour: i64, register: &str, wh: i64, counter: &mut u64, out: &mut Vec<Reading>) {
    for i in 0..PER_HOUR {
        *counter += 1;
        out.push(meter.reading(hour + i * INTERVAL, register, wh, *counter));
    }
}

#[test]
#[ignore = "needs the running Fabric network: scripts/e2e.sh (GRIDLEDGER_E2E=1)"]
fn certificates_end_to_end() {
    let net = network();
    let cast = Cast::load(net);
    // The issuing body: the test consortium's record names none, so the grid operator (of every connection point)
    // issues; its user issuer1 (role issuer) acts for it.
    let issuer = &cast.issuer;
    let tag = unique("cert");
    let (pv, load) = (format!("pv-{tag}"), format!("load-{tag}"));
    let (m_pv, m_load) = (Meter::new(format!("m-{tag}-pv")), Meter::new(format!("m-{tag}-load")));
    let alice = connected(net, &cast, &cast.alice, &pv, "pv", &m_pv);
    let bob = connected(net, &cast, &cast.bob, &load, "flexible-load", &m_load);
    let (bob_msp, bob_id) = (bob["msp"].as_str().unwrap_or_default(), bob["id"].as_str().unwrap_or_default());

    // --- The device -------------------------------------------------------------------------------------------
    let device = |asset: &str, meter: &Meter| {
        json!({"assetId": asset, "technology": "T020001", "area": "10YNL----------L", "meters": [meter.id]}).to_string()
    };
    let (pv_device, load_device) = (device(&pv, &m_pv), device(&load, &m_load));
    let by_alice = submit(net, &cast.alice, "certificates", &["RegisterDevice", &pv_device]);
    refused(
        "RegisterDevice by a prosumer",
        &by_alice,
        403,
        "RegisterDevice is for issuer or admin of the issuing body",
    );
    let a_load = submit(net, issuer, "certificates", &["RegisterDevice", &load_device]);
    refused("RegisterDevice of a load", &a_load, 409, "does not produce energy");
    let registered = ok("RegisterDevice", &submit(net, issuer, "certificates", &["RegisterDevice", &pv_device]));
    assert_eq!((&registered["id"], &registered["kind"]), (&json!(pv), &json!("pv")));

    // --- Two hours of signed readings, a day in the past --------------------------------------------------------
    let day = (now() / 86_400 - 30 - now() % 365) * 86_400;
    let (h1, h2) = (day, day + HOUR);
    let mut batch = Vec::new();
    let (mut c_pv, mut c_load) = (0, 0);
    hour_of(&m_pv, h1, "2.8.0", 75, &mut c_pv, &mut batch); // 4500 Wh
    hour_of(&m_pv, h2, "2.8.0", 40, &mut c_pv, &mut batch); // 2400 Wh
    hour_of(&m_load, h1, "1.8.0", 30, &mut c_load, &mut batch); // 1800 Wh
    hour_of(&m_load, h2, "1.8.0", 10, &mut c_load, &mut batch); // 600 Wh
    let accepted = ok("SubmitReadings", &submit_readings(net, &cast.gateway, &batch));
    assert_eq!(accepted["accepted"], 4 * PER_HOUR);

    // --- Issuance: each hour's export, once --------------------------------------------------------------------
    let issue = |hour: i64| json_as(&["cert", "issue"], &cast.alice, &[&pv, "--hour", &hour.to_string()]);
    let (first, second) = (issue(h1), issue(h2));
    assert_eq!((first["wh"].as_i64(), second["wh"].as_i64()), (Some(4500), Some(2400)), "the hours' export");
    assert_eq!((&first["owner"], &first["status"]), (&alice, &json!("active")));
    refused(
        "IssueCertificates twice",
        &submit(net, &cast.alice, "certificates", &["IssueCertificates", &pv, &h1.to_string()]),
        409,
        &format!("for device \"{pv}\" and hour {h1} were already issued"),
    );
    let twice = run_as(&["cert", "issue"], &cast.alice, &[&pv, "--hour", &h2.to_string()]);
    let said = String::from_utf8_lossy(&twice.stderr);
    assert!(!twice.status.success() && said.contains("already issued"), "gridctl cert issue twice: {said}");
    let cert1 = first["id"].as_str().unwrap_or_default().to_string();
    for org in ORGS {
        let seen = ok("GetCertificate", &net.evaluate_as(net.admin(org), "certificates", &["GetCertificate", &cert1]));
        assert_eq!(seen["wh"], 4500, "peer of {org}");
    }
    let issuance = ok("GetIssuance", &net.evaluate("certificates", &["GetIssuance", &pv, &h1.to_string()]));
    assert_eq!(issuance["sources"][0]["readings"], PER_HOUR);

    // --- Delivery versus payment: 1500 Wh of h1 at 80 000 cents/MWh = 120 cents ----------------------------------
    let (a_alice, a_bob) = (account(&alice), account(&bob));
    let before = balances(net, &[&a_alice, &a_bob]);
    let price = ["--wh", "1500", "--price-per-mwh", "80000"];
    let offered = json_as(&["cert", "offer"], &cast.alice, &[&[cert1.as_str()][..], &price].concat());
    assert_eq!((offered["wh"].as_i64(), offered["pricePerMwh"].as_i64()), (Some(1500), Some(80_000)));
    let bought = json_as(&["cert", "accept"], &cast.bob, &[&[cert1.as_str()][..], &price].concat());
    assert_eq!(bought["paid"], 120);
    assert_eq!((&bought["certificate"]["owner"], bought["certificate"]["wh"].as_i64()), (&bob, Some(1500)));
    let after = balances(net, &[&a_alice, &a_bob]);
    for (org, (b, a)) in ORGS.iter().zip(before.iter().zip(&after)) {
        assert_eq!((a[0] - b[0], a[1] - b[1]), (120, -120), "balances on the peer of {org}");
    }
    let bobs = bought["certificate"]["id"].as_str().unwrap_or_default().to_string();
    let rest = bought["remainder"]["id"].as_str().unwrap_or_default().to_string();

    // --- Transfers and claims ---------------------------------------------------------------------------------
    let transfer = ["TransferCertificate", rest.as_str(), bob_msp, bob_id, "400"];
    refused(
        "TransferCertificate by a non-owner",
        &submit(net, &cast.bob, "certificates", &transfer),
        403,
        "is held by another party; only its holder moves it",
    );
    let claim = |id: &str, wh: &str, hour: i64| {
        submit(net, &cast.bob, "certificates", &["ClaimCertificate", id, wh, &hour.to_string(), bob_msp, bob_id])
    };
    refused(
        "a claim for another hour",
        &claim(&bobs, "100", h2),
        409,
        &format!("cannot cover consumption in hour {h2}"),
    );
    let claimed = json_as(
        &["cert", "claim"],
        &cast.bob,
        &[&bobs, "--wh", "1500", "--hour", &h1.to_string(), "--beneficiary-msp", bob_msp, "--beneficiary-id", bob_id],
    );
    assert_eq!(claimed["certificate"]["status"], "cancelled");
    let more = ok("TransferCertificate", &submit(net, &cast.alice, "certificates", &transfer));
    let more = more["certificate"]["id"].as_str().unwrap_or_default().to_string();
    refused(
        "a claim above consumption",
        &claim(&more, "400", h1),
        409,
        "would reach 1900 Wh, above its metered consumption of 1800 Wh",
    );
    refused(
        "a cancelled certificate moving",
        &submit(net, &cast.bob, "certificates", &["TransferCertificate", &bobs, "ProsumerMSP", "x", "1"]),
        409,
        "is cancelled: it never moves again",
    );

    // --- The day's matching, by hand: h1 1500 of 1800 matched, h2 0 of 600: 1500/2400 = 5/8, 6250 bp ------------
    let by = ["--msp", bob_msp, "--id", bob_id, "--day", &day.to_string()];
    let report = json_as(&["cert", "report"], &cast.bob, &by);
    let table = run_as(&["cert", "report"], &cast.bob, &by);
    let table = String::from_utf8_lossy(&table.stdout);
    assert!(table.contains("1800") && table.contains("5/8"), "gridctl cert report's table: {table}");
    let history = run_as(&["cert", "show"], &cast.bob, &[&bobs, "--history"]);
    let history = String::from_utf8_lossy(&history.stdout);
    assert!(history.contains("history:") && history.contains("cancelled"), "gridctl cert show --history: {history}");
    assert_eq!(
        report["hours"][0],
        json!({"hourStart": h1, "consumptionWh": 1800, "claimedWh": 1500, "matchedWh": 1500})
    );
    assert_eq!(report["hours"][1], json!({"hourStart": h2, "consumptionWh": 600, "claimedWh": 0, "matchedWh": 0}));
    assert_eq!((report["consumptionWh"].as_i64(), report["matchedWh"].as_i64()), (Some(2400), Some(1500)));
    assert_eq!(report["score"], json!({"numerator": 5, "denominator": 8}));
    assert_eq!(report["scoreBasisPoints"], 6250);

    // --- The web view as bob: the claimed certificate and the day's matching report, in Chromium ---------------
    let day_text: String = gridledger_web::html::utc(day).chars().take(10).collect();
    let (msp_q, id_q) = (gridledger_web::json::url(bob_msp), gridledger_web::json::url(bob_id));
    let pages = [
        browser::Page {
            path: format!("/certificates/{bobs}"),
            contains: vec![format!("Certificate {bobs}"), "cancelled".into(), "History".into()],
            shot: "certificate",
        },
        browser::Page {
            path: format!("/matching?msp={msp_q}&id={id_q}&day={day_text}"),
            contains: vec!["score 62.50 %".into()],
            shot: "matching",
        },
    ];
    tokio::runtime::Runtime::new()
        .unwrap_or_else(|e| panic!("a runtime: {e}"))
        .block_on(browser::visit(&cast.bob, &pages));
}
