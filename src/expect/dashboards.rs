//! `kind: dashboards` expectation files: which dashboards must show data after the load.

use std::path::{Path, PathBuf};

use serde::Deserialize;

/// `dashboards` expectation file: which dashboards must show data after the load.
#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DashboardsFile {
    /// Always `dashboards`.
    pub kind: String,
    /// Dashboard JSON files, relative to this file.
    pub dashboards: Vec<String>,
}

/// Dashboards expectation, paths resolved.
#[derive(Debug, Clone)]
pub struct DashboardsExpectation {
    pub files: Vec<PathBuf>,
}

impl DashboardsExpectation {
    /// Read a `kind: dashboards` file; every listed dashboard must exist.
    pub fn load(path: &Path) -> Result<Self, String> {
        let shown = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|e| format!("{shown}: {e}"))?;
        let raw: DashboardsFile =
            serde_saphyr::from_str(&text).map_err(|e| format!("{shown}: {e}"))?;
        let base = path.parent().unwrap_or_else(|| Path::new("."));
        let mut files = Vec::new();
        let mut missing = Vec::new();
        for d in &raw.dashboards {
            let p = base.join(d);
            if p.is_file() {
                files.push(p);
            } else {
                missing.push(format!(
                    "{shown}: dashboard `{d}` not found at {}",
                    p.display()
                ));
            }
        }
        if missing.is_empty() {
            Ok(Self { files })
        } else {
            Err(missing.join("\n"))
        }
    }
}
