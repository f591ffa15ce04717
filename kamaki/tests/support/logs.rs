//! What the tests that capture logs share.

/// Every callsite's interest is cached process-wide when it is first
/// reached. A test capturing logs sets a subscriber for its own
/// thread; if another test's thread reached a callsite first with no
/// subscriber at all, that callsite would be cached as of no interest and
/// the capture would miss it. A global subscriber at every level, writing
/// nowhere, installed before any test does anything, rules that out.
pub fn every_callsite_of_interest() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let _ = tracing::subscriber::set_global_default(
            tracing_subscriber::fmt()
                .with_max_level(tracing::Level::TRACE)
                .with_writer(std::io::sink)
                .finish(),
        );
    });
}
