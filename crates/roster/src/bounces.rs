//! `roster bounces`: the messages that came to the bounce address (or the bounce endpoint) and
//! could not be processed, kept for the operator to look at (docs/TRACKING.md, "Bounces").

use anyhow::Context;
use roster_domain::bounce::UnprocessedMessage;
use roster_domain::InboundMessageId;
use serde_json::json;

use crate::cli::BouncesCommand;
use crate::commands::print_json;
use crate::open_store;
use crate::settings::DatabaseArgs;

fn summary(message: &UnprocessedMessage) -> serde_json::Value {
    json!({
        "id": message.id.to_string(),
        "received_at": message.received_at.to_rfc3339(),
        "channel": message.channel.as_str(),
        "client": message.client,
        "envelope_from": message.envelope_from,
        "envelope_to": message.envelope_to,
        "reason": message.reason,
        "bytes": message.raw.len(),
    })
}

/// `roster bounces list|show`.
pub async fn bounces(database: &DatabaseArgs, command: &BouncesCommand) -> anyhow::Result<()> {
    let store = open_store(&database.database_url).await?;
    match command {
        BouncesCommand::List { limit } => {
            for message in store.unprocessed_messages(*limit).await? {
                print_json(summary(&message));
            }
            Ok(())
        }
        BouncesCommand::Show { id, raw } => {
            let parsed: InboundMessageId = id
                .parse()
                .map_err(|_| anyhow::anyhow!("{id} is not a kept message's id"))?;
            let message = store
                .unprocessed_message(parsed)
                .await?
                .with_context(|| format!("no kept message has the id {id}"))?;
            if *raw {
                use std::io::Write;
                std::io::stdout().write_all(&message.raw)?;
                return Ok(());
            }
            let mut shown = summary(&message);
            if let Some(object) = shown.as_object_mut() {
                object.insert(
                    "message".into(),
                    String::from_utf8_lossy(&message.raw).into_owned().into(),
                );
            }
            print_json(shown);
            Ok(())
        }
    }
}
