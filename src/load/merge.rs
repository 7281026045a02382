//! The load part of `obsgate report merge`: shards' phase reports added into one. Counters
//! add; rates add (the shards ran side by side over the same phases); the HDR histograms are
//! deserialized and added, so every merged percentile is the one a single run recording every
//! value would report; the timeline adds per bucket. Pure.

use std::collections::BTreeMap;

use super::stats::{Hist, job_time_s, latency_ms};
use crate::evidence::shard::{PhaseHistograms, ShardPhase};
use crate::evidence::{PhaseNotes, PhaseReport, PresetReport, TimelinePoint};

/// One shard's load as its partial report holds it.
pub struct ShardLoad<'a> {
    /// Shown in errors, e.g. `shard 2 (reports/s2)`.
    pub label: String,
    pub phases: &'a [PhaseReport],
    pub notes: &'a [ShardPhase],
}

/// A phase's histograms, read back.
struct Hists {
    latency_us: Hist,
    latency_send_us: Hist,
    job_time_ms: Hist,
    lag_us: Hist,
    presets: BTreeMap<String, (Hist, Hist)>,
}

impl Hists {
    fn empty() -> Self {
        Self {
            latency_us: Hist::new(3),
            latency_send_us: Hist::new(3),
            job_time_ms: Hist::new(3),
            lag_us: Hist::new(3),
            presets: BTreeMap::new(),
        }
    }

    fn read(h: &PhaseHistograms) -> Result<Self, String> {
        let one = |name: &str, text: &str| {
            Hist::from_base64(text).map_err(|e| format!("histogram `{name}`: {e}"))
        };
        let mut presets = BTreeMap::new();
        for (p, ph) in &h.presets {
            let lat = one(&format!("presets.{p}.latency_us"), &ph.latency_us)?;
            let job = one(&format!("presets.{p}.job_time_ms"), &ph.job_time_ms)?;
            presets.insert(p.clone(), (lat, job));
        }
        Ok(Self {
            latency_us: one("latency_us", &h.latency_us)?,
            latency_send_us: one("latency_send_us", &h.latency_send_us)?,
            job_time_ms: one("job_time_ms", &h.job_time_ms)?,
            lag_us: one("lag_us", &h.lag_us)?,
            presets,
        })
    }

    fn add(&mut self, o: &Hists) {
        self.latency_us.merge(&o.latency_us);
        self.latency_send_us.merge(&o.latency_send_us);
        self.job_time_ms.merge(&o.job_time_ms);
        self.lag_us.merge(&o.lag_us);
        for (p, (lat, job)) in &o.presets {
            let e = self
                .presets
                .entry(p.clone())
                .or_insert_with(|| (Hist::new(3), Hist::new(3)));
            e.0.merge(lat);
            e.1.merge(job);
        }
    }
}

/// Every phase of every shard added; the notes the load checks need, merged alike. Errors name
/// the shard and the phase (a phase count that differs, an unreadable histogram).
pub fn merge_phases(
    shards: &[ShardLoad<'_>],
) -> Result<(Vec<PhaseReport>, Vec<PhaseNotes>), String> {
    let Some(first) = shards.first() else {
        return Ok((Vec::new(), Vec::new()));
    };
    let n = first.phases.len();
    for s in shards {
        if s.phases.len() != n || s.notes.len() != n {
            return Err(format!(
                "{}: {} phases and {} phase notes, where {} has {n}",
                s.label,
                s.phases.len(),
                s.notes.len(),
                first.label
            ));
        }
    }
    let mut phases = Vec::with_capacity(n);
    let mut notes = Vec::with_capacity(n);
    for i in 0..n {
        let mut out = first.phases[i].clone();
        out.presets.clear();
        let mut note = PhaseNotes::default();
        let mut hists = Hists::empty();
        for (k, s) in shards.iter().enumerate() {
            let (r, sn) = (&s.phases[i], &s.notes[i]);
            let h = Hists::read(&sn.histograms)
                .map_err(|e| format!("{}, phase `{}`: {e}", s.label, r.name))?;
            hists.add(&h);
            add_counts(&mut out, r, k == 0);
            add_notes(&mut note, sn, &s.label);
        }
        finish_latencies(&mut out, &hists);
        phases.push(out);
        notes.push(note);
    }
    Ok((phases, notes))
}

/// Add `r`'s counters into `out` (which starts as a copy of the first shard's, `first`).
fn add_counts(out: &mut PhaseReport, r: &PhaseReport, first: bool) {
    for (name, p) in &r.presets {
        let e = out.presets.entry(name.clone()).or_default();
        e.sent += p.sent;
        e.succeeded += p.succeeded;
        e.failed += p.failed;
        e.pipeline_failed += p.pipeline_failed;
    }
    if first {
        return;
    }
    out.duration_s = out.duration_s.max(r.duration_s);
    out.target_rate += r.target_rate;
    out.achieved_rate += r.achieved_rate;
    out.scheduled += r.scheduled;
    out.sent += r.sent;
    out.succeeded += r.succeeded;
    out.failed += r.failed;
    out.dropped += r.dropped;
    out.late += r.late;
    out.in_flight += r.in_flight;
    // The shards' peaks need not coincide: their sum bounds the merged peak from above.
    out.peak_in_flight += r.peak_in_flight;
    for (k, v) in &r.failed_by_reason {
        *out.failed_by_reason.entry(k.clone()).or_default() += v;
    }
    let (o, a) = (&mut out.outcomes, &r.outcomes);
    o.succeeded += a.succeeded;
    o.pipeline_failed += a.pipeline_failed;
    o.http_failed += a.http_failed;
    o.rejected += a.rejected;
    o.timed_out += a.timed_out;
    o.dropped += a.dropped;
    o.in_flight += a.in_flight;
}

fn add_notes(note: &mut PhaseNotes, sn: &ShardPhase, label: &str) {
    note.started |= sn.started;
    note.cap_hits += sn.cap_hits;
    note.scheduled_rate += sn.scheduled_rate;
    if let Some(e) = &sn.faults_error {
        let line = format!("{label}: {e}");
        note.faults_error = Some(match note.faults_error.take() {
            Some(prev) => format!("{prev}; {line}"),
            None => line,
        });
    }
}

/// Percentiles from the added histograms.
fn finish_latencies(out: &mut PhaseReport, h: &Hists) {
    out.latency_ms = latency_ms(&h.latency_us);
    out.latency_from_send_ms = latency_ms(&h.latency_send_us);
    out.job_time_s = job_time_s(&h.job_time_ms);
    out.scheduler_lag_ms = latency_ms(&h.lag_us);
    for (name, p) in out.presets.iter_mut() {
        let empty = (Hist::new(3), Hist::new(3));
        let (lat, job) = h.presets.get(name).unwrap_or(&empty);
        *p = PresetReport {
            latency_ms: latency_ms(lat),
            job_time_s: job_time_s(job),
            ..p.clone()
        };
    }
}

/// The shards' timelines added bucket by bucket (same plan, same buckets). Rates and errors
/// add; a bucket's percentiles are the highest of the shards' (the timeline keeps no
/// histograms: an upper bound, for the chart only).
pub fn merge_timelines(timelines: &[&[TimelinePoint]]) -> Vec<TimelinePoint> {
    let mut out: Vec<TimelinePoint> = Vec::new();
    for t in timelines {
        for (i, p) in t.iter().enumerate() {
            match out.get_mut(i) {
                None => out.push(p.clone()),
                Some(o) => {
                    o.target_rate += p.target_rate;
                    o.achieved_rate += p.achieved_rate;
                    o.errors += p.errors;
                    o.p50_ms = o.p50_ms.max(p.p50_ms);
                    o.p99_ms = o.p99_ms.max(p.p99_ms);
                }
            }
        }
    }
    out
}

#[cfg(test)]
#[path = "merge_tests.rs"]
pub(crate) mod tests;
