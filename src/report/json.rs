//! `report.json`: the report model, pretty-printed. The model's field names are the contract.

use super::model::Report;

/// The report as pretty JSON with a trailing newline.
pub fn render_json(report: &Report) -> std::io::Result<String> {
    let mut s = serde_json::to_string_pretty(report)?;
    s.push('\n');
    Ok(s)
}

/// Read a `report.json` back (e.g. for `obsgate report diff`).
pub fn parse_json(text: &str) -> Result<Report, serde_json::Error> {
    serde_json::from_str(text)
}
