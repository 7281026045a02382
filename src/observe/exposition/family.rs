//! Grouping of lexed lines into metric families: `# HELP`/`# TYPE`/`# UNIT`/`# EOF`, the suffix
//! rules that attach `_bucket`/`_sum`/`_count`/... samples to their family, and the structural
//! rules (metadata before samples, one block per family, no duplicate series, a `+Inf` bucket
//! per histogram series).

mod metadata;

use std::collections::HashMap;

use super::lex::{Line, RawSample, parse_value};
use super::rules::{accepts, display_series, expected_names, same_labels, series_key};
use crate::evidence::{ExpositionError, MetricFamily, MetricType, Sample};

/// Suffixes a sample name may carry on top of its family name, longest first where one is a
/// suffix of another (`_gcount` before `_count`).
const SUFFIXES: [&str; 8] = [
    "_bucket", "_gcount", "_gsum", "_count", "_sum", "_total", "_created", "_info",
];

/// A histogram series' bucket labels (without `le`), whether it has `+Inf`, first line.
type BucketGroup<'a> = (Vec<&'a (String, String)>, bool, usize);

#[derive(Default)]
struct FamState {
    type_line: Option<usize>,
    help_line: Option<usize>,
    unit_line: Option<usize>,
    first_sample_line: Option<usize>,
    last_line: usize,
    /// Another family's lines came after this one's.
    left: bool,
}

pub(super) struct Builder {
    om: bool,
    families: Vec<MetricFamily>,
    state: Vec<FamState>,
    by_name: HashMap<String, usize>,
    current: Option<usize>,
    /// Canonical series key (name, sorted labels, timestamp) → line first seen.
    series: HashMap<String, usize>,
}

impl Builder {
    pub fn new(om: bool) -> Self {
        Builder {
            om,
            families: Vec::new(),
            state: Vec::new(),
            by_name: HashMap::new(),
            current: None,
            series: HashMap::new(),
        }
    }

    pub fn into_families(self) -> Vec<MetricFamily> {
        self.families
    }

    fn default_type(&self) -> MetricType {
        if self.om {
            MetricType::Unknown
        } else {
            MetricType::Untyped
        }
    }

    /// Make family `idx` the current block, refusing to reopen a block that was left.
    fn enter(&mut self, line: &Line<'_>, idx: usize) -> Result<(), ExpositionError> {
        if self.current == Some(idx) {
            return Ok(());
        }
        let Some(st) = self.state.get(idx) else {
            return Ok(());
        };
        if st.left {
            let name = self.families.get(idx).map_or("", |f| f.name.as_str());
            return Err(line.err(
                0,
                format!(
                    "lines of metric family `{name}` are not grouped together (its block ended at line {}); every family must be one contiguous block",
                    st.last_line
                ),
            ));
        }
        if let Some(prev) = self.current.and_then(|c| self.state.get_mut(c)) {
            prev.left = true;
        }
        self.current = Some(idx);
        Ok(())
    }

    fn new_family(&mut self, name: &str) -> usize {
        let idx = self.families.len();
        self.families.push(MetricFamily {
            name: name.to_string(),
            help: None,
            mtype: self.default_type(),
            unit: None,
            samples: Vec::new(),
        });
        self.state.push(FamState::default());
        self.by_name.insert(name.to_string(), idx);
        idx
    }

    /// A line starting with `#`; `rest` is what follows the `#` (at byte `start + 1`).
    pub fn comment(
        &mut self,
        line: &Line<'_>,
        start: usize,
        rest: &str,
        eof_line: &mut Option<usize>,
    ) -> Result<(), ExpositionError> {
        let at = start + 1;
        if self.om {
            if rest == " EOF" {
                *eof_line = Some(line.number);
                return Ok(());
            }
            let keyword = ["HELP", "TYPE", "UNIT"].into_iter().find(|k| {
                rest.strip_prefix(' ')
                    .is_some_and(|r| r.starts_with(k) && r.as_bytes().get(4) == Some(&b' '))
            });
            return match keyword {
                Some(k) => self.metadata(line, k, at + 6, &rest[6..]),
                None => Err(line.err(
                    start,
                    "OpenMetrics allows only `# HELP`, `# TYPE`, `# UNIT` and `# EOF` comment lines",
                )),
            };
        }
        // Text 0.0.4: `#`, blanks, keyword, blanks; any other comment is ignored.
        let trimmed = rest.trim_start_matches([' ', '\t']);
        let kw_at = at + rest.len() - trimmed.len();
        for k in ["HELP", "TYPE"] {
            if let Some(after) = trimmed.strip_prefix(k)
                && after.starts_with([' ', '\t'])
            {
                let args = after.trim_start_matches([' ', '\t']);
                let args_at = kw_at + 4 + after.len() - args.len();
                return self.metadata(line, k, args_at, args);
            }
        }
        Ok(())
    }

    /// The family a sample name belongs to, with the suffix it carries (`""` for none).
    fn resolve(&self, name: &str) -> Option<(usize, &'static str)> {
        if let Some(&i) = self.by_name.get(name) {
            return Some((i, ""));
        }
        for suffix in SUFFIXES {
            if let Some(base) = name.strip_suffix(suffix)
                && let Some(&i) = self.by_name.get(base)
                && let Some(f) = self.families.get(i)
                && accepts(f.mtype, suffix, self.om)
            {
                return Some((i, suffix));
            }
        }
        None
    }

    pub fn sample(&mut self, line: &Line<'_>, raw: RawSample<'_>) -> Result<(), ExpositionError> {
        let (idx, suffix) = match self.resolve(raw.name) {
            Some(found) => found,
            None => (self.new_family(raw.name), ""),
        };
        let (mtype, fam_name) = match self.families.get(idx) {
            Some(f) => (f.mtype, f.name.clone()),
            None => return Ok(()),
        };
        if !accepts(mtype, suffix, self.om) {
            return Err(line.err(
                0,
                format!(
                    "sample `{}` does not fit {} family `{fam_name}` (expected one of: {})",
                    raw.name,
                    mtype.as_str(),
                    expected_names(&fam_name, mtype, self.om)
                ),
            ));
        }
        self.enter(line, idx)?;
        check_le_or_quantile(line, &raw, mtype, suffix, &fam_name)?;
        check_exemplar_placement(line, &raw, mtype, suffix)?;
        let key = series_key(raw.name, &raw.labels, raw.timestamp_ms);
        if let Some(first) = self.series.get(&key) {
            return Err(line.err(
                0,
                format!(
                    "duplicate series `{}` (first at line {first})",
                    display_series(raw.name, &raw.labels)
                ),
            ));
        }
        self.series.insert(key, line.number);
        if let Some(st) = self.state.get_mut(idx) {
            st.first_sample_line.get_or_insert(line.number);
            st.last_line = line.number;
        }
        if let Some(f) = self.families.get_mut(idx) {
            f.samples.push(Sample {
                name: raw.name.to_string(),
                labels: raw.labels,
                value: raw.value,
                timestamp_ms: raw.timestamp_ms,
                line: line.number,
            });
        }
        Ok(())
    }

    /// Whole-text rules checked at the end: every histogram series has a `+Inf` bucket.
    pub fn finish(&self, max: usize) -> Vec<ExpositionError> {
        let mut errors = Vec::new();
        for fam in &self.families {
            if !matches!(
                fam.mtype,
                MetricType::Histogram | MetricType::Gaugehistogram
            ) {
                continue;
            }
            // Series (labels without `le`) → (has +Inf bucket, first bucket line).
            let mut groups: Vec<BucketGroup<'_>> = Vec::new();
            for s in fam.samples.iter().filter(|s| s.name.ends_with("_bucket")) {
                let key: Vec<&(String, String)> =
                    s.labels.iter().filter(|(k, _)| k != "le").collect();
                let inf = s.label("le").and_then(parse_value) == Some(f64::INFINITY);
                match groups.iter_mut().find(|(k, _, _)| same_labels(k, &key)) {
                    Some(g) => g.1 |= inf,
                    None => groups.push((key, inf, s.line)),
                }
            }
            for (key, inf, first) in groups {
                if !inf && errors.len() < max {
                    let labels: Vec<(String, String)> = key.into_iter().cloned().collect();
                    errors.push(ExpositionError {
                        line: first,
                        column: 1,
                        message: format!(
                            "histogram series `{}` has no `le=\"+Inf\"` bucket",
                            display_series(&fam.name, &labels)
                        ),
                    });
                }
            }
        }
        errors
    }
}

/// Histogram buckets need a numeric `le` and summary quantiles a numeric `quantile` label.
fn check_le_or_quantile(
    line: &Line<'_>,
    raw: &RawSample<'_>,
    mtype: MetricType,
    suffix: &str,
    fam_name: &str,
) -> Result<(), ExpositionError> {
    let le_or_quantile = match (mtype, suffix) {
        (MetricType::Histogram | MetricType::Gaugehistogram, "_bucket") => Some("le"),
        (MetricType::Summary, "") => Some("quantile"),
        _ => None,
    };
    let Some(label) = le_or_quantile else {
        return Ok(());
    };
    let pos = raw.labels.iter().position(|(k, _)| k == label);
    match pos {
        None => Err(line.err(
            0,
            format!(
                "sample `{}` of {} `{fam_name}` has no `{label}` label",
                raw.name,
                mtype.as_str()
            ),
        )),
        Some(p) => {
            let v = raw.labels.get(p).map_or("", |(_, v)| v.as_str());
            if parse_value(v).is_none() {
                let col = raw.label_offsets.get(p).copied().unwrap_or(0);
                return Err(line.err(col, format!("label `{label}=\"{v}\"` is not a number")));
            }
            Ok(())
        }
    }
}

/// Exemplars belong only on counter `_total` and histogram `_bucket` samples.
fn check_exemplar_placement(
    line: &Line<'_>,
    raw: &RawSample<'_>,
    mtype: MetricType,
    suffix: &str,
) -> Result<(), ExpositionError> {
    let Some(at) = raw.exemplar_at else {
        return Ok(());
    };
    let ok = matches!(
        (mtype, suffix),
        (MetricType::Counter, "_total")
            | (
                MetricType::Histogram | MetricType::Gaugehistogram,
                "_bucket"
            )
    );
    if !ok {
        return Err(line.err(at, format!("exemplars are only allowed on counter `_total` and histogram `_bucket` samples, not on `{}`", raw.name)));
    }
    Ok(())
}
