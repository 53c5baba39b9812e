//! The submitting client's identity, as Go's `pkg/cid` sees it.
//!
//! A transaction's creator is a serialized `msp.SerializedIdentity`: the MSP id and, for X.509 MSPs,
//! the client's PEM certificate. [`ClientIdentity`] decodes it once and answers the questions access
//! control asks: which MSP, which client ([`ClientIdentity::id`], byte-identical to Go's `GetID`),
//! which Fabric CA attributes, which organizational units.
//!
//! Compatibility with Go is pinned by vectors that Go's fabric-chaincode-go v2.3.0 produced for the
//! certificates in `chaincode/shim/testdata/cid/` (regenerate with `tests/go-vectors/regen.sh`).
//! Where this module differs from Go it is stricter, never more permissive: idemix creators are
//! rejected (Go accepts them, and even reads an empty `id_bytes` as an idemix identity).
//!
//! # Example
//! ```
//! use gridledger_shim::{ChaincodeStub, Response};
//! use gridledger_shim::identity::ClientIdentity;
//!
//! fn only_auditors(stub: &dyn ChaincodeStub) -> Response {
//!     let client = match ClientIdentity::from_stub(stub) {
//!         Ok(client) => client,
//!         Err(e) => return Response::error(e.to_string()),
//!     };
//!     if let Err(e) = client.assert_attribute("role", "auditor") {
//!         return Response::error(e.to_string()); // "attribute 'role' equals 'clerk', not 'auditor'"
//!     }
//!     Response::success(format!("hello {} from {}", client.id(), client.msp_id()))
//! }
//! ```

mod attrs;
mod dn;
mod pem;

use std::collections::BTreeMap;

use base64::Engine as _;
use gridledger_protos::msp::{SerializedIdemixIdentity, SerializedIdentity};
use gridledger_protos::prost::Message as _;
use x509_parser::certificate::X509Certificate;
use x509_parser::prelude::FromDer as _;

use crate::error::{Error, Result};
use crate::stub::ChaincodeStub;

/// The identity that submitted a transaction (Go: `cid.ClientID`).
///
/// Built from the creator bytes with [`ClientIdentity::new`] or from a stub with
/// [`ClientIdentity::from_stub`]; everything is decoded and checked up front, so the accessors
/// cannot fail.
#[derive(Debug, Clone)]
pub struct ClientIdentity {
    msp_id: String,
    der: Vec<u8>,
    subject: dn::GoName,
    subject_dn: String,
    issuer_dn: String,
    attributes: BTreeMap<String, String>,
}

impl ClientIdentity {
    /// Decodes a creator (`SignatureHeader.creator`, a serialized `msp.SerializedIdentity`).
    ///
    /// Errors ([`Error::InvalidIdentity`]): the bytes are not a `SerializedIdentity`, `id_bytes` holds no
    /// PEM block (an idemix credential is reported as unsupported), the block is not an X.509
    /// certificate Go would accept, or its attribute extension is not valid attribute JSON.
    pub fn new(creator: &[u8]) -> Result<Self> {
        let sid = SerializedIdentity::decode(creator)
            .map_err(|e| invalid(format!("failed to unmarshal transaction invoker's identity: {e}")))?;
        let Some(der) = pem::first_block(&sid.id_bytes) else {
            return Err(invalid(not_x509(&sid)));
        };
        let (rest, cert) =
            X509Certificate::from_der(&der).map_err(|e| invalid(format!("failed to parse certificate: {e}")))?;
        if !rest.is_empty() {
            return Err(invalid("failed to parse certificate: trailing data after the certificate".into()));
        }
        let name = |n| dn::GoName::from_x509(n).map_err(|e| invalid(format!("failed to parse certificate: {e}")));
        let subject = name(cert.subject())?;
        let issuer = name(cert.issuer())?;
        // Go takes the first extension with the OID, critical or not (Fabric CA marks it non-critical).
        let attributes = match cert.iter_extensions().find(|ext| ext.oid.as_bytes() == attrs::ATTRIBUTES_OID) {
            Some(ext) => attrs::parse(ext.value).map_err(|e| {
                invalid(format!("failed to get attributes from the transaction invoker's certificate: {e}"))
            })?,
            None => BTreeMap::new(),
        };
        drop(cert);
        Ok(Self { msp_id: sid.mspid, subject_dn: subject.dn(), issuer_dn: issuer.dn(), subject, der, attributes })
    }

    /// The identity that submitted the stub's transaction ([`ChaincodeStub::creator`]).
    pub fn from_stub(stub: &dyn ChaincodeStub) -> Result<Self> {
        Self::new(stub.creator())
    }

    /// The MSP the identity belongs to (Go: `GetMSPID`).
    pub fn msp_id(&self) -> &str {
        &self.msp_id
    }

    /// The client's id, unique within its MSP, byte-identical to Go's `GetID`:
    /// base64 (standard, padded) of `x509::<subject DN>::<issuer DN>`.
    ///
    /// It survives certificate renewal (same names, new key). Note that Node's and Java's shims
    /// return a different, non-base64 form for the same certificate.
    pub fn id(&self) -> String {
        base64::engine::general_purpose::STANDARD.encode(self.id_unencoded())
    }

    /// [`id`](Self::id) before base64: `x509::<subject DN>::<issuer DN>`.
    pub fn id_unencoded(&self) -> String {
        format!("x509::{}::{}", self.subject_dn, self.issuer_dn)
    }

    /// The subject DN as Go's cid prints it, e.g. `CN=user1,OU=client+OU=org1,O=Hyperledger,C=US`.
    ///
    /// Only C, ST, L, STREET, POSTALCODE, O, OU, CN and SERIALNUMBER appear (Go drops every other
    /// attribute), grouped by type and in a fixed order; see the Go vectors in `testdata/`.
    pub fn subject_dn(&self) -> &str {
        &self.subject_dn
    }

    /// The issuer DN, printed like [`subject_dn`](Self::subject_dn).
    pub fn issuer_dn(&self) -> &str {
        &self.issuer_dn
    }

    /// The client certificate, DER-encoded (Go: `GetX509Certificate().Raw`).
    pub fn certificate_der(&self) -> &[u8] {
        &self.der
    }

    /// The client certificate, parsed (Go: `GetX509Certificate`).
    ///
    /// Parsing already succeeded in [`new`](Self::new), so this only fails if the DER changed, which it
    /// cannot; the `Result` spares callers a panic path.
    pub fn certificate(&self) -> Result<X509Certificate<'_>> {
        X509Certificate::from_der(&self.der)
            .map(|(_, cert)| cert)
            .map_err(|e| invalid(format!("failed to parse certificate: {e}")))
    }

    /// The value of a Fabric CA attribute (extension 1.2.3.4.5.6.7.8.1), if the certificate has it
    /// (Go: `GetAttributeValue`).
    pub fn attribute(&self, name: &str) -> Option<String> {
        self.attributes.get(name).cloned()
    }

    /// All Fabric CA attributes of the certificate, by name.
    pub fn attributes(&self) -> &BTreeMap<String, String> {
        &self.attributes
    }

    /// Succeeds if attribute `name` equals `value` (Go: `AssertAttributeValue`).
    ///
    /// Errors ([`Error::Attribute`]) carry Go's text: `attribute 'role' was not found` or
    /// `attribute 'role' equals 'clerk', not 'auditor'`.
    pub fn assert_attribute(&self, name: &str, value: &str) -> Result<()> {
        match self.attributes.get(name) {
            None => Err(Error::Attribute(format!("attribute '{name}' was not found"))),
            Some(actual) if actual != value => {
                Err(Error::Attribute(format!("attribute '{name}' equals '{actual}', not '{value}'")))
            }
            Some(_) => Ok(()),
        }
    }

    /// Whether the subject has an OU equal to `ou`, exactly (Go: `HasOUValue`).
    pub fn has_ou(&self, ou: &str) -> bool {
        self.subject.organizational_unit.iter().any(|v| v == ou)
    }

    /// The subject's organizational units, in certificate order.
    pub fn organizational_units(&self) -> &[String] {
        &self.subject.organizational_unit
    }
}

fn invalid(message: String) -> Error {
    Error::InvalidIdentity(message)
}

/// Why `id_bytes` without a PEM block is refused.
fn not_x509(sid: &SerializedIdentity) -> String {
    if sid.id_bytes.is_empty() {
        return format!("identity of MSP '{}' has no certificate (empty id_bytes)", sid.mspid);
    }
    match SerializedIdemixIdentity::decode(sid.id_bytes.as_slice()) {
        Ok(_) => format!(
            "identity of MSP '{}' looks like an idemix credential; only X.509 identities are supported",
            sid.mspid
        ),
        Err(_) => "identity bytes are neither X509 PEM format nor an idemix credential".to_owned(),
    }
}

#[cfg(test)]
mod tests;
