//! The inbound SMTP listener over real TCP, with a handler that records what it is handed:
//! the dialogue, relaying refused, the size limit, the per-client rate, and a handler that
//! cannot take a message (451, never 5xx).

use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use roster_bounces::inbound::{InboundHandler, InboundMessage, TryLater};
use roster_bounces::smtp::config::ListenerConfig;
use roster_bounces::smtp::SmtpListener;
use roster_domain::bounce::InboundChannel;
use roster_mailer::BounceAddress;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

const VERP: &str = "bounces+0192f1c47b1e7c399a513f0c8e2d4b10@bounce.example.com";

#[derive(Default)]
struct Recorder {
    taken: Mutex<Vec<InboundMessage>>,
    unavailable: Mutex<bool>,
}

#[async_trait]
impl InboundHandler for Recorder {
    async fn take(&self, message: InboundMessage) -> Result<(), TryLater> {
        if *self.unavailable.lock().unwrap() {
            return Err(TryLater("the database is down".into()));
        }
        self.taken.lock().unwrap().push(message);
        Ok(())
    }
}

async fn listener(tune: impl FnOnce(&mut ListenerConfig)) -> (SmtpListener, Arc<Recorder>) {
    let mut config =
        ListenerConfig::new(BounceAddress::parse("bounces@bounce.example.com").unwrap());
    config.read_timeout = Duration::from_secs(5);
    tune(&mut config);
    let recorder = Arc::new(Recorder::default());
    let socket = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let listener = SmtpListener::start(socket, config, recorder.clone()).unwrap();
    (listener, recorder)
}

/// A client that sends one line at a time and reads the whole reply.
struct Client {
    reader: BufReader<tokio::net::tcp::OwnedReadHalf>,
    writer: tokio::net::tcp::OwnedWriteHalf,
}

impl Client {
    async fn connect(listener: &SmtpListener) -> (Client, String) {
        let stream = TcpStream::connect(listener.local_addr()).await.unwrap();
        let (read, writer) = stream.into_split();
        let mut client = Client {
            reader: BufReader::new(read),
            writer,
        };
        let greeting = client.reply().await;
        (client, greeting)
    }

    /// The next reply, all its lines.
    async fn reply(&mut self) -> String {
        let mut reply = String::new();
        loop {
            let mut line = String::new();
            let read =
                tokio::time::timeout(Duration::from_secs(5), self.reader.read_line(&mut line))
                    .await
                    .expect("a reply in time")
                    .unwrap();
            if read == 0 {
                return reply;
            }
            reply.push_str(&line);
            if line.as_bytes().get(3) != Some(&b'-') {
                return reply;
            }
        }
    }

    async fn send(&mut self, text: &str) -> String {
        self.writer.write_all(text.as_bytes()).await.unwrap();
        self.reply().await
    }
}

fn message(body_lines: usize) -> String {
    let mut message =
        format!("From: MAILER-DAEMON@relay.example.com\r\nTo: {VERP}\r\nSubject: x\r\n\r\n");
    for index in 0..body_lines {
        message.push_str(&format!("line {index:05} of the returned message\r\n"));
    }
    message
}

#[tokio::test]
async fn a_bounce_is_taken_with_its_envelope() {
    let (listener, recorder) = listener(|_| {}).await;
    let (mut client, greeting) = Client::connect(&listener).await;
    assert!(greeting.starts_with("220 bounce.example.com"), "{greeting}");
    let ehlo = client.send("EHLO relay.example.com\r\n").await;
    assert!(ehlo.contains("250-SIZE 1048576\r\n"), "{ehlo}");
    assert!(ehlo.contains("8BITMIME"), "{ehlo}");
    assert!(client
        .send("MAIL FROM:<> SIZE=200\r\n")
        .await
        .starts_with("250"));
    assert!(client
        .send(&format!("RCPT TO:<{VERP}>\r\n"))
        .await
        .starts_with("250"));
    assert!(client.send("DATA\r\n").await.starts_with("354"));
    let body = format!("{}..dot-stuffed line\r\n.\r\n", message(3));
    assert!(client.send(&body).await.starts_with("250"));
    assert!(client.send("QUIT\r\n").await.starts_with("221"));

    let taken = recorder.taken.lock().unwrap().clone();
    assert_eq!(taken.len(), 1);
    let one = &taken[0];
    assert_eq!(one.channel, InboundChannel::Smtp);
    assert_eq!(one.envelope_from.as_deref(), Some(""));
    assert_eq!(one.envelope_to, [VERP]);
    assert_eq!(one.client, Some("127.0.0.1".parse().unwrap()));
    let text = String::from_utf8(one.raw.clone()).unwrap();
    assert!(text.ends_with("\r\n.dot-stuffed line\r\n"), "{text}");
    listener.stop().await;
}

#[tokio::test]
async fn relaying_and_unknown_mailboxes_are_refused() {
    let (listener, recorder) = listener(|_| {}).await;
    let (mut client, _) = Client::connect(&listener).await;
    client.send("HELO spammer.example\r\n").await;
    assert!(client
        .send("MAIL FROM:<spam@spammer.example>\r\n")
        .await
        .starts_with("250"));
    let relay = client.send("RCPT TO:<victim@example.org>\r\n").await;
    assert!(relay.starts_with("550 5.7.1"), "{relay}");
    let unknown = client
        .send("RCPT TO:<someone@bounce.example.com>\r\n")
        .await;
    assert!(unknown.starts_with("550 5.1.1"), "{unknown}");
    let data = client.send("DATA\r\n").await;
    assert!(data.starts_with("554"), "{data}");
    assert!(recorder.taken.lock().unwrap().is_empty());
    listener.stop().await;
}

#[tokio::test]
async fn commands_out_of_order_are_refused() {
    let (listener, _) = listener(|_| {}).await;
    let (mut client, _) = Client::connect(&listener).await;
    assert!(client.send("MAIL FROM:<>\r\n").await.starts_with("503"));
    client.send("EHLO x\r\n").await;
    assert!(client
        .send(&format!("RCPT TO:<{VERP}>\r\n"))
        .await
        .starts_with("503"));
    assert!(client.send("DATA\r\n").await.starts_with("503"));
    assert!(client
        .send("MAIL FROM:bare@address\r\n")
        .await
        .starts_with("501"));
    assert!(client.send("STARTTLS\r\n").await.starts_with("502"));
    assert!(client.send("WHAT\r\n").await.starts_with("500"));
    let long = format!("NOOP {}\r\n", "x".repeat(10_000));
    assert!(client.send(&long).await.starts_with("500 5.5.2"));
    assert!(
        client.send("NOOP\r\n").await.starts_with("250"),
        "the session goes on"
    );
    listener.stop().await;
}

#[tokio::test]
async fn messages_over_the_size_limit_are_refused() {
    let (listener, recorder) = listener(|config| config.max_message_bytes = 10_000).await;
    let (mut client, _) = Client::connect(&listener).await;
    client.send("EHLO x\r\n").await;
    let declared = client.send("MAIL FROM:<> SIZE=20000\r\n").await;
    assert!(declared.starts_with("552 5.3.4"), "{declared}");
    // Undeclared, and larger than the limit once sent.
    assert!(client.send("MAIL FROM:<>\r\n").await.starts_with("250"));
    client.send(&format!("RCPT TO:<{VERP}>\r\n")).await;
    client.send("DATA\r\n").await;
    let refused = client.send(&format!("{}.\r\n", message(400))).await;
    assert!(refused.starts_with("552 5.3.4"), "{refused}");
    // The session goes on: a small one is taken.
    client.send("MAIL FROM:<>\r\n").await;
    client.send(&format!("RCPT TO:<{VERP}>\r\n")).await;
    client.send("DATA\r\n").await;
    assert!(client
        .send(&format!("{}.\r\n", message(2)))
        .await
        .starts_with("250"));
    assert_eq!(recorder.taken.lock().unwrap().len(), 1);
    listener.stop().await;
}

#[tokio::test]
async fn each_client_is_rate_limited() {
    let (listener, recorder) = listener(|config| config.messages_per_minute_per_client = 2).await;
    let (mut client, _) = Client::connect(&listener).await;
    client.send("EHLO x\r\n").await;
    for _ in 0..2 {
        assert!(client.send("MAIL FROM:<>\r\n").await.starts_with("250"));
        client.send(&format!("RCPT TO:<{VERP}>\r\n")).await;
        client.send("DATA\r\n").await;
        assert!(client
            .send(&format!("{}.\r\n", message(1)))
            .await
            .starts_with("250"));
    }
    let limited = client.send("MAIL FROM:<>\r\n").await;
    assert!(limited.starts_with("450 4.7.1"), "{limited}");
    assert_eq!(recorder.taken.lock().unwrap().len(), 2);
    listener.stop().await;
}

#[tokio::test]
async fn connections_per_client_are_limited() {
    let (listener, _) = listener(|config| config.connections_per_client = 1).await;
    let (_first, greeting) = Client::connect(&listener).await;
    assert!(greeting.starts_with("220"));
    let (_second, refused) = Client::connect(&listener).await;
    assert!(refused.starts_with("421 4.7.0"), "{refused}");
    listener.stop().await;
}

#[tokio::test]
async fn a_message_that_cannot_be_taken_now_is_deferred() {
    let (listener, recorder) = listener(|_| {}).await;
    *recorder.unavailable.lock().unwrap() = true;
    let (mut client, _) = Client::connect(&listener).await;
    client.send("EHLO x\r\n").await;
    client.send("MAIL FROM:<>\r\n").await;
    client.send(&format!("RCPT TO:<{VERP}>\r\n")).await;
    client.send("DATA\r\n").await;
    let deferred = client.send(&format!("{}.\r\n", message(1))).await;
    assert!(deferred.starts_with("451 4.3.0"), "{deferred}");
    listener.stop().await;
}

#[tokio::test]
async fn stopping_closes_idle_sessions_and_refuses_new_ones() {
    let (listener, _) = listener(|_| {}).await;
    let address = listener.local_addr();
    let (mut client, _) = Client::connect(&listener).await;
    client.send("EHLO x\r\n").await;
    tokio::time::timeout(Duration::from_secs(5), listener.stop())
        .await
        .expect("stopped at once");
    assert!(client.reply().await.starts_with("421"));
    assert!(TcpStream::connect(address).await.is_err());
}
