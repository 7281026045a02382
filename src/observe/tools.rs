//! Running external validators (promtool, amtool) and recording what they said as a
//! [`ToolRun`]: the only place obsgate starts those tools for the static checks.

use std::process::Command;

use crate::config::stack::StackConfig;
use crate::evidence::{RouteTest, StackTools, TemplatePlan, ToolRun};
use crate::observe::templates::render_templates;

/// Whether `bin` is an executable file on PATH.
pub fn on_path(bin: &str) -> bool {
    std::env::var_os("PATH")
        .is_some_and(|p| std::env::split_paths(&p).any(|d| d.join(bin).is_file()))
}

/// Run `bin` with `args` when enabled and on PATH.
pub fn run_tool(enabled: bool, bin: &str, args: &[String]) -> ToolRun {
    if !enabled {
        return ToolRun::Skipped {
            reason: "not run (--no-tools)".to_string(),
        };
    }
    if !on_path(bin) {
        return ToolRun::Missing {
            tool: bin.to_string(),
        };
    }
    match Command::new(bin).args(args).output() {
        // Killed by a signal (a crash): the tool said nothing about the files.
        Ok(o) if o.status.code().is_none() => ToolRun::Failed {
            error: format!("{bin} ended without an exit code ({})", o.status),
        },
        Ok(o) => ToolRun::Ran {
            success: o.status.success(),
            stdout: String::from_utf8_lossy(&o.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
        },
        Err(e) => ToolRun::Failed {
            error: format!("cannot run {bin}: {e}"),
        },
    }
}

// The running half of the evidence type: gathering is I/O, so it lives with the observers.
impl StackTools {
    /// Run the validators on `cfg`'s files (each reports [`ToolRun::Missing`] when `enabled`
    /// is false or it is not on PATH).
    pub fn gather(
        cfg: &StackConfig,
        route_tests: Vec<RouteTest>,
        case_tests: Vec<RouteTest>,
        templates: TemplatePlan,
        enabled: bool,
    ) -> Self {
        Self {
            promtool_rules: promtool_rules(cfg, enabled),
            amtool_config: match &cfg.alertmanager {
                Some(am) => run_tool(enabled, "amtool", &["check-config".into(), am.file()]),
                None => ToolRun::Skipped {
                    reason: "no alertmanager.yml given".to_string(),
                },
            },
            amtool_routes: amtool_routes(cfg, route_tests, enabled),
            amtool_cases: amtool_routes(cfg, case_tests, enabled),
            amtool_templates: render_templates(templates, enabled),
        }
    }
}

/// `promtool check rules` over the plain rule files (promtool cannot read the wrappers).
fn promtool_rules(cfg: &StackConfig, enabled: bool) -> ToolRun {
    let plain: Vec<String> = cfg
        .rule_files
        .iter()
        .filter(|f| cfg.paths.named.is_none() || f.ok().is_some_and(|r| !r.wrapped))
        .map(|f| f.file())
        .collect();
    if plain.is_empty() {
        return ToolRun::Skipped {
            reason: "no plain rule file to give it".to_string(),
        };
    }
    let mut args = vec!["check".to_string(), "rules".to_string()];
    args.extend(plain);
    run_tool(enabled, "promtool", &args)
}

fn amtool_routes(
    cfg: &StackConfig,
    route_tests: Vec<RouteTest>,
    enabled: bool,
) -> Vec<(RouteTest, ToolRun)> {
    let Some(am) = &cfg.alertmanager else {
        return Vec::new();
    };
    let am_file = am.file();
    route_tests
        .into_iter()
        .map(|t| {
            let mut args = vec![
                "config".into(),
                "routes".into(),
                "test".into(),
                format!("--config.file={am_file}"),
            ];
            args.extend(t.labels.iter().map(|(k, v)| format!("{k}={v:?}")));
            let run = run_tool(enabled, "amtool", &args);
            (t, run)
        })
        .collect()
}
