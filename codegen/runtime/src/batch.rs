//! Pipelining for batch queries: many executions of one prepared statement in flight at once.

use std::future::Future;

/// Runs `executions` concurrently and returns their outputs in input order.
///
/// tokio-postgres sends a query's messages when its future is first polled and
/// matches responses to requests in order, so polling every execution before
/// awaiting any of them puts them all on the connection back to back: one round
/// trip for the whole batch instead of one per execution.
/// Each execution keeps its own result; outside a transaction each is also its
/// own implicit transaction, so one failure does not undo the others (inside a
/// transaction, the executions after a failure fail too, as the server aborts it).
///
/// Dropping the returned future does not take back what was sent. Generated batches first get
/// their statement from the cache; if that Parse is still under way when the future is dropped,
/// no execution has been sent and none runs. Once the statement is cached, the first poll sends
/// every execution: dropped after it, the future discards the answers, but the server runs every
/// item all the same, each committing on its own outside a transaction, or as part of the
/// caller's transaction inside one (and a later call on the connection sees their effects, as it
/// queues behind them). To stop a batch half-way, run it in a transaction and roll back.
pub async fn pipelined<F, I>(executions: I) -> Vec<F::Output>
where
    I: IntoIterator<Item = F>,
    F: Future,
{
    futures_util::future::join_all(executions).await
}
