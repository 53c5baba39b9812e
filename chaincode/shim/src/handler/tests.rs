use super::*;
use proptest::prelude::*;

/// What one (state, message type) pair must produce.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Expect {
    /// The same message goes back.
    Echo,
    /// An ERROR reply with the message's txid and channel; state unchanged.
    Error,
    /// State changes to established, nothing is sent.
    ToEstablished,
    /// State changes to ready with a Ready action.
    ToReady,
    /// A transaction is started.
    Execute,
    /// The message is routed to a waiting transaction.
    Deliver,
}
use Expect::*;

/// Every message type against created / established / ready.
const TABLE: &[(Type, Expect, Expect, Expect)] = &[
    (Type::Undefined, Error, Error, Error),
    (Type::Register, Error, Error, Error),
    (Type::Registered, ToEstablished, Error, Error),
    (Type::Init, Error, Error, Execute),
    (Type::Ready, Error, ToReady, Error),
    (Type::Transaction, Error, Error, Execute),
    (Type::Completed, Error, Error, Error),
    (Type::Error, Error, Error, Deliver),
    (Type::GetState, Error, Error, Error),
    (Type::PutState, Error, Error, Error),
    (Type::DelState, Error, Error, Error),
    (Type::InvokeChaincode, Error, Error, Error),
    (Type::Response, Error, Error, Deliver),
    (Type::GetStateByRange, Error, Error, Error),
    (Type::GetQueryResult, Error, Error, Error),
    (Type::QueryStateNext, Error, Error, Error),
    (Type::QueryStateClose, Error, Error, Error),
    (Type::Keepalive, Echo, Echo, Echo),
    (Type::GetHistoryForKey, Error, Error, Error),
    (Type::GetStateMetadata, Error, Error, Error),
    (Type::PutStateMetadata, Error, Error, Error),
    (Type::GetPrivateDataHash, Error, Error, Error),
    (Type::PurgePrivateData, Error, Error, Error),
    (Type::WriteBatchState, Error, Error, Error),
    (Type::GetStateMultiple, Error, Error, Error),
];

fn message(kind: i32) -> ChaincodeMessage {
    ChaincodeMessage {
        r#type: kind,
        txid: "tx-1".into(),
        channel_id: "energy".into(),
        payload: ChaincodeInput { args: vec![b"f".to_vec()], ..Default::default() }.encode_to_vec(),
        ..Default::default()
    }
}

fn check(state: State, kind: i32, expect: Expect) {
    let msg = message(kind);
    let (next, action) = on_message(state, msg.clone());
    let ctx = format!("state {state:?}, type {kind}, expected {expect:?}, got {next:?} {action:?}");
    match expect {
        Echo => assert_eq!((next, action), (state, Some(Action::Send(msg))), "{ctx}"),
        Error => {
            assert_eq!(next, state, "{ctx}");
            let Some(Action::Send(reply)) = action else { panic!("{ctx}") };
            assert_eq!(reply.r#type, Type::Error as i32, "{ctx}");
            assert_eq!((reply.txid.as_str(), reply.channel_id.as_str()), ("tx-1", "energy"), "{ctx}");
            assert!(!reply.payload.is_empty(), "{ctx}");
        }
        ToEstablished => assert_eq!((next, action), (State::Established, None), "{ctx}"),
        ToReady => {
            assert_eq!(next, State::Ready, "{ctx}");
            assert!(matches!(action, Some(Action::Ready { .. })), "{ctx}");
        }
        Execute => {
            assert_eq!(next, State::Ready, "{ctx}");
            let Some(Action::Execute(exec)) = action else { panic!("{ctx}") };
            assert_eq!(exec.input.args, vec![b"f".to_vec()], "{ctx}");
            let want = if kind == Type::Init as i32 { TxKind::Init } else { TxKind::Transaction };
            assert_eq!(exec.kind, want, "{ctx}");
        }
        Deliver => assert_eq!((next, action), (State::Ready, Some(Action::Deliver(msg))), "{ctx}"),
    }
}

#[test]
fn every_state_and_message_type() {
    assert_eq!(TABLE.len(), 25, "one row per ChaincodeMessage type (12 is unused)");
    for &(kind, created, established, ready) in TABLE {
        check(State::Created, kind as i32, created);
        check(State::Established, kind as i32, established);
        check(State::Ready, kind as i32, ready);
    }
}

#[test]
fn unknown_types_are_answered_in_every_state() {
    for state in [State::Created, State::Established, State::Ready] {
        for kind in [12, 26, 99, -1] {
            check(state, kind, Error);
        }
    }
}

#[test]
fn undecodable_transaction_input_is_an_error_for_that_transaction() {
    let mut msg = message(Type::Transaction as i32);
    msg.payload = vec![0xff, 0xff, 0xff];
    let (next, action) = on_message(State::Ready, msg);
    assert_eq!(next, State::Ready);
    let Some(Action::Send(reply)) = action else { panic!("expected an ERROR reply") };
    assert_eq!(reply.r#type, Type::Error as i32);
    assert_eq!(reply.txid, "tx-1");
    assert!(String::from_utf8_lossy(&reply.payload).contains("ChaincodeInput"));
}

#[test]
fn ready_without_parameters_means_no_batching() {
    let msg = ChaincodeMessage { r#type: Type::Ready as i32, ..Default::default() };
    let (_, action) = on_message(State::Established, msg);
    assert_eq!(action, Some(Action::Ready { features: PeerFeatures::default(), warning: None }));
}

#[test]
fn ready_parameters_enable_features_with_go_floor() {
    let params = ChaincodeAdditionalParams {
        use_write_batch: true,
        max_size_write_batch: 1000,
        use_get_multiple_keys: true,
        max_size_get_multiple_keys: 10,
    };
    let msg = ChaincodeMessage { r#type: Type::Ready as i32, payload: params.encode_to_vec(), ..Default::default() };
    let (_, action) = on_message(State::Established, msg);
    let features = PeerFeatures { write_batch: Some(1000), get_multiple: Some(100) };
    assert_eq!(action, Some(Action::Ready { features, warning: None }));
}

#[test]
fn garbled_ready_parameters_turn_features_off_with_a_warning() {
    let msg = ChaincodeMessage { r#type: Type::Ready as i32, payload: vec![0x0a, 0xff], ..Default::default() };
    let (next, action) = on_message(State::Established, msg);
    assert_eq!(next, State::Ready);
    let Some(Action::Ready { features, warning }) = action else { panic!("expected Ready") };
    assert_eq!(features, PeerFeatures::default());
    assert!(warning.is_some());
}

#[test]
fn register_carries_the_package_id() {
    let msg = register_message("kv:abc");
    assert_eq!(msg.r#type, Type::Register as i32);
    assert_eq!(ChaincodeId::decode(msg.payload.as_slice()).unwrap().name, "kv:abc");
}

proptest! {
    #[test]
    fn arbitrary_messages_never_panic(
        kind in -2i32..40,
        payload in proptest::collection::vec(any::<u8>(), 0..64),
        state in prop_oneof![Just(State::Created), Just(State::Established), Just(State::Ready)],
    ) {
        let msg = ChaincodeMessage { r#type: kind, payload, ..Default::default() };
        let _ = on_message(state, msg);
    }

    #[test]
    fn arbitrary_bytes_never_panic_the_message_decoder(bytes in proptest::collection::vec(any::<u8>(), 0..256)) {
        if let Ok(msg) = ChaincodeMessage::decode(bytes.as_slice()) {
            let _ = on_message(State::Ready, msg);
        }
    }
}
