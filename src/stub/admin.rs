//! Admin routes: the fault profile (`GET`/`PUT /admin/faults`), behind the bearer token when
//! one is configured.

use super::faults::FaultProfile;
use super::http::{ApiError, RequestCtx, body_error, json_error, ok_json, require_json};
use super::logs::{Level, LogCtx};
use super::state::StubState;
use axum::Extension;
use axum::body::Bytes;
use axum::extract::State;
use axum::extract::rejection::BytesRejection;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

fn authorize(state: &StubState, headers: &HeaderMap) -> Result<(), ApiError> {
    let Some(token) = &state.0.config.admin_token else {
        return Ok(());
    };
    let given = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "));
    // Compare without an early exit so timing does not reveal the matching prefix.
    let ok = given.is_some_and(|g| {
        g.len() == token.len()
            && g.bytes()
                .zip(token.bytes())
                .fold(0u8, |acc, (a, b)| acc | (a ^ b))
                == 0
    });
    if ok {
        Ok(())
    } else {
        Err(ApiError::new(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "admin routes need `Authorization: Bearer <token>` (the --admin-token)",
        ))
    }
}

/// `GET /admin/faults`.
pub async fn get_faults(State(state): State<StubState>, headers: HeaderMap) -> Response {
    if let Err(e) = authorize(&state, &headers) {
        return e.into_response();
    }
    let f = state.0.faults.read().clone();
    ok_json(json!(f))
}

/// `PUT /admin/faults`: replace the whole profile (absent fields take their healthy default).
pub async fn put_faults(
    State(state): State<StubState>,
    Extension(ctx): Extension<RequestCtx>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let parsed = authorize(&state, &headers)
        .and_then(|_| require_json(&headers))
        .and_then(|_| body.map_err(body_error))
        .and_then(|b| serde_json::from_slice::<FaultProfile>(&b).map_err(json_error))
        .and_then(|f| {
            let errs = f.validate();
            if errs.is_empty() {
                Ok(f)
            } else {
                Err(
                    ApiError::new(StatusCode::BAD_REQUEST, "invalid_faults", errs.join("; "))
                        .with("errors", errs),
                )
            }
        });
    let profile = match parsed {
        Ok(p) => p,
        Err(e) => return e.into_response(),
    };
    *state.0.faults.write() = profile.clone();
    super::pipeline::dispatch(&state.0);
    let lc = LogCtx {
        correlation_id: ctx.correlation_id,
        trace_id: ctx.trace_id,
        span_id: ctx.span_id,
        stage: "admin".into(),
        ..LogCtx::default()
    };
    let v: Value = json!(profile);
    state.0.logger.log(
        Level::Info,
        "fault profile changed",
        &lc,
        &[("faults", v.clone())],
    );
    ok_json(v)
}
