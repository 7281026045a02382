//! The recorded series of the stack's recording rules, asked of the run's Prometheus once the
//! load is over: for each rule, how many series with its name and static labels had a sample
//! during the run (`last_over_time` over the run's wall duration). Bounded in count
//! ([`MAX_RULES`]) and in time ([`TIME_BUDGET`]); what the bounds leave out is listed, not
//! guessed. Returns evidence; the coverage section judges nothing either.

use std::time::{Duration, Instant};

use crate::evidence::QueryAnswer;
use crate::evidence::coverage::{RecordedAnswers, RecordedSeries};
use crate::observe::prom_api::{PromClient, series_count};

/// Most recording rules asked in one run.
pub const MAX_RULES: usize = 300;

/// Longest time spent asking, all rules together.
pub const TIME_BUDGET: Duration = Duration::from_secs(30);

/// The PromQL asking for `s`'s series over the last `window_s` wall seconds.
pub fn query_for(s: &RecordedSeries, window_s: u64) -> String {
    let quote = |v: &str| v.replace('\\', "\\\\").replace('"', "\\\"");
    let mut matchers = vec![format!("__name__=\"{}\"", quote(&s.record))];
    matchers.extend(
        s.labels
            .iter()
            .map(|(k, v)| format!("{k}=\"{}\"", quote(v))),
    );
    format!(
        "last_over_time({{{}}}[{}s])",
        matchers.join(", "),
        window_s.max(1)
    )
}

/// Ask `prom_url` about every rule of `rules`, over the last `window_s` seconds.
pub async fn ask(prom_url: &str, rules: Vec<RecordedSeries>, window_s: u64) -> RecordedAnswers {
    let prom = PromClient::new(prom_url);
    let started = Instant::now();
    let mut out = RecordedAnswers::default();
    for (i, s) in rules.into_iter().enumerate() {
        if i >= MAX_RULES || started.elapsed() >= TIME_BUDGET {
            out.not_asked.push(s);
            continue;
        }
        let q = query_for(&s, window_s);
        let left = TIME_BUDGET.saturating_sub(started.elapsed());
        let answer = match tokio::time::timeout(left, prom.query(&q)).await {
            Ok(Ok(data)) => QueryAnswer::Series(series_count(&data)),
            Ok(Err(e)) => QueryAnswer::Error(e),
            Err(_) => QueryAnswer::Error(format!("query `{q}`: no answer within the time budget")),
        };
        out.answers.push((s, answer));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_query_names_the_series_with_its_labels_escaped() {
        let s = RecordedSeries {
            file: "r.yaml".into(),
            group: "g".into(),
            record: "slo:sli_error:ratio_rate5m".into(),
            labels: [("slo".to_string(), "Job\"X".to_string())].into(),
        };
        assert_eq!(
            query_for(&s, 150),
            "last_over_time({__name__=\"slo:sli_error:ratio_rate5m\", slo=\"Job\\\"X\"}[150s])"
        );
    }
}
