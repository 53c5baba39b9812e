use std::io::Read as _;

use super::*;

fn conn() -> Connection {
    Connection {
        address: "127.0.0.1:9999".into(),
        dial_timeout: "10s".into(),
        tls: true,
        client_auth: true,
        ..Connection::default()
    }
}

/// The files of a `.tar.gz`, with the header fields that must be fixed.
fn unpack(bytes: &[u8]) -> Vec<(String, Vec<u8>, u32, u64, u64)> {
    let mut archive = tar::Archive::new(flate2::read::GzDecoder::new(bytes));
    let entries = archive.entries().expect("tar");
    entries
        .map(|e| {
            let mut e = e.expect("entry");
            let h = e.header().clone();
            let mut data = Vec::new();
            e.read_to_end(&mut data).expect("read");
            let name = h.path().expect("path").to_string_lossy().into_owned();
            (name, data, h.mode().expect("mode"), h.mtime().expect("mtime"), h.uid().expect("uid"))
        })
        .collect()
}

#[test]
fn same_input_same_id() {
    let a = ccaas("kv_1.0", &conn()).expect("package");
    let b = ccaas("kv_1.0", &conn()).expect("package");
    assert_eq!(a, b);
    assert!(a.id.starts_with("kv_1.0:") && a.id.len() == "kv_1.0:".len() + 64);
    let other = Connection { address: "127.0.0.1:9998".into(), ..conn() };
    assert_ne!(ccaas("kv_1.0", &other).expect("package").id, a.id);
}

/// The package id of fixed inputs, pinned: if a dependency upgrade (tar, flate2, miniz_oxide) or a change here
/// altered a single byte, every deployed package id would change with it. Checked against
/// `peer lifecycle chaincode calculatepackageid` by `package_ids_equal_the_peer_cli` below.
#[test]
fn package_id_is_pinned() {
    let pkg = ccaas("kv_1.0", &conn()).expect("package");
    assert_eq!(pkg.id, "kv_1.0:af6fc1a4ea49f7350747cf9d063b4a25e6fb376f4e332a033cc82eaa55f82921");
}

#[test]
fn archives_have_fixed_headers_and_the_expected_files() {
    let pkg = ccaas("kv_1.0", &conn()).expect("package");
    // gzip: magic, deflate, no flags, mtime 0, OS 255 (unknown).
    assert_eq!(&pkg.bytes[..8], &[0x1f, 0x8b, 8, 0, 0, 0, 0, 0]);
    assert_eq!(pkg.bytes[9], 255);
    let outer = unpack(&pkg.bytes);
    let names: Vec<&str> = outer.iter().map(|f| f.0.as_str()).collect();
    assert_eq!(names, ["code.tar.gz", "metadata.json"], "sorted by name");
    for (_, _, mode, mtime, uid) in &outer {
        assert_eq!((*mode, *mtime, *uid), (0o644, 0, 0));
    }
    assert_eq!(outer[1].1, br#"{"label":"kv_1.0","type":"ccaas"}"#);
    let inner = unpack(&outer[0].1);
    assert_eq!(inner.len(), 1);
    assert_eq!(inner[0].0, "connection.json");
    assert_eq!(String::from_utf8_lossy(&inner[0].1), conn().to_json());
}

/// What `network/builders/exec` reads: metadata type `gridledger-exec` (detect) and `code.tar.gz` holding
/// `exec.json` whose `.path` is the program (build, run).
#[test]
fn exec_packages_name_the_program() {
    let pkg = exec("kvclassic_1.0", "/opt/cc/kv-classic").expect("package");
    assert_eq!(pkg, exec("kvclassic_1.0", "/opt/cc/kv-classic").expect("package"), "reproducible");
    let outer = unpack(&pkg.bytes);
    let names: Vec<&str> = outer.iter().map(|f| f.0.as_str()).collect();
    assert_eq!(names, ["code.tar.gz", "metadata.json"]);
    assert_eq!(outer[1].1, br#"{"label":"kvclassic_1.0","type":"gridledger-exec"}"#);
    let inner = unpack(&outer[0].1);
    let files: Vec<(&str, &[u8])> = inner.iter().map(|f| (f.0.as_str(), f.1.as_slice())).collect();
    assert_eq!(files, [("exec.json", br#"{"path":"/opt/cc/kv-classic"}"#.as_slice())]);
    assert_eq!(pkg.id, "kvclassic_1.0:ff5617d6f829686f50a1cc95128fe6acb92685c59e14206fb92b293088fbfda4");
    assert_ne!(exec("kvclassic_1.0", "/opt/cc/other").expect("package").id, pkg.id);
}

#[test]
fn exec_programs_are_absolute_and_labels_checked() {
    assert!(matches!(exec("kv_1.0", "kv-classic"), Err(PackageError::Program(_))));
    assert!(matches!(exec("kv_1.0", "./kv-classic"), Err(PackageError::Program(_))));
    assert!(matches!(exec("kv 1", "/bin/true"), Err(PackageError::Label(_))));
}

#[test]
fn connection_json_placeholders() {
    let v: Value = serde_json::from_str(&conn().to_json()).expect("json");
    assert_eq!(v["root_cert"], "{{.root_cert}}");
    assert_eq!(v["client_key"], "{{.client_key}}");
    let plain: Value = serde_json::from_str(&Connection { tls: false, ..conn() }.to_json()).expect("json");
    assert!(plain.get("root_cert").is_none());
    assert_eq!(plain["tls_required"], false);
}

#[test]
fn labels() {
    assert!(valid_label("kv_1.0+b-2"));
    assert!(!valid_label("_kv") && !valid_label("") && !valid_label("kv 1"));
    assert!(matches!(ccaas("kv 1", &conn()), Err(PackageError::Label(_))));
}

#[test]
fn long_names_are_refused() {
    let name = "x".repeat(101);
    assert!(matches!(tar_gz(&[(&name, b"")]), Err(PackageError::Entry { .. })));
}

/// The peer CLI of the cached Fabric release (scripts download it), when the tests may use it.
fn peer_cli() -> Option<(std::path::PathBuf, std::path::PathBuf)> {
    if std::env::var_os("GRIDLEDGER_E2E").is_none() && std::env::var_os("GRIDLEDGER_PEER_CLI_TESTS").is_none() {
        return None;
    }
    let cache = std::env::var_os("GRIDLEDGER_CACHE")
        .map(std::path::PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|home| std::path::Path::new(&home).join(".cache/gridledger")))?;
    let version = std::env::var("FABRIC_VERSION").unwrap_or_else(|_| "3.1.5".into());
    let release = cache.join("fabric").join(version);
    let peer = release.join("bin/peer");
    peer.is_file().then(|| (peer, release.join("sampleconfig")))
}

/// `peer lifecycle chaincode calculatepackageid` prints the same id for CCaaS packages with and without TLS
/// and for an exec package.
/// Runs when GRIDLEDGER_E2E or GRIDLEDGER_PEER_CLI_TESTS is set and the peer binary is cached.
#[test]
fn package_ids_equal_the_peer_cli() {
    let Some((peer, config)) = peer_cli() else {
        eprintln!("skipped: set GRIDLEDGER_PEER_CLI_TESTS=1 with the Fabric release in ~/.cache/gridledger");
        return;
    };
    let dir = std::env::temp_dir().join(format!("gridledger-client-pkg-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let cases = [
        conn(),
        Connection { address: "cc.example:7052".into(), client_auth: false, ..conn() },
        Connection { address: "10.0.0.1:9000".into(), tls: false, client_auth: false, ..conn() },
        Connection {
            root_cert: Some("-----BEGIN CERTIFICATE-----\nAQID\n-----END CERTIFICATE-----\n".into()),
            ..conn()
        },
    ];
    let packages = cases
        .iter()
        .enumerate()
        .map(|(i, c)| ccaas(&format!("pkg_{i}.0"), c))
        .chain([exec("pkg_exec.0", "/opt/cc/kv-classic")]);
    for (i, pkg) in packages.enumerate() {
        let pkg = pkg.expect("package");
        let file = dir.join(format!("pkg{i}.tar.gz"));
        std::fs::write(&file, &pkg.bytes).expect("write");
        let out = std::process::Command::new(&peer)
            .args(["lifecycle", "chaincode", "calculatepackageid"])
            .arg(&file)
            .env("FABRIC_CFG_PATH", &config)
            .output()
            .expect("run peer");
        assert!(out.status.success(), "peer: {}", String::from_utf8_lossy(&out.stderr));
        assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), pkg.id, "case {i}");
    }
    std::fs::remove_dir_all(&dir).expect("cleanup");
}
