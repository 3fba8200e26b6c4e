//! The content rules POST /emails and PUT on an activity share (docs/CAMPAIGNS.md): the
//! lengths, the 400 KB message, the character pairs Constant Contact's custom-code guide
//! forbids and the personalisation grammar (roster-render), plus what only the account can
//! tell: that every `[[CUSTOM.name]]` names one of its custom fields.

use roster_domain::campaign::{ActivityContent, CampaignActivity};
use roster_domain::{AccountId, FieldError};
use roster_render::CampaignContent;

use crate::error::ApiError;
use crate::AppState;

/// The activity's content parsed, or every problem with it, named under `prefix`. A format-5
/// activity has no text part of its own (`document_properties` do not apply to it): the text
/// part is generated from the HTML.
pub async fn check_content(
    state: &AppState,
    account: AccountId,
    content: &ActivityContent,
    prefix: &str,
) -> Result<Result<CampaignContent, Vec<FieldError>>, ApiError> {
    let parsed = CampaignContent::check(
        prefix,
        &content.subject,
        content.preheader.as_deref(),
        &content.html_content,
        None,
    );
    let mut problems = match &parsed {
        Ok(_) => Vec::new(),
        Err(problems) => problems.clone(),
    };
    if let Ok(parsed) = &parsed {
        let templates = [
            ("subject", Some(&parsed.subject)),
            ("preheader", parsed.preheader.as_ref()),
            ("html_content", Some(&parsed.html)),
        ];
        let templates: Vec<_> = templates
            .into_iter()
            .filter_map(|(field, template)| Some((field, template?)))
            .collect();
        let used = templates
            .iter()
            .any(|(_, t)| !t.custom_field_names().is_empty());
        if used {
            let fields = state.store.all_custom_fields(account).await?;
            let names: Vec<&str> = fields.iter().map(|f| f.name.as_str()).collect();
            for (field, template) in templates {
                for unknown in template.unknown_custom_fields(&names) {
                    problems.push(FieldError::new(
                        format!("{prefix}{field}"),
                        format!(
                            "uses [[CUSTOM.{unknown}]], but the account has no custom field \
                             named {unknown}"
                        ),
                    ));
                }
            }
        }
    }
    Ok(match parsed {
        Ok(parsed) if problems.is_empty() => Ok(parsed),
        _ => Err(problems),
    })
}

/// A second subject for `activity` (a resend's, an A/B test's alternative): its problems as
/// the activity's own subject would have them (the grammar, the account's custom fields),
/// named `field`.
pub async fn check_subject(
    state: &AppState,
    account: AccountId,
    activity: &CampaignActivity,
    subject: &str,
    field: &str,
) -> Result<(), ApiError> {
    let mut content = activity.content.clone();
    content.subject = subject.to_string();
    let Err(problems) = check_content(state, account, &content, "").await? else {
        return Ok(());
    };
    let problems: Vec<FieldError> = problems
        .into_iter()
        .filter(|problem| problem.field == "subject")
        .map(|problem| FieldError::new(field, problem.message))
        .collect();
    if problems.is_empty() {
        Ok(())
    } else {
        Err(ApiError::Validation(problems))
    }
}
