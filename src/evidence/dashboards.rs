//! Dashboard panel queries and what Prometheus answered to each.

/// One query of one panel, ready to run on Prometheus.
#[derive(Debug, Clone, PartialEq)]
pub struct PanelQuery {
    /// Dashboard uid (or title when it has none).
    pub dashboard: String,
    /// Panel title.
    pub panel_title: String,
    /// Target `refId`.
    pub ref_id: String,
    /// The PromQL with variables and built-ins substituted.
    pub expr_substituted: String,
    /// Hidden targets are not drawn (a live check may skip them).
    pub hidden: bool,
}

/// What Prometheus answered for one panel query: the number of series (or of points of a
/// scalar), or the error it gave.
#[derive(Debug, Clone, PartialEq)]
pub enum QueryAnswer {
    /// The query ran; this many series/values came back.
    Series(usize),
    /// The query could not run (bad PromQL after substitution, Prometheus error, transport).
    Error(String),
}
