//! Unit tests of the compressed configs: the [`Timers`] (compression, deviations, Prometheus
//! flags, the floor and the largest K) and the Prometheus and Alertmanager configs, on the
//! shipped `config/` files.
use serde_json::{Map, Value, json};

use super::*;

/// A shipped file of `config/`, as text.
pub(super) fn shipped(name: &str) -> String {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("config")
        .join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// A shipped YAML config as the generic value the overlays edit.
fn shipped_value(name: &str) -> Map<String, Value> {
    let v: Value = serde_saphyr::from_str(&shipped(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
    match v {
        Value::Object(m) => m,
        other => panic!("{name}: top level is {other}"),
    }
}

/// Every timer of the shipped configs at `k`: both configs and the Prometheus flags.
fn shipped_timers(k: f64) -> Timers {
    let mut t = Timers::new(k);
    compress_prometheus(&mut shipped_value("prometheus.yml"), &mut t).expect("prometheus");
    compress_alertmanager(&mut shipped_value("alertmanager.yml"), &mut t, "am.yml").expect("am");
    t.prometheus_flags().expect("flags");
    t
}

#[test]
fn compress_divides_and_names_the_timer_in_errors() {
    let mut t = Timers::new(30.0);
    assert_eq!(t.k(), 30.0);
    assert_eq!(t.compress("a", "5m"), Ok("10s".to_string()));
    assert_eq!(t.compress("b", "10s"), Ok("333ms".to_string()));
    assert_eq!(t.compress("c", "0s"), Ok("0s".to_string()));
    let e = t
        .compress("prometheus scrape_interval", "5 minutes")
        .unwrap_err();
    assert!(e.starts_with("prometheus scrape_interval: "), "{e}");
    // The shortest non-zero production timer is remembered, not the compressed one.
    assert_eq!(
        t.shortest(),
        Some(("b", std::time::Duration::from_secs(10)))
    );
}

#[test]
fn compress_key_rewrites_present_keys_and_writes_absent_defaults() {
    let mut t = Timers::new(30.0);
    let mut obj = json!({"group_wait": "30s", "same": "0s"})
        .as_object()
        .cloned()
        .expect("map");
    let dev = t.compress_key(&mut obj, "group_wait", "am group_wait", Some("1m"));
    assert_eq!(
        dev,
        Ok(Some("am group_wait: 30s → 1s (time scale 30)".to_string()))
    );
    assert_eq!(obj["group_wait"], "1s");
    let dev = t.compress_key(
        &mut obj,
        "resolve_timeout",
        "am resolve_timeout",
        Some("5m"),
    );
    assert_eq!(
        dev,
        Ok(Some(
            "am resolve_timeout: 5m (default) → 10s (time scale 30)".to_string()
        ))
    );
    assert_eq!(obj["resolve_timeout"], "10s");
    // Absent and no default: nothing written, nothing said.
    assert_eq!(
        t.compress_key(&mut obj, "repeat_interval", "x", None),
        Ok(None)
    );
    assert!(!obj.contains_key("repeat_interval"));
    // Unchanged by compression (0s): no deviation.
    assert_eq!(t.compress_key(&mut obj, "same", "same", None), Ok(None));
    assert_eq!(obj["same"], "0s");
    let e = t.compress_key(
        &mut json!({"k": "soon"}).as_object().cloned().expect("map"),
        "k",
        "w",
        None,
    );
    assert!(e.is_err_and(|e| e.starts_with("w: ")));
}

#[test]
fn prometheus_flags_are_none_at_k_1_and_divided_defaults_otherwise() {
    assert_eq!(Timers::new(1.0).prometheus_flags(), Ok(Vec::new()));
    assert_eq!(
        Timers::new(30.0).prometheus_flags(),
        Ok(vec![
            "--query.lookback-delta=10s".to_string(),
            "--rules.alert.for-grace-period=20s".to_string(),
            "--rules.alert.resend-delay=2s".to_string(),
        ])
    );
}

#[test]
fn the_shipped_configs_allow_k_100_and_name_their_shortest_timer_beyond() {
    // The shortest shipped timers are 10 s (scrape_timeout, the critical route's
    // group_wait): 10 s over the 100 ms floor is K 100.
    let t = shipped_timers(30.0);
    assert_eq!(t.shortest().map(|(_, d)| d.as_secs()), Some(10));
    assert_eq!(t.largest_k(), Some(100.0));
    assert_eq!(t.check_floor(), Ok(()));
    assert_eq!(shipped_timers(100.0).check_floor(), Ok(()));
    let e = shipped_timers(150.0).check_floor().unwrap_err();
    for says in [
        "time scale 150",
        "prometheus scrape_timeout (10s)",
        "to 67 ms",
        "below the 100 ms floor",
        "the largest time scale this config allows is 100",
    ] {
        assert!(e.contains(says), "`{says}` missing from: {e}");
    }
}

#[test]
fn without_timers_there_is_no_largest_k_and_no_floor() {
    let mut t = Timers::new(10.0);
    assert_eq!(t.largest_k(), None);
    assert_eq!(t.check_floor(), Ok(()));
    t.compress("zero", "0s").expect("0s");
    assert_eq!(t.largest_k(), None, "a zero timer sets no bound");
    // A timer shorter than the floor already in production still gives K 1.
    t.compress("tiny", "50ms").expect("50ms");
    assert_eq!(t.largest_k(), Some(1.0));
}

#[test]
fn shipped_prometheus_intervals_are_divided_globally_and_per_job() {
    let mut root = shipped_value("prometheus.yml");
    root["scrape_configs"][0]["scrape_interval"] = json!("30s");
    let mut t = Timers::new(30.0);
    let dev = compress_prometheus(&mut root, &mut t).expect("compress");
    let g = &root["global"];
    assert_eq!(g["scrape_interval"], "500ms");
    assert_eq!(g["scrape_timeout"], "333ms");
    assert_eq!(g["evaluation_interval"], "500ms");
    assert_eq!(
        g["external_labels"]["monitor"], "video-pipeline",
        "other keys kept"
    );
    let jobs = root["scrape_configs"].as_array().expect("jobs");
    assert_eq!(jobs[0]["scrape_interval"], "1s");
    assert!(
        jobs[1].get("scrape_interval").is_none(),
        "jobs inherit the global interval"
    );
    assert!(dev.contains(&"prometheus scrape_interval: 15s → 500ms (time scale 30)".to_string()));
    assert!(
        dev.contains(
            &"scrape job `pipeline` scrape_interval: 30s → 1s (time scale 30)".to_string()
        ),
        "{dev:?}"
    );
    assert_eq!(dev.len(), 4, "{dev:?}");
}

#[test]
fn absent_prometheus_intervals_get_the_divided_default() {
    let mut root = shipped_value("prometheus.yml");
    root["global"]
        .as_object_mut()
        .expect("global")
        .remove("evaluation_interval");
    let mut t = Timers::new(30.0);
    let dev = compress_prometheus(&mut root, &mut t).expect("compress");
    assert_eq!(root["global"]["evaluation_interval"], "2s");
    assert!(dev.contains(
        &"prometheus evaluation_interval: 1m (default) → 2s (time scale 30)".to_string()
    ));
    // No global section at all: one is written with all three defaults.
    let mut bare = Map::new();
    compress_prometheus(&mut bare, &mut Timers::new(60.0)).expect("compress");
    assert_eq!(
        bare["global"],
        json!({"scrape_interval": "1s", "scrape_timeout": "167ms", "evaluation_interval": "1s"})
    );
}

#[test]
fn at_k_1_the_prometheus_config_is_untouched() {
    let mut root = shipped_value("prometheus.yml");
    let before = root.clone();
    let mut t = Timers::new(1.0);
    assert_eq!(compress_prometheus(&mut root, &mut t), Ok(Vec::new()));
    assert_eq!(root, before);
    // The timers are still recorded, so that a run at K = 1 can say how far it could go.
    assert_eq!(t.largest_k(), Some(100.0));
}

#[test]
fn shipped_alertmanager_timers_are_divided_with_root_defaults_written() {
    let mut root = shipped_value("alertmanager.yml");
    let route = root["route"].as_object_mut().expect("route");
    route.remove("repeat_interval");
    let mut t = Timers::new(30.0);
    let dev = compress_alertmanager(&mut root, &mut t, "am.yml").expect("compress");
    assert_eq!(root["global"]["resolve_timeout"], "10s");
    let r = &root["route"];
    assert_eq!(
        (
            &r["group_wait"],
            &r["group_interval"],
            &r["repeat_interval"]
        ),
        (&json!("1s"), &json!("10s"), &json!("8m"))
    );
    // The Watchdog's route comes first: its 0s group_wait stays 0s, its minute timers become 2s.
    let watchdog = &r["routes"][0];
    assert_eq!(
        (
            &watchdog["group_wait"],
            &watchdog["group_interval"],
            &watchdog["repeat_interval"]
        ),
        (&json!("0s"), &json!("2s"), &json!("2s"))
    );
    let critical = &r["routes"][1];
    assert_eq!(critical["group_wait"], "333ms");
    assert_eq!(critical["group_interval"], "4s");
    assert_eq!(critical["repeat_interval"], "2m");
    for child in &r["routes"].as_array().expect("routes")[2..] {
        assert!(
            child.get("group_wait").is_none(),
            "children inherit: {child}"
        );
    }
    assert!(dev.contains(&"alertmanager resolve_timeout: 5m → 10s (time scale 30)".to_string()));
    assert!(dev.contains(
        &"alertmanager route (receiver `infra`) repeat_interval: 4h (default) → 8m (time scale 30)"
            .to_string()
    ));
    assert!(dev.contains(
        &"alertmanager route.routes[1] (receiver `critical`) group_wait: 10s → 333ms (time scale 30)"
            .to_string()
    ), "{dev:?}");
    assert_eq!(dev.len(), 9, "{dev:?}");
}

/// The shipped Alertmanager config with one time-interval construct added.
fn with_intervals(edit: impl FnOnce(&mut Map<String, Value>)) -> Map<String, Value> {
    let mut root = shipped_value("alertmanager.yml");
    edit(&mut root);
    root
}

#[test]
fn time_intervals_are_refused_under_compression_and_accepted_at_k_1() {
    let interval = json!([{"name": "offhours", "time_intervals": [{"weekdays": ["saturday"]}]}]);
    let names = json!(["offhours"]);
    let cases: [(&str, Map<String, Value>); 4] = [
        (
            "`time_intervals`",
            with_intervals(|r| {
                r.insert("time_intervals".into(), interval.clone());
            }),
        ),
        (
            "`mute_time_intervals`",
            with_intervals(|r| {
                r.insert("mute_time_intervals".into(), interval.clone());
            }),
        ),
        (
            "route `active_time_intervals`",
            with_intervals(|r| {
                r["route"]["routes"][1]["active_time_intervals"] = names.clone();
            }),
        ),
        (
            "route `mute_time_intervals`",
            with_intervals(|r| {
                r["route"]["routes"][0]["mute_time_intervals"] = names.clone();
            }),
        ),
    ];
    for (construct, cfg) in cases {
        let e = compress_alertmanager(&mut cfg.clone(), &mut Timers::new(30.0), "config/am.yml")
            .unwrap_err();
        assert!(e.starts_with("config/am.yml: "), "{e}");
        assert!(e.contains(construct), "`{construct}` missing from: {e}");
        assert!(e.contains("`--time-scale 1`"), "{e}");
        let mut at_1 = cfg.clone();
        assert_eq!(
            compress_alertmanager(&mut at_1, &mut Timers::new(1.0), "config/am.yml"),
            Ok(Vec::new()),
            "{construct} at K 1"
        );
        assert_eq!(at_1, cfg);
    }
    // An empty list mutes nothing: accepted.
    let mut empty = with_intervals(|r| {
        r.insert("time_intervals".into(), json!([]));
    });
    assert!(compress_alertmanager(&mut empty, &mut Timers::new(30.0), "am.yml").is_ok());
}

#[test]
fn an_absent_timeout_defaults_like_prometheus_to_the_interval_when_that_is_shorter() {
    let mut root = Map::new();
    root.insert("global".into(), json!({"scrape_interval": "5s"}));
    compress_prometheus(&mut root, &mut Timers::new(10.0)).expect("compress");
    assert_eq!(root["global"]["scrape_timeout"], json!("500ms"));
    assert_eq!(root["global"]["scrape_interval"], json!("500ms"));
}
