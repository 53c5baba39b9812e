//! Argument building and table rendering of `gridctl flex`, without a network.

use clap::Parser as _;
use serde_json::json;

use super::*;

/// The `gridctl flex` part of the command line alone (subcommands do not import the top-level command line).
#[derive(Debug, clap::Parser)]
struct Cli {
    #[command(subcommand)]
    command: FlexCommand,
}

fn parse(args: &[&str]) -> FlexCommand {
    let cli = Cli::try_parse_from(std::iter::once("flex").chain(args.iter().copied()))
        .unwrap_or_else(|e| panic!("{args:?}: {e}"));
    cli.command
}

#[test]
fn request_flags_make_the_request_document() {
    let cmd = parse(&[
        "request",
        "--org",
        "grid",
        "--user",
        "operator1",
        "--connection-point",
        "cp-ams-*",
        "--connection-point",
        "cp-ber-1",
        "--interval-start",
        "1704070800",
        "--wh",
        "10000",
        "--price-cap",
        "200",
        "--gate-closure",
        "1704070200",
        "--penalty",
        "300",
        "--tolerance-bps",
        "1000",
        "--baseline",
        "high-2-of-3",
        "--direction",
        "down",
    ]);
    let calls = plan(&cmd).unwrap();
    assert_eq!(calls.len(), 1);
    assert_eq!((calls[0].tx, calls[0].submit), ("CreateRequest", true));
    let doc: Value = serde_json::from_str(&calls[0].args[0]).unwrap();
    assert_eq!(
        doc,
        json!({"connectionPoints": ["cp-ams-*", "cp-ber-1"], "intervalStart": 1_704_070_800, "intervalSeconds": 900,
               "intervals": 1, "direction": "down", "wh": 10_000, "priceCapPerKwh": 200, "gateClosure": 1_704_070_200,
               "baseline": {"method": "highXOfY", "x": 2, "y": 3}, "toleranceBps": 1000, "penaltyPerKwh": 300})
    );
}

#[test]
fn baselines_parse_or_are_refused() {
    assert_eq!(baseline("schedule").unwrap(), json!({"method": "schedule"}));
    assert_eq!(baseline("high-5-of-10").unwrap(), json!({"method": "highXOfY", "x": 5, "y": 10}));
    for bad in ["high-2", "high-x-of-3", "average", ""] {
        assert!(baseline(bad).is_err(), "{bad}");
    }
}

#[test]
fn offers_and_schedules_carry_their_lists() {
    let cmd = parse(&[
        "offer",
        "--org",
        "prosumer",
        "REQ",
        "--vpp",
        "vpp-a",
        "--wh",
        "8000",
        "--price",
        "120",
        "--meter",
        "m-a",
        "--meter",
        "m-b",
        "--schedule",
        "1000",
    ]);
    let calls = plan(&cmd).unwrap();
    assert_eq!((calls[0].tx, calls[0].args[0].as_str()), ("SubmitOffer", "REQ"));
    let doc: Value = serde_json::from_str(&calls[0].args[1]).unwrap();
    assert_eq!(
        doc,
        json!({"vppId": "vpp-a", "wh": 8000, "pricePerKwh": 120, "meters": ["m-a", "m-b"], "schedule": [1000]})
    );

    let cmd = parse(&["schedule", "--org", "prosumer", "REQ", "--vpp", "vpp-b", "--planned", "-2000,0"]);
    assert_eq!(
        plan(&cmd).unwrap(),
        [Call::submit("SubmitSchedule", vec!["REQ".into(), "vpp-b".into(), "[-2000,0]".into()])]
    );
    let bad = parse(&["schedule", "--org", "prosumer", "REQ", "--vpp", "vpp-b", "--planned", "lots"]);
    assert!(plan(&bad).is_err());
}

#[test]
fn queries_are_evaluated_and_show_reads_three_things() {
    let deliveries = plan(&parse(&["deliveries", "--org", "grid", "REQ", "--vpp", "vpp-a"])).unwrap();
    assert_eq!(deliveries, [Call::query("Deliveries", vec!["REQ".into(), "vpp-a".into()])]);
    let settle = plan(&parse(&["settle", "--org", "grid", "REQ", "--vpp", "vpp-a"])).unwrap();
    assert!(settle[0].submit);
    let show = plan(&parse(&["show", "--org", "grid", "REQ"])).unwrap();
    let txs: Vec<(&str, bool, bool)> = show.iter().map(|c| (c.tx, c.submit, c.optional)).collect();
    assert_eq!(txs, [("GetRequest", false, false), ("Offers", false, false), ("GetAward", false, true)]);
}

#[test]
fn a_settlement_renders_intervals_members_and_postings() {
    let cmd = parse(&["settle", "--org", "grid", "REQ", "--vpp", "vpp-b"]);
    let settlement = json!({
        "intervals": [{"intervalStart": 60, "measuredWh": 3000, "baselineWh": -2000, "deliveredWh": 5000, "paidWh": 5000,
                       "shortfallWh": 400, "payment": 500, "penalty": 120, "awardedWh": 6000}],
        "members": [{"account": "ProsumerMSP/carol", "contributionWh": 3000, "amount": 300}],
        "postings": [{"debit": "GRID", "credit": "VPP/vpp-b", "amount": 500, "reason": "flex-payment"}],
    });
    let text = table(&cmd, &[Some(settlement)]);
    let expected = "\
interval  measured  baseline  delivered  paid wh  shortfall  payment  penalty  awarded
--------  --------  --------  ---------  -------  ---------  -------  -------  -------
      60      3000     -2000       5000     5000        400      500      120     6000

members:
account            contribution wh  amount
-----------------  ---------------  ------
ProsumerMSP/carol             3000     300

postings:
debit  credit     amount  reason
-----  ---------  ------  ------------
GRID   VPP/vpp-b     500  flex-payment";
    assert_eq!(text, expected);
}

#[test]
fn show_renders_an_unawarded_request() {
    let cmd = parse(&["show", "--org", "grid", "REQ"]);
    let request = json!({"id": "REQ", "status": "open", "wh": 10000});
    let offers = json!([{"vppId": "vpp-a", "wh": 8000, "pricePerKwh": 120, "capWh": 15000, "placedAt": 7,
                         "backing": [{}, {}], "schedule": [1000]}]);
    let text = table(&cmd, &[Some(request), Some(offers), None]);
    assert!(text.contains("status            open"), "{text}");
    assert!(text.contains("vpp-a  8000        120   15000          7       2      1000"), "{text}");
    assert!(text.ends_with("not awarded"), "{text}");
    let award = json!({"awardedWh": 10000, "awards": [{"vppId": "vpp-b", "wh": 6000, "pricePerKwh": 100}],
                       "skipped": ["vpp-c: no schedule"]});
    let text = table(&parse(&["award", "--org", "grid", "REQ"]), &[Some(award)]);
    assert_eq!(
        text,
        "awarded 10000 Wh\nvpp      wh  price/kWh\n-----  ----  ---------\nvpp-b  6000        100\nskipped: vpp-c: no schedule"
    );
}
