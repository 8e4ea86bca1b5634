//! A bare HTTP/1.1 load generator connection: one keep-alive TCP connection, requests in sequence,
//! nothing but hyper between the benchmark and the socket.

use bytes::Bytes;
use http::{Method, Request, StatusCode};
use http_body_util::{BodyExt, Full};
use hyper::client::conn::http1::SendRequest;
use hyper_util::rt::TokioIo;
use tokio::net::TcpStream;

/// One keep-alive connection to `authority` (`host:port`).
pub struct Connection {
    sender: SendRequest<Full<Bytes>>,
    authority: String,
}

/// A finished response: status and whole body.
pub struct Response {
    pub status: StatusCode,
    pub body: Bytes,
}

impl Connection {
    /// Opens the TCP connection and performs the HTTP/1.1 handshake.
    pub async fn open(authority: &str) -> anyhow::Result<Connection> {
        let stream = TcpStream::connect(authority).await?;
        stream.set_nodelay(true)?;
        let (sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream)).await?;
        tokio::spawn(conn);
        Ok(Connection {
            sender,
            authority: authority.to_owned(),
        })
    }

    /// Sends one request and reads the whole response body.
    pub async fn send(
        &mut self,
        method: Method,
        path_and_query: &str,
        headers: &[(&str, &str)],
        body: Bytes,
    ) -> anyhow::Result<Response> {
        let mut builder = Request::builder()
            .method(method)
            .uri(path_and_query)
            .header(http::header::HOST, &self.authority);
        for (name, value) in headers {
            builder = builder.header(*name, *value);
        }
        if !body.is_empty() {
            builder = builder.header(http::header::CONTENT_TYPE, "application/json");
        }
        self.sender.ready().await?;
        let response = self
            .sender
            .send_request(builder.body(Full::new(body))?)
            .await?;
        let status = response.status();
        let body = response.into_body().collect().await?.to_bytes();
        Ok(Response { status, body })
    }
}
