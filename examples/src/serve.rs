//! Serving a router over HTTP/1 with the limits `axum::serve` lacks: a deadline for a
//! request's header, and a graceful shutdown that stops waiting after a deadline.
//!
//! `axum::serve` waits for a header for ever, so a connection that sends half of one
//! holds a socket and a task indefinitely, and its graceful shutdown waits for every
//! connection, so one sender trickling a body keeps a stopping server up. Here hyper's
//! own `header_read_timeout` closes the first kind, and shutdown drains for at most
//! `shutdown_grace` before closing whatever is still open. (The intake's own
//! `body_read_timeout` bounds a trickled body while the server runs.)

use std::future::Future;
use std::time::Duration;

use axum::Router;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use serde::Deserialize;
use tokio::net::TcpListener;
use tokio::task::JoinSet;

/// The HTTP server's limits (`[http]` in the server's configuration file).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ServeOptions {
    /// Milliseconds a client has to send a request's whole header (start line and
    /// headers) before its connection is closed. Default 10,000.
    pub header_read_timeout_ms: u64,
    /// Milliseconds a stopping server waits for requests in progress before it closes
    /// the connections still open. Default 30,000.
    pub shutdown_grace_ms: u64,
}

impl Default for ServeOptions {
    fn default() -> Self {
        Self {
            header_read_timeout_ms: 10_000,
            shutdown_grace_ms: 30_000,
        }
    }
}

impl ServeOptions {
    fn header_read_timeout(&self) -> Duration {
        Duration::from_millis(self.header_read_timeout_ms)
    }

    fn shutdown_grace(&self) -> Duration {
        Duration::from_millis(self.shutdown_grace_ms)
    }
}

/// Serve `app` on `listener` until `shutdown` completes, then drain: stop accepting,
/// let requests in progress finish (idle connections close at once), and after
/// `shutdown_grace` close every connection still open. Returns when all are closed.
pub async fn serve(
    listener: TcpListener,
    app: Router,
    options: ServeOptions,
    shutdown: impl Future<Output = ()>,
) {
    let mut http = http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(options.header_read_timeout());
    let graceful = GracefulShutdown::new();
    // Owning the connection tasks is what lets the deadline end them: dropping the set
    // aborts every task still running.
    let mut connections = JoinSet::new();
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        tokio::select! {
            () = &mut shutdown => break,
            accepted = listener.accept() => match accepted {
                Ok((stream, _peer)) => {
                    let service = TowerToHyperService::new(app.clone());
                    let connection = http.serve_connection(TokioIo::new(stream), service);
                    let connection = graceful.watch(connection);
                    connections.spawn(async move {
                        if let Err(error) = connection.await {
                            // Timeouts and resets: the peer's doing, and common.
                            tracing::debug!(%error, "connection closed with an error");
                        }
                    });
                }
                Err(error) => {
                    // Out of file descriptors, usually: back off instead of spinning.
                    tracing::warn!(%error, "accepting a connection failed");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
            },
            // Reap finished connections so the set stays the size of what is open.
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
        }
    }
    drop(listener);
    let open = connections.len();
    if tokio::time::timeout(options.shutdown_grace(), graceful.shutdown())
        .await
        .is_err()
    {
        tracing::warn!(
            open,
            grace_ms = options.shutdown_grace_ms,
            "shutdown: closing connections still open after the grace period"
        );
    }
    connections.shutdown().await;
}

#[cfg(test)]
mod tests {
    use std::time::Instant;

    use axum::routing::post;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    use tokio::net::TcpStream;
    use tokio::sync::oneshot;

    use super::*;

    /// A router whose one route reads the whole body, however slowly it comes.
    fn app() -> Router {
        Router::new().route(
            "/webhooks/lever",
            post(|body: String| async move { body.len().to_string() }),
        )
    }

    async fn start(
        options: ServeOptions,
    ) -> (
        std::net::SocketAddr,
        oneshot::Sender<()>,
        tokio::task::JoinHandle<()>,
    ) {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (stop, stopped) = oneshot::channel::<()>();
        let server = tokio::spawn(serve(listener, app(), options, async {
            let _ = stopped.await;
        }));
        (addr, stop, server)
    }

    #[tokio::test]
    async fn a_connection_sending_half_a_header_is_closed_within_the_timeout() {
        let options = ServeOptions {
            header_read_timeout_ms: 200,
            shutdown_grace_ms: 1_000,
        };
        let (addr, _stop, _server) = start(options).await;
        let mut slow = TcpStream::connect(addr).await.unwrap();
        slow.write_all(b"POST /webhooks/lever HTTP/1.1\r\nHost: x\r\n")
            .await
            .unwrap();
        let started = Instant::now();
        let mut rest = Vec::new();
        // The server closes the connection (hyper may first answer 408): reading
        // reaches the end instead of waiting for ever.
        let read = tokio::time::timeout(Duration::from_secs(5), slow.read_to_end(&mut rest)).await;
        assert!(read.is_ok(), "the connection is still open after 5 s");
        let waited = started.elapsed();
        assert!(
            waited >= Duration::from_millis(150) && waited < Duration::from_secs(2),
            "closed after {waited:?}"
        );

        // A whole request on a fresh connection is still served.
        let mut ok = TcpStream::connect(addr).await.unwrap();
        ok.write_all(
            b"POST /webhooks/lever HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nConnection: close\r\n\r\nhi",
        )
        .await
        .unwrap();
        let mut answer = String::new();
        ok.read_to_string(&mut answer).await.unwrap();
        assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    }

    #[tokio::test]
    async fn shutdown_ends_within_the_grace_period_while_a_sender_trickles() {
        let options = ServeOptions {
            header_read_timeout_ms: 5_000,
            shutdown_grace_ms: 300,
        };
        let (addr, stop, server) = start(options).await;
        // A request whose header is complete and whose body never ends.
        let mut slow = TcpStream::connect(addr).await.unwrap();
        slow.write_all(
            b"POST /webhooks/lever HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\nx",
        )
        .await
        .unwrap();
        // Let the server read the header and start the handler.
        tokio::time::sleep(Duration::from_millis(100)).await;
        let started = Instant::now();
        stop.send(()).unwrap();
        tokio::time::timeout(Duration::from_secs(5), server)
            .await
            .expect("the server stops despite the slow sender")
            .unwrap();
        let waited = started.elapsed();
        assert!(
            waited >= Duration::from_millis(250) && waited < Duration::from_secs(2),
            "stopped after {waited:?}: it waits for the request, up to the grace period"
        );
        // The slow sender's connection was closed.
        let mut rest = Vec::new();
        let closed =
            tokio::time::timeout(Duration::from_secs(1), slow.read_to_end(&mut rest)).await;
        assert!(closed.is_ok(), "the slow connection is closed");
    }
}
