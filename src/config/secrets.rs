//! Secrets of a user's Prometheus and Alertmanager configs, kept out of everything obsgate
//! writes for people to read (the overlay copies in the report dir, the deviations of
//! report.json, report.md and the HTML). Redacted the way Alertmanager prints them,
//! `<secret>`; a PagerDuty key becomes a short stable fingerprint, so two runs can still be
//! told apart. The processes themselves get the configs unredacted.

use serde_json::Value;

/// What a redacted value reads as.
pub const SECRET: &str = "<secret>";

/// Keys whose value is a secret wherever they appear (HTTP settings of scrape jobs, remote
/// write and every notifier; the notifiers' own API keys and tokens).
const SECRET_KEYS: &[&str] = &[
    "password",
    "bearer_token",
    "credentials",
    "client_secret",
    "api_key",
    "api_secret",
    "bot_token",
    "token",
    "auth_token",
    "auth_password",
    "auth_secret",
    "slack_api_url",
    "api_url",
    "opsgenie_api_key",
    "victorops_api_key",
    "wechat_api_secret",
    "telegram_bot_token",
    "webex_api_url",
];

/// Keys that identify a PagerDuty service: shown as a fingerprint.
const FINGERPRINTED_KEYS: &[&str] = &["routing_key", "service_key"];

/// Redacts every secret of a config value in place.
pub fn redact_value(v: &mut Value) {
    match v {
        Value::Object(map) => {
            for (k, val) in map.iter_mut() {
                if SECRET_KEYS.contains(&k.as_str()) && !val.is_null() && !is_own(val) {
                    *val = Value::String(SECRET.into());
                } else if FINGERPRINTED_KEYS.contains(&k.as_str()) {
                    if let Some(s) = val.as_str() {
                        *val = Value::String(fingerprint(s));
                    }
                } else if k.eq_ignore_ascii_case("authorization") && val.is_string() {
                    *val = Value::String(SECRET.into());
                } else {
                    redact_value(val);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(redact_value),
        Value::String(s) => *s = redact_url(s),
        _ => {}
    }
}

/// obsgate's own fake receivers (loopback URLs it wrote itself) are no secret of the user's.
fn is_own(v: &Value) -> bool {
    v.as_str()
        .is_some_and(|s| s.starts_with("http://127.0.0.1:") && !s.contains('@'))
}

/// A URL's user info and query redacted (`https://u:<secret>@h/p?<secret>`); other text as is.
pub fn redact_url(s: &str) -> String {
    let Ok(mut url) = reqwest::Url::parse(s) else {
        return s.to_string();
    };
    if !matches!(url.scheme(), "http" | "https") {
        return s.to_string();
    }
    let mut changed = false;
    if url.password().is_some() {
        changed |= url.set_password(Some(SECRET)).is_ok();
    }
    if url.query().is_some() {
        url.set_query(Some(SECRET));
        changed = true;
    }
    if changed {
        // `Url` percent-encodes the marker; show it as the other redactions read.
        url.to_string().replace("%3Csecret%3E", SECRET)
    } else {
        s.to_string()
    }
}

/// A short stable fingerprint of a key (FNV-1a, 32 bits shown): `<secret:1a2b3c4d>`.
pub fn fingerprint(s: &str) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in s.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    format!("<secret:{:08x}>", h >> 32)
}

/// A config text (JSON or YAML) with every secret redacted, as pretty JSON; the text as is
/// when it does not parse (nothing obsgate wrote, so nothing to redact it by).
pub fn redact_text(text: &str) -> String {
    match serde_saphyr::from_str::<Value>(text) {
        Ok(mut v) => {
            redact_value(&mut v);
            serde_json::to_string_pretty(&v).unwrap_or_default()
        }
        Err(_) => text.to_string(),
    }
}

/// The configs a managed stack runs on that hold the user's secrets (rule files hold none).
const SECRET_CONFIGS: [&str; 2] = ["prometheus.yml", "alertmanager.yml"];

/// Redact, in place, the configs a managed stack ran on ([`SECRET_CONFIGS`] directly in
/// `dir`, kept in the report folder). A file that cannot be redacted is removed rather than
/// left with its secrets; the returned lines say which.
pub fn redact_config_files(dir: &std::path::Path) -> Vec<String> {
    let mut problems = Vec::new();
    for p in SECRET_CONFIGS.iter().map(|n| dir.join(n)) {
        if !p.is_file() {
            continue;
        }
        let done = std::fs::read_to_string(&p)
            .and_then(|t| crate::util::write_atomic(&p, redact_text(&t).as_bytes()));
        if let Err(e) = done {
            let _ = std::fs::remove_file(&p);
            problems.push(format!(
                "{} could not be redacted and was removed: {e}",
                p.display()
            ));
        }
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn every_kind_of_secret_is_redacted() {
        let mut v = json!({
            "global": {"slack_api_url": "https://hooks.slack.com/services/T1/B2/SEKRET1"},
            "receivers": [{
                "name": "r",
                "slack_configs": [{"api_url": "https://hooks.slack.com/services/SEKRET2", "channel": "#c"}],
                "pagerduty_configs": [{"routing_key": "SEKRET3", "url": "https://events.pagerduty.com/v2/enqueue"}],
                "webhook_configs": [{
                    "url": "https://user:SEKRET4@hooks.example.com/x?token=SEKRET5",
                    "http_config": {
                        "basic_auth": {"username": "u", "password": "SEKRET6"},
                        "authorization": {"type": "Bearer", "credentials": "SEKRET7"},
                        "bearer_token": "SEKRET8"
                    }
                }]
            }]
        });
        redact_value(&mut v);
        let text = v.to_string();
        for n in 1..=8 {
            assert!(!text.contains(&format!("SEKRET{n}")), "SEKRET{n} in {text}");
        }
        assert!(
            text.contains("#c") && text.contains("events.pagerduty.com"),
            "{text}"
        );
        assert!(
            text.contains("https://user:<secret>@hooks.example.com/x?<secret>"),
            "{text}"
        );
        assert_eq!(fingerprint("SEKRET3"), fingerprint("SEKRET3"));
        assert_ne!(fingerprint("SEKRET3"), fingerprint("SEKRET4"));
    }

    #[test]
    fn plain_text_and_urls_without_secrets_are_kept() {
        assert_eq!(
            redact_url("http://127.0.0.1:9093/x"),
            "http://127.0.0.1:9093/x"
        );
        assert_eq!(redact_url("not a url"), "not a url");
        assert_eq!(redact_text("a: [unclosed"), "a: [unclosed");
    }
}

#[cfg(test)]
mod config_file_tests {
    use super::*;

    #[test]
    fn kept_stack_configs_are_redacted() {
        let d = tempfile::tempdir().expect("temp dir");
        let am = d.path().join("alertmanager.yml");
        let text = "receivers:\n  - name: pd\n    pagerduty_configs:\n      - routing_key: SEKRET-KEY\n        url: https://u:SEKRET@events.example/v2?token=SEKRET\n";
        std::fs::write(&am, text).expect("write");
        let mut dev: Vec<String> = Vec::new();
        dev.extend(redact_config_files(d.path()));
        let after = std::fs::read_to_string(&am).expect("read");
        assert!(!after.contains("SEKRET"), "{after}");
        assert!(after.contains("<secret:"), "{after}");
        assert!(dev.is_empty(), "{dev:?}");
    }
}
