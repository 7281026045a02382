//! The managed Alertmanager config is written into the run's own folder, but Alertmanager
//! resolves a relative `templates:` glob against the folder of the config file it reads: the
//! overlay would look for the user's template files beside itself and find none (amtool's
//! `check-config` and Alertmanager then fail on every field that calls a template). Each
//! relative glob is rewritten to the absolute path of the user's config folder.

use std::path::Path;

use serde_json::{Map, Value};

/// Rewrite the relative `templates` globs of `root` against `config_dir` (the folder of the
/// user's alertmanager.yml); returns one deviation sentence per rewritten glob.
pub fn absolute_templates(root: &mut Map<String, Value>, config_dir: &Path) -> Vec<String> {
    let Some(list) = root.get_mut("templates").and_then(Value::as_array_mut) else {
        return Vec::new();
    };
    let dir = std::path::absolute(config_dir).unwrap_or_else(|_| config_dir.to_path_buf());
    let mut deviations = Vec::new();
    for g in list.iter_mut() {
        let Some(glob) = g.as_str().filter(|s| !Path::new(s).is_absolute()) else {
            continue;
        };
        let abs = dir.join(glob).display().to_string();
        deviations.push(format!(
            "alertmanager templates `{glob}` read from {abs} (the overlay is written elsewhere)"
        ));
        *g = Value::String(abs);
    }
    deviations
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_globs_become_absolute_and_absolute_ones_stay() {
        let mut root: Map<String, Value> =
            serde_json::from_str(r#"{"templates": ["templates/*.tmpl", "/etc/am/extra.tmpl"]}"#)
                .unwrap_or_default();
        let dev = absolute_templates(&mut root, Path::new("/srv/stack/config"));
        assert_eq!(
            root["templates"],
            serde_json::json!(["/srv/stack/config/templates/*.tmpl", "/etc/am/extra.tmpl"])
        );
        assert_eq!(dev.len(), 1, "{dev:?}");
        assert!(dev[0].contains("`templates/*.tmpl`"), "{dev:?}");
        let mut none = Map::new();
        assert!(absolute_templates(&mut none, Path::new("/x")).is_empty());
    }
}
