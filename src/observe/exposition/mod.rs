//! obsgate's own strict exposition parser: Prometheus text 0.0.4 and OpenMetrics 1.0.
//!
//! Strict on purpose: a gate that silently drops a malformed line is blind to exactly the
//! defects it exists to catch. Every problem is an [`ExpositionError`] with line and column.
//! [`parse`] stops at the first error; [`parse_all_errors`] keeps going (bounded) so a check can
//! list every bad line. Samples are grouped into families by `# TYPE` and the suffix rules of
//! each format (`_bucket`/`_sum`/`_count`, OpenMetrics `_total`/`_created`/`_gcount`/`_gsum`/`_info`).

mod family;
mod lex;
mod rules;

use crate::evidence::{Exposition, ExpositionError, ExpositionFormat};

use family::Builder;
use lex::Line;

/// At most this many errors are listed by [`parse_all_errors`]; the rest are summarised.
pub const MAX_LISTED_ERRORS: usize = 100;

/// Parse `text` strictly; the first problem found is the error.
pub fn parse(text: &str, format: ExpositionFormat) -> Result<Exposition, ExpositionError> {
    let (exposition, mut errors) = run(text, format, 1);
    if errors.is_empty() {
        Ok(exposition)
    } else {
        Err(errors.swap_remove(0))
    }
}

/// Parse `text`, skipping bad lines, and return what parsed plus every error (at most
/// [`MAX_LISTED_ERRORS`], then one summary error).
pub fn parse_all_errors(
    text: &str,
    format: ExpositionFormat,
) -> (Exposition, Vec<ExpositionError>) {
    run(text, format, MAX_LISTED_ERRORS)
}

/// The format a `Content-Type` header announces: OpenMetrics for `application/openmetrics-text`,
/// text 0.0.4 otherwise (that is what Prometheus assumes too).
pub fn format_from_content_type(ct: &str) -> ExpositionFormat {
    let media = ct.split(';').next().unwrap_or("").trim();
    if media.eq_ignore_ascii_case("application/openmetrics-text") {
        ExpositionFormat::OpenMetrics
    } else {
        ExpositionFormat::Text004
    }
}

fn run(
    text: &str,
    format: ExpositionFormat,
    max_errors: usize,
) -> (Exposition, Vec<ExpositionError>) {
    let om = format == ExpositionFormat::OpenMetrics;
    let mut b = Builder::new(om);
    let mut errors: Vec<ExpositionError> = Vec::new();
    let mut eof_line: Option<usize> = None;
    let mut last_line = 0;
    // A final newline ends the last line; it does not start an empty one.
    let body = text.strip_suffix('\n').unwrap_or(text);
    let lines = (!text.is_empty()).then(|| body.split('\n'));
    for (idx, raw) in lines.into_iter().flatten().enumerate() {
        let number = idx + 1;
        last_line = number;
        if errors.len() >= max_errors {
            break;
        }
        let line = Line {
            text: raw,
            number,
            om,
        };
        if let Some(eof) = eof_line {
            errors.push(line.err(0, format!("text after `# EOF` (line {eof})")));
            break;
        }
        if let Err(e) = one_line(&mut b, &line, &mut eof_line) {
            errors.push(e);
        }
    }
    if errors.len() < max_errors {
        errors.extend(b.finish(max_errors - errors.len()));
    }
    if om && eof_line.is_none() && errors.len() < max_errors {
        errors.push(ExpositionError {
            line: last_line,
            column: 1,
            message: "OpenMetrics text must end with `# EOF`".to_string(),
        });
    }
    if errors.len() >= max_errors && max_errors > 1 {
        errors.truncate(max_errors);
        let at = errors.last().map_or(0, |e| e.line);
        errors.push(ExpositionError {
            line: at,
            column: 1,
            message: format!("more than {max_errors} errors; stopped listing"),
        });
    }
    let exposition = Exposition {
        format,
        families: b.into_families(),
    };
    (exposition, errors)
}

fn one_line(
    b: &mut Builder,
    line: &Line<'_>,
    eof_line: &mut Option<usize>,
) -> Result<(), ExpositionError> {
    let text = line.text;
    if text.ends_with('\r') {
        return Err(line.err(
            text.len() - 1,
            "carriage return: lines must end with `\\n` only",
        ));
    }
    if text.starts_with([' ', '\t']) {
        // Prometheus rejects these lines; accepting them would hide a scrape failure.
        return Err(line.err(0, "leading blank or tab before the line's content"));
    }
    if text.is_empty() {
        if line.om {
            return Err(line.err(0, "empty line (not allowed in OpenMetrics)"));
        }
        return Ok(());
    }
    if let Some(comment) = text.strip_prefix('#') {
        return b.comment(line, 0, comment, eof_line);
    }
    let raw = line.sample()?;
    b.sample(line, raw)
}

#[cfg(test)]
mod tests;
