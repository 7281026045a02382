//! One file per subcommand. Each exposes `async fn run(args) -> AppResult`.
pub mod check;
pub mod checks;
pub mod health;
pub mod report;
pub mod run;
pub mod slo;
pub mod stub;
