//! The request body size limit: bodies are read into memory up to [`MAX_BODY_BYTES`], checked both
//! from `Content-Length` and while streaming (chunked or HTTP/2 bodies without a length).

use bytes::{Bytes, BytesMut};
use http::header::{CONTENT_LENGTH, EXPECT};
use http::HeaderMap;
use http_body_util::BodyExt;

use crate::error::ApiError;

/// The largest accepted request body: 1 MiB.
pub const MAX_BODY_BYTES: usize = 1024 * 1024;

/// How much of an oversized body is still read and discarded before answering 413. Reading it lets
/// the client finish sending and see the 413; closing a socket with unread data would reset the
/// connection and the client could lose the answer. Beyond this the connection is simply closed.
const DRAIN_LIMIT_BYTES: u64 = 16 * 1024 * 1024;

/// Why a body could not be read.
#[derive(Debug)]
pub(crate) enum BodyError {
    /// Over [`MAX_BODY_BYTES`]: answer 413.
    TooLarge,
    /// The client went away or sent a malformed body.
    Transport(String),
}

impl BodyError {
    pub fn too_large_response() -> ApiError {
        ApiError::payload_too_large(format!(
            "The request body exceeds the limit of {MAX_BODY_BYTES} bytes (1 MiB)."
        ))
    }
}

/// Reads the whole body, or fails with [`BodyError::TooLarge`] as soon as it is known to exceed the limit.
pub(crate) async fn read_limited<B>(headers: &HeaderMap, mut body: B) -> Result<Bytes, BodyError>
where
    B: hyper::body::Body<Data = Bytes> + Unpin,
    B::Error: std::fmt::Display,
{
    let declared = headers
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    if let Some(len) = declared {
        if len > MAX_BODY_BYTES as u64 {
            // A client waiting for `100 Continue` has not sent the body yet: answering now saves it
            // the upload, and reading would make the server send the `100 Continue`.
            if !expects_continue(headers) && len <= DRAIN_LIMIT_BYTES {
                drain(&mut body, 0).await;
            }
            return Err(BodyError::TooLarge);
        }
    }
    let mut buf = BytesMut::with_capacity(declared.unwrap_or(0) as usize);
    while let Some(frame) = body.frame().await {
        let frame = frame.map_err(|e| BodyError::Transport(e.to_string()))?;
        if let Ok(data) = frame.into_data() {
            if buf.len() + data.len() > MAX_BODY_BYTES {
                let seen = (buf.len() + data.len()) as u64;
                drain(&mut body, seen).await;
                return Err(BodyError::TooLarge);
            }
            buf.extend_from_slice(&data);
        }
    }
    Ok(buf.freeze())
}

fn expects_continue(headers: &HeaderMap) -> bool {
    headers
        .get(EXPECT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.eq_ignore_ascii_case("100-continue"))
}

/// Reads and discards the rest of the body, up to [`DRAIN_LIMIT_BYTES`] in total.
async fn drain<B>(body: &mut B, mut seen: u64)
where
    B: hyper::body::Body<Data = Bytes> + Unpin,
{
    while seen <= DRAIN_LIMIT_BYTES {
        match body.frame().await {
            Some(Ok(frame)) => {
                if let Some(data) = frame.data_ref() {
                    seen += data.len() as u64;
                }
            }
            _ => return,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use http_body_util::Full;

    fn run<F: std::future::Future>(f: F) -> F::Output {
        tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap()
            .block_on(f)
    }

    #[test]
    fn accepts_up_to_the_limit() {
        let body = Full::new(Bytes::from(vec![b'a'; MAX_BODY_BYTES]));
        let got = run(read_limited(&HeaderMap::new(), body)).unwrap();
        assert_eq!(got.len(), MAX_BODY_BYTES);
    }

    #[test]
    fn rejects_a_declared_oversize_length() {
        let mut headers = HeaderMap::new();
        headers.insert(CONTENT_LENGTH, (MAX_BODY_BYTES + 1).into());
        let body = Full::new(Bytes::from_static(b"short"));
        assert!(matches!(
            run(read_limited(&headers, body)),
            Err(BodyError::TooLarge)
        ));
    }

    /// A body of `left` chunks of 64 KiB with no declared length, like a chunked upload.
    struct Chunks {
        left: usize,
    }

    impl hyper::body::Body for Chunks {
        type Data = Bytes;
        type Error = std::convert::Infallible;

        fn poll_frame(
            mut self: std::pin::Pin<&mut Self>,
            _cx: &mut std::task::Context<'_>,
        ) -> std::task::Poll<Option<Result<hyper::body::Frame<Bytes>, Self::Error>>> {
            if self.left == 0 {
                return std::task::Poll::Ready(None);
            }
            self.left -= 1;
            let chunk = Bytes::from(vec![0u8; 64 * 1024]);
            std::task::Poll::Ready(Some(Ok(hyper::body::Frame::data(chunk))))
        }
    }

    #[test]
    fn streams_are_checked_as_they_arrive() {
        let ok = run(read_limited(&HeaderMap::new(), Chunks { left: 16 })).unwrap();
        assert_eq!(ok.len(), MAX_BODY_BYTES);
        let too_big = run(read_limited(&HeaderMap::new(), Chunks { left: 17 }));
        assert!(matches!(too_big, Err(BodyError::TooLarge)));
    }

    #[test]
    fn the_message_names_the_limit() {
        let err = BodyError::too_large_response();
        assert_eq!(err.status.as_u16(), 413);
        assert!(err.error.message.contains("1048576"));
    }
}
