//! The progress line on stderr (only when stderr is a terminal and not `--quiet`; the caller
//! decides): phase, elapsed/total, target vs achieved rate, p99 latency, errors.

use std::io::Write;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use tokio::time::Instant;

use super::executor::Shared;
use crate::scenario::Plan;

/// Print one line per second until aborted.
pub(crate) async fn report_every_second(plan: Plan, shared: Arc<Shared>) {
    let mut tick = tokio::time::interval(Duration::from_secs(1));
    // The first tick is immediate; a rate over a few microseconds means nothing.
    tick.tick().await;
    let mut last_sent = 0u64;
    let mut last_at = Instant::now();
    loop {
        tick.tick().await;
        let now = Instant::now();
        let pi = shared.current_phase.load(Ordering::Relaxed);
        let (sent, p99_ms, errors) = {
            let st = shared.state.lock();
            let sent: u64 = st.phases.iter().map(|p| p.sent).sum();
            let errors: u64 = st.phases.iter().map(|p| p.failed).sum();
            let p99 = st
                .phases
                .get(pi)
                .map_or(0.0, |p| p.latency_us.quantile(0.99) as f64 / 1000.0);
            (sent, p99, errors)
        };
        let dt_s = (now - last_at).as_secs_f64() * plan.time_scale;
        let achieved = if dt_s > 0.0 {
            (sent - last_sent.min(sent)) as f64 / dt_s
        } else {
            0.0
        };
        last_sent = sent;
        last_at = now;
        let elapsed = shared.scenario_s(now);
        let Some(phase) = plan.phases.get(pi) else {
            continue;
        };
        let target = phase.rate.at(elapsed - phase.start_s, phase.duration_s);
        let line = format!(
            "[{}] {:.0}/{:.0}s  rate {:.2}/s (target {:.2}/s)  p99 {:.1} ms  errors {}  sent {}",
            phase.name,
            elapsed.min(plan.total_s()),
            plan.total_s(),
            achieved,
            target,
            p99_ms,
            errors,
            sent
        );
        let mut err = std::io::stderr().lock();
        let _ = write!(err, "\r\x1b[2K{line}");
        let _ = err.flush();
    }
}

/// Erase the progress line.
pub(crate) fn clear_line() {
    let mut err = std::io::stderr().lock();
    let _ = write!(err, "\r\x1b[2K");
    let _ = err.flush();
}
