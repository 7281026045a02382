//! Child-process plumbing of the managed stack: finding the binaries on PATH, spawning with
//! output into a log file, validating configs with `promtool`/`amtool`, and reading log tails
//! for error messages.

use std::path::{Path, PathBuf};
use std::process::Stdio;

use tokio::process::{Child, Command};

use crate::exit::AppError;

/// What to tell a user whose machine lacks the binaries.
pub const INSTALL_HINT: &str = "install with `apt-get install prometheus prometheus-alertmanager`";

/// First binary of `names` found on PATH.
pub fn find_binary(names: &[&str]) -> Option<PathBuf> {
    let paths = std::env::var_os("PATH")?;
    std::env::split_paths(&paths)
        .flat_map(|d| names.iter().map(move |n| d.join(n)))
        .find(|p| p.is_file())
}

/// True when the binaries a managed stack needs are on PATH (the default `--stack`).
pub fn binaries_available() -> bool {
    find_binary(&["prometheus"]).is_some()
        && find_binary(&["prometheus-alertmanager", "alertmanager"]).is_some()
}

pub(super) fn read(path: &Path) -> Result<String, AppError> {
    std::fs::read_to_string(path).map_err(|e| AppError::usage(format!("{}: {e}", path.display())))
}

pub(super) fn log_tail(path: &Path, n: usize) -> String {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let lines: Vec<&str> = text.lines().collect();
    let start = lines.len().saturating_sub(n);
    lines.get(start..).unwrap_or_default().join("\n")
}

/// Resolve the shipped rule file entries to files in `config_dir` (the compose stack mounts them
/// elsewhere, so only the file name counts; `*` globs match names in the folder).
pub(super) fn resolve_rule_files(
    config_dir: &Path,
    entries: &[String],
) -> Result<Vec<PathBuf>, AppError> {
    let mut out = Vec::new();
    for e in entries {
        let name = Path::new(e)
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or(e);
        if let Some((pre, post)) = name.split_once('*') {
            let mut found: Vec<PathBuf> = std::fs::read_dir(config_dir)
                .map_err(|err| AppError::usage(format!("{}: {err}", config_dir.display())))?
                .filter_map(Result::ok)
                .map(|d| d.path())
                .filter(|p| {
                    p.file_name()
                        .and_then(|n| n.to_str())
                        .is_some_and(|n| n.starts_with(pre) && n.ends_with(post))
                })
                .collect();
            found.sort();
            out.extend(found);
        } else {
            let p = config_dir.join(name);
            if !p.is_file() {
                return Err(AppError::usage(format!(
                    "rule file `{e}` of the Prometheus config is not in {} (looked for {})",
                    config_dir.display(),
                    p.display()
                )));
            }
            out.push(p);
        }
    }
    Ok(out)
}

pub(super) fn spawn(bin: &Path, args: &[String], log: &Path) -> Result<Child, AppError> {
    let f = std::fs::File::create(log)
        .map_err(|e| AppError::harness(format!("{}: {e}", log.display())))?;
    let f2 = f
        .try_clone()
        .map_err(|e| AppError::harness(format!("{}: {e}", log.display())))?;
    let mut cmd = Command::new(bin);
    cmd.args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::from(f))
        .stderr(Stdio::from(f2))
        .kill_on_drop(true)
        // Its own process group: a terminal's Ctrl-C reaches obsgate only, which then stops
        // the run in order, instead of killing the stack under it.
        .process_group(0);
    die_with_parent(&mut cmd);
    cmd.spawn().map_err(|e| {
        AppError::harness(format!(
            "cannot start {}: {e} ({INSTALL_HINT})",
            bin.display()
        ))
    })
}

/// Linux: the kernel SIGKILLs the child when the thread that started it ends. The managed
/// stack is started from the runtime's worker threads, which live as long as obsgate, so a
/// SIGKILLed obsgate (a CI runner's timeout) does not leave Prometheus or Alertmanager behind.
fn die_with_parent(cmd: &mut Command) {
    #[cfg(target_os = "linux")]
    // SAFETY: the closure runs in the forked child before exec and only calls prctl(2), which
    // is async-signal-safe; it touches no memory of the parent.
    unsafe {
        cmd.pre_exec(|| {
            if libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL) == 0 {
                Ok(())
            } else {
                Err(std::io::Error::last_os_error())
            }
        });
    }
    #[cfg(not(target_os = "linux"))]
    let _ = cmd;
}

/// Run `tool args`; Some(message) when it rejects the input, None when it passes or is absent.
pub(super) async fn validate(tool: &str, args: &[&str]) -> Option<String> {
    let bin = find_binary(&[tool])?;
    let out = Command::new(bin).args(args).output().await.ok()?;
    if out.status.success() {
        return None;
    }
    let mut msg = String::from_utf8_lossy(&out.stdout).to_string();
    msg.push_str(&String::from_utf8_lossy(&out.stderr));
    Some(msg.trim().to_string())
}

pub(super) async fn exited(child: &mut Option<Child>) -> Option<String> {
    let c = child.as_mut()?;
    match c.try_wait() {
        Ok(Some(st)) => Some(st.to_string()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rule_files_by_name_and_glob() {
        let d = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        for f in ["a.rules.yml", "b.rules.yml", "other.yaml"] {
            std::fs::write(d.path().join(f), "groups: []\n").unwrap_or_else(|e| panic!("{e}"));
        }
        let got = resolve_rule_files(
            d.path(),
            &["/etc/prometheus/*.rules.yml".into(), "other.yaml".into()],
        )
        .unwrap_or_else(|e| panic!("{e}"));
        let names: Vec<_> = got.iter().filter_map(|p| p.file_name()?.to_str()).collect();
        assert_eq!(names, ["a.rules.yml", "b.rules.yml", "other.yaml"]);
        let err = resolve_rule_files(d.path(), &["missing.yaml".into()]).unwrap_err();
        assert!(err.message.contains("missing.yaml"), "{}", err.message);
        assert_eq!(err.outcome, crate::exit::Outcome::Usage);
    }

    #[test]
    fn log_tail_keeps_the_last_lines() {
        let d = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let p = d.path().join("x.log");
        std::fs::write(&p, "1\n2\n3\n").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(log_tail(&p, 2), "2\n3");
    }
}
