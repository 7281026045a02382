//! `# HELP`, `# TYPE` and `# UNIT` lines: splitting off the family name, the order rules
//! (metadata before samples, once per family) and storing the value on the family.

use super::{Builder, FamState};
use crate::evidence::{ExpositionError, MetricFamily};
use crate::observe::exposition::lex::{Line, found, metric_name_end};
use crate::observe::exposition::rules::{parse_type, unescape_help};

/// One metadata line once its family name and value are split apart.
struct Metadata<'a> {
    keyword: &'a str,
    name: &'a str,
    value: &'a str,
    /// Byte offset of `value` in the line, for error columns.
    value_at: usize,
}

impl Builder {
    /// `# HELP|TYPE|UNIT name rest`; `args` starts at byte `at` of the line.
    pub(super) fn metadata(
        &mut self,
        line: &Line<'_>,
        keyword: &str,
        at: usize,
        args: &str,
    ) -> Result<(), ExpositionError> {
        let meta = split_metadata(line, keyword, at, args, self.om)?;
        let idx = match self.by_name.get(meta.name) {
            Some(&i) => i,
            None => self.new_family(meta.name),
        };
        self.enter(line, idx)?;
        let Some(st) = self.state.get_mut(idx) else {
            return Ok(());
        };
        record_metadata_line(st, line, &meta)?;
        let om = self.om;
        let Some(fam) = self.families.get_mut(idx) else {
            return Ok(());
        };
        store_metadata(fam, line, &meta, om)
    }
}

/// Split `args` into the family name and the value after it, enforcing the separator each
/// format allows (exactly one space in OpenMetrics, blanks/tabs in 0.0.4).
fn split_metadata<'a>(
    line: &Line<'_>,
    keyword: &'a str,
    at: usize,
    args: &'a str,
    om: bool,
) -> Result<Metadata<'a>, ExpositionError> {
    let name_end = metric_name_end(args, 0);
    if name_end == 0 {
        return Err(line.err(
            at,
            format!(
                "expected a metric name after `# {keyword}`, found {}",
                found(args, 0)
            ),
        ));
    }
    let name = &args[..name_end];
    let after = &args[name_end..];
    let value = if om {
        match after.strip_prefix(' ') {
            Some(v) => v,
            None => {
                return Err(line.err(
                    at + name_end,
                    format!(
                        "expected one space after `{name}`, found {}",
                        found(args, name_end)
                    ),
                ));
            }
        }
    } else if after.is_empty() || after.starts_with([' ', '\t']) {
        after.trim_start_matches([' ', '\t'])
    } else {
        return Err(line.err(
            at + name_end,
            format!(
                "invalid metric name in `# {keyword}`: unexpected {}",
                found(args, name_end)
            ),
        ));
    };
    Ok(Metadata {
        keyword,
        name,
        value,
        value_at: at + args.len() - value.len(),
    })
}

/// Note the metadata line on the family's state, refusing one that follows the family's
/// samples or repeats a keyword already seen.
fn record_metadata_line(
    st: &mut FamState,
    line: &Line<'_>,
    meta: &Metadata<'_>,
) -> Result<(), ExpositionError> {
    let Metadata { keyword, name, .. } = meta;
    if let Some(first) = st.first_sample_line {
        return Err(line.err(
            0,
            format!(
                "`# {keyword}` for `{name}` comes after its samples (first sample at line {first})"
            ),
        ));
    }
    let slot = match *keyword {
        "HELP" => &mut st.help_line,
        "TYPE" => &mut st.type_line,
        _ => &mut st.unit_line,
    };
    if let Some(first) = *slot {
        return Err(line.err(
            0,
            format!("duplicate `# {keyword}` for `{name}` (first at line {first})"),
        ));
    }
    *slot = Some(line.number);
    st.last_line = line.number;
    Ok(())
}

/// Store the help text, type or unit on the family, validating the value for its keyword.
fn store_metadata(
    fam: &mut MetricFamily,
    line: &Line<'_>,
    meta: &Metadata<'_>,
    om: bool,
) -> Result<(), ExpositionError> {
    let Metadata {
        name,
        value,
        value_at,
        ..
    } = *meta;
    match meta.keyword {
        "HELP" => fam.help = Some(unescape_help(line, value_at, value, om)?),
        "TYPE" => {
            fam.mtype = parse_type(value, om).ok_or_else(|| {
                let allowed = if om {
                    "counter, gauge, histogram, gaugehistogram, stateset, info, summary, unknown"
                } else {
                    "counter, gauge, histogram, summary, untyped"
                };
                line.err(
                    value_at,
                    format!("unknown metric type `{value}` (allowed: {allowed})"),
                )
            })?;
        }
        _ => {
            if !value.is_empty() && !name.ends_with(&format!("_{value}")) {
                return Err(line.err(
                    value_at,
                    format!("unit `{value}` must be the suffix of the family name `{name}` (`{name}` should end with `_{value}`)"),
                ));
            }
            fam.unit = Some(value.to_string());
        }
    }
    Ok(())
}
