//! Roster's own OpenAPI document, generated from the implementation: every `/v3` handler carries
//! a `#[utoipa::path]` attribute (operationId, tag, summary and scope as the official document
//! has them) and the wire types derive `ToSchema`. Served, without a token, at
//! GET /v3/openapi.json and /v3/openapi.yaml, and browsable at /docs with the Swagger UI bundled
//! into the binary (docs/OPENAPI.md).

use std::collections::BTreeMap;

use axum::http::header::CONTENT_TYPE;
use axum::routing::get;
use axum::Router;
use utoipa::openapi::security::{
    AuthorizationCode, Flow, Implicit, OAuth2, Scopes, SecurityScheme,
};
use utoipa::openapi::{Content, Ref, RefOr, Response, ResponseBuilder};
use utoipa::{IntoResponses, Modify, OpenApi, ToResponse};
use utoipa_swagger_ui::{Config, SwaggerUi};

use crate::error::ErrorEntry;
use crate::{
    account, activities, contact_lists, contact_tags, contacts, custom_fields, resubscribe,
    segments, user_privileges, AppState,
};

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
    paths(
        activities::list,
        activities::get,
        activities::json_import,
        activities::file_import,
        activities::export_contacts,
        activities::download,
        activities::contact_delete,
        activities::add_list_memberships,
        activities::remove_list_memberships,
        activities::list_delete,
        activities::taggings_add,
        activities::taggings_remove,
        activities::tags_delete,
        activities::custom_fields_delete,
        custom_fields::list,
        custom_fields::create,
        custom_fields::get,
        custom_fields::replace,
        custom_fields::delete,
        contacts::list,
        contacts::create,
        contacts::counts,
        contacts::sign_up,
        contacts::xrefs,
        resubscribe::request,
        contacts::sms_history,
        contacts::get,
        contacts::replace,
        contacts::delete,
        contact_lists::list,
        contact_lists::create,
        contact_lists::xrefs,
        contact_lists::get,
        contact_lists::replace,
        contact_lists::delete,
        contact_tags::list,
        contact_tags::create,
        contact_tags::get,
        contact_tags::rename,
        contact_tags::delete,
        segments::list,
        segments::create,
        segments::get,
        segments::replace,
        segments::delete,
        segments::rename,
        user_privileges::list,
        account::summary,
        account::update_summary,
        account::physical_address,
        account::add_physical_address,
        account::replace_physical_address,
        account::emails,
        account::add_email,
    ),
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
        (name = "Account Services", description = "The account's summary, physical address, sender addresses and the caller's privileges."),
        (name = "Bulk Activities", description = "Imports, exports and bulk changes, run as queued activities."),
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

/// The document as utoipa builds it from the attributes.
pub fn document() -> utoipa::openapi::OpenApi {
    V3Document::openapi()
}

/// GET /v3/openapi.json, /v3/openapi.yaml and the reference page under /docs. The document is
/// rendered once, when the router is built; none of these routes needs a token.
pub fn routes() -> Router<AppState> {
    let document = document();
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

/// The error responses handlers really return, each with the V3 error body.
macro_rules! error_response {
    ($name:ident, $description:literal) => {
        pub struct $name;
        impl<'r> ToResponse<'r> for $name {
            fn response() -> (&'r str, RefOr<Response>) {
                (stringify!($name), error_array($description))
            }
        }
    };
}

fn error_array(description: &str) -> RefOr<Response> {
    let entries = utoipa::openapi::schema::ArrayBuilder::new()
        .items(Ref::from_schema_name("ErrorEntry"))
        .min_items(Some(1));
    ResponseBuilder::new()
        .description(description)
        .content("application/json", Content::new(Some(entries)))
        .build()
        .into()
}

error_response!(
    BadRequest,
    "A parameter or the body is invalid: one entry per problem"
);
error_response!(
    Forbidden,
    "The token lacks the operation's scope, or its user the privilege"
);
error_response!(
    NotFound,
    "The resource, or one the body names, does not exist"
);
error_response!(
    NotAcceptable,
    "The Accept header admits no JSON (406; checked for every /v3 route)"
);
error_response!(Conflict, "The change conflicts with an existing resource");
error_response!(TooLarge, "The body exceeds the server's body limit");
error_response!(
    UnsupportedMediaType,
    "The body is not of the media type the operation reads"
);
error_response!(
    TooManyRequests,
    "The client's rate limit, or the account's activity queue, is full"
);
error_response!(ServerError, "An internal error; logged with its cause");
error_response!(Unavailable, "The database is out of reach");

/// 401 answers one error object rather than an array, as Constant Contact does.
pub struct Unauthorized;

impl<'r> ToResponse<'r> for Unauthorized {
    fn response() -> (&'r str, RefOr<Response>) {
        (
            "Unauthorized",
            ResponseBuilder::new()
                .description("The bearer token is missing, invalid, expired or revoked")
                .content(
                    "application/json",
                    Content::new(Some(Ref::from_schema_name("ErrorEntry"))),
                )
                .build()
                .into(),
        )
    }
}

/// The error statuses of a group of operations, named once here and listed by each handler's
/// `responses(...)`; each refers to one of the shared responses above.
macro_rules! error_set {
    ($(#[$doc:meta])* $name:ident: $($status:literal => $response:ident),+ $(,)?) => {
        $(#[$doc])*
        pub struct $name;
        impl IntoResponses for $name {
            fn responses() -> BTreeMap<String, RefOr<Response>> {
                BTreeMap::from([$(
                    ($status.to_owned(), RefOr::Ref(Ref::from_response_name(stringify!($response)))),
                )+])
            }
        }
    };
}

error_set!(
    /// What every /v3 operation may answer: the token, the Accept check, the rate limits, and
    /// the two failures of ours.
    Answers: "401" => Unauthorized, "406" => NotAcceptable, "429" => TooManyRequests,
        "500" => ServerError, "503" => Unavailable
);
error_set!(
    /// Operations that read parameters or a body.
    Invalid: "400" => BadRequest
);
error_set!(
    /// Operations that require a scope and a privilege.
    Scoped: "403" => Forbidden
);
error_set!(
    /// Operations on a resource named in the path, or naming others in the body.
    Missing: "404" => NotFound
);
error_set!(
    /// Operations that can collide with an existing resource.
    Conflicting: "409" => Conflict
);
error_set!(
    /// Operations that read a body.
    BodyRejected: "413" => TooLarge, "415" => UnsupportedMediaType
);
