//! Service level objectives: `config/slos.yaml` (raw → resolved, [`model`]) and the burn-rate
//! rules generated from it ([`generate`]). Pure: no I/O beyond reading the file it is given.
//! `obsgate slo generate` writes the rules, `obsgate check` proves them current, and the SLO
//! expectations of a run (`kind: slo`) judge when each tier fired against [`model::Tier::detection_s`].

pub mod generate;
pub mod model;
pub mod raw;

pub use model::{Slo, SloSet, Tier, load, parse};
pub use raw::TierSeverity;

/// The JSON Schema of SLO files, as shipped in `schemas/slos.schema.json`.
pub fn schema_json() -> String {
    let schema = schemars::schema_for!(raw::RawSloFile);
    let mut s = serde_json::to_string_pretty(&schema).unwrap_or_default();
    s.push('\n');
    s
}

#[cfg(test)]
mod tests;
