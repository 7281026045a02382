//! File I/O helpers of [`crate::config::stack`]: listing config folders, expanding
//! `rule_files` globs, and reading the families of the metrics expectations.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use crate::evidence::{CatalogEntry, CatalogSource};

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

/// The families of a metrics expectations file, read with the model `obsgate run` uses
/// ([`crate::expect::load_metrics`]), as a catalog source; `None` when the file does not exist.
/// Their `labels:` are a lower bound ("labels not listed are allowed"), so the source leaves
/// labels unknown: only names and types come from it.
pub fn expected_families(path: &Path) -> Option<Result<CatalogSource, String>> {
    if !path.is_file() {
        return None;
    }
    Some(
        crate::expect::load_metrics(path)
            .map(|m| CatalogSource {
                origin: path.display().to_string(),
                scraped: true,
                entries: m
                    .families
                    .iter()
                    .map(|f| CatalogEntry::Family {
                        name: f.name.clone(),
                        mtype: Some(f.mtype),
                        labels: None,
                    })
                    .collect(),
            })
            .map_err(|e| e.to_string()),
    )
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
    fn families_of_the_metrics_expectations() {
        let dir = tempfile::tempdir().expect("temp dir");
        let p = dir.path().join("metrics.yaml");
        std::fs::write(
            &p,
            "kind: metrics\nfamilies:\n  - name: a_total\n    type: counter\n    labels: {x: {}}\n",
        )
        .expect("write");
        let src = expected_families(&p).expect("present").expect("parses");
        assert_eq!(
            src.entries,
            [CatalogEntry::Family {
                name: "a_total".into(),
                mtype: Some(crate::evidence::MetricType::Counter),
                labels: None
            }]
        );
        // The old top-level `metrics:` shape is no metrics expectations file.
        std::fs::write(&p, "metrics:\n  - name: a_total\n").expect("write");
        assert!(expected_families(&p).expect("present").is_err());
        assert!(expected_families(&dir.path().join("none.yaml")).is_none());
    }
}
