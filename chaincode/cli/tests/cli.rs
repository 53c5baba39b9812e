//! Command line parsing and validation, without a network.

use clap::Parser as _;
use gridctl::Cli;
use gridctl::call::{TamperArg, invocation};
use gridctl::cli::Command;
use gridctl::conn::{self, Org};
use gridctl::package;

fn parse(args: &[&str]) -> Cli {
    match Cli::try_parse_from(std::iter::once("gridctl").chain(args.iter().copied())) {
        Ok(cli) => cli,
        Err(e) => panic!("{args:?}: {e}"),
    }
}

#[test]
fn invoke_with_org_transient_and_args() {
    let cli = parse(&[
        "invoke",
        "--org",
        "grid",
        "--user",
        "operator1",
        "-n",
        "kv",
        "--transient",
        "value=v=1",
        "Put",
        "k",
        "v",
    ]);
    let Command::Invoke(a) = cli.command else { panic!("not invoke") };
    assert_eq!(a.call.conn.gw.org, Some(Org::Grid));
    assert_eq!(a.call.conn.gw.channel, "energy", "default channel");
    assert_eq!(a.tamper, None);
    let inv = invocation(&a.call).expect("invocation");
    assert_eq!(inv.args, vec![b"Put".to_vec(), b"k".to_vec(), b"v".to_vec()]);
    assert_eq!(inv.transient["value"], b"v=1", "split at the first '='");
}

#[test]
fn hidden_tamper_flag() {
    let cli = parse(&["invoke", "--org", "utility", "-n", "kv", "--tamper", "transaction", "Put", "k", "v"]);
    let Command::Invoke(a) = cli.command else { panic!("not invoke") };
    assert_eq!(a.tamper, Some(TamperArg::Transaction));
}

#[test]
fn query_needs_function_and_chaincode() {
    assert!(Cli::try_parse_from(["gridctl", "query", "-n", "kv"]).is_err());
    assert!(Cli::try_parse_from(["gridctl", "query", "Get", "k"]).is_err());
    let cli = parse(&["query", "-n", "kv", "-c", "other", "--hex", "Get", "k"]);
    let Command::Query(a) = cli.command else { panic!("not query") };
    assert!(a.hex);
    assert_eq!(a.conn.gw.channel, "other");
}

#[test]
fn explicit_identity_required_without_org() {
    let cli = parse(&["query", "-n", "kv", "--peer", "h:1", "Get", "k"]);
    let Command::Query(a) = cli.command else { panic!("not query") };
    let err = conn::client(&a.conn.gw).expect_err("missing flags");
    assert!(err.to_string().contains("--msp-id, --cert, --key"), "{err}");
}

#[test]
fn org_shortcut_reads_the_run_dir() {
    let cli = parse(&["query", "--org", "prosumer", "--run-dir", "/nonexistent", "-n", "kv", "Get", "k"]);
    let Command::Query(a) = cli.command else { panic!("not query") };
    let err = conn::client(&a.conn.gw).expect_err("no run dir");
    assert!(err.to_string().contains("GRIDLEDGER_RUN"), "{err}");
}

#[test]
fn package_flags_validated() {
    let cli = parse(&["package", "--label", "kv_1.0", "--address", "127.0.0.1:9999", "--client-auth", "-o", "x.tgz"]);
    let Command::Package(a) = cli.command else { panic!("not package") };
    let (label, contents) = package::validate(&a).expect("valid");
    assert_eq!(label, "kv_1.0");
    let package::Contents::Ccaas(conn) = contents else { panic!("not ccaas") };
    assert!(conn.tls && conn.client_auth, "--client-auth implies --tls");
    let cli = parse(&["package", "--label", "kvc_1.0", "--exec", "/opt/cc/kv-classic", "-o", "x.tgz"]);
    let Command::Package(a) = cli.command else { panic!("not package") };
    let (_, contents) = package::validate(&a).expect("valid");
    assert_eq!(contents, package::Contents::Exec("/opt/cc/kv-classic".into()));
    for bad in [["--label", "kv 1", "--address", "h:1"], ["--label", "kv", "--address", "nohost"]] {
        let cli = parse(&["package", bad[0], bad[1], bad[2], bad[3], "-o", "x"]);
        let Command::Package(a) = cli.command else { panic!("not package") };
        assert!(package::validate(&a).is_err(), "{bad:?}");
    }
    // One kind per package: no address or TLS flags with --exec, and one of the two is needed.
    for flags in [&["--exec", "/p", "--address", "h:1"][..], &["--exec", "/p", "--tls"], &[]] {
        let mut args = vec!["gridctl", "package", "--label", "kv", "-o", "x"];
        args.extend_from_slice(flags);
        assert!(Cli::try_parse_from(&args).is_err(), "{flags:?}");
    }
}

#[test]
fn events_options() {
    let cli = parse(&["events", "--org", "grid", "-n", "kv", "--start-block", "3", "--count", "2", "--timeout", "5"]);
    let Command::Events(a) = cli.command else { panic!("not events") };
    assert_eq!((a.start_block, a.count, a.timeout), (Some(3), Some(2), Some(5)));
}

#[test]
fn bench_defaults_and_flags() {
    let cli =
        parse(&["bench", "--org", "utility", "--workload", "kv", "-n", "kvgo", "--workers", "16", "--rate", "50"]);
    let Command::Bench(a) = cli.command else { panic!("not bench") };
    assert_eq!(a.workload, gridctl::bench::args::Workload::Kv);
    assert_eq!(a.chaincode.as_deref(), Some("kvgo"));
    assert_eq!((a.workers, a.rate, a.count, a.duration), (16, Some(50.0), None, None));
    assert_eq!(a.fleet.batch, 500, "metering batch default");
    assert!(Cli::try_parse_from(["gridctl", "bench", "--workload", "nope"]).is_err());
}

#[test]
fn meter_and_market_commands_parse() {
    use gridctl::market::args::{MarketCommand, Side};
    use gridctl::meter::args::MeterCommand;
    let cli = parse(&["meter", "simulate", "--org", "grid", "--user", "gateway1", "--register", "--meters", "3"]);
    let Command::Meter(MeterCommand::Simulate(a)) = cli.command else { panic!("not simulate") };
    assert!(a.fleet.register);
    assert_eq!((a.fleet.meters, a.fleet.intervals, a.fleet.installer.as_str()), (3, 4, "grid/installer1"));
    let cli = parse(&[
        "meter",
        "sign",
        "--key",
        "k",
        "--meter",
        "m",
        "--interval-start",
        "900",
        "--wh",
        "1",
        "--counter",
        "2",
    ]);
    let Command::Meter(MeterCommand::Sign(s)) = cli.command else { panic!("not sign") };
    assert_eq!((s.register.as_str(), s.interval_seconds), ("1.8.0", 900));
    let cli = parse(&[
        "market",
        "place",
        "--org",
        "prosumer",
        "--interval",
        "next",
        "--side",
        "sell",
        "--wh",
        "5",
        "--limit",
        "9",
    ]);
    let Command::Market(MarketCommand::Place(p)) = cli.command else { panic!("not place") };
    assert_eq!((p.side, p.conn.chaincode.as_str(), p.interval.as_str()), (Side::Sell, "trade", "next"));
}
