//! The one error type. Its variant decides the HTTP status and the stable public code; messages
//! are catalog keys rendered at the edge in the caller's language (web/error.rs). Internal details
//! are logged, never sent.

use std::collections::BTreeMap;

/// Field name -> catalog key of the reason, e.g. `{"name": "error.required"}`.
pub type FieldErrors = BTreeMap<String, String>;

/// Stable codes that clients can match on; `snake_case` on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Code {
    Validation,
    Unauthenticated,
    BadCredentials,
    AccountDisabled,
    Csrf,
    Forbidden,
    MustChangePassword,
    NotFound,
    Conflict,
    Duplicate,
    Stale,
    /// A record still referred to (a unit with people, a position someone holds).
    InUse,
    /// A reader printed all the copies a document allows them.
    PrintLimit,
    TooLarge,
    Throttled,
    Locked,
    Unavailable,
    Internal,
}

impl Code {
    pub fn as_str(self) -> &'static str {
        match self {
            Code::Validation => "validation",
            Code::Unauthenticated => "unauthenticated",
            Code::BadCredentials => "bad_credentials",
            Code::AccountDisabled => "account_disabled",
            Code::Csrf => "csrf",
            Code::Forbidden => "forbidden",
            Code::MustChangePassword => "must_change_password",
            Code::NotFound => "not_found",
            Code::Conflict => "conflict",
            Code::Duplicate => "duplicate",
            Code::Stale => "stale",
            Code::InUse => "in_use",
            Code::PrintLimit => "print_limit",
            Code::TooLarge => "too_large",
            Code::Throttled => "throttled",
            Code::Locked => "locked",
            Code::Unavailable => "unavailable",
            Code::Internal => "internal",
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// 400: input refused, field by field.
    #[error("validation failed: {0:?}")]
    Validation(FieldErrors),
    /// 400: the request as a whole is malformed (not JSON, wrong shape).
    #[error("bad request: {0}")]
    BadRequest(String),
    /// 401: nobody is signed in.
    #[error("not signed in")]
    Unauthenticated,
    /// 401: a sign-in with a wrong login or password (never says which).
    #[error("bad credentials")]
    BadCredentials,
    /// 403: the caller can see the thing but may not do this.
    #[error("forbidden: {0:?}")]
    Forbidden(Code),
    /// 404: absent, or present but invisible to the caller.
    #[error("not found")]
    NotFound,
    /// 409: duplicate, stale update, double booking.
    #[error("conflict: {0:?}")]
    Conflict(Code),
    /// 413
    #[error("too large")]
    TooLarge,
    /// 429
    #[error("throttled ({code:?}), retry after {retry_after_s}s")]
    Throttled { code: Code, retry_after_s: u64 },
    /// 503: the store or the index is not usable right now.
    #[error("unavailable: {0}")]
    Unavailable(String),
    /// 500: a bug or an I/O failure. Logged with its detail; the client sees only the code.
    #[error("internal: {0:#}")]
    Internal(#[from] anyhow::Error),
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    pub fn field(name: &str, key: &str) -> Error {
        let mut f = FieldErrors::new();
        f.insert(name.to_string(), key.to_string());
        Error::Validation(f)
    }

    pub fn internal(msg: impl std::fmt::Display) -> Error {
        Error::Internal(anyhow::anyhow!("{msg}"))
    }

    pub fn status(&self) -> u16 {
        match self {
            Error::Validation(_) | Error::BadRequest(_) => 400,
            Error::Unauthenticated | Error::BadCredentials => 401,
            Error::Forbidden(_) => 403,
            Error::NotFound => 404,
            Error::Conflict(_) => 409,
            Error::TooLarge => 413,
            Error::Throttled { .. } => 429,
            Error::Unavailable(_) => 503,
            Error::Internal(_) => 500,
        }
    }

    pub fn code(&self) -> Code {
        match self {
            Error::Validation(_) | Error::BadRequest(_) => Code::Validation,
            Error::Unauthenticated => Code::Unauthenticated,
            Error::BadCredentials => Code::BadCredentials,
            Error::Forbidden(c) | Error::Conflict(c) => *c,
            Error::NotFound => Code::NotFound,
            Error::TooLarge => Code::TooLarge,
            Error::Throttled { code, .. } => *code,
            Error::Unavailable(_) => Code::Unavailable,
            Error::Internal(_) => Code::Internal,
        }
    }

    /// The catalog key of the message shown to people.
    pub fn message_key(&self) -> String {
        format!("error.{}", self.code().as_str())
    }
}

macro_rules! internal_from {
    ($($t:ty),* $(,)?) => {$(
        impl From<$t> for Error {
            fn from(e: $t) -> Self { Error::Internal(anyhow::Error::new(e)) }
        }
    )*};
}

internal_from!(
    redb::Error,
    redb::DatabaseError,
    redb::TransactionError,
    redb::TableError,
    redb::StorageError,
    redb::CommitError,
    tantivy::TantivyError,
    std::io::Error,
);
