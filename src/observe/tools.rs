//! Running external validators (promtool, amtool) and recording what they said as a
//! [`ToolRun`]: the only place obsgate starts those tools for the static checks.

use std::process::Command;

use crate::config::stack::StackConfig;
use crate::evidence::{RouteTest, StackTools, ToolRun};

/// Whether `bin` is an executable file on PATH.
pub fn on_path(bin: &str) -> bool {
    std::env::var_os("PATH")
        .is_some_and(|p| std::env::split_paths(&p).any(|d| d.join(bin).is_file()))
}

/// Run `bin` with `args` when enabled and on PATH.
pub fn run_tool(enabled: bool, bin: &str, args: &[String]) -> ToolRun {
    if !enabled || !on_path(bin) {
        return ToolRun::Missing {
            tool: bin.to_string(),
        };
    }
    match Command::new(bin).args(args).output() {
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
    pub fn gather(cfg: &StackConfig, route_tests: Vec<RouteTest>, enabled: bool) -> Self {
        let mut promtool_args = vec!["check".to_string(), "rules".to_string()];
        promtool_args.extend(cfg.rule_files.iter().map(|f| f.file()));
        let promtool_rules = run_tool(enabled, "promtool", &promtool_args);
        let am_file = cfg.alertmanager.file();
        let amtool_config = run_tool(enabled, "amtool", &["check-config".into(), am_file.clone()]);
        let amtool_routes = route_tests
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
            .collect();
        Self {
            promtool_rules,
            amtool_config,
            amtool_routes,
        }
    }
}
