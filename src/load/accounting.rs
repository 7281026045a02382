//! Per-job bookkeeping of the executor: job identities (trace/span/correlation ids), and what
//! a send, a drop and a job's end change in the phase stats, the timeline and the job records.

use std::sync::Arc;
use std::time::Duration;

use rand::Rng;
use rand_chacha::ChaCha8Rng;
use std::sync::atomic::Ordering;
use tokio::time::Instant;

use super::driver::{JobRequest, JobResult};
use super::executor::{Shared, State};
use super::records::{JobIds, Kept};
use super::schedule::JobSpec;
use crate::evidence::{Ending, JobOutcome};
use crate::scenario::Plan;

/// Draw the next job's client span ids (two draws per job, trace first: the sequence of ids
/// depends only on the seed and the run start).
pub(crate) fn next_ids(ids: &mut ChaCha8Rng) -> JobIds {
    let trace: u128 = ids.random::<u128>().max(1);
    let span: u64 = ids.random::<u64>().max(1);
    JobIds { trace, span }
}

pub(crate) fn job_request(
    presets: &[Arc<str>],
    plan: &Plan,
    job: &JobSpec,
    ids: JobIds,
    run_id: u32,
    seq: u64,
) -> JobRequest {
    JobRequest {
        preset: presets
            .get(job.preset)
            .cloned()
            .unwrap_or_else(|| Arc::from("")),
        user: job.user,
        trace: ids.trace,
        span: ids.span,
        run_id,
        seq,
        follow_for: plan.job_timeout_wall(),
    }
}

fn kept(
    job: &JobSpec,
    pi: usize,
    ids: JobIds,
    seq: u64,
    outcome: JobOutcome,
    sent_ns: u64,
) -> Kept {
    Kept {
        seq,
        ids,
        user: job.user,
        preset: job.preset,
        phase: pi,
        outcome,
        http_status: None,
        sent_unix_nano: sent_ns,
        end_unix_nano: None,
        job_id: None,
        returned_trace_id: None,
        keep: true,
    }
}

/// Whether one more job record fits under `cap`; past it, the job is counted as not kept. A cap
/// of 0 turns records off (the run compares no job with telemetry), so nothing is missing and
/// nothing is counted.
fn room_for_record(st: &mut State, cap: usize) -> bool {
    if st.records.len() + st.live.len() < cap {
        return true;
    }
    if cap > 0 {
        st.not_kept += 1;
    }
    false
}

/// Account job `seq` (ids `job_ids`) of phase `pi` as dropped by the generator.
pub(crate) fn drop_job(shared: &Shared, pi: usize, job: &JobSpec, job_ids: JobIds, seq: u64) {
    let sent_ns = shared.unix_ns(Instant::now());
    let mut st = shared.state.lock();
    if let Some(ps) = st.phases.get_mut(pi) {
        ps.scheduled += 1;
        ps.dropped += 1;
    }
    if room_for_record(&mut st, shared.record_cap) {
        let rec = kept(job, pi, job_ids, seq, JobOutcome::Dropped, sent_ns);
        st.records.push(rec);
    }
}

#[allow(clippy::too_many_arguments)]
pub(crate) fn on_send(
    shared: &Shared,
    pi: usize,
    job: &JobSpec,
    ids: JobIds,
    seq: u64,
    deadline: Instant,
    sent_at: Instant,
) {
    let in_flight = shared.in_flight.fetch_add(1, Ordering::Relaxed) + 1;
    let lag = sent_at.saturating_duration_since(deadline);
    let sent_ns = shared.unix_ns(sent_at);
    let send_s = shared.scenario_s(sent_at);
    let mut st = shared.state.lock();
    let st = &mut *st;
    if let Some(ps) = st.phases.get_mut(pi) {
        ps.scheduled += 1;
        ps.sent += 1;
        ps.lag_us
            .record(u64::try_from(lag.as_micros()).unwrap_or(u64::MAX));
        if lag > shared.late_threshold {
            ps.late += 1;
        }
        ps.peak_in_flight = ps.peak_in_flight.max(in_flight);
        ps.last_send_s = Some(ps.last_send_s.map_or(send_s, |t| t.max(send_s)));
        if let Some(p) = ps.presets.get_mut(job.preset) {
            p.sent += 1;
        }
    }
    st.timeline.sent(job.intended_s);
    let keep = room_for_record(st, shared.record_cap);
    if keep || shared.tap.is_some() {
        // Built only when kept or streamed: otherwise a job costs no allocation here.
        let mut rec = kept(job, pi, ids, seq, JobOutcome::InFlight, sent_ns);
        rec.keep = keep;
        st.live.insert(seq, rec);
    }
}

#[allow(clippy::too_many_arguments)]
pub(crate) fn on_end(
    shared: &Shared,
    pi: usize,
    preset: usize,
    intended_s: f64,
    seq: u64,
    deadline: Instant,
    sent_at: Instant,
    r: JobResult,
) {
    shared.in_flight.fetch_sub(1, Ordering::Relaxed);
    let us = |d: Duration| u64::try_from(d.as_micros()).unwrap_or(u64::MAX);
    let ok = r.outcome == JobOutcome::Succeeded;
    let mut guard = shared.state.lock();
    let st = &mut *guard;
    if let Some(ps) = st.phases.get_mut(pi) {
        let job_ms = r.ended.map(|e| {
            let s = (e - sent_at).as_secs_f64() * shared.time_scale;
            (s * 1000.0) as u64
        });
        if let Some(at) = r.responded {
            ps.latency_us.record(us(at - deadline));
            ps.latency_send_us.record(us(at - sent_at));
        }
        if let Some(ms) = job_ms {
            ps.job_time_ms.record(ms);
        }
        ps.count_ending(Ending::of(r.outcome, r.http_status));
        if ok {
            ps.succeeded += 1;
        } else {
            ps.failed += 1;
            let reason = r.reason.clone().unwrap_or_else(|| "unknown".to_string());
            *ps.failed_by_reason.entry(reason).or_insert(0) += 1;
        }
        if let Some(p) = ps.presets.get_mut(preset) {
            if let Some(at) = r.responded {
                p.latency_us.record(us(at - deadline));
            }
            if let Some(ms) = job_ms {
                p.job_time_ms.record(ms);
            }
            if ok {
                p.succeeded += 1;
            } else {
                p.failed += 1;
            }
            if r.outcome == JobOutcome::Failed {
                p.pipeline_failed += 1;
            }
        }
    }
    if let Some(at) = r.responded {
        st.timeline.latency(intended_s, us(at - deadline));
    }
    if !ok {
        st.timeline.error(intended_s);
    }
    if let Some(mut rec) = st.live.remove(&seq) {
        rec.outcome = r.outcome;
        rec.job_id = r.job_id.map(String::into_boxed_str);
        rec.returned_trace_id = r.returned_trace_id.map(String::into_boxed_str);
        rec.http_status = r.http_status;
        rec.end_unix_nano = r.ended.map(|e| shared.unix_ns(e));
        let streamed = if rec.keep {
            let copy = shared.tap.is_some().then(|| rec.clone());
            st.records.push(rec);
            copy
        } else {
            // In `live` only because a tap is set.
            Some(rec)
        };
        // Formatted for the tap after the lock is released.
        drop(guard);
        if let Some(rec) = streamed {
            shared.stream(&rec);
        }
    }
}
