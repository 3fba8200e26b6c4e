//! Roster's own OpenAPI document, generated from the implementation: every `/v3` handler carries
//! a `#[utoipa::path]` attribute (operationId, tag, summary and scope as the official document
//! has them) and the wire types derive `ToSchema`. Served, without a token, at
//! GET /v3/openapi.json and /v3/openapi.yaml, and browsable at /docs with the Swagger UI bundled
//! into the binary (docs/OPENAPI.md).

use axum::http::header::CONTENT_TYPE;
use axum::routing::get;
use axum::Router;
use utoipa::openapi::schema::{AdditionalProperties, ArrayItems, Schema, SchemaType, Type};
use utoipa::openapi::security::{
    AuthorizationCode, Flow, Implicit, OAuth2, Scopes, SecurityScheme,
};
use utoipa::openapi::{Ref, RefOr};
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
        (name = "Contacts Reporting", description = "One contact's campaign history: its \
            sends, opens, clicks and other tracking activities."),
        (name = "Contact Lists", description = "Contact lists."),
        (name = "Contact Tags", description = "Contact tags."),
        (name = "Contacts Custom Fields", description = "Custom fields."),
        (name = "Email Campaigns", description = "Email campaigns and their activities."),
        (name = "Email Scheduling", description = "Previews of email campaign activities."),
        (name = "Email Campaigns AB Tests", description = "A/B subject tests of primary email \
            campaign activities."),
        (name = "Email Reporting", description = "Tracking pages, links, stats and summaries \
            of sent email campaigns."),
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

/// Writes down, once for every schema, the wire convention of the V3 answers: an optional
/// property that has no value is left out, never sent as `null` (each response struct says
/// `#[skip_serializing_none]`). utoipa documents every `Option` as nullable, so the schemas it
/// derives lose their `null` here instead of in an attribute on every optional field.
pub fn omit_absent(document: &mut utoipa::openapi::OpenApi) {
    if let Some(components) = document.components.as_mut() {
        components.schemas.values_mut().for_each(never_null);
    }
}

fn never_null(schema: &mut RefOr<Schema>) {
    let RefOr::T(inner) = schema else { return };
    match inner {
        Schema::Object(object) => {
            drop_null_type(&mut object.schema_type);
            object.properties.values_mut().for_each(never_null);
            if let Some(AdditionalProperties::RefOr(extra)) =
                object.additional_properties.as_deref_mut()
            {
                never_null(extra);
            }
        }
        Schema::Array(array) => {
            drop_null_type(&mut array.schema_type);
            if let ArrayItems::RefOrSchema(items) = &mut array.items {
                never_null(items);
            }
        }
        Schema::OneOf(one_of) => {
            let is_null = |item: &RefOr<Schema>| {
                matches!(item, RefOr::T(Schema::Object(object))
                    if object.schema_type == SchemaType::Type(Type::Null))
            };
            one_of.items.retain(|item| !is_null(item));
            one_of.items.iter_mut().for_each(never_null);
            // `Option<T>` of a named schema is `oneOf: [null, $ref]`: what is left is the $ref.
            if let [RefOr::Ref(only)] = one_of.items.as_slice() {
                let mut reference = Ref::new(only.ref_location.clone());
                reference.description = one_of.description.clone().unwrap_or_default();
                *schema = RefOr::Ref(reference);
            }
        }
        Schema::AllOf(all_of) => all_of.items.iter_mut().for_each(never_null),
        Schema::AnyOf(any_of) => any_of.items.iter_mut().for_each(never_null),
        _ => {}
    }
}

/// `["string", "null"]` becomes `"string"`.
fn drop_null_type(schema_type: &mut SchemaType) {
    if let SchemaType::Array(types) = schema_type {
        types.retain(|t| *t != Type::Null);
        if let [one] = types.as_slice() {
            *schema_type = SchemaType::Type(one.clone());
        }
    }
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
