//! Datasource resolution for dashboard panels and targets: by uid, by name, through a
//! `datasource` variable, the special `-- Mixed --` / `-- Grafana --` / `-- Dashboard --`
//! datasources and `null` (the default). `${DS_...}` import inputs resolve to nothing once a
//! dashboard is provisioned, so they are reported.

use crate::config::dashboard::{Dashboard, DsRef};
use crate::config::grafana::ProvisionedDatasource;

/// What a reference resolves to.
#[derive(Debug, Clone, PartialEq)]
pub enum Resolved {
    /// A datasource of this plugin type (`prometheus`, `loki`, ...).
    Typed(String),
    /// Grafana's built-in sources (annotations, dashboard reuse): no query to check.
    Builtin,
    /// `-- Mixed --`: each target names its own.
    Mixed,
    /// Not judged: no provisioning was given to resolve it against (a dashboard checked on
    /// its own), or an import-time input that Grafana's import resolves.
    Unknown,
}

/// The plugin type a reference hints at without resolving it (from `{"type": ...}` or a
/// datasource variable's plugin), used to skip non-PromQL targets.
pub fn type_hint(d: &Dashboard, r: &DsRef) -> Option<String> {
    match r {
        DsRef::Object { kind: Some(k), .. } if k != "datasource" => Some(k.clone()),
        DsRef::Object { uid: Some(u), .. } | DsRef::Text(u) => {
            if special(u) == Some(Resolved::Builtin) {
                return Some("grafana".to_string());
            }
            let name = var_name(u)?;
            d.variables
                .iter()
                .find(|v| v.name == name && v.kind == "datasource")
                .map(|v| v.query.clone())
        }
        _ => None,
    }
}

/// `$x`, `${x}`, `${x:fmt}`, `[[x]]` → `x`.
pub fn var_name(s: &str) -> Option<&str> {
    let s = s.trim();
    let inner = s
        .strip_prefix("${")
        .and_then(|x| x.strip_suffix('}'))
        .map(|x| x.split(':').next().unwrap_or(x))
        .or_else(|| s.strip_prefix("[[").and_then(|x| x.strip_suffix("]]")))
        .or_else(|| s.strip_prefix('$'))?;
    (!inner.is_empty()).then_some(inner)
}

fn special(s: &str) -> Option<Resolved> {
    match s {
        "-- Mixed --" => Some(Resolved::Mixed),
        "-- Grafana --" | "grafana" | "-- Dashboard --" => Some(Resolved::Builtin),
        _ => None,
    }
}

/// Resolve a reference against the provisioned datasources; with `None` (a dashboard checked
/// on its own, imported rather than provisioned), only what the dashboard itself defines is
/// judged: its variables, and `${DS_*}` inputs that no `__inputs` entry declares.
pub fn resolve(
    d: &Dashboard,
    r: &DsRef,
    provisioning: Option<&[ProvisionedDatasource]>,
) -> Result<Resolved, String> {
    let Some(provisioned) = provisioning else {
        return resolve_alone(d, r);
    };
    let by_type = |t: &str| -> Result<Resolved, String> {
        if provisioned.iter().any(|p| p.kind == t) {
            Ok(Resolved::Typed(t.to_string()))
        } else {
            Err(format!("no provisioned datasource of type `{t}`"))
        }
    };
    let by_id = |s: &str| -> Result<Resolved, String> {
        if let Some(sp) = special(s) {
            return Ok(sp);
        }
        if let Some(name) = var_name(s) {
            return match d.variables.iter().find(|v| v.name == name) {
                Some(v) if v.kind == "datasource" => by_type(&v.query),
                Some(v) => Err(format!(
                    "`{s}` names variable `{name}` of type `{}`, not a datasource variable",
                    v.kind
                )),
                None if d.inputs.iter().any(|i| i == name) || name.starts_with("DS_") => {
                    Err(format!(
                        "`{s}` is an import-time input (__inputs), unresolved when the dashboard is provisioned; reference the datasource by uid"
                    ))
                }
                None => Err(format!("`{s}` names no dashboard variable")),
            };
        }
        provisioned
            .iter()
            .find(|p| p.uid.as_deref() == Some(s) || p.name == s)
            .map(|p| Resolved::Typed(p.kind.clone()))
            .ok_or_else(|| {
                let names = provisioned
                    .iter()
                    .flat_map(|p| p.uid.iter().chain(std::iter::once(&p.name)));
                let hint = crate::util::nearest(s, names.map(String::as_str))
                    .map(|n| format!("; did you mean `{n}`?"))
                    .unwrap_or_default();
                format!("datasource `{s}` is not provisioned (by uid or name){hint}")
            })
    };
    match r {
        DsRef::Default => provisioned
            .iter()
            .find(|p| p.is_default)
            .or(if provisioned.len() == 1 {
                provisioned.first()
            } else {
                None
            })
            .map(|p| Resolved::Typed(p.kind.clone()))
            .ok_or_else(|| {
                "no datasource given and no default datasource is provisioned".to_string()
            }),
        DsRef::Text(s) => by_id(s),
        DsRef::Object { uid: Some(u), .. } => by_id(u),
        DsRef::Object {
            kind: Some(k),
            uid: None,
        } => match special(k) {
            Some(sp) => Ok(sp),
            None => by_type(k),
        },
        DsRef::Object {
            kind: None,
            uid: None,
        } => resolve(d, &DsRef::Default, provisioning),
    }
}

/// [`resolve`] without provisioning: a variable reference must name a datasource variable,
/// an input must be declared in `__inputs`; uids, names and types are not judged.
fn resolve_alone(d: &Dashboard, r: &DsRef) -> Result<Resolved, String> {
    let text = match r {
        DsRef::Text(s) | DsRef::Object { uid: Some(s), .. } => s,
        DsRef::Object { kind: Some(k), .. } => {
            return Ok(special(k).unwrap_or(Resolved::Typed(k.clone())));
        }
        _ => return Ok(Resolved::Unknown),
    };
    if let Some(sp) = special(text) {
        return Ok(sp);
    }
    let Some(name) = var_name(text) else {
        return Ok(Resolved::Unknown);
    };
    match d.variables.iter().find(|v| v.name == name) {
        Some(v) if v.kind == "datasource" => Ok(Resolved::Typed(v.query.clone())),
        Some(v) => Err(format!(
            "`{text}` names variable `{name}` of type `{}`, not a datasource variable",
            v.kind
        )),
        None if d.inputs.iter().any(|i| i == name) => Ok(Resolved::Unknown),
        None if name.starts_with("DS_") => Err(format!(
            "`{text}` is an import input that no `__inputs` entry declares and no variable \
             defines: nothing resolves it"
        )),
        None => Err(format!("`{text}` names no dashboard variable")),
    }
}
