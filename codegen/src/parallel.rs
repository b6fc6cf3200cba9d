//! Work spread over the machine's cores with scoped threads, results kept in input order so that
//! output and diagnostics stay deterministic.

/// `items.iter().map(f).collect()`, spread over every available core, results in input order.
/// Each worker gets at least `min_share` items, or no worker is started (a thread costs tens of
/// microseconds and fresh allocator memory). Inputs are shared read-only; each worker has
/// [`crate::ANALYSIS_STACK`], as parsing and analysis recurse with the input's nesting. Items are
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
            .filter_map(|_| {
                std::thread::Builder::new()
                    .name("sqlgen-worker".into())
                    .stack_size(crate::ANALYSIS_STACK)
                    .spawn_scoped(scope, work)
                    .ok()
            })
            .collect();
        for (i, r) in work() {
            results[i] = Some(r);
        }
        for h in handles {
            match h.join() {
                Ok(done) => {
                    for (i, r) in done {
                        results[i] = Some(r);
                    }
                }
                Err(panic) => std::panic::resume_unwind(panic),
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
