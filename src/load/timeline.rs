//! The run's time series for charts: at most [`MAX_POINTS`] buckets of equal scenario length
//! over the whole run, each with sends, failures and latency percentiles (2 significant digits,
//! enough for a chart). Bucketed by intended start so late sends show in the bucket they belong to.

use hdrhistogram::Histogram;

use crate::evidence::TimelinePoint;
use crate::scenario::Plan;

/// Most points in a run's timeline.
pub const MAX_POINTS: usize = 300;

#[derive(Debug, Clone)]
struct Bucket {
    sends: u64,
    errors: u64,
    latency: ChartHist,
}

/// Latencies are kept in units of this many microseconds in the chart's histograms.
const CHART_UNIT_US: u64 = 10;

/// One bucket's latencies, for a chart: 2 significant digits over 10 µs units, with 32-bit
/// counts. A run longer than [`MAX_POINTS`] wall seconds has up to five times the buckets of a
/// one-minute run, so a bucket's histogram must be small for memory to stay flat: about 2 KB
/// here, where microseconds and 64-bit counts took 8 KB for latencies up to 10 ms.
#[derive(Debug, Clone)]
struct ChartHist(Option<Histogram<u32>>);

impl ChartHist {
    fn new() -> Self {
        Self(Histogram::new(2).ok())
    }
    fn record(&mut self, us: u64) {
        if let Some(h) = &mut self.0 {
            let v = (us / CHART_UNIT_US).max(1);
            // Auto-resizing: `record` grows the range; saturate only if growing fails.
            if h.record(v).is_err() {
                h.saturating_record(v);
            }
        }
    }
    fn quantile_us(&self, q: f64) -> u64 {
        match &self.0 {
            Some(h) if !h.is_empty() => h.value_at_quantile(q).saturating_mul(CHART_UNIT_US),
            _ => 0,
        }
    }
}

/// Buckets over the whole run.
#[derive(Debug, Clone)]
pub struct Timeline {
    width_s: f64,
    buckets: Vec<Bucket>,
}

impl Timeline {
    /// Buckets for `total_s` scenario seconds: at most [`MAX_POINTS`], at least 1 wall second
    /// wide when the run is long enough.
    pub fn new(total_s: f64, time_scale: f64) -> Self {
        let width_s = (total_s / MAX_POINTS as f64)
            .max(time_scale.min(total_s))
            .max(1e-3);
        let n = ((total_s / width_s).ceil() as usize).clamp(1, MAX_POINTS);
        Self {
            width_s,
            buckets: vec![
                Bucket {
                    sends: 0,
                    errors: 0,
                    latency: ChartHist::new(),
                };
                n
            ],
        }
    }

    fn bucket(&mut self, t_s: f64) -> Option<&mut Bucket> {
        let i = (t_s.max(0.0) / self.width_s) as usize;
        let last = self.buckets.len().saturating_sub(1);
        self.buckets.get_mut(i.min(last))
    }

    /// A send whose intended start was `t_s`, answered after `latency_us` from that start.
    pub fn sent(&mut self, t_s: f64) {
        if let Some(b) = self.bucket(t_s) {
            b.sends += 1;
        }
    }

    /// HTTP latency of a job intended at `t_s`.
    pub fn latency(&mut self, t_s: f64, latency_us: u64) {
        if let Some(b) = self.bucket(t_s) {
            b.latency.record(latency_us);
        }
    }

    /// A failed job intended at `t_s`.
    pub fn error(&mut self, t_s: f64) {
        if let Some(b) = self.bucket(t_s) {
            b.errors += 1;
        }
    }

    /// Points up to `until_s` (scenario seconds since the run start).
    pub fn points(&self, plan: &Plan, until_s: f64) -> Vec<TimelinePoint> {
        let mut out = Vec::new();
        for (i, b) in self.buckets.iter().enumerate() {
            let t0 = i as f64 * self.width_s;
            if t0 >= until_s && i > 0 {
                break;
            }
            let mid = t0 + self.width_s / 2.0;
            let phase = plan
                .phases
                .iter()
                .find(|p| mid >= p.start_s && mid < p.start_s + p.duration_s)
                .or(plan.phases.last());
            let (name, target) = phase.map_or((String::new(), 0.0), |p| {
                (p.name.clone(), p.rate.at(mid - p.start_s, p.duration_s))
            });
            let width = self.width_s.min(until_s - t0).max(1e-9);
            out.push(TimelinePoint {
                t_s: t0,
                phase: name,
                target_rate: target,
                achieved_rate: b.sends as f64 / width,
                p50_ms: b.latency.quantile_us(0.5) as f64 / 1000.0,
                p99_ms: b.latency.quantile_us(0.99) as f64 / 1000.0,
                errors: b.errors,
            });
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounded_buckets() {
        let t = Timeline::new(100_000.0, 10.0);
        assert!(t.buckets.len() <= MAX_POINTS);
        let t = Timeline::new(30.0, 10.0);
        assert_eq!(t.buckets.len(), 3, "one bucket per wall second");
    }

    #[test]
    fn chart_percentiles_keep_two_digits_above_a_millisecond() {
        let mut h = ChartHist::new();
        assert_eq!(h.quantile_us(0.99), 0, "empty");
        for us in 1..=10_000u64 {
            h.record(us * 10);
        }
        let (p50, p99) = (h.quantile_us(0.5), h.quantile_us(0.99));
        assert!((p50 as f64 / 50_000.0 - 1.0).abs() < 0.01, "p50 {p50}");
        assert!((p99 as f64 / 99_000.0 - 1.0).abs() < 0.01, "p99 {p99}");
        h.record(3);
        assert!(h.quantile_us(0.0) >= 10, "below one unit counts as one");
    }
}
