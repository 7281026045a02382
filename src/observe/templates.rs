//! Running a [`TemplatePlan`] through `amtool template render`: each rendering's template data
//! goes to a temporary JSON file, and its fields are rendered in one amtool run when they all
//! render cleanly (each wrapped in `{{ with . }}…{{ end }}` so a variable one field declares is
//! not visible to the next, and joined by a separator no template writes). When that run fails,
//! every field is rendered alone, so each error names its own field. Identical renderings run
//! once; a few run at a time (the runs are short and mostly process start-up).

use std::collections::HashMap;
use std::io::Write;
use std::path::Path;

use crate::evidence::{TemplateFile, TemplatePlan, TemplateRender, TemplateRuns, ToolRun};
use crate::observe::tools::{on_path, run_tool};

/// Between two fields of one batched run: a record separator and a word, never in a template.
const SEP: &str = "\u{1e}obsgate-next-field\u{1e}";

/// Debian's Alertmanager reads its default templates (`slack.default.title`, …) from these
/// files, but its amtool does not: handing the file to amtool gives fields that use them the same
/// definitions the server has. Upstream amtool has them built in; defining them again is
/// harmless.
const DEBIAN_DEFAULTS: [&str; 2] = [
    "/usr/share/prometheus/alertmanager/default.tmpl",
    "/usr/share/prometheus/alertmanager/email.tmpl",
];

/// What makes two renderings the same: their fields and their data.
type RenderKey<'a> = (&'a [(String, String)], &'a str);

/// Concurrent amtool runs.
const WORKERS: usize = 4;

/// Render every field of `plan` (or say why not: `--no-tools`, amtool missing).
pub fn render_templates(plan: TemplatePlan, enabled: bool) -> TemplateRuns {
    let files = template_files(&plan.globs);
    let absent = if !enabled {
        Some(ToolRun::Skipped {
            reason: "not run (--no-tools)".into(),
        })
    } else if !on_path("amtool") {
        Some(ToolRun::Missing {
            tool: "amtool".into(),
        })
    } else {
        None
    };
    if let Some(run) = absent {
        let results = plan
            .renders
            .iter()
            .map(|r| vec![run.clone(); r.fields.len()])
            .collect();
        return TemplateRuns {
            plan,
            results,
            invocations: 0,
            files,
        };
    }
    let globs = amtool_globs(&plan.globs);
    // Identical renderings (same fields, same data) run once.
    let mut unique: Vec<&TemplateRender> = Vec::new();
    let mut index: HashMap<RenderKey<'_>, usize> = HashMap::new();
    let slots: Vec<usize> = plan
        .renders
        .iter()
        .map(|r| {
            *index
                .entry((r.fields.as_slice(), r.data.as_str()))
                .or_insert_with(|| {
                    unique.push(r);
                    unique.len() - 1
                })
        })
        .collect();
    let done = run_all(&unique, &globs);
    let invocations = done.iter().map(|(_, n)| n).sum();
    let results = slots
        .iter()
        .zip(&plan.renders)
        .map(|(&i, r)| {
            done.get(i)
                .map(|d| d.0.clone())
                .unwrap_or_else(|| vec![failed("not rendered"); r.fields.len()])
        })
        .collect();
    TemplateRuns {
        plan,
        results,
        invocations,
        files,
    }
}

/// The files the config's globs match, read (an unreadable one is left out: amtool says why).
fn template_files(globs: &[String]) -> Vec<TemplateFile> {
    globs
        .iter()
        .filter_map(|g| glob::glob(g).ok())
        .flatten()
        .flatten()
        .filter_map(|p| {
            let text = std::fs::read_to_string(&p).ok()?;
            Some(TemplateFile {
                path: p.display().to_string(),
                text,
            })
        })
        .collect()
}

/// The `--template.glob` values: Debian's default templates when present, then the config's globs.
/// amtool requires one, so a config without templates gets a glob that matches nothing.
fn amtool_globs(config: &[String]) -> Vec<String> {
    let mut globs = Vec::new();
    for f in DEBIAN_DEFAULTS {
        if Path::new(f).is_file() {
            globs.push(f.to_string());
        }
    }
    globs.extend(config.iter().cloned());
    if globs.is_empty() {
        let none = std::env::temp_dir().join("obsgate-no-templates-*.none");
        globs.push(none.display().to_string());
    }
    globs
}

/// Every rendering, [`WORKERS`] at a time: per rendering, one run per field and how many
/// times amtool started.
fn run_all(renders: &[&TemplateRender], globs: &[String]) -> Vec<(Vec<ToolRun>, usize)> {
    let chunk = renders.len().div_ceil(WORKERS).max(1);
    std::thread::scope(|s| {
        let handles: Vec<_> = renders
            .chunks(chunk)
            .map(|part| {
                let h = s.spawn(move || part.iter().map(|r| render(r, globs)).collect::<Vec<_>>());
                (part, h)
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|(part, h)| {
                h.join().unwrap_or_else(|_| {
                    part.iter()
                        .map(|r| {
                            (
                                vec![failed("template rendering stopped"); r.fields.len()],
                                0,
                            )
                        })
                        .collect()
                })
            })
            .collect()
    })
}

fn failed(error: &str) -> ToolRun {
    ToolRun::Failed {
        error: error.to_string(),
    }
}

/// One rendering: its text fields at once (else each alone), its HTML fields each alone.
fn render(r: &TemplateRender, globs: &[String]) -> (Vec<ToolRun>, usize) {
    let file = match data_file(&r.data) {
        Ok(f) => f,
        Err(e) => return (vec![failed(&e); r.fields.len()], 0),
    };
    let data = file.path().display().to_string();
    let texts: Vec<&str> = r
        .fields
        .iter()
        .filter(|(f, _)| !TemplateRender::is_html(f))
        .map(|(_, t)| t.as_str())
        .collect();
    let (mut batch, mut started) = (None, 0);
    if texts.len() > 1 {
        batch = batched(globs, &texts, &data);
        started += 1;
    }
    let mut batch = batch.map(Vec::into_iter);
    let runs = r
        .fields
        .iter()
        .map(|(f, t)| {
            let html = TemplateRender::is_html(f);
            if let Some(run) = batch.as_mut().filter(|_| !html).and_then(Iterator::next) {
                return run;
            }
            started += 1;
            amtool(globs, t, &data, html)
        })
        .collect();
    (runs, started)
}

/// `texts` rendered in one amtool run, one result each; `None` when that run fails (a field,
/// or a template file, does not render) or its output does not split back into the fields.
fn batched(globs: &[String], texts: &[&str], data: &str) -> Option<Vec<ToolRun>> {
    let text: Vec<String> = texts
        .iter()
        .map(|t| format!("{{{{ with . }}}}{t}{{{{ end }}}}"))
        .collect();
    let ToolRun::Ran {
        success: true,
        stdout,
        stderr,
    } = amtool(globs, &text.join(SEP), data, false)
    else {
        return None;
    };
    let parts: Vec<&str> = stdout.split(SEP).collect();
    (parts.len() == texts.len()).then(|| {
        parts
            .into_iter()
            .map(|p| ToolRun::Ran {
                success: true,
                stdout: p.to_string(),
                stderr: stderr.clone(),
            })
            .collect()
    })
}

fn amtool(globs: &[String], text: &str, data: &str, html: bool) -> ToolRun {
    let mut args = vec!["template".to_string(), "render".to_string()];
    if html {
        args.push("--template.type=html".into());
    }
    args.extend(globs.iter().map(|g| format!("--template.glob={g}")));
    args.push(format!("--template.text={text}"));
    args.push(format!("--template.data={data}"));
    run_tool(true, "amtool", &args)
}

/// The template data in a temporary file (removed when dropped).
fn data_file(json: &str) -> Result<tempfile::NamedTempFile, String> {
    let mut f = tempfile::Builder::new()
        .prefix("obsgate-template-data-")
        .suffix(".json")
        .tempfile()
        .map_err(|e| format!("cannot write the template data: {e}"))?;
    f.write_all(json.as_bytes())
        .map_err(|e| format!("cannot write the template data: {e}"))?;
    Ok(f)
}
