//! Authentication: HMAC-SHA256 request signing (identity and admin) and bearer access tokens (chat).

pub mod hmac;
pub(crate) mod token;
