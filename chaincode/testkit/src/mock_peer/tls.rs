//! Throw-away PKI for TLS tests: one CA, a server certificate for `localhost`/`127.0.0.1`, a client certificate.
//!
//! The same CA issues both sides, as a Fabric peer's ephemeral chaincode CA does in classic mode.

use gridledger_shim::config::{ClientTls, ServerTls};
use rcgen::{
    BasicConstraints, CertificateParams, DistinguishedName, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair,
    KeyUsagePurpose,
};

/// A PEM certificate and its PEM private key.
#[derive(Clone)]
pub struct CertKey {
    /// The certificate.
    pub cert_pem: String,
    /// The private key (PKCS#8).
    pub key_pem: String,
}

impl std::fmt::Debug for CertKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CertKey").finish_non_exhaustive()
    }
}

/// A CA with a server and a client certificate, minted fresh for each test.
pub struct TestPki {
    /// The CA certificate, trusted by both sides.
    pub ca_pem: String,
    /// A server certificate for `localhost` and `127.0.0.1`.
    pub server: CertKey,
    /// A client certificate (a peer's or a chaincode's client identity).
    pub client: CertKey,
    issuer: Issuer<'static, KeyPair>,
}

impl std::fmt::Debug for TestPki {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TestPki").finish_non_exhaustive()
    }
}

/// Which side a certificate authenticates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// A TLS server.
    Server,
    /// A TLS client.
    Client,
}

impl TestPki {
    /// Mints a CA, a server certificate (SANs `localhost`, `127.0.0.1`) and a client certificate.
    pub fn new() -> Result<Self, rcgen::Error> {
        let mut params = CertificateParams::new(Vec::<String>::new())?;
        params.distinguished_name = name("gridledger test CA");
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params.key_usages =
            vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign, KeyUsagePurpose::DigitalSignature];
        let key = KeyPair::generate()?;
        let ca_pem = params.self_signed(&key)?.pem();
        let issuer = Issuer::new(params, key);
        let server = issue(&issuer, "chaincode.local", &["localhost", "127.0.0.1"], Role::Server)?;
        let client = issue(&issuer, "peer0.org1", &[], Role::Client)?;
        Ok(Self { ca_pem, server, client, issuer })
    }

    /// Issues another certificate from this CA.
    pub fn issue(&self, common_name: &str, sans: &[&str], role: Role) -> Result<CertKey, rcgen::Error> {
        issue(&self.issuer, common_name, sans, role)
    }

    /// Server TLS for a CCaaS chaincode; `mutual` requires client certificates from this CA.
    pub fn chaincode_server_tls(&self, mutual: bool) -> ServerTls {
        ServerTls {
            cert: self.server.cert_pem.clone().into_bytes(),
            key: self.server.key_pem.clone().into_bytes(),
            client_ca: mutual.then(|| self.ca_pem.clone().into_bytes()),
        }
    }

    /// Client TLS for a classic chaincode dialing the mock peer (root = this CA, identity = the client cert).
    pub fn chaincode_client_tls(&self) -> ClientTls {
        ClientTls {
            root_cert: self.ca_pem.clone().into_bytes(),
            cert: self.client.cert_pem.clone().into_bytes(),
            key: self.client.key_pem.clone().into_bytes(),
        }
    }

    /// What the mock peer needs to dial a TLS chaincode server; `identity` presents the client certificate.
    pub fn dial_tls(&self, identity: bool) -> DialTls {
        DialTls {
            ca_pem: self.ca_pem.clone(),
            domain: "localhost".into(),
            identity: identity.then(|| self.client.clone()),
        }
    }

    /// What the mock peer needs to serve classic chaincodes over TLS; `mutual` requires client certificates.
    pub fn listen_tls(&self, mutual: bool) -> ListenTls {
        ListenTls { server: self.server.clone(), client_ca: mutual.then(|| self.ca_pem.clone()) }
    }
}

/// TLS settings of the mock peer when it dials a chaincode server.
#[derive(Debug, Clone)]
pub struct DialTls {
    /// CA that issued the chaincode server's certificate.
    pub ca_pem: String,
    /// The server name to verify (SNI).
    pub domain: String,
    /// The peer's client certificate, for mutual TLS.
    pub identity: Option<CertKey>,
}

/// TLS settings of the mock peer's chaincode listener.
#[derive(Debug, Clone)]
pub struct ListenTls {
    /// The listener's certificate.
    pub server: CertKey,
    /// CA for client certificates; `Some` requires one (Fabric always does when TLS is on).
    pub client_ca: Option<String>,
}

fn name(common_name: &str) -> DistinguishedName {
    let mut dn = DistinguishedName::new();
    dn.push(DnType::CommonName, common_name);
    dn.push(DnType::OrganizationName, "gridledger tests");
    dn
}

fn issue(issuer: &Issuer<'_, KeyPair>, common_name: &str, sans: &[&str], role: Role) -> Result<CertKey, rcgen::Error> {
    let mut params = CertificateParams::new(sans.iter().map(|s| s.to_string()).collect::<Vec<_>>())?;
    params.distinguished_name = name(common_name);
    params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    params.extended_key_usages = vec![match role {
        Role::Server => ExtendedKeyUsagePurpose::ServerAuth,
        Role::Client => ExtendedKeyUsagePurpose::ClientAuth,
    }];
    let key = KeyPair::generate()?;
    let cert = params.signed_by(&key, issuer)?;
    Ok(CertKey { cert_pem: cert.pem(), key_pem: key.serialize_pem() })
}
