//! File I/O helpers of [`crate::config::stack`]: listing config folders, expanding
//! `rule_files` globs, and reading the metric names of the metrics expectations.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// Files of a folder with the given extension, sorted (empty when the folder is absent).
pub fn list_files(dir: &Path, ext: &str) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_file() && p.extension().is_some_and(|e| e == ext))
        .collect();
    v.sort();
    v
}

/// A `rule_files` entry relative to the config folder; a `*` in the file name is expanded.
pub fn expand(cfg: &Path, pattern: &str) -> Vec<PathBuf> {
    let p = cfg.join(pattern);
    let name = p
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let Some((pre, post)) = name.split_once('*') else {
        return vec![p];
    };
    let dir = p.parent().map(Path::to_path_buf).unwrap_or_default();
    let set: BTreeSet<PathBuf> = std::fs::read_dir(&dir)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path())
        .filter(|f| {
            f.file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .is_some_and(|n| n.starts_with(pre) && n.ends_with(post))
        })
        .collect();
    set.into_iter().collect()
}

/// `scheme:` before any `/` (`mailto:x`, `file:///x`, `https://x`).
pub fn has_scheme(url: &str) -> bool {
    url.split_once(':').is_some_and(|(s, _)| {
        !s.is_empty()
            && !s.contains('/')
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
    })
}

/// Whether a `runbook_url` is a relative path to look up (not a URL, not absolute, not a
/// template that renders per alert).
pub fn is_relative_path(url: &str) -> bool {
    let url = url.trim();
    !url.is_empty() && !has_scheme(url) && !url.starts_with('/') && !url.contains("{{")
}

/// Relative `runbook_url`s of the alerting rules → whether each names a file, looked up from
/// the rule file's folder, then the working folder (where `obsgate check` runs, usually the
/// repository's root). Without `#anchor` or `?query`.
pub fn local_links(
    rule_files: &[crate::config::stack::Loaded<crate::config::rules_file::RuleFile>],
) -> std::collections::BTreeMap<String, bool> {
    let mut out = std::collections::BTreeMap::new();
    for f in rule_files {
        let Some(rf) = f.ok() else { continue };
        let dir = f.path.parent().unwrap_or(Path::new("."));
        let urls = rf.groups.iter().flat_map(|g| g.rules.iter());
        for url in urls.filter_map(|r| r.annotations.get("runbook_url")) {
            let url = url.trim();
            if !is_relative_path(url) {
                continue;
            }
            let bare = url.split(['#', '?']).next().unwrap_or(url);
            let exists = dir.join(bare).is_file() || Path::new(bare).is_file();
            out.insert(url.to_string(), exists);
        }
    }
    out
}

/// Metric names declared by a metrics expectations file (`metrics:` as a map keyed by name, or
/// a list of names or of `{name: ...}` items). Read loosely: this only widens the set of
/// metrics rules and dashboards may read; the metrics checks validate that file themselves.
pub fn expected_metric_names(path: &Path) -> Vec<String> {
    let Ok(text) = std::fs::read_to_string(path) else {
        return Vec::new();
    };
    let Ok(v) = serde_saphyr::from_str::<serde_json::Value>(&text) else {
        return Vec::new();
    };
    match v.get("metrics") {
        Some(serde_json::Value::Object(m)) => m.keys().cloned().collect(),
        Some(serde_json::Value::Array(items)) => items
            .iter()
            .filter_map(|i| match i {
                serde_json::Value::String(s) => Some(s.clone()),
                other => other
                    .get("name")
                    .and_then(|n| n.as_str())
                    .map(str::to_string),
            })
            .collect(),
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_paths_and_urls() {
        assert!(is_relative_path("a/b.md") && is_relative_path("../runbooks/x.md#y"));
        assert!(!is_relative_path("https://x") && !is_relative_path("mailto:a@b"));
        assert!(!is_relative_path("{{ $labels.runbook }}") && !is_relative_path("/abs.md"));
    }

    #[test]
    fn metric_names_from_either_shape() {
        let dir = tempfile::tempdir().expect("temp dir");
        let p = dir.path().join("metrics.yaml");
        std::fs::write(
            &p,
            "metrics:\n  - name: a_total\n    type: counter\n  - b\n",
        )
        .expect("write");
        assert_eq!(expected_metric_names(&p), ["a_total", "b"]);
        std::fs::write(&p, "metrics:\n  c_seconds: {type: histogram}\n").expect("write");
        assert_eq!(expected_metric_names(&p), ["c_seconds"]);
        assert!(expected_metric_names(&dir.path().join("none.yaml")).is_empty());
    }
}
