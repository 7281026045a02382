//! Measurements of one phase: counters and HDR histograms (3 significant digits), per phase and
//! per preset. Fixed-size: memory does not grow with the number of jobs.

use std::collections::BTreeMap;

use hdrhistogram::Histogram;

use crate::evidence::{Ending, JobTimeS, LatencyMs, Outcomes, PhaseReport, PresetReport};

/// An HDR histogram with 3 significant digits (auto-resizing up to the largest value seen).
/// Serialized for partial reports in [`codec`].
#[derive(Debug, Clone)]
pub struct Hist(Option<Histogram<u64>>);

#[path = "stats_codec.rs"]
pub mod codec;

impl Hist {
    /// An empty histogram with `sigfig` significant digits.
    pub fn new(sigfig: u8) -> Self {
        Self(Histogram::new(sigfig).ok())
    }
    /// Record one value (values beyond the range are clamped).
    pub fn record(&mut self, v: u64) {
        if let Some(h) = &mut self.0 {
            // Auto-resizing: `record` grows the range; saturate only if growing fails.
            if h.record(v.max(1)).is_err() {
                h.saturating_record(v.max(1));
            }
        }
    }
    /// Merge another histogram into this one.
    pub fn merge(&mut self, other: &Hist) {
        if let (Some(a), Some(b)) = (&mut self.0, &other.0) {
            // Auto-resizing histograms accept any range; an error would mean a bug in the crate.
            let _ = a.add(b);
        }
    }
    /// Number of values recorded.
    pub fn len(&self) -> u64 {
        self.0.as_ref().map_or(0, |h| h.len())
    }
    /// True when nothing was recorded.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
    /// The value at quantile `q` (0..=1), 0 when empty.
    pub fn quantile(&self, q: f64) -> u64 {
        match &self.0 {
            Some(h) if !h.is_empty() => h.value_at_quantile(q),
            _ => 0,
        }
    }
    /// The largest value, 0 when empty.
    pub fn max(&self) -> u64 {
        match &self.0 {
            Some(h) if !h.is_empty() => h.max(),
            _ => 0,
        }
    }
    /// p50/p90/p99/max divided by `div` (e.g. µs → ms with 1000).
    pub fn summary(&self, div: f64) -> (f64, f64, f64, f64) {
        (
            self.quantile(0.5) as f64 / div,
            self.quantile(0.9) as f64 / div,
            self.quantile(0.99) as f64 / div,
            self.max() as f64 / div,
        )
    }
}

pub(crate) fn latency_ms(h: &Hist) -> LatencyMs {
    let (p50, p90, p99, max) = h.summary(1000.0);
    LatencyMs { p50, p90, p99, max }
}

pub(crate) fn job_time_s(h: &Hist) -> JobTimeS {
    let (p50, p90, p99, max) = h.summary(1000.0);
    JobTimeS { p50, p90, p99, max }
}

/// Per-preset measurements.
#[derive(Debug, Clone)]
pub struct PresetStats {
    pub sent: u64,
    pub succeeded: u64,
    pub failed: u64,
    /// Of `failed`, reported failed by the pipeline.
    pub pipeline_failed: u64,
    /// HTTP latency from the intended start, µs.
    pub latency_us: Hist,
    /// End-to-end job time, scenario ms.
    pub job_time_ms: Hist,
}

impl Default for PresetStats {
    fn default() -> Self {
        Self {
            sent: 0,
            succeeded: 0,
            failed: 0,
            pipeline_failed: 0,
            latency_us: Hist::new(3),
            job_time_ms: Hist::new(3),
        }
    }
}

/// Everything measured in one phase.
#[derive(Debug, Clone)]
pub struct PhaseStats {
    /// Jobs whose intended start came (sent or dropped).
    pub scheduled: u64,
    pub sent: u64,
    pub succeeded: u64,
    pub failed: u64,
    pub dropped: u64,
    /// Sends later than the late threshold.
    pub late: u64,
    /// Times a job found `max_in_flight` jobs running.
    pub cap_hits: u64,
    pub peak_in_flight: u64,
    pub failed_by_reason: BTreeMap<String, u64>,
    /// Ended jobs by ending (`dropped` and `in_flight` are filled in by [`Self::to_report`]).
    pub outcomes: Outcomes,
    /// HTTP latency from the intended start, µs.
    pub latency_us: Hist,
    /// HTTP latency from the actual send, µs.
    pub latency_send_us: Hist,
    /// End-to-end job time, scenario ms.
    pub job_time_ms: Hist,
    /// Actual send minus intended start, µs.
    pub lag_us: Hist,
    /// Last actual send, scenario seconds since the run start.
    pub last_send_s: Option<f64>,
    /// Per preset, indexed like the plan's preset list.
    pub presets: Vec<PresetStats>,
}

impl PhaseStats {
    /// Empty stats for a plan with `presets` presets.
    pub fn new(presets: usize) -> Self {
        Self {
            scheduled: 0,
            sent: 0,
            succeeded: 0,
            failed: 0,
            dropped: 0,
            late: 0,
            cap_hits: 0,
            peak_in_flight: 0,
            failed_by_reason: BTreeMap::new(),
            outcomes: Outcomes::default(),
            latency_us: Hist::new(3),
            latency_send_us: Hist::new(3),
            job_time_ms: Hist::new(3),
            lag_us: Hist::new(3),
            last_send_s: None,
            presets: vec![PresetStats::default(); presets],
        }
    }

    /// Count one ended job in its ending.
    pub fn count_ending(&mut self, ending: Ending) {
        let o = &mut self.outcomes;
        match ending {
            Ending::Succeeded => o.succeeded += 1,
            Ending::PipelineFailed => o.pipeline_failed += 1,
            Ending::HttpFailed => o.http_failed += 1,
            Ending::Rejected => o.rejected += 1,
            Ending::TimedOut => o.timed_out += 1,
        }
    }

    /// Jobs sent that have not ended.
    pub fn in_flight(&self) -> u64 {
        self.sent.saturating_sub(self.succeeded + self.failed)
    }

    /// The report entry. `window_s` is the scenario time the phase's schedule ran (its full
    /// duration, or less when interrupted); `start_s` its start since the run start.
    pub fn to_report(
        &self,
        name: &str,
        target_rate: f64,
        start_s: f64,
        window_s: f64,
        preset_names: &[String],
    ) -> PhaseReport {
        let span = self.last_send_s.map_or(0.0, |t| t - start_s).max(window_s);
        let achieved_rate = if span > 0.0 {
            self.sent as f64 / span
        } else {
            0.0
        };
        let presets = self
            .presets
            .iter()
            .zip(preset_names)
            .filter(|(p, _)| p.sent > 0)
            .map(|(p, n)| {
                (
                    n.clone(),
                    PresetReport {
                        sent: p.sent,
                        succeeded: p.succeeded,
                        failed: p.failed,
                        pipeline_failed: p.pipeline_failed,
                        latency_ms: latency_ms(&p.latency_us),
                        job_time_s: job_time_s(&p.job_time_ms),
                    },
                )
            })
            .collect();
        PhaseReport {
            name: name.to_string(),
            duration_s: window_s,
            target_rate,
            achieved_rate,
            scheduled: self.scheduled,
            sent: self.sent,
            succeeded: self.succeeded,
            failed: self.failed,
            dropped: self.dropped,
            late: self.late,
            in_flight: self.in_flight(),
            failed_by_reason: self.failed_by_reason.clone(),
            outcomes: Outcomes {
                dropped: self.dropped,
                in_flight: self.in_flight(),
                ..self.outcomes
            },
            latency_ms: latency_ms(&self.latency_us),
            latency_from_send_ms: latency_ms(&self.latency_send_us),
            job_time_s: job_time_s(&self.job_time_ms),
            scheduler_lag_ms: latency_ms(&self.lag_us),
            peak_in_flight: self.peak_in_flight,
            presets,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hist_percentiles_and_merge() {
        let mut a = Hist::new(3);
        for v in 1..=1000 {
            a.record(v);
        }
        let mut b = Hist::new(3);
        b.record(5000);
        a.merge(&b);
        assert_eq!(a.len(), 1001);
        assert_eq!(a.quantile(0.5), 501);
        // 3 significant digits: 5000 lands in a bucket whose highest equivalent value is 5003.
        assert!((5000..=5005).contains(&a.max()));
        assert_eq!(Hist::new(3).quantile(0.99), 0);
    }

    #[test]
    fn accounting_and_rate() {
        let mut s = PhaseStats::new(1);
        s.scheduled = 10;
        s.sent = 9;
        s.dropped = 1;
        s.succeeded = 7;
        s.failed = 1;
        s.last_send_s = Some(14.0);
        let r = s.to_report("p", 1.0, 5.0, 10.0, &["short".to_string()]);
        assert_eq!(r.in_flight, 1);
        assert_eq!(r.achieved_rate, 0.9);
        s.last_send_s = Some(23.0);
        let r = s.to_report("p", 1.0, 5.0, 10.0, &["short".to_string()]);
        assert_eq!(r.achieved_rate, 0.5, "a late tail lowers the achieved rate");
    }
}
