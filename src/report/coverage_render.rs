//! The coverage section in Markdown and HTML, from the tables of `coverage_rows.rs`: one table
//! per dimension with its summary (`3 of 4 covered`), rows not covered marked, then the log
//! levels and fields.

use std::fmt::Write as _;

use super::coverage_rows::{Table, logs_line, tables};
use super::html_escape::escape;
use super::model::Report;

const INTRO: &str = "What the run exercised of the stack. Alerting rules count unless an alert expectation's `ignore_alerts` matches them; routes are matched by the labels of every notified alert instance; integrations obsgate cannot observe and hidden panel targets are listed, not counted.";

fn md_cell(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

fn md_table(o: &mut String, t: &Table) {
    let _ = writeln!(o, "\n### {}: {}\n", t.title, t.summary());
    if t.rows.is_empty() {
        let _ = writeln!(o, "(none in the config)");
        return;
    }
    let _ = writeln!(o, "| | {} |", t.head.join(" | "));
    let _ = writeln!(o, "|---|{}", "---|".repeat(t.head.len()));
    for (cells, covered) in &t.rows {
        let mark = match covered {
            Some(true) => "✓",
            Some(false) => "✗",
            None => "–",
        };
        let cells: Vec<String> = cells.iter().map(|c| md_cell(c)).collect();
        let _ = writeln!(o, "| {mark} | {} |", cells.join(" | "));
    }
}

/// The section in Markdown (nothing without coverage).
pub fn markdown_section(o: &mut String, r: &Report) {
    let Some(c) = &r.coverage else {
        return;
    };
    let _ = writeln!(o, "\n## Coverage\n\n{INTRO}");
    for t in tables(c) {
        md_table(o, &t);
    }
    let _ = writeln!(o, "\n### Logs\n\n{}", md_cell(&logs_line(c)));
}

fn html_table(o: &mut String, t: &Table) {
    let (covered, counted) = t.counts();
    let open = if t.not_observed.is_none() && covered < counted {
        " open"
    } else {
        ""
    };
    let _ = writeln!(
        o,
        "<details{open}><summary><b>{}</b>: {}</summary>",
        escape(t.title),
        escape(&t.summary())
    );
    if t.rows.is_empty() {
        o.push_str("<p class=\"why\">none in the config</p></details>\n");
        return;
    }
    o.push_str("<table><thead><tr><th></th>");
    for h in &t.head {
        let _ = write!(o, "<th>{}</th>", escape(h));
    }
    o.push_str("</tr></thead><tbody>\n");
    for (cells, c) in &t.rows {
        // Styled in place: the section brings its one colour with it.
        let (class, mark, style) = match c {
            Some(true) => ("covered", "✓", ""),
            Some(false) => ("uncovered", "✗", " style=\"background:#fdecea\""),
            None => ("uncounted", "–", ""),
        };
        let _ = write!(o, "<tr class=\"{class}\"{style}><td>{mark}</td>");
        for cell in cells {
            let _ = write!(o, "<td>{}</td>", escape(cell));
        }
        o.push_str("</tr>\n");
    }
    o.push_str("</tbody></table></details>\n");
}

/// The section in HTML (nothing without coverage).
pub fn html_section(o: &mut String, r: &Report) {
    let Some(c) = &r.coverage else {
        return;
    };
    let _ = writeln!(
        o,
        "<section id=\"coverage\">\n<h2>Coverage</h2>\n<p class=\"why\">{}</p>",
        escape(INTRO)
    );
    for t in tables(c) {
        html_table(o, &t);
    }
    let _ = writeln!(
        o,
        "<h3>Logs</h3>\n<p>{}</p>\n</section>",
        escape(&logs_line(c))
    );
}
