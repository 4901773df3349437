//! How a call to CaseStatus fails (SPEC §4's status codes), typed so a
//! caller can tell "retry later" from "a person must fix this".

use std::time::Duration;

/// How a call to CaseStatus failed.
#[derive(Debug, Clone, thiserror::Error)]
pub enum ApiError {
    /// 401: the key is wrong or revoked.
    #[error("CaseStatus refused the API key (401 Unauthorized)")]
    Unauthorized,
    /// 403: the key is fine but the firm's plan has no API access.
    #[error("CaseStatus API access is not enabled for this account (403 Forbidden)")]
    Forbidden,
    /// 404: no such record (or, for a new case, not visible yet).
    #[error("CaseStatus: not found ({message})")]
    NotFound { message: String },
    /// 405: e.g. cases cannot be updated.
    #[error("CaseStatus: method not allowed ({message})")]
    MethodNotAllowed { message: String },
    /// 409: the record exists already; `existing_id` is its id when given.
    #[error("CaseStatus: already exists (id {existing_id:?}): {message}")]
    Conflict {
        existing_id: Option<i64>,
        message: String,
    },
    /// 422: CaseStatus refused the data (e.g. `attorney_not_found`).
    #[error("CaseStatus refused it ({code}): {message}")]
    Rejected { code: String, message: String },
    /// 429 after all retries.
    #[error("CaseStatus is rate limiting us (429); retry after {retry_after:?}")]
    RateLimited { retry_after: Option<Duration> },
    /// 5xx after all retries.
    #[error("CaseStatus server error {status}: {message}")]
    Server { status: u16, message: String },
    /// No connection, or no answer in time.
    #[error("CaseStatus at {base_url} is unreachable: {detail}")]
    Unreachable { base_url: String, detail: String },
    /// A list that spans pages changed under every reading (people at work
    /// in CaseStatus): it proves nothing absent, so nothing is created from
    /// it this cycle.
    #[error("CaseStatus's list of {what} changed while it was read; retried next cycle")]
    Inconsistent { what: String },
    /// An answer we cannot use (not JSON, wrong shape, too large, odd status).
    #[error("CaseStatus sent an answer casestatus-sync cannot use for {what}: {detail}")]
    BadResponse { what: String, detail: String },
}

impl ApiError {
    /// A whole run cannot go on: the key or plan is refused (a person must
    /// act), or CaseStatus is unreachable, rate limiting or failing after
    /// every retry (passing: the next cycle retries).
    pub fn is_run_level(&self) -> bool {
        matches!(
            self,
            ApiError::Unauthorized
                | ApiError::Forbidden
                | ApiError::Unreachable { .. }
                | ApiError::RateLimited { .. }
                | ApiError::Server { .. }
        )
    }
}
