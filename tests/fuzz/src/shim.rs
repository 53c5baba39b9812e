//! Targets for what the peer sends the shim: stream messages through the protocol state machine, the creator
//! identity, key-level endorsement policies and composite keys.

use gridledger_protos::peer::ChaincodeMessage;
use gridledger_protos::peer::chaincode_message::Type;
use gridledger_protos::prost::Message as _;
use gridledger_shim::composite::{create_composite_key, split_composite_key};
use gridledger_shim::handler::{Action, State, on_message};
use gridledger_shim::identity::ClientIdentity;
use gridledger_shim::statebased::KeyEndorsementPolicy;

/// At most this many messages per input: enough to walk the handshake and a few transactions.
const MAX_MESSAGES: usize = 64;

/// A stream from the peer: length-delimited `ChaincodeMessage`s, fed to the transition function from `Created`.
/// An ERROR reply must carry the transaction id and channel of the message it answers, so the peer can fail just
/// that transaction; an Execute must only come out of the Ready state.
pub fn messages(data: &[u8]) {
    let mut rest = data;
    let mut state = State::Created;
    for _ in 0..MAX_MESSAGES {
        let Ok(msg) = ChaincodeMessage::decode_length_delimited(&mut rest) else { return };
        let (txid, channel, ready) = (msg.txid.clone(), msg.channel_id.clone(), state == State::Ready);
        let (next, action) = on_message(state, msg);
        match action {
            Some(Action::Send(reply)) if reply.r#type == Type::Error as i32 => {
                assert_eq!((reply.txid.as_str(), reply.channel_id.as_str()), (txid.as_str(), channel.as_str()));
            }
            Some(Action::Execute(exec)) => {
                assert!(ready, "a transaction was executed before the handshake completed");
                assert_eq!(exec.message.txid, txid);
            }
            _ => {}
        }
        state = next;
    }
}

/// The transaction creator (`msp.SerializedIdentity`): PEM, X.509, Fabric CA attributes. Whatever decodes must
/// answer every accessor without panicking.
pub fn identity(data: &[u8]) {
    if let Ok(id) = ClientIdentity::new(data) {
        let _ = (id.msp_id(), id.id(), id.id_unencoded(), id.subject_dn(), id.issuer_dn());
        let _ = (id.attributes().len(), id.organizational_units().len(), id.attribute("hf.EnrollmentID"));
        assert!(id.certificate().is_ok(), "an identity that decoded once must decode its certificate again");
    }
}

/// A key's stored endorsement policy (`common.SignaturePolicyEnvelope` bytes) as the peer returns it: what decodes
/// must survive editing and re-encode to a policy that decodes to the same organizations.
pub fn key_policy(data: &[u8]) {
    let Ok(mut policy) = KeyEndorsementPolicy::new(Some(data)) else { return };
    let orgs = policy.list_orgs();
    let again = KeyEndorsementPolicy::new(Some(&policy.policy()));
    let again = again.unwrap_or_else(|e| panic!("our own encoding of {orgs:?} does not decode: {e}"));
    assert_eq!(again.list_orgs(), orgs);
    policy.del_orgs(&["Org1MSP"]);
    let _ = policy.policy();
}

/// Composite keys from ledger range queries: splitting what we did not create must not panic, and what we create
/// must split back into its parts.
pub fn composite_key(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let _ = split_composite_key(text);
    let mut parts = text.split('\u{1}');
    let object_type = parts.next().unwrap_or_default();
    let attributes: Vec<&str> = parts.collect();
    if let Ok(key) = create_composite_key(object_type, &attributes) {
        let (t, attrs) = split_composite_key(&key).unwrap_or_else(|e| panic!("{key:?} does not split: {e}"));
        assert_eq!(t, object_type);
        assert_eq!(attrs, attributes);
    }
}
