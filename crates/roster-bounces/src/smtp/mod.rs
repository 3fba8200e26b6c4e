//! The built-in inbound SMTP listener (`roster serve --bounce-smtp-bind ADDR`), for operators
//! who point the bounce domain's MX at Roster: it takes mail for the bounce addresses only
//! (never relays), at most `max_message_bytes` per message, within per-client limits, and
//! hands each message to the intake. It is a job engine of `roster serve`: started with the
//! server, stopped with it.

pub mod config;
pub mod limits;
pub mod session;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use tokio::io::AsyncWriteExt;
use tokio::sync::watch;
use tokio::task::JoinSet;

use crate::inbound::InboundHandler;
use config::ListenerConfig;
use limits::{ClientLimits, Refused};
use session::SessionContext;

/// How long stopping waits for sessions in progress before closing them.
const STOP_GRACE: Duration = Duration::from_secs(10);

/// A running listener.
pub struct SmtpListener {
    local_addr: SocketAddr,
    stop: watch::Sender<bool>,
    task: tokio::task::JoinHandle<()>,
}

impl SmtpListener {
    /// Starts serving on `listener` (bound by the caller, so a port-0 test listener works).
    pub fn start(
        listener: tokio::net::TcpListener,
        config: ListenerConfig,
        handler: Arc<dyn InboundHandler>,
    ) -> std::io::Result<Self> {
        let local_addr = listener.local_addr()?;
        let (stop, stopped) = watch::channel(false);
        let context = Arc::new(SessionContext {
            limits: ClientLimits::new(
                config.messages_per_minute_per_client,
                config.connections_per_client,
                config.max_connections,
            ),
            config: Arc::new(config),
            handler,
        });
        tracing::info!(address = %local_addr, domain = %context.config.bounce_address.domain(),
            "inbound SMTP listener for bounces started");
        let task = tokio::spawn(accept_loop(listener, context, stopped));
        Ok(Self {
            local_addr,
            stop,
            task,
        })
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// Stops accepting, closes the sessions waiting for a command (421), lets those receiving
    /// a message finish (for a while), and waits.
    pub async fn stop(self) {
        let _ = self.stop.send(true);
        let _ = self.task.await;
    }
}

async fn accept_loop(
    listener: tokio::net::TcpListener,
    context: Arc<SessionContext>,
    mut stopped: watch::Receiver<bool>,
) {
    let mut sessions = JoinSet::new();
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                match accepted {
                    Ok((stream, peer)) => {
                        let context = context.clone();
                        let stopping = stopped.clone();
                        sessions.spawn(serve_connection(stream, peer, context, stopping));
                    }
                    Err(error) => {
                        // Out of file descriptors and the like: wait instead of spinning.
                        tracing::warn!(error = %error, "the SMTP listener cannot accept");
                        tokio::time::sleep(Duration::from_millis(100)).await;
                    }
                }
            }
            // Reap finished sessions as they end, so the set stays small.
            Some(_) = sessions.join_next(), if !sessions.is_empty() => {}
            changed = stopped.changed() => {
                if changed.is_err() || *stopped.borrow() {
                    break;
                }
            }
        }
    }
    drop(listener);
    let finished = tokio::time::timeout(STOP_GRACE, async {
        while sessions.join_next().await.is_some() {}
    })
    .await;
    if finished.is_err() {
        sessions.abort_all();
    }
    tracing::info!("inbound SMTP listener stopped");
}

async fn serve_connection(
    mut stream: tokio::net::TcpStream,
    peer: SocketAddr,
    context: Arc<SessionContext>,
    stopping: watch::Receiver<bool>,
) {
    let client = peer.ip();
    let _slot = match context.limits.connect(client) {
        Ok(slot) => slot,
        Err(refused) => {
            let text: &[u8] = match refused {
                Refused::TooManyFromClient => {
                    b"421 4.7.0 Too many connections from your address\r\n"
                }
                Refused::TooManyInAll => b"421 4.3.2 Too busy; try again later\r\n",
            };
            let _ = stream.write_all(text).await;
            return;
        }
    };
    let _ = stream.set_nodelay(true);
    session::run(stream, client, &context, stopping).await;
}
