//! The shipped Kubernetes manifests wire the Job's completion index to `obsgate run --shard`
//! consistently: an Indexed Job whose completions, parallelism and `/N` agree, the index taken
//! from `JOB_COMPLETION_INDEX`, one report folder per index, and a merge Job reading (and
//! waiting for) every one of them.

use serde_json::Value;

use crate::util::repo_root;

fn manifest(name: &str) -> Value {
    let path = repo_root().join("deploy/kubernetes").join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_saphyr::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn strings(v: &Value) -> Vec<String> {
    v.as_array()
        .map(|a| {
            a.iter()
                .filter_map(|s| s.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

/// The value following `flag` in `args`.
fn after<'a>(args: &'a [String], flag: &str) -> &'a str {
    let i = args.iter().position(|a| a == flag);
    i.and_then(|i| args.get(i + 1))
        .map_or_else(|| panic!("no {flag} in {args:?}"), String::as_str)
}

#[test]
fn indexed_job_wires_the_completion_index_to_shard() {
    let job = manifest("shards-job.yaml");
    assert_eq!(job["kind"], "Job");
    let spec = &job["spec"];
    assert_eq!(spec["completionMode"], "Indexed");
    let n = spec["completions"].as_u64().expect("completions");
    assert!(n >= 2, "{n} shards");
    assert_eq!(
        spec["parallelism"].as_u64(),
        Some(n),
        "every shard runs at once"
    );
    let pod = &spec["template"]["spec"];
    let c = &pod["containers"][0];
    let args = strings(&c["args"]);
    assert_eq!(args.first().map(String::as_str), Some("run"));
    assert_eq!(
        after(&args, "--shard"),
        format!("$(JOB_COMPLETION_INDEX)/{n}")
    );
    assert_eq!(
        after(&args, "--report-dir"),
        "/reports/shard-$(JOB_COMPLETION_INDEX)"
    );
    // The $(...) reference expands from the container's env: the index must be declared there.
    let env = c["env"].as_array().expect("env[]");
    let index = env
        .iter()
        .find(|e| e["name"] == "JOB_COMPLETION_INDEX")
        .expect("JOB_COMPLETION_INDEX in env");
    assert_eq!(
        index["valueFrom"]["fieldRef"]["fieldPath"],
        "metadata.annotations['batch.kubernetes.io/job-completion-index']"
    );
    let scenario = &args[1];
    let mounts = c["volumeMounts"].as_array().expect("volumeMounts[]");
    let mounted = |path: &str| {
        mounts
            .iter()
            .any(|m| path.starts_with(m["mountPath"].as_str().unwrap_or("?")))
    };
    assert!(
        mounted(scenario) && mounted("/reports/shard-0"),
        "{mounts:?}"
    );
    let cm = manifest("configmap.yaml");
    let file = scenario.rsplit('/').next().unwrap_or("");
    assert!(cm["data"][file].is_string(), "the ConfigMap holds {file}");
    let parsed = obsgate::scenario::parse_scenario(
        cm["data"][file].as_str().unwrap_or(""),
        std::path::Path::new("scenario.yaml"),
    );
    assert!(
        parsed.is_ok(),
        "the shipped scenario is valid: {:?}",
        parsed.err()
    );

    let merge = manifest("merge-job.yaml");
    let mc = &merge["spec"]["template"]["spec"];
    let margs = strings(&mc["containers"][0]["args"]);
    assert_eq!(&margs[..2], ["report", "merge"]);
    let dirs: Vec<String> = (0..n).map(|i| format!("/reports/shard-{i}")).collect();
    let given: Vec<&String> = margs
        .iter()
        .filter(|a| a.starts_with("/reports/shard-"))
        .collect();
    assert_eq!(
        given,
        dirs.iter().collect::<Vec<_>>(),
        "the merge reads every shard"
    );
    let wait = strings(&mc["initContainers"][0]["args"]).join("\n");
    assert!(
        wait.contains(&dirs.join(" ")),
        "the merge waits for every shard: {wait}"
    );
    let claim = |pod: &Value| pod["volumes"][1]["persistentVolumeClaim"]["claimName"].clone();
    let merge_claim = mc["volumes"][0]["persistentVolumeClaim"]["claimName"].clone();
    assert_eq!(claim(pod), merge_claim, "one shared volume");
    assert_eq!(
        manifest("reports-pvc.yaml")["metadata"]["name"],
        merge_claim
    );
}
