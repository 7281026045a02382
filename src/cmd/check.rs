//! `obsgate check`.

use crate::cli::CheckArgs;
use crate::exit::{AppError, AppResult};

/// Entry point of `obsgate check`.
pub async fn run(_args: CheckArgs) -> AppResult {
    Err(AppError::usage("`obsgate check` is not built yet"))
}
