//! Open-model load: pure schedule, executor, HDR stats (mergeable), progress.
