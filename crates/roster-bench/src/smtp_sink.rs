//! The send scenario's relay: a minimal SMTP server on 127.0.0.1 that accepts everything,
//! counts the messages and keeps only the first one (the baseline re-sends it), so that the
//! sink costs as little as possible of the machine the sender shares with it.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::tcp::OwnedReadHalf;
use tokio::net::{TcpListener, TcpStream};

#[derive(Default)]
struct Counts {
    messages: AtomicUsize,
    connections: AtomicUsize,
    /// The first message accepted, dot-unstuffed, as the client sent it after DATA.
    first: OnceLock<Vec<u8>>,
}

/// The running sink; it stops accepting when dropped.
pub struct SmtpSink {
    address: SocketAddr,
    counts: Arc<Counts>,
    task: tokio::task::JoinHandle<()>,
}

impl SmtpSink {
    pub async fn start() -> anyhow::Result<SmtpSink> {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let address = listener.local_addr()?;
        let counts = Arc::new(Counts::default());
        let accepting = counts.clone();
        let task = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                accepting.connections.fetch_add(1, Ordering::Relaxed);
                tokio::spawn(session(stream, accepting.clone()));
            }
        });
        Ok(SmtpSink {
            address,
            counts,
            task,
        })
    }

    /// The relay URL for `--smtp-url` (clear text: the sink offers no STARTTLS).
    pub fn url(&self) -> String {
        format!("smtp://{}?tls=none", self.address)
    }

    /// Messages accepted so far.
    pub fn messages(&self) -> usize {
        self.counts.messages.load(Ordering::Relaxed)
    }

    /// TCP connections accepted so far.
    pub fn connections(&self) -> usize {
        self.counts.connections.load(Ordering::Relaxed)
    }

    /// The first message the sink accepted, if any.
    pub fn first_message(&self) -> Option<Vec<u8>> {
        self.counts.first.get().cloned()
    }
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// One SMTP session; an I/O error (the client went away) ends it.
async fn session(stream: TcpStream, counts: Arc<Counts>) {
    let _ = serve(stream, &counts).await;
}

async fn serve(stream: TcpStream, counts: &Counts) -> std::io::Result<()> {
    stream.set_nodelay(true)?;
    let (read, mut write) = stream.into_split();
    let mut reader = BufReader::with_capacity(64 * 1024, read);
    write.write_all(b"220 roster-bench-sink ESMTP\r\n").await?;
    let mut line = Vec::with_capacity(1024);
    loop {
        line.clear();
        if read_line(&mut reader, &mut line).await? == 0 {
            return Ok(());
        }
        let verb = line.get(..4).unwrap_or(&line[..]).to_ascii_uppercase();
        let reply: &[u8] = match &verb[..] {
            b"EHLO" => b"250-roster-bench-sink\r\n250 8BITMIME\r\n",
            b"HELO" => b"250 roster-bench-sink\r\n",
            b"MAIL" | b"RCPT" | b"RSET" | b"NOOP" => b"250 2.0.0 Ok\r\n",
            b"DATA" => {
                write
                    .write_all(b"354 End data with <CR><LF>.<CR><LF>\r\n")
                    .await?;
                let keep = counts.first.get().is_none();
                let Some(data) = read_data(&mut reader, keep).await? else {
                    return Ok(());
                };
                counts.messages.fetch_add(1, Ordering::Relaxed);
                if keep {
                    let _ = counts.first.set(data);
                }
                b"250 2.0.0 Ok: queued\r\n"
            }
            b"QUIT" => {
                write.write_all(b"221 2.0.0 Bye\r\n").await?;
                return Ok(());
            }
            _ => b"502 5.5.2 Error: command not recognized\r\n",
        };
        write.write_all(reply).await?;
    }
}

/// Reads one line (up to LF), then acknowledges at once what arrived when nothing more is
/// buffered. lettre 0.11.23 writes the final `.` of a message in a write of its own on a socket
/// with Nagle's algorithm on, which holds it until the body is acknowledged: against a delayed
/// ACK, 40 ms every message (lettre pull request #1159; crates/roster-tests/src/smtp_sink.rs
/// does the same). The baseline goes through the same client, so neither side is favoured.
async fn read_line(
    reader: &mut BufReader<OwnedReadHalf>,
    line: &mut Vec<u8>,
) -> std::io::Result<usize> {
    let read = reader.read_until(b'\n', line).await?;
    if reader.buffer().is_empty() {
        let _ = reader.get_ref().as_ref().set_quickack(true);
    }
    Ok(read)
}

/// Reads DATA up to the lone dot, keeping the message (dot-unstuffed) only when `keep`; None
/// when the client went away first.
async fn read_data(
    reader: &mut BufReader<OwnedReadHalf>,
    keep: bool,
) -> std::io::Result<Option<Vec<u8>>> {
    let mut data = Vec::new();
    let mut line = Vec::with_capacity(1024);
    loop {
        line.clear();
        if read_line(reader, &mut line).await? == 0 {
            return Ok(None);
        }
        if line == b".\r\n" || line == b".\n" {
            return Ok(Some(data));
        }
        if keep {
            // Dot-stuffing: the client doubled a leading dot.
            let content = if line.starts_with(b"..") {
                &line[1..]
            } else {
                &line[..]
            };
            data.extend_from_slice(content);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::AsyncReadExt;

    #[tokio::test]
    async fn accepts_counts_and_keeps_the_first_message() {
        let sink = SmtpSink::start().await.unwrap();
        let address = sink.url();
        let address = address
            .trim_start_matches("smtp://")
            .trim_end_matches("?tls=none");
        let mut stream = TcpStream::connect(address).await.unwrap();
        let dialogue = b"EHLO me\r\nMAIL FROM:<a@b.example>\r\nRCPT TO:<c@d.example>\r\nDATA\r\n\
                         Subject: one\r\n\r\n..dotted\r\n.\r\n\
                         MAIL FROM:<a@b.example>\r\nRCPT TO:<e@d.example>\r\nDATA\r\n\
                         Subject: two\r\n\r\nbody\r\n.\r\nQUIT\r\n";
        stream.write_all(dialogue).await.unwrap();
        let mut replies = String::new();
        stream.read_to_string(&mut replies).await.unwrap();
        assert!(replies.ends_with("221 2.0.0 Bye\r\n"), "{replies}");
        assert_eq!(replies.matches("Ok: queued").count(), 2, "{replies}");
        assert_eq!(sink.messages(), 2);
        assert_eq!(sink.connections(), 1);
        assert_eq!(
            sink.first_message().unwrap(),
            b"Subject: one\r\n\r\n.dotted\r\n".to_vec()
        );
    }
}
