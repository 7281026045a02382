//! `obsgate stub`.

use crate::cli::StubArgs;
use crate::exit::{AppError, AppResult};

/// Entry point of `obsgate stub`.
pub async fn run(_args: StubArgs) -> AppResult {
    Err(AppError::usage("`obsgate stub` is not built yet"))
}
