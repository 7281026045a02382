//! `obsgate report`.

use crate::cli::ReportArgs;
use crate::exit::{AppError, AppResult};

/// Entry point of `obsgate report`.
pub async fn run(_args: ReportArgs) -> AppResult {
    Err(AppError::usage("`obsgate report` is not built yet"))
}
