//! Running external validators (promtool, amtool) and recording what they said as a
//! [`ToolRun`]: the only place obsgate starts those tools for the static checks.

use std::process::Command;

use crate::evidence::ToolRun;

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
