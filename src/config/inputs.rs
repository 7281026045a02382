//! Files named on the command line (`obsgate check --rules … --dashboards …`): each argument
//! is a file, a folder (searched recursively for the kind's extensions) or a glob (`*`, `?`,
//! `[…]`, `**`). An argument that names nothing is kept as such, so the check can say so.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// What one argument expanded to.
#[derive(Debug, Clone, PartialEq)]
pub struct Expanded {
    /// The argument as given.
    pub pattern: String,
    /// The files it names, sorted; empty when it names nothing.
    pub files: Vec<PathBuf>,
}

/// Extensions of rule files: YAML, and the `.rules` some projects use.
pub const RULE_EXTENSIONS: &[&str] = &["yaml", "yml", "rules"];

/// Extensions of dashboard files: JSON, and YAML for ConfigMaps that carry dashboards.
pub const DASHBOARD_EXTENSIONS: &[&str] = &["json", "yaml", "yml"];

/// Expand every argument.
pub fn expand_all(patterns: &[String], extensions: &[&str]) -> Vec<Expanded> {
    patterns
        .iter()
        .map(|p| Expanded {
            pattern: p.clone(),
            files: expand_one(p, extensions),
        })
        .collect()
}

/// Every file of `expanded`, each once, at its first place.
pub fn unique_files(expanded: &[Expanded]) -> Vec<PathBuf> {
    let mut seen = BTreeSet::new();
    expanded
        .iter()
        .flat_map(|e| e.files.iter())
        .filter(|f| seen.insert((*f).clone()))
        .cloned()
        .collect()
}

fn expand_one(pattern: &str, extensions: &[&str]) -> Vec<PathBuf> {
    let path = Path::new(pattern);
    if path.is_file() {
        return vec![path.to_path_buf()];
    }
    if path.is_dir() {
        let mut out = Vec::new();
        walk(path, extensions, &mut out, 0);
        out.sort();
        return out;
    }
    if !pattern.contains(['*', '?', '[']) {
        return Vec::new();
    }
    // Like a shell: `*` does not match a leading dot.
    let opts = glob::MatchOptions {
        require_literal_leading_dot: true,
        ..glob::MatchOptions::new()
    };
    let mut out: Vec<PathBuf> = glob::glob_with(pattern, opts)
        .map(|paths| paths.flatten().filter(|p| p.is_file()).collect())
        .unwrap_or_default();
    out.sort();
    out
}

/// Folders nest a few levels in real repositories (`mixin/rules/…`); a symlink loop must not
/// hang the walk, hence the depth bound.
const MAX_DEPTH: usize = 16;

fn walk(dir: &Path, extensions: &[&str], out: &mut Vec<PathBuf>, depth: usize) {
    if depth > MAX_DEPTH {
        return;
    }
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        let hidden = p
            .file_name()
            .is_some_and(|n| n.to_string_lossy().starts_with('.'));
        if hidden {
            continue;
        }
        if p.is_dir() {
            walk(&p, extensions, out, depth + 1);
        } else if p
            .extension()
            .is_some_and(|x| extensions.iter().any(|e| x == *e))
        {
            out.push(p);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_folders_globs_and_nothing() {
        let tmp = tempfile::tempdir().expect("temp dir");
        let d = tmp.path();
        std::fs::create_dir_all(d.join("a/b")).expect("mkdir");
        for f in ["a/x.yaml", "a/b/y.rules", "a/b/z.txt", "a/.hidden.yaml"] {
            std::fs::write(d.join(f), "groups: []\n").expect("write");
        }
        let s = |p: &Path| p.display().to_string();
        let got = expand_all(
            &[
                s(&d.join("a")),
                s(&d.join("a/*.yaml")),
                s(&d.join("a/b/y.rules")),
                s(&d.join("none/*.yml")),
            ],
            RULE_EXTENSIONS,
        );
        assert_eq!(
            got[0].files,
            vec![d.join("a/b/y.rules"), d.join("a/x.yaml")]
        );
        assert_eq!(got[1].files, vec![d.join("a/x.yaml")]);
        assert_eq!(got[2].files, vec![d.join("a/b/y.rules")]);
        assert!(got[3].files.is_empty());
        // Named twice, read once.
        assert_eq!(unique_files(&got).len(), 2);
    }
}
