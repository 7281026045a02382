//! `obsgate run`.

use crate::cli::RunArgs;
use crate::exit::{AppError, AppResult};

/// Entry point of `obsgate run`.
pub async fn run(_args: RunArgs) -> AppResult {
    Err(AppError::usage("`obsgate run` is not built yet"))
}
