//! A real SMTP server for tests, on 127.0.0.1 and an ephemeral port: it speaks the dialogue
//! (EHLO/HELO, MAIL FROM, RCPT TO, DATA with dot-unstuffing, RSET, NOOP, QUIT) over TCP, keeps
//! every message it accepts with its envelope and arrival time, counts connections, and answers
//! as its script says, so tests can assert on what a relay received (and when, and over how
//! many connections), and on how the mailer handles 451 and 550 replies.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};

/// How the sink answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SinkScript {
    /// 250 to everything.
    Accept,
    /// `451 4.3.0` at the end of DATA for the first N transactions, then 250.
    TempFailFirst(usize),
    /// `550 5.1.1` to every RCPT TO.
    RejectRecipients,
    /// Accepts N messages; each later message is kept when its final dot arrives but never
    /// answered: a relay that took the message while its 250 was lost (the client crashed).
    HoldAfter(usize),
}

/// One message the sink received.
#[derive(Debug, Clone)]
pub struct Received {
    pub mail_from: String,
    pub rcpt_to: Vec<String>,
    /// The message as sent after DATA (dot-unstuffed, CRLF line ends).
    pub data: Vec<u8>,
    /// When its final dot arrived.
    pub at: Instant,
}

impl Received {
    pub fn parsed(&self) -> mail_parser::Message<'_> {
        mail_parser::MessageParser::default()
            .parse(&self.data)
            .expect("the sink received a parsable RFC 5322 message")
    }

    /// The first header of that name, unfolded, as written.
    pub fn header(&self, name: &str) -> Option<String> {
        let text = String::from_utf8_lossy(&self.data);
        let head = text.split("\r\n\r\n").next().unwrap_or("");
        let unfolded = head.replace("\r\n ", " ").replace("\r\n\t", " ");
        unfolded.split("\r\n").find_map(|line| {
            let (field, value) = line.split_once(':')?;
            field
                .eq_ignore_ascii_case(name)
                .then(|| value.trim().to_string())
        })
    }

    pub fn message_id(&self) -> String {
        self.header("Message-ID").expect("a Message-ID header")
    }
}

#[derive(Default)]
struct Log {
    received: Vec<Received>,
    /// DATA transactions completed (answered or held), whatever the answer.
    transactions: usize,
    /// TCP connections accepted.
    connections: usize,
}

struct Shared {
    script: Mutex<SinkScript>,
    log: Mutex<Log>,
}

/// The running sink; it stops when dropped.
pub struct SmtpSink {
    address: SocketAddr,
    shared: Arc<Shared>,
    task: tokio::task::JoinHandle<()>,
}

impl SmtpSink {
    pub async fn start(script: SinkScript) -> SmtpSink {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("the sink binds");
        let address = listener.local_addr().expect("a bound address");
        let shared = Arc::new(Shared {
            script: Mutex::new(script),
            log: Mutex::new(Log::default()),
        });
        let accepting = shared.clone();
        let task = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                accepting.log.lock().expect("the sink lock").connections += 1;
                tokio::spawn(session(stream, accepting.clone()));
            }
        });
        SmtpSink {
            address,
            shared,
            task,
        }
    }

    /// The relay URL for `--smtp-url` (clear text: the sink offers no STARTTLS).
    pub fn url(&self) -> String {
        format!("smtp://{}?tls=none", self.address)
    }

    pub fn set_script(&self, script: SinkScript) {
        *self.shared.script.lock().expect("the sink lock") = script;
    }

    /// The messages received so far, in arrival order.
    pub fn received(&self) -> Vec<Received> {
        self.shared
            .log
            .lock()
            .expect("the sink lock")
            .received
            .clone()
    }

    /// DATA transactions so far, accepted or not.
    pub fn transactions(&self) -> usize {
        self.shared.log.lock().expect("the sink lock").transactions
    }

    /// TCP connections accepted so far (a pooling client opens few).
    pub fn connections(&self) -> usize {
        self.shared.log.lock().expect("the sink lock").connections
    }

    /// Waits until at least `count` messages arrived; panics after `timeout`.
    pub async fn wait_for(&self, count: usize, timeout: Duration) -> Vec<Received> {
        let deadline = Instant::now() + timeout;
        loop {
            let received = self.received();
            if received.len() >= count {
                return received;
            }
            assert!(
                Instant::now() < deadline,
                "the sink received {} of {count} messages in {timeout:?}",
                received.len()
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        self.task.abort();
    }
}

fn angle_address(argument: &str) -> String {
    let argument = argument.trim();
    let inner = argument
        .split_once('<')
        .and_then(|(_, rest)| rest.split_once('>'))
        .map_or(argument, |(address, _)| address);
    inner.to_string()
}

/// One SMTP session. Errors (the client went away) just end it.
async fn session(stream: TcpStream, shared: Arc<Shared>) {
    let (read, mut write) = stream.into_split();
    let mut reader = BufReader::new(read);
    if write
        .write_all(b"220 roster-test-sink ESMTP\r\n")
        .await
        .is_err()
    {
        return;
    }
    let mut mail_from: Option<String> = None;
    let mut rcpt_to: Vec<String> = Vec::new();
    let mut line = String::new();
    loop {
        line.clear();
        match reader.read_line(&mut line).await {
            Ok(0) | Err(_) => return,
            Ok(_) => {}
        }
        let command = line.trim_end_matches(['\r', '\n']);
        let verb = command
            .split_whitespace()
            .next()
            .unwrap_or("")
            .to_ascii_uppercase();
        let reply: &[u8] = match verb.as_str() {
            "EHLO" => b"250-roster-test-sink\r\n250 8BITMIME\r\n",
            "HELO" => b"250 roster-test-sink\r\n",
            "MAIL" => {
                mail_from = Some(angle_address(&command[4..]));
                rcpt_to.clear();
                b"250 2.1.0 Ok\r\n"
            }
            "RCPT" => {
                if *shared.script.lock().expect("the sink lock") == SinkScript::RejectRecipients {
                    b"550 5.1.1 Recipient address rejected: no such user\r\n"
                } else {
                    rcpt_to.push(angle_address(&command[4..]));
                    b"250 2.1.5 Ok\r\n"
                }
            }
            "DATA" if mail_from.is_none() || rcpt_to.is_empty() => {
                b"503 5.5.1 Error: need MAIL and RCPT first\r\n"
            }
            "DATA" => {
                if write
                    .write_all(b"354 End data with <CR><LF>.<CR><LF>\r\n")
                    .await
                    .is_err()
                {
                    return;
                }
                let Some(data) = read_data(&mut reader).await else {
                    return;
                };
                let received = Received {
                    mail_from: mail_from.take().unwrap_or_default(),
                    rcpt_to: std::mem::take(&mut rcpt_to),
                    data,
                    at: Instant::now(),
                };
                match decide(&shared, received) {
                    Decision::Reply(reply) => reply,
                    Decision::Hold => {
                        // Never answer; wait for the client to go away.
                        let mut sink = Vec::new();
                        let _ = reader.read_to_end(&mut sink).await;
                        return;
                    }
                }
            }
            "RSET" => {
                mail_from = None;
                rcpt_to.clear();
                b"250 2.0.0 Ok\r\n"
            }
            "NOOP" => b"250 2.0.0 Ok\r\n",
            "QUIT" => {
                let _ = write.write_all(b"221 2.0.0 Bye\r\n").await;
                return;
            }
            _ => b"502 5.5.2 Error: command not recognized\r\n",
        };
        if write.write_all(reply).await.is_err() {
            return;
        }
    }
}

enum Decision {
    Reply(&'static [u8]),
    Hold,
}

/// Applies the script to a complete transaction, recording what the sink keeps.
fn decide(shared: &Shared, received: Received) -> Decision {
    let script = *shared.script.lock().expect("the sink lock");
    let mut log = shared.log.lock().expect("the sink lock");
    let transaction = log.transactions;
    log.transactions += 1;
    match script {
        SinkScript::TempFailFirst(n) if transaction < n => {
            Decision::Reply(b"451 4.3.0 Temporary failure, try again later\r\n")
        }
        SinkScript::HoldAfter(n) if log.received.len() >= n => {
            log.received.push(received);
            Decision::Hold
        }
        _ => {
            log.received.push(received);
            Decision::Reply(b"250 2.0.0 Ok: queued\r\n")
        }
    }
}

/// Reads DATA up to the lone dot; None when the client went away first.
async fn read_data(reader: &mut BufReader<tokio::net::tcp::OwnedReadHalf>) -> Option<Vec<u8>> {
    let mut data = Vec::new();
    let mut line = Vec::new();
    loop {
        line.clear();
        let read = reader.read_until(b'\n', &mut line).await.ok()?;
        if read == 0 {
            return None;
        }
        // Acknowledge what arrived at once instead of delaying the ACK. lettre 0.11.23 writes
        // the final `.` in a write of its own on a socket with Nagle's algorithm on, which holds
        // it until the body is acknowledged: against a delayed ACK, 40 ms every message (lettre
        // pull request #1159, not yet released). Quick ACKs keep the tests' sends fast; the
        // benchmark's baseline goes through the same client, so its ratio is unaffected.
        if reader.buffer().is_empty() {
            let _ = reader.get_ref().as_ref().set_quickack(true);
        }
        if line == b".\r\n" || line == b".\n" {
            return Some(data);
        }
        // Dot-stuffing: a leading dot was doubled by the client.
        let content = if line.starts_with(b"..") {
            &line[1..]
        } else {
            &line[..]
        };
        data.extend_from_slice(content);
    }
}
