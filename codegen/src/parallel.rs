//! Threads with a stack deep input cannot overflow: the one place sqlgen starts a thread
//! ([`spawn_scoped`]), used for running on a large stack ([`with_analysis_stack`]), beside the
//! caller ([`join_beside`]) and spread over the machine's cores ([`map`]), with results kept in
//! input order so that output and diagnostics stay deterministic.

/// Stack for analysis: it recurses once per level of expression nesting, with frames that are large
/// in unoptimised builds (build scripts and tests run those), about 20 KiB a level. `syntax::parse`
/// rejects nesting past [`crate::syntax::parse::MAX_DEPTH`]; this holds that depth three times over.
/// Only touched pages are ever committed.
pub const ANALYSIS_STACK: usize = 64 << 20;

/// Starts `f` on a named scoped thread with [`ANALYSIS_STACK`]; `None` when no thread can be started.
pub fn spawn_scoped<'scope, T: Send + 'scope>(
    scope: &'scope std::thread::Scope<'scope, '_>,
    name: &str,
    f: impl FnOnce() -> T + Send + 'scope,
) -> Option<std::thread::ScopedJoinHandle<'scope, T>> {
    std::thread::Builder::new()
        .name(name.into())
        .stack_size(ANALYSIS_STACK)
        .spawn_scoped(scope, f)
        .ok()
}

/// The result of a joined thread; its panic is passed on.
fn joined<T>(result: std::thread::Result<T>) -> T {
    match result {
        Ok(out) => out,
        Err(panic) => std::panic::resume_unwind(panic),
    }
}

/// Runs `f` on a thread with [`ANALYSIS_STACK`], so that deep input ends in a diagnostic or a result
/// whatever stack the caller has (a 2 MiB test thread, a build script). A panic is passed on; when no
/// thread can be started, `f` runs here.
pub fn with_analysis_stack<T: Send>(f: impl FnOnce() -> T + Send) -> T {
    let mut slot = Some(f);
    let ran = std::thread::scope(|scope| {
        let slot = &mut slot;
        spawn_scoped(scope, "sqlgen-analysis", move || slot.take().map(|f| f()))
            .map(|handle| joined(handle.join()))
    });
    match (ran, slot.take()) {
        (Some(Some(out)), _) => out,
        (_, Some(f)) => f(),
        (_, None) => unreachable!("the analysis thread took the work and returned"),
    }
}

/// Runs `beside` on its own thread (named `name`, with [`ANALYSIS_STACK`]) while `here` runs on
/// this one, and returns both results; when no thread can be started, `beside` runs after `here`.
pub fn join_beside<A: Send, B>(
    name: &str,
    beside: impl FnOnce() -> A + Send + Copy,
    here: impl FnOnce() -> B,
) -> (A, B) {
    std::thread::scope(|scope| {
        let handle = spawn_scoped(scope, name, beside);
        let b = here();
        let a = match handle {
            Some(h) => joined(h.join()),
            None => beside(),
        };
        (a, b)
    })
}

/// `items.iter().map(f).collect()`, spread over every available core, results in input order.
/// Each worker gets at least `min_share` items, or no worker is started (a thread costs tens of
/// microseconds and fresh allocator memory). Inputs are shared read-only; each worker has
/// [`ANALYSIS_STACK`], as parsing and analysis recurse with the input's nesting. Items are
/// handed out one at a time, as their costs differ.
pub fn map<T: Sync, R: Send>(items: &[T], min_share: usize, f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let workers = cores.min(items.len() / min_share.max(1));
    if workers <= 1 {
        return items.iter().map(f).collect();
    }
    let next = std::sync::atomic::AtomicUsize::new(0);
    let work = || {
        let mut done = Vec::new();
        loop {
            let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            let Some(item) = items.get(i) else { break };
            done.push((i, f(item)));
        }
        done
    };
    let mut results: Vec<Option<R>> = (0..items.len()).map(|_| None).collect();
    std::thread::scope(|scope| {
        // A worker that cannot be started leaves its share to the others; this thread works too.
        let handles: Vec<_> = (1..workers)
            .filter_map(|_| spawn_scoped(scope, "sqlgen-worker", work))
            .collect();
        for (i, r) in work() {
            results[i] = Some(r);
        }
        for h in handles {
            for (i, r) in joined(h.join()) {
                results[i] = Some(r);
            }
        }
    });
    results
        .into_iter()
        .map(|r| match r {
            Some(r) => r,
            None => unreachable!("every item is taken by a worker"),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn keeps_input_order() {
        let items: Vec<u32> = (0..1000).collect();
        let doubled: Vec<u32> = items.iter().map(|i| i * 2).collect();
        assert_eq!(super::map(&items, 1, |i| i * 2), doubled);
        assert_eq!(super::map(&items, 10_000, |i| i * 2), doubled);
        assert!(super::map(&[] as &[u32], 1, |i| *i).is_empty());
    }
}
