//! Argument building and table rendering of `gridctl cert`, without a network.

use clap::Parser as _;
use serde_json::json;

use super::*;

/// The `gridctl cert` part of the command line alone (subcommands do not import the top-level command line).
#[derive(Debug, clap::Parser)]
struct Cli {
    #[command(subcommand)]
    command: CertCommand,
}

fn parse(args: &[&str]) -> CertCommand {
    let cli = Cli::try_parse_from(std::iter::once("cert").chain(args.iter().copied()))
        .unwrap_or_else(|e| panic!("{args:?}: {e}"));
    cli.command
}

fn txs(args: &[&str]) -> Vec<(&'static str, Vec<String>, bool)> {
    plan(&parse(args)).into_iter().map(|c| (c.tx, c.args, c.submit)).collect()
}

fn strings(s: &[&str]) -> Vec<String> {
    s.iter().map(|x| (*x).to_string()).collect()
}

#[test]
fn every_command_maps_to_its_transaction() {
    let device = txs(&[
        "register-device",
        "--org",
        "grid",
        "--asset",
        "pv-1",
        "--technology",
        "T020001",
        "--area",
        "10YNL",
        "--meter",
        "m-1",
        "--meter",
        "m-2",
    ]);
    assert_eq!(device[0].0, "RegisterDevice");
    let doc: Value = serde_json::from_str(&device[0].1[0]).unwrap();
    assert_eq!(doc, json!({"assetId": "pv-1", "technology": "T020001", "area": "10YNL", "meters": ["m-1", "m-2"]}));

    assert_eq!(
        txs(&["issue", "--org", "prosumer", "pv-1", "--hour", "3600"]),
        [("IssueCertificates", strings(&["pv-1", "3600"]), true)]
    );
    assert_eq!(
        txs(&["transfer", "--org", "prosumer", "C", "--to-msp", "ProsumerMSP", "--to-id", "bob", "--wh", "400"]),
        [("TransferCertificate", strings(&["C", "ProsumerMSP", "bob", "400"]), true)]
    );
    assert_eq!(
        txs(&["offer", "--org", "prosumer", "C", "--wh", "1500", "--price-per-mwh", "80000"]),
        [("OfferCertificate", strings(&["C", "1500", "80000"]), true)]
    );
    assert_eq!(
        txs(&["accept", "--org", "prosumer", "C", "--wh", "1500", "--price-per-mwh", "80000"]),
        [("AcceptOffer", strings(&["C", "1500", "80000"]), true)]
    );
    assert_eq!(
        txs(&[
            "claim",
            "--org",
            "prosumer",
            "C",
            "--wh",
            "1500",
            "--hour",
            "7200",
            "--beneficiary-msp",
            "ProsumerMSP",
            "--beneficiary-id",
            "bob",
        ]),
        [("ClaimCertificate", strings(&["C", "1500", "7200", "ProsumerMSP", "bob"]), true)]
    );
    assert_eq!(txs(&["show", "--org", "grid", "C"]), [("GetCertificate", strings(&["C"]), false)]);
    let with_history = txs(&["show", "--org", "grid", "C", "--history"]);
    assert_eq!(with_history[1], ("CertificateHistory", strings(&["C"]), false));
    assert_eq!(
        txs(&["report", "--org", "prosumer", "--msp", "ProsumerMSP", "--id", "bob", "--day", "86400"]),
        [("MatchingReport", strings(&["ProsumerMSP", "bob", "86400"]), false)]
    );
    assert!(Cli::try_parse_from(["cert", "issue", "--org", "grid", "pv-1"]).is_err(), "--hour is required");
}

#[test]
fn a_purchase_renders_both_certificates_and_the_price() {
    let cmd = parse(&["accept", "--org", "prosumer", "C", "--wh", "1500", "--price-per-mwh", "80000"]);
    let bought = json!({
        "certificate": {"id": "c2", "deviceId": "pv-1", "hourStart": 3600, "wh": 1500,
                        "owner": {"msp": "ProsumerMSP", "id": "bob"}, "status": "active"},
        "remainder": {"id": "c3", "deviceId": "pv-1", "hourStart": 3600, "wh": 3000,
                      "owner": {"msp": "ProsumerMSP", "id": "alice"}, "status": "active"},
        "paid": 120,
    });
    let expected = "\
certificate  device  hour    wh  owner              status
-----------  ------  ----  ----  -----------------  ------
c2           pv-1    3600  1500  ProsumerMSP/bob    active
c3           pv-1    3600  3000  ProsumerMSP/alice  active
paid 120";
    assert_eq!(table(&cmd, &[Some(bought)]), expected);
    // A whole transfer has no remainder and nothing paid.
    let whole = json!({"certificate": {"id": "c1", "wh": 5}, "remainder": null, "paid": null});
    let cmd = parse(&["transfer", "--org", "prosumer", "C", "--to-msp", "M", "--to-id", "x", "--wh", "5"]);
    assert_eq!(table(&cmd, &[Some(whole)]).lines().count(), 3);
}

#[test]
fn the_report_shows_hours_and_the_score() {
    let cmd = parse(&["report", "--org", "prosumer", "--msp", "ProsumerMSP", "--id", "bob", "--day", "0"]);
    let report = json!({
        "hours": [{"hourStart": 0, "consumptionWh": 1800, "claimedWh": 1500, "matchedWh": 1500},
                  {"hourStart": 3600, "consumptionWh": 600, "claimedWh": 0, "matchedWh": 0}],
        "consumptionWh": 2400, "matchedWh": 1500, "score": {"numerator": 5, "denominator": 8}, "scoreBasisPoints": 6250,
    });
    let expected = "\
hour  consumption wh  claimed wh  matched wh
----  --------------  ----------  ----------
   0            1800        1500        1500
3600             600           0           0
day: matched 1500 of 2400 Wh, 24/7 score 5/8 (6250 basis points)";
    assert_eq!(table(&cmd, &[Some(report)]), expected);
}
