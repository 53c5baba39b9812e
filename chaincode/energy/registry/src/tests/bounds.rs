//! Bounded input: every argument has a documented maximum, checked before anything reads the ledger; oversized
//! input is refused with 400 and a short message that gives its size, never the input; numbers are plain decimal.

use super::*;

/// A 10 MB argument, as an attacker sent to the real network.
fn huge() -> String {
    "x".repeat(10 * 1024 * 1024)
}

/// A refusal of oversized input: 400, short, with the size; the state is unchanged (checked by `refuse`).
fn refuse_short(net: &Net, who: &Identity, args: &[&str]) -> String {
    let message = net.refuse(who, args, 400);
    assert!(message.len() < 300, "{} bytes: {}", message.len(), gridledger_contract::clip(&message, 300));
    assert!(message.contains("10485760 bytes starting \"xxxx"), "{message}");
    message
}

#[test]
fn ten_megabyte_arguments_get_a_short_400_and_change_nothing() {
    let net = Net::new();
    let (a, op) = (alice(), grid_operator());
    net.active(&a, "pv-1", 5000);
    let big = huge();
    for (who, args) in [
        (&a, vec!["GetAsset", big.as_str()]),
        (&a, vec!["AssetHistory", big.as_str()]),
        (&a, vec!["GetVpp", big.as_str()]),
        (&op, vec!["ApproveConnection", big.as_str()]),
        (&op, vec!["SuspendAsset", "pv-1", big.as_str()]),
        (&op, vec!["SuspendAsset", big.as_str(), "maintenance"]),
        (&a, vec!["DecommissionAsset", "pv-1", big.as_str()]),
        (&a, vec!["OfferTransfer", "pv-1", "StorageMSP", big.as_str()]),
        (&a, vec!["OfferTransfer", "pv-1", big.as_str(), "x"]),
        (&a, vec!["ConsentToVpp", "pv-1", big.as_str()]),
        (&aggregator(), vec!["CreateVpp", "vpp-1", big.as_str()]),
        (&a, vec!["AssetsByOwner", big.as_str(), "x", "10", ""]),
        (&a, vec!["AssetsByOwner", "ProsumerMSP", big.as_str(), "10", ""]),
        (&a, vec!["AssetsByKind", "pv", "10", big.as_str()]),
        (&a, vec!["AssetsByKind", big.as_str(), "10", ""]),
        (&a, vec!["AssetsByConnectionPoint", big.as_str(), "10", ""]),
        (&a, vec!["AssetsByStatus", "active", big.as_str(), ""]),
        (&a, vec!["RegisterAsset", big.as_str()]),
    ] {
        refuse_short(&net, who, &args);
    }
    // The function name itself: the message lists the registry's transactions, and quotes the name short.
    let message = net.refuse(&a, &[big.as_str(), "pv-1"], 400);
    assert!(message.starts_with(r#"function 10485760 bytes starting "xxxx"#), "{message}");
    assert!(message.len() < 600, "{message}");
}

#[test]
fn the_message_names_the_bound() {
    let net = Net::new();
    let big = huge();
    let message = refuse_short(&net, &alice(), &["GetAsset", &big]);
    assert!(
        message.starts_with("argument 1 (id): expected an asset id of 1 to 64 characters of A-Z a-z 0-9 . _ -, got"),
        "{message}"
    );
    let message = refuse_short(&net, &grid_operator(), &["SuspendAsset", "pv-1", &big]);
    assert!(message.starts_with("argument 2 (reason): expected text of at most 256 characters, got"), "{message}");
    let message = refuse_short(&net, &alice(), &["RegisterAsset", &big]);
    assert!(message.starts_with("argument 1 (asset): expected a JSON document of at most 4096 bytes"), "{message}");
}

#[test]
fn ids_reasons_and_parties_at_their_bounds() {
    let net = Net::new();
    let (a, op) = (alice(), grid_operator());
    let id64 = "a".repeat(64);
    net.active(&a, &id64, 5000);
    net.ok(&a, &["GetAsset", &id64]);
    let message = net.refuse(&a, &["GetAsset", &"a".repeat(65)], 400);
    assert_eq!(
        message,
        format!(
            "argument 1 (id): expected an asset id of 1 to 64 characters of A-Z a-z 0-9 . _ -, got 65 bytes starting \
             \"{}…\"",
            "a".repeat(32)
        )
    );
    // Reasons: 256 characters (of any width) pass, 257 do not.
    net.ok(&op, &["SuspendAsset", &id64, &"é".repeat(256)]);
    let message = net.refuse(&op, &["ReactivateAsset", &id64, &"é".repeat(257)], 400);
    assert!(message.starts_with("argument 2 (reason): expected text of at most 256 characters"), "{message}");
    // A party's MSP id: 128 characters; its identity id: 1024.
    let page = |msp: &str, id: &str| vec!["AssetsByOwner".to_string(), msp.into(), id.into(), "10".into(), "".into()];
    net.ok(&a, &call(&page(&"M".repeat(128), &"i".repeat(1024))));
    let message = net.refuse(&a, &call(&page(&"M".repeat(129), "x")), 400);
    assert!(message.starts_with("argument 1 (msp): expected text of at most 128 characters"), "{message}");
    let message = net.refuse(&a, &call(&page("M", &"i".repeat(1025))), 400);
    assert!(message.starts_with("argument 2 (id): expected text of at most 1024 characters"), "{message}");
    // A RegisterAsset document: 4096 bytes pass the bound (and are then checked as an asset), 4097 do not.
    let mut doc = new_asset("pv-2", "pv", 5000, "cp-1").to_string();
    doc.push_str(&" ".repeat(4096 - doc.len()));
    net.ok(&a, &["RegisterAsset", &doc]);
    doc.push(' ');
    let message = net.refuse(&a, &["RegisterAsset", &doc], 400);
    assert!(message.starts_with("argument 1 (asset): expected a JSON document of at most 4096 bytes"), "{message}");
}

#[test]
fn page_sizes_are_plain_decimal_in_the_documented_range() {
    let net = Net::new();
    let who = alice();
    net.ok(&who, &["AssetsByKind", "pv", "1000", ""]);
    net.ok(&who, &["AssetsByKind", "pv", "1", ""]);
    for bad in ["+5", " 5", "5 ", "0x5", "1e3", "５", "05", "1_0", "0", "1001", "99999999999999999999999"] {
        let message = net.refuse(&who, &["AssetsByKind", "pv", bad, ""], 400);
        assert!(
            message.starts_with("argument 2 (pageSize): expected an integer from 1 to 1000, got"),
            "{bad:?}: {message}"
        );
    }
}

#[test]
fn refused_input_inside_a_document_is_quoted_short() {
    let net = Net::new();
    let long_cp = format!("cp-{}", "é".repeat(1000));
    let doc = new_asset("pv-1", "pv", 5000, &long_cp).to_string();
    let message = net.refuse(&alice(), &["RegisterAsset", &doc], 400);
    assert!(message.len() < 300, "{message}");
    assert!(message.contains(&format!("{} bytes starting \"cp-é", long_cp.len())), "{message}");
    // An unknown kind, which serde would quote whole, is clipped.
    let mut doc = new_asset("pv-1", "pv", 5000, "cp-1");
    doc["kind"] = serde_json::Value::String("k".repeat(3000));
    let message = net.refuse(&alice(), &["RegisterAsset", &doc.to_string()], 400);
    assert!(message.len() < 600, "{} bytes: {message}", message.len());
}

#[test]
fn every_parameter_states_its_bound_in_the_metadata() {
    let net = Net::new();
    let doc: Value = serde_json::from_str(net.cc.metadata()).unwrap();
    for tx in doc["contracts"]["RegistryContract"]["transactions"].as_array().unwrap() {
        for p in tx["parameters"].as_array().into_iter().flatten() {
            let s = &p["schema"];
            let bounded = s.get("maxLength").is_some()
                || s.get("enum").is_some()
                || (s.get("minimum").is_some() && s.get("maximum").is_some())
                || s["description"].as_str().is_some_and(|d| d.contains("at most"));
            assert!(bounded, "{}({}) has no bound: {s}", tx["name"], p["name"]);
        }
    }
}

fn call(args: &[String]) -> Vec<&str> {
    args.iter().map(String::as_str).collect()
}
