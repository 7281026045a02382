//! Grafana dashboard JSON, walked into a flat model: template variables, and every panel with
//! its targets, each located by a JSON path (`panels[3].panels[0].targets[1]`). Handles the old
//! `rows[]` schema, row panels (collapsed, holding nested `panels`, and expanded, followed by
//! their panels) and every datasource reference form. Walking a `serde_json::Value` rather than
//! a typed model keeps dashboards of any schemaVersion readable.

use serde_json::Value;

/// A walked dashboard.
#[derive(Debug, Clone, Default)]
pub struct Dashboard {
    /// The file it came from.
    pub file: String,
    /// Dashboard title.
    pub title: String,
    /// Dashboard uid (absent in some exports).
    pub uid: Option<String>,
    /// `schemaVersion`.
    pub schema_version: Option<i64>,
    /// Names of `__inputs` (import-time placeholders such as `DS_PROMETHEUS`).
    pub inputs: Vec<String>,
    /// Values of the `constant` `__inputs` (`VAR_*`), which an import would substitute.
    pub input_constants: std::collections::BTreeMap<String, String>,
    /// Template variables.
    pub variables: Vec<Variable>,
    /// Every non-row panel, in document order.
    pub panels: Vec<Panel>,
    /// Whether the dashboard groups panels in rows (row panels or the old `rows[]`).
    pub uses_rows: bool,
}

/// A template variable.
#[derive(Debug, Clone, Default)]
pub struct Variable {
    /// Name used as `$name`.
    pub name: String,
    /// `query`, `custom`, `interval`, `constant`, `textbox`, `datasource`, `adhoc`, ...
    pub kind: String,
    /// The variable's query (for `datasource`: the plugin type; for `constant`: the value).
    pub query: String,
    /// Current value(s).
    pub current: Vec<String>,
    /// Listed options' values.
    pub options: Vec<String>,
    /// Value used for "All", when set.
    pub all_value: Option<String>,
}

/// A datasource reference as written in the JSON.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum DsRef {
    /// Absent or `null`: the default datasource.
    #[default]
    Default,
    /// A string: a name, a uid, `$var`, `${DS_X}`, `-- Mixed --`, `-- Grafana --`.
    Text(String),
    /// `{"type": ..., "uid": ...}`.
    Object {
        /// Plugin type, when given.
        kind: Option<String>,
        /// Uid (possibly a variable), when given.
        uid: Option<String>,
    },
}

/// A panel (not a row).
#[derive(Debug, Clone, Default)]
pub struct Panel {
    /// JSON path of the panel.
    pub path: String,
    /// Panel title.
    pub title: String,
    /// Panel type (`timeseries`, `stat`, `graph`, ...).
    pub kind: String,
    /// The panel's datasource.
    pub datasource: DsRef,
    /// Title of the row holding it, if any.
    pub row: Option<String>,
    /// Whether that row is collapsed (its panels are nested in the row).
    pub in_collapsed_row: bool,
    /// The panel's queries.
    pub targets: Vec<Target>,
    /// Its display unit: `fieldConfig.defaults.unit`, a unit override, or a `graph` panel's
    /// first y-axis `format`; `None` when none is set.
    pub unit: Option<String>,
    /// Line and column of the panel in its file, when known.
    pub at: Option<(u32, u32)>,
}

/// One query of a panel.
#[derive(Debug, Clone, Default)]
pub struct Target {
    /// JSON path of the target.
    pub path: String,
    /// `refId` (`A`, `B`, ...).
    pub ref_id: String,
    /// The PromQL (or other) expression, when the target has one.
    pub expr: Option<String>,
    /// `hide: true`: not drawn, yet still queried by expressions that reference it.
    pub hidden: bool,
    /// Its own datasource; `None` means the panel's.
    pub datasource: Option<DsRef>,
    /// Line and column of its `expr` (else of the target) in its file, when known.
    pub at: Option<(u32, u32)>,
}

impl Dashboard {
    /// Set the line and column of every panel and target from the file's text positions.
    /// An API export's model sits under `dashboard.` (the walker only unwraps a file without
    /// top-level panels, so the two spellings never both name a walked panel).
    pub fn locate(&mut self, pos: &crate::config::json_pos::JsonPositions) {
        let at = |path: &str| {
            pos.get(path)
                .or_else(|| pos.get(&format!("dashboard.{path}")))
        };
        for p in &mut self.panels {
            p.at = at(&p.path);
            for t in &mut p.targets {
                t.at = at(&format!("{}.expr", t.path)).or_else(|| at(&t.path));
            }
        }
    }
}

/// `file:line:column` when the position is known, else `file`.
pub fn file_at(file: &str, at: Option<(u32, u32)>) -> String {
    match at {
        Some((l, c)) => format!("{file}:{l}:{c}"),
        None => file.to_string(),
    }
}

/// Walk a parsed dashboard JSON value. Never fails: missing pieces are simply absent.
pub fn walk(file: &str, v: &Value) -> Dashboard {
    // Some exports wrap the model in {"dashboard": {...}} (the HTTP API form).
    let v = match v.get("dashboard") {
        Some(inner) if inner.is_object() && v.get("panels").is_none() => inner,
        _ => v,
    };
    let mut d = Dashboard {
        file: file.to_string(),
        title: str_at(v, "title").unwrap_or_default(),
        uid: str_at(v, "uid"),
        schema_version: v.get("schemaVersion").and_then(Value::as_i64),
        ..Dashboard::default()
    };
    if let Some(inputs) = v.get("__inputs").and_then(Value::as_array) {
        d.inputs = inputs.iter().filter_map(|i| str_at(i, "name")).collect();
        d.input_constants = inputs
            .iter()
            .filter(|i| i.get("type").and_then(Value::as_str) == Some("constant"))
            .filter_map(|i| Some((str_at(i, "name")?, strings(i.get("value")).join(","))))
            .collect();
    }
    if let Some(list) = v.pointer("/templating/list").and_then(Value::as_array) {
        d.variables = list.iter().map(variable).collect();
    }
    if let Some(rows) = v.get("rows").and_then(Value::as_array) {
        d.uses_rows |= !rows.is_empty();
        for (ri, row) in rows.iter().enumerate() {
            let title = str_at(row, "title");
            let collapsed = row
                .get("collapse")
                .and_then(Value::as_bool)
                .unwrap_or(false);
            for (pi, p) in arr(row, "panels").iter().enumerate() {
                let path = format!("rows[{ri}].panels[{pi}]");
                d.panels.push(panel(&path, p, title.clone(), collapsed));
            }
        }
    }
    let mut current_row: Option<String> = None;
    for (i, p) in arr(v, "panels").iter().enumerate() {
        let path = format!("panels[{i}]");
        if p.get("type").and_then(Value::as_str) == Some("row") {
            d.uses_rows = true;
            let title = str_at(p, "title");
            let collapsed = p.get("collapsed").and_then(Value::as_bool).unwrap_or(false);
            for (j, np) in arr(p, "panels").iter().enumerate() {
                let npath = format!("{path}.panels[{j}]");
                d.panels.push(panel(&npath, np, title.clone(), collapsed));
            }
            current_row = title;
            continue;
        }
        d.panels.push(panel(&path, p, current_row.clone(), false));
        // Library-style nested panels (older grafonnet) hold their own panels too.
        for (j, np) in arr(p, "panels").iter().enumerate() {
            let npath = format!("{path}.panels[{j}]");
            d.panels.push(panel(&npath, np, current_row.clone(), false));
        }
    }
    d
}

fn arr<'a>(v: &'a Value, key: &str) -> &'a [Value] {
    v.get(key)
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or(&[])
}

fn str_at(v: &Value, key: &str) -> Option<String> {
    v.get(key).and_then(Value::as_str).map(str::to_string)
}

/// A JSON scalar or list of scalars as strings.
fn strings(v: Option<&Value>) -> Vec<String> {
    match v {
        Some(Value::String(s)) => vec![s.clone()],
        Some(Value::Number(n)) => vec![n.to_string()],
        Some(Value::Bool(b)) => vec![b.to_string()],
        Some(Value::Array(a)) => a.iter().flat_map(|x| strings(Some(x))).collect(),
        _ => Vec::new(),
    }
}

fn variable(v: &Value) -> Variable {
    let query = match v.get("query") {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Object(o)) => o
            .get("query")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string(),
        Some(other) => strings(Some(other)).join(","),
        None => String::new(),
    };
    Variable {
        name: str_at(v, "name").unwrap_or_default(),
        kind: str_at(v, "type").unwrap_or_else(|| "query".to_string()),
        query,
        current: strings(v.pointer("/current/value")),
        options: arr(v, "options")
            .iter()
            .flat_map(|o| strings(o.get("value")))
            .collect(),
        all_value: str_at(v, "allValue").filter(|s| !s.is_empty()),
    }
}

/// Read a datasource reference (`null`, a string, or an object).
pub fn ds_ref(v: Option<&Value>) -> DsRef {
    match v {
        None | Some(Value::Null) => DsRef::Default,
        Some(Value::String(s)) => DsRef::Text(s.clone()),
        Some(o @ Value::Object(_)) => {
            let kind = str_at(o, "type");
            let uid = str_at(o, "uid");
            if kind.is_none() && uid.is_none() {
                DsRef::Default
            } else {
                DsRef::Object { kind, uid }
            }
        }
        Some(_) => DsRef::Default,
    }
}

fn panel(path: &str, p: &Value, row: Option<String>, in_collapsed_row: bool) -> Panel {
    let targets = arr(p, "targets")
        .iter()
        .enumerate()
        .map(|(i, t)| Target {
            path: format!("{path}.targets[{i}]"),
            ref_id: str_at(t, "refId").unwrap_or_else(|| format!("#{i}")),
            expr: str_at(t, "expr"),
            hidden: t.get("hide").and_then(Value::as_bool).unwrap_or(false),
            datasource: t.get("datasource").map(|d| ds_ref(Some(d))),
            at: None,
        })
        .collect();
    Panel {
        path: path.to_string(),
        title: str_at(p, "title").unwrap_or_default(),
        kind: str_at(p, "type").unwrap_or_default(),
        datasource: ds_ref(p.get("datasource")),
        row,
        in_collapsed_row,
        targets,
        unit: unit(p),
        at: None,
    }
}

/// The unit a panel displays its values in, wherever the schema puts it.
fn unit(p: &Value) -> Option<String> {
    let overridden = p
        .pointer("/fieldConfig/overrides")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .flat_map(|o| arr(o, "properties"))
        .find(|prop| prop.get("id").and_then(Value::as_str) == Some("unit"))
        .and_then(|prop| prop.get("value").and_then(Value::as_str));
    let default = p
        .pointer("/fieldConfig/defaults/unit")
        .and_then(Value::as_str);
    let graph_axis = p.pointer("/yaxes/0/format").and_then(Value::as_str);
    let legacy = p.get("format").and_then(Value::as_str);
    [default, overridden, graph_axis, legacy]
        .into_iter()
        .flatten()
        .find(|u| !u.trim().is_empty())
        .map(str::to_string)
}
