//! Scenario files: raw serde model, resolve/validate into a plan, rate curves.
