//! The stream driver: the one receive loop of a chaincode<->peer stream, whichever executor runs the transactions.
//!
//! It reads the peer's messages, feeds them to the state machine ([`handler::on_message`], a pure function), and
//! performs the resulting action: sends replies, completes the handshake, refuses transactions while draining or
//! when their (channel, txid) is already running, and hands everything else to the [`TxExecutor`]. It ends when
//! the peer ends the stream, the stream fails, a message cannot be sent, or shutdown was asked for and no
//! transaction is left; in every case it closes the executor, so no transaction waits for a reply forever.

use std::future::poll_fn;

use futures_util::{FutureExt, Stream, StreamExt};
use gridledger_protos::peer::ChaincodeMessage;
use tokio::sync::watch;

use crate::error::{Error, Result};
use crate::executor::TxExecutor;
use crate::handler::{self, Action, Execution, State};
use crate::link::{Outgoing, TxKey};

/// Runs the protocol on one stream (see the module docs). REGISTER must already be queued on `outgoing`: the
/// chaincode always speaks first.
pub(crate) async fn drive<E, S>(
    executor: &mut E,
    incoming: &mut S,
    outgoing: &Outgoing,
    shutdown: watch::Receiver<bool>,
) -> Result<()>
where
    E: TxExecutor,
    S: Stream<Item = Result<ChaincodeMessage, tonic::Status>> + Unpin,
{
    let mut state = State::Created;
    let mut draining = *shutdown.borrow();
    // One future for the whole stream: it stays registered with the watch, where a fresh `changed()` per wake-up
    // would register and unregister a waiter (two locks) every time.
    let mut asked = std::pin::pin!(asked(shutdown));
    let result = 'driving: loop {
        if draining && executor.is_idle() {
            break Ok(());
        }
        tokio::select! {
            () = &mut asked, if !draining => draining = true,
            () = poll_fn(|cx| executor.poll_finished(cx)) => {}
            msg = incoming.next() => {
                // Then every message already received, without going back through `select!` for each (which arms
                // and disarms the shutdown watch every time): the peer sends in batches. The replies go out at the
                // flush points below.
                let mut msg = msg;
                let mut handled = 0;
                loop {
                    if let Err(end) = on_incoming(executor, outgoing, &mut state, draining, msg) {
                        break 'driving end;
                    }
                    handled += 1;
                    // Checked before taking the next message: one taken is one that must be handled.
                    if handled == BATCH {
                        break;
                    }
                    match incoming.next().now_or_never() {
                        Some(next) => {
                            msg = next;
                            if flush_now(handled) {
                                // The replies so far go out only when the writer's tasks (tonic's stream, hyper's
                                // connection) run, and on a current-thread runtime they run when the driver
                                // yields: `yield_now` lets every ready task and the I/O driver go first, so the
                                // peer gets those replies in one write and works on them while we handle the
                                // rest. Batch-then-write kept the two sides taking turns instead.
                                tokio::task::yield_now().await;
                            }
                        }
                        None => break,
                    }
                }
            }
        }
    };
    executor.close();
    result
}

/// Resolves once shutdown is asked for; never if the sender goes away without asking (nobody can ask any more).
async fn asked(mut shutdown: watch::Receiver<bool>) {
    loop {
        if *shutdown.borrow_and_update() {
            return;
        }
        if shutdown.changed().await.is_err() {
            std::future::pending::<()>().await;
        }
    }
}

/// Messages handled in a row before the driver looks at shutdown and finished transactions again.
const BATCH: usize = 64;

/// In a run of messages, the replies to the first this many are sent before the driver handles the next one: the
/// peer gets work at once.
const FIRST_FLUSH: usize = 4;

/// And then those to every this many: no reply waits behind more than this many messages of work. (The pair was
/// chosen by a sweep over concurrency 10-200 against `shim-load`, BENCHMARKS.md "The stack pool and replies sent
/// early": a flush after every message costs a write and a poll each, 2x the CPU per transaction; after the 4th
/// only, little past concurrency 20; every 12th, 16th or 24th after the 4th all did about as well.)
const FLUSH_EVERY: usize = 16;

/// Whether the replies to the `handled` messages of this run go out before the next one is handled.
fn flush_now(handled: usize) -> bool {
    handled == FIRST_FLUSH || handled.is_multiple_of(FLUSH_EVERY)
}

/// Handles one item of the incoming stream; `Err` carries how the driver ends.
fn on_incoming<E: TxExecutor>(
    executor: &mut E,
    outgoing: &Outgoing,
    state: &mut State,
    draining: bool,
    msg: Option<Result<ChaincodeMessage, tonic::Status>>,
) -> Result<(), Result<()>> {
    let msg = match msg {
        Some(Ok(msg)) => msg,
        Some(Err(status)) => return Err(Err(Error::Status(status))),
        None => return Err(Ok(())),
    };
    let (next, action) = handler::on_message(*state, msg);
    *state = next;
    // Not `?` in the caller: leaving without `executor.close()` would strand transactions waiting for replies.
    match action {
        Some(action) => perform(executor, outgoing, draining, action).map_err(Err),
        None => Ok(()),
    }
}

fn perform<E: TxExecutor>(executor: &mut E, outgoing: &Outgoing, draining: bool, action: Action) -> Result<()> {
    match action {
        Action::Send(msg) => outgoing.send(msg),
        Action::Ready { features, warning } => {
            if let Some(warning) = warning {
                tracing::warn!("{warning}");
            }
            tracing::info!(?features, "registered with the peer");
            executor.ready(features);
            Ok(())
        }
        Action::Deliver(mut reply) => {
            // The stub needs only the reply's type and payload: the ids move into the key.
            let key = TxKey::take(&mut reply);
            executor.deliver(key, reply);
            Ok(())
        }
        Action::Execute(exec) => start(executor, outgoing, draining, exec),
    }
}

fn start<E: TxExecutor>(executor: &mut E, outgoing: &Outgoing, draining: bool, exec: Box<Execution>) -> Result<()> {
    if draining {
        return outgoing.send(handler::error_reply(&exec.message, "chaincode is shutting down"));
    }
    let key = TxKey::of(&exec.message);
    if executor.is_running(&key) {
        let text = format!("transaction {} is already running on channel {}", key.tx_id, key.channel_id);
        return outgoing.send(handler::error_reply(&exec.message, text));
    }
    executor.start(key, exec)
}

#[cfg(test)]
mod tests;
