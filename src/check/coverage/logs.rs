//! Log levels and fields seen, gathered line by line while the log stream flows (the lines are
//! not kept), bounded at [`MAX_LOG_NAMES`] distinct levels and fields.

use crate::evidence::LogLine;
use crate::evidence::coverage::{LogCoverage, MAX_LOG_NAMES};

/// The accumulator the log feed hands every line to.
#[derive(Debug, Clone, Default)]
pub struct LogSeen {
    seen: LogCoverage,
}

impl LogSeen {
    /// Count one line: its level (`level`, else `severity`) and its top-level field names.
    pub fn feed(&mut self, line: &LogLine) {
        self.seen.lines += 1;
        let Ok(serde_json::Value::Object(map)) = serde_json::from_str(&line.text) else {
            return;
        };
        self.seen.json_lines += 1;
        let level = map
            .get("level")
            .or_else(|| map.get("severity"))
            .and_then(serde_json::Value::as_str);
        if let Some(level) = level {
            bump(&mut self.seen.levels, level, &mut self.seen.truncated);
        }
        for key in map.keys() {
            bump(&mut self.seen.fields, key, &mut self.seen.truncated);
        }
    }

    /// What was seen so far.
    pub fn coverage(&self) -> LogCoverage {
        self.seen.clone()
    }
}

fn bump(map: &mut std::collections::BTreeMap<String, u64>, key: &str, truncated: &mut bool) {
    if let Some(n) = map.get_mut(key) {
        *n += 1;
    } else if map.len() < MAX_LOG_NAMES {
        map.insert(key.to_string(), 1);
    } else {
        *truncated = true;
    }
}
