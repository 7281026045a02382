//! Raw model of a compose file: the service keys the compose checks read (image, build,
//! command, ports, volumes, environment). Short and long syntaxes are both accepted.

use std::collections::{BTreeMap, BTreeSet};

use serde::Deserialize;
use serde::de::IgnoredAny;

/// The whole file.
#[derive(Debug, Deserialize)]
pub struct ComposeFile {
    /// Services by name.
    #[serde(default)]
    pub services: BTreeMap<String, Service>,
    /// Named volumes (their settings are not read).
    #[serde(default)]
    pub volumes: BTreeMap<String, Option<IgnoredAny>>,
}

/// One service.
#[derive(Debug, Deserialize)]
pub struct Service {
    /// Image reference (`prom/prometheus:v2.48.0`).
    #[serde(default)]
    pub image: Option<String>,
    /// Build context (string) or build settings (map).
    #[serde(default)]
    pub build: Option<IgnoredAny>,
    /// Command: one string or a list of arguments.
    #[serde(default)]
    pub command: Option<StringOrList>,
    /// Published ports.
    #[serde(default)]
    pub ports: Vec<PortEntry>,
    /// Mounts.
    #[serde(default)]
    pub volumes: Vec<VolumeEntry>,
    /// Environment: a map or a `KEY=VALUE` list.
    #[serde(default)]
    pub environment: Option<Environment>,
}

/// A string or a list of strings.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub enum StringOrList {
    /// `command: "a b c"`.
    One(String),
    /// `command: [a, b, c]`.
    Many(Vec<String>),
}

impl StringOrList {
    /// Every argument (a single string is split on whitespace, as compose does without a shell).
    pub fn args(&self) -> Vec<String> {
        match self {
            StringOrList::One(s) => s.split_whitespace().map(str::to_string).collect(),
            StringOrList::Many(v) => v.clone(),
        }
    }
}

/// A scalar YAML value (environment values may be numbers or booleans).
#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub enum Scalar {
    /// Text.
    Text(String),
    /// Integer.
    Int(i64),
    /// Float.
    Float(f64),
    /// Boolean.
    Bool(bool),
}

impl Scalar {
    /// The value as compose passes it to the container.
    pub fn text(&self) -> String {
        match self {
            Scalar::Text(s) => s.clone(),
            Scalar::Int(i) => i.to_string(),
            Scalar::Float(f) => f.to_string(),
            Scalar::Bool(b) => b.to_string(),
        }
    }
}

/// `environment:` in either syntax.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub enum Environment {
    /// `KEY: value`.
    Map(BTreeMap<String, Option<Scalar>>),
    /// `- KEY=value`.
    List(Vec<String>),
}

impl Environment {
    /// The value of `key`, if set.
    pub fn get(&self, key: &str) -> Option<String> {
        match self {
            Environment::Map(m) => m.get(key).and_then(|v| v.as_ref().map(Scalar::text)),
            Environment::List(l) => l.iter().find_map(|kv| {
                kv.split_once('=')
                    .filter(|(k, _)| *k == key)
                    .map(|(_, v)| v.to_string())
            }),
        }
    }
}

/// A port entry in short (`"9090:9090"`, `9090`) or long syntax.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub enum PortEntry {
    /// `"host:container"` and its variants.
    Short(String),
    /// A bare container port.
    Number(u64),
    /// `{target, published, protocol}`.
    Long(LongPort),
}

/// Long port syntax.
#[derive(Debug, Deserialize)]
pub struct LongPort {
    /// Container port.
    pub target: u64,
    /// Host port (number or string).
    #[serde(default)]
    pub published: Option<Scalar>,
}

impl PortEntry {
    /// `(published host port, container port)` when they can be read.
    pub fn host_and_container(&self) -> (Option<u64>, Option<u64>) {
        match self {
            PortEntry::Number(n) => (None, Some(*n)),
            PortEntry::Long(l) => (
                l.published.as_ref().and_then(|p| p.text().parse().ok()),
                Some(l.target),
            ),
            PortEntry::Short(s) => {
                let s = s.split('/').next().unwrap_or(s);
                let parts: Vec<&str> = s.rsplitn(3, ':').collect();
                let container = parts.first().and_then(|p| p.parse().ok());
                let host = parts.get(1).and_then(|p| p.parse().ok());
                (host, container)
            }
        }
    }
}

/// A mount in short (`./a:/b:ro`, `name:/b`) or long syntax.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub enum VolumeEntry {
    /// `source:target[:mode]`.
    Short(String),
    /// `{type, source, target}`.
    Long(LongVolume),
}

/// Long mount syntax.
#[derive(Debug, Deserialize)]
pub struct LongVolume {
    /// `bind`, `volume`, `tmpfs`, ...
    #[serde(default, rename = "type")]
    pub kind: Option<String>,
    /// Host path or volume name.
    #[serde(default)]
    pub source: Option<String>,
    /// Path in the container.
    #[serde(default)]
    pub target: Option<String>,
}

impl VolumeEntry {
    /// `(source, target)`; source is `None` for an anonymous volume.
    pub fn source_target(&self) -> (Option<String>, Option<String>) {
        match self {
            VolumeEntry::Short(s) => {
                let mut it = s.splitn(3, ':');
                let a = it.next().map(str::to_string);
                match it.next() {
                    Some(b) => (a, Some(b.to_string())),
                    None => (None, a),
                }
            }
            VolumeEntry::Long(l) => (l.source.clone(), l.target.clone()),
        }
    }
}

/// A mount source that is a host path (not a named volume).
pub fn is_host_path(source: &str) -> bool {
    source.starts_with('.') || source.starts_with('/') || source.starts_with('~')
}

/// Every host path mounted by any service (for the caller to stat).
pub fn host_mounts(c: &ComposeFile) -> BTreeSet<String> {
    c.services
        .values()
        .flat_map(|s| s.volumes.iter())
        .filter_map(|v| v.source_target().0)
        .filter(|s| is_host_path(s))
        .collect()
}
