//! Roster's own OpenAPI document, generated from the implementation: every `/v3` handler carries
//! a `#[utoipa::path]` attribute (operationId, tag, summary and scope as the official document
//! has them) and the wire types derive `ToSchema`. Served, without a token, at
//! GET /v3/openapi.json and /v3/openapi.yaml, and browsable at /docs with the Swagger UI bundled
//! into the binary (docs/OPENAPI.md).

use axum::http::header::CONTENT_TYPE;
use axum::routing::get;
use axum::Router;
use utoipa::openapi::security::{
    AuthorizationCode, Flow, Implicit, OAuth2, Scopes, SecurityScheme,
};
use utoipa::{Modify, OpenApi};
use utoipa_swagger_ui::{Config, SwaggerUi};

use crate::error::ErrorEntry;
use crate::wire::responses::{
    BadRequest, Conflict, Forbidden, NotAcceptable, NotFound, ServerError, TooLarge,
    TooManyRequests, Unauthorized, Unavailable, UnsupportedMediaType,
};
use crate::AppState;

pub const JSON_PATH: &str = "/v3/openapi.json";
pub const YAML_PATH: &str = "/v3/openapi.yaml";
pub const DOCS_PATH: &str = "/docs";

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Roster: the Constant Contact V3 API",
        description = "The V3 operations Roster implements, generated from its handlers. \
            Every operation has the official document's operationId, tag and scope.",
        license(name = "MIT OR Apache-2.0"),
    ),
    servers((url = "/v3", description = "This server")),
    components(
        schemas(ErrorEntry),
        responses(
            BadRequest,
            Unauthorized,
            Forbidden,
            NotFound,
            NotAcceptable,
            Conflict,
            TooLarge,
            UnsupportedMediaType,
            TooManyRequests,
            ServerError,
            Unavailable,
        ),
    ),
    modifiers(&OAuthServer),
    tags(
        (name = "Account Services", description = "The account's summary, physical address, sender \
            addresses and the caller's privileges."),
        (name = "Bulk Activities", description = "Imports, exports and bulk changes, run as queued \
            activities."),
        (name = "Contacts", description = "Contacts, their consent and their sign-ups."),
        (name = "Contact Lists", description = "Contact lists."),
        (name = "Contact Tags", description = "Contact tags."),
        (name = "Contacts Custom Fields", description = "Custom fields."),
        (name = "Segments", description = "Segments: saved contact criteria."),
    ),
)]
pub struct V3Document;

/// The security schemes: Roster's own OAuth2 server (docs/OAUTH.md), under the official
/// document's names for its implicit and authorization-code schemes, so the per-operation
/// requirements read the same.
struct OAuthServer;

const AUTHORIZE_PATH: &str = "/oauth2/default/v1/authorize";
const TOKEN_PATH: &str = "/oauth2/default/v1/token";
const TOKENS: &str = "Bearer access tokens (RS256 JWTs) from Roster's authorization server; \
    the device flow (RFC 8628) issues the same tokens.";

fn scopes() -> Scopes {
    Scopes::from_iter([
        ("contact_data", "Read or modify contact data."),
        ("campaign_data", "Read or modify email campaign data."),
        ("account_read", "Read account data."),
        ("account_update", "Modify account data."),
        (
            "offline_access",
            "Receive a refresh token (authorization code flow).",
        ),
    ])
}

impl Modify for OAuthServer {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let implicit = Flow::Implicit(Implicit::new(AUTHORIZE_PATH, scopes()));
        let code =
            Flow::AuthorizationCode(AuthorizationCode::new(AUTHORIZE_PATH, TOKEN_PATH, scopes()));
        if let Some(components) = openapi.components.as_mut() {
            components.add_security_scheme(
                "oauth2_implicit",
                SecurityScheme::OAuth2(OAuth2::with_description([implicit], TOKENS)),
            );
            components.add_security_scheme(
                "oauth2_access_code",
                SecurityScheme::OAuth2(OAuth2::with_description([code], TOKENS)),
            );
        }
    }
}

/// The document without its paths: what it says about itself, its security schemes, the shared
/// error responses and the tags. The router adds every /v3 operation's path to it as it routes
/// the operation (`router::v3`), so nothing here lists the operations.
pub fn shell() -> utoipa::openapi::OpenApi {
    V3Document::openapi()
}

/// GET /v3/openapi.json, /v3/openapi.yaml and the reference page under /docs. The document is
/// rendered once, when the router is built; none of these routes needs a token.
pub fn routes(document: &utoipa::openapi::OpenApi) -> Router<AppState> {
    // Rendering a document of plain maps and strings cannot fail; an empty body would show it.
    let json = document.to_pretty_json().unwrap_or_default();
    let yaml = document.to_yaml().unwrap_or_default();
    let page = SwaggerUi::new(DOCS_PATH).config(Config::from(JSON_PATH));
    Router::new()
        .route(
            JSON_PATH,
            get(move || async move { ([(CONTENT_TYPE, "application/json")], json) }),
        )
        .route(
            YAML_PATH,
            get(move || async move { ([(CONTENT_TYPE, "application/yaml")], yaml) }),
        )
        .merge(Router::from(page))
}
