//! One SMTP session of the inbound listener (RFC 5321's server side, the part a bounce
//! intake needs): HELO/EHLO, MAIL FROM (with SIZE), RCPT TO for the bounce addresses only,
//! DATA with dot-unstuffing up to the size limit, RSET, NOOP, VRFY, HELP, QUIT. No STARTTLS
//! or AUTH: it takes mail for its own addresses and relays nothing.

use std::net::IpAddr;
use std::sync::Arc;

use roster_domain::Timestamp;
use tokio::io::{AsyncBufRead, AsyncBufReadExt, AsyncWrite, AsyncWriteExt};

use crate::inbound::{InboundHandler, InboundMessage};
use crate::smtp::config::{ListenerConfig, Recipient};
use crate::smtp::limits::ClientLimits;
use roster_domain::bounce::InboundChannel;

/// The longest command line read (RFC 5321 §4.5.3.1.4 says 512 octets; some clients add long
/// parameters).
const MAX_COMMAND_LINE: usize = 4096;
/// The longest line of a message body read at once (RFC 5321 says 1,000; longer ones are
/// taken in pieces, counted against the size limit all the same).
const MAX_DATA_LINE: usize = 64 * 1024;
/// Unknown or out-of-order commands tolerated before the session is closed.
const MAX_ERRORS: u32 = 10;

/// What one session shares with the listener.
pub struct SessionContext {
    pub config: Arc<ListenerConfig>,
    pub limits: ClientLimits,
    pub handler: Arc<dyn InboundHandler>,
}

/// One line read within the bounds.
enum Line {
    /// The line, its end (CRLF or LF) included.
    Complete(Vec<u8>),
    /// Longer than the bound: the first `bound` bytes, the rest is still to be read.
    Partial(Vec<u8>),
    Closed,
}

async fn read_line<R: AsyncBufRead + Unpin>(
    reader: &mut R,
    bound: usize,
    timeout: std::time::Duration,
) -> Option<Line> {
    let mut line = Vec::new();
    loop {
        let available = match tokio::time::timeout(timeout, reader.fill_buf()).await {
            Err(_) | Ok(Err(_)) => return None,
            Ok(Ok(available)) => available,
        };
        if available.is_empty() {
            return Some(if line.is_empty() {
                Line::Closed
            } else {
                Line::Complete(line)
            });
        }
        let room = bound - line.len();
        match available.iter().take(room).position(|&b| b == b'\n') {
            Some(end) => {
                line.extend_from_slice(&available[..=end]);
                reader.consume(end + 1);
                return Some(Line::Complete(line));
            }
            None => {
                let taken = available.len().min(room);
                line.extend_from_slice(&available[..taken]);
                reader.consume(taken);
                if line.len() == bound {
                    return Some(Line::Partial(line));
                }
            }
        }
    }
}

/// The address inside `FROM:<…>` or `TO:<…>`, and the parameters after it.
fn path_argument<'a>(argument: &'a str, keyword: &str) -> Option<(&'a str, &'a str)> {
    let rest = argument.trim_start();
    if rest.len() < keyword.len() || !rest[..keyword.len()].eq_ignore_ascii_case(keyword) {
        return None;
    }
    let rest = rest[keyword.len()..].trim_start();
    let rest = rest.strip_prefix('<')?;
    let (address, parameters) = rest.split_once('>')?;
    Some((address.trim(), parameters.trim()))
}

/// The SIZE= parameter of MAIL FROM (RFC 1870), if given.
fn declared_size(parameters: &str) -> Option<u64> {
    parameters.split_whitespace().find_map(|parameter| {
        let (name, value) = parameter.split_once('=')?;
        name.eq_ignore_ascii_case("SIZE")
            .then(|| value.parse().ok())
            .flatten()
    })
}

/// What DATA read.
enum Data {
    Message(Vec<u8>),
    TooLarge,
    Closed,
}

/// Reads a message up to the lone dot, dot-unstuffed; once it passes `limit` the rest is read
/// and dropped, so the client gets its 552 at the end as RFC 5321 expects.
async fn read_data<R: AsyncBufRead + Unpin>(
    reader: &mut R,
    limit: usize,
    timeout: std::time::Duration,
) -> Data {
    let mut data = Vec::new();
    let mut too_large = false;
    let mut at_line_start = true;
    loop {
        let line = match read_line(reader, MAX_DATA_LINE, timeout).await {
            None | Some(Line::Closed) => return Data::Closed,
            Some(Line::Complete(line)) => {
                let start = at_line_start;
                at_line_start = true;
                if start && (line == b".\r\n" || line == b".\n") {
                    break;
                }
                if start && line.starts_with(b"..") {
                    line[1..].to_vec()
                } else {
                    line
                }
            }
            Some(Line::Partial(line)) => {
                let start = at_line_start;
                at_line_start = false;
                if start && line.starts_with(b"..") {
                    line[1..].to_vec()
                } else {
                    line
                }
            }
        };
        if data.len() + line.len() > limit {
            too_large = true;
            data = Vec::new();
        }
        if !too_large {
            data.extend_from_slice(&line);
        }
    }
    if too_large {
        Data::TooLarge
    } else {
        Data::Message(data)
    }
}

/// The transaction under way.
#[derive(Default)]
struct Transaction {
    from: Option<String>,
    to: Vec<String>,
}

/// Runs one session to its end (QUIT, the client gone, a timeout, too many errors, or the
/// listener stopping while the session waits for a command).
pub async fn run<S>(
    stream: S,
    client: IpAddr,
    context: &SessionContext,
    mut stopping: tokio::sync::watch::Receiver<bool>,
) where
    S: tokio::io::AsyncRead + AsyncWrite + Unpin,
{
    let (read, mut write) = tokio::io::split(stream);
    let mut reader = tokio::io::BufReader::new(read);
    let config = &context.config;
    let greeting = format!("220 {} ESMTP Roster bounce intake\r\n", config.hostname);
    if write.write_all(greeting.as_bytes()).await.is_err() {
        return;
    }
    let mut greeted = false;
    let mut transaction = Transaction::default();
    let mut errors = 0u32;
    loop {
        let next = tokio::select! {
            line = read_line(&mut reader, MAX_COMMAND_LINE, config.read_timeout) => line,
            // The watch guard stays inside the block: it is not Send.
            () = async { let _ = stopping.wait_for(|stop| *stop).await; } => {
                let _ = write
                    .write_all(b"421 4.3.2 Shutting down; try again later\r\n")
                    .await;
                return;
            }
        };
        let line = match next {
            None => {
                let _ = write
                    .write_all(b"421 4.4.2 Timeout; closing the connection\r\n")
                    .await;
                return;
            }
            Some(Line::Closed) => return,
            Some(Line::Partial(_)) => {
                // Drop the rest of the line before answering.
                while let Some(Line::Partial(_)) =
                    read_line(&mut reader, MAX_COMMAND_LINE, config.read_timeout).await
                {
                }
                errors += 1;
                if !reply(&mut write, "500 5.5.2 Line too long\r\n").await {
                    return;
                }
                continue;
            }
            Some(Line::Complete(line)) => line,
        };
        let line = String::from_utf8_lossy(&line);
        let command = line.trim_end_matches(['\r', '\n']);
        let (verb, argument) = command.split_once(' ').unwrap_or((command, ""));
        let verb = verb.to_ascii_uppercase();
        let answer: String = match verb.as_str() {
            "EHLO" => {
                greeted = true;
                transaction = Transaction::default();
                format!(
                    "250-{}\r\n250-SIZE {}\r\n250-8BITMIME\r\n250-PIPELINING\r\n\
                     250 ENHANCEDSTATUSCODES\r\n",
                    config.hostname, config.max_message_bytes
                )
            }
            "HELO" => {
                greeted = true;
                transaction = Transaction::default();
                format!("250 {}\r\n", config.hostname)
            }
            "MAIL" if !greeted => "503 5.5.1 Say EHLO first\r\n".into(),
            "MAIL" if transaction.from.is_some() => "503 5.5.1 MAIL already given\r\n".into(),
            "MAIL" => match path_argument(argument, "FROM:") {
                None => "501 5.5.4 Syntax: MAIL FROM:<address>\r\n".into(),
                Some((_, parameters))
                    if declared_size(parameters)
                        .is_some_and(|size| size > config.max_message_bytes as u64) =>
                {
                    format!(
                        "552 5.3.4 Message size exceeds the limit of {} bytes\r\n",
                        config.max_message_bytes
                    )
                }
                Some(_) if !context.limits.take_message(client) => {
                    "450 4.7.1 Too many messages from your address; try again later\r\n".into()
                }
                Some((address, _)) => {
                    transaction.from = Some(address.to_string());
                    "250 2.1.0 OK\r\n".into()
                }
            },
            "RCPT" if transaction.from.is_none() => "503 5.5.1 MAIL first\r\n".into(),
            "RCPT" => match path_argument(argument, "TO:") {
                None => "501 5.5.4 Syntax: RCPT TO:<address>\r\n".into(),
                Some(_) if transaction.to.len() >= config.max_recipients => {
                    "452 4.5.3 Too many recipients\r\n".into()
                }
                Some((address, _)) => match config.accepts(address) {
                    Recipient::Accepted => {
                        transaction.to.push(address.to_ascii_lowercase());
                        "250 2.1.5 OK\r\n".into()
                    }
                    Recipient::Unknown => "550 5.1.1 No such mailbox here\r\n".into(),
                    Recipient::Relay => "550 5.7.1 Relaying denied\r\n".into(),
                },
            },
            "DATA" if transaction.from.is_none() => "503 5.5.1 MAIL first\r\n".into(),
            "DATA" if transaction.to.is_empty() => "554 5.5.1 No valid recipients\r\n".into(),
            "DATA" => {
                if !reply(&mut write, "354 End data with <CR><LF>.<CR><LF>\r\n").await {
                    return;
                }
                let data =
                    read_data(&mut reader, config.max_message_bytes, config.read_timeout).await;
                let transaction = std::mem::take(&mut transaction);
                match data {
                    Data::Closed => return,
                    Data::TooLarge => format!(
                        "552 5.3.4 Message size exceeds the limit of {} bytes\r\n",
                        config.max_message_bytes
                    ),
                    Data::Message(raw) => {
                        let message = InboundMessage {
                            raw,
                            channel: InboundChannel::Smtp,
                            client: Some(client),
                            envelope_from: transaction.from,
                            envelope_to: transaction.to,
                            received_at: Timestamp::now(),
                        };
                        match context.handler.take(message).await {
                            Ok(()) => "250 2.0.0 OK: taken\r\n".into(),
                            Err(error) => {
                                tracing::warn!(%client, error = %error,
                                    "an inbound message could not be taken; the sender retries");
                                "451 4.3.0 Cannot take the message now; try again later\r\n".into()
                            }
                        }
                    }
                }
            }
            "RSET" => {
                transaction = Transaction::default();
                "250 2.0.0 OK\r\n".into()
            }
            "NOOP" => "250 2.0.0 OK\r\n".into(),
            "VRFY" => "252 2.5.0 Cannot verify; send the message\r\n".into(),
            "HELP" => "214 2.0.0 Roster takes bounces and feedback reports here\r\n".into(),
            "QUIT" => {
                let _ = write.write_all(b"221 2.0.0 Bye\r\n").await;
                return;
            }
            "STARTTLS" | "AUTH" | "BDAT" | "ETRN" | "EXPN" => {
                "502 5.5.1 Not implemented\r\n".into()
            }
            _ => "500 5.5.2 Command not recognized\r\n".into(),
        };
        if answer.starts_with("50") {
            errors += 1;
        }
        if !reply(&mut write, &answer).await {
            return;
        }
        if errors >= MAX_ERRORS {
            let _ = write
                .write_all(b"421 4.7.0 Too many errors; closing the connection\r\n")
                .await;
            return;
        }
    }
}

/// Writes a reply; false when the client is gone.
async fn reply<W: AsyncWrite + Unpin>(write: &mut W, text: &str) -> bool {
    write.write_all(text.as_bytes()).await.is_ok() && write.flush().await.is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_and_sizes_are_read() {
        assert_eq!(
            path_argument("FROM:<> SIZE=1234 BODY=8BITMIME", "FROM:"),
            Some(("", "SIZE=1234 BODY=8BITMIME"))
        );
        assert_eq!(
            path_argument(" to: <A@B.example>", "TO:"),
            Some(("A@B.example", ""))
        );
        assert_eq!(path_argument("TO:a@b", "TO:"), None);
        assert_eq!(path_argument("FROM:<a@b>", "TO:"), None);
        assert_eq!(declared_size("BODY=8BITMIME size=99"), Some(99));
        assert_eq!(declared_size("SIZE=x"), None);
    }

    #[tokio::test]
    async fn data_is_unstuffed_and_bounded() {
        let timeout = std::time::Duration::from_secs(1);
        let mut input: &[u8] = b"Subject: x\r\n\r\n..leading dot\r\nbody\r\n.\r\nNEXT\r\n";
        let Data::Message(message) = read_data(&mut input, 1000, timeout).await else {
            panic!("not read");
        };
        assert_eq!(message, b"Subject: x\r\n\r\n.leading dot\r\nbody\r\n");
        assert_eq!(input, b"NEXT\r\n", "the session goes on after the dot");

        let mut large: &[u8] = b"0123456789\r\n0123456789\r\n.\r\nNEXT\r\n";
        assert!(matches!(
            read_data(&mut large, 15, timeout).await,
            Data::TooLarge
        ));
        assert_eq!(large, b"NEXT\r\n", "the rest of the message was read");

        let mut cut: &[u8] = b"no end";
        assert!(matches!(
            read_data(&mut cut, 100, timeout).await,
            Data::Closed
        ));
    }
}
