//! The coverage section's own observations, made after the load beside the live dashboard
//! queries: the stack's files (every rule, route and receiver that could have been exercised)
//! and each recording rule's series on the run's Prometheus (`observe::recorded`).

use super::env::RunEnv;
use crate::config::stack::StackConfig;
use crate::evidence::coverage::RecordedAnswers;

/// The stack's config as read for coverage, and the recorded series' answers (`None` when the
/// config could not be read at all).
pub async fn observe(
    env: &RunEnv,
    prom_url: Option<&str>,
    started_unix_nano: u64,
) -> (Option<StackConfig>, Option<RecordedAnswers>) {
    let paths = env.paths.clone();
    // File reads block: keep them off the async workers.
    let Ok(config) = tokio::task::spawn_blocking(move || StackConfig::load(&paths)).await else {
        return (None, None);
    };
    let rules = crate::check::coverage::recorded_series(&config);
    let recorded = match prom_url {
        Some(url) => {
            let now_ms = chrono::Utc::now().timestamp_millis().max(0) as u64;
            let window_s = now_ms.saturating_sub(started_unix_nano / 1_000_000) / 1000 + 1;
            crate::observe::recorded::ask(url, rules, window_s).await
        }
        None => RecordedAnswers {
            not_evaluated: Some(
                "no Prometheus to ask for the recorded series (--stack none)".into(),
            ),
            not_asked: rules,
            ..RecordedAnswers::default()
        },
    };
    (Some(config), Some(recorded))
}
