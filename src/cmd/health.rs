//! `obsgate health`.

use crate::cli::HealthArgs;
use crate::exit::{AppError, AppResult};

/// Entry point of `obsgate health`.
pub async fn run(_args: HealthArgs) -> AppResult {
    Err(AppError::usage("`obsgate health` is not built yet"))
}
