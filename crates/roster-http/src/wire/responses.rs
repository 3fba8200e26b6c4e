//! The error responses of the OpenAPI document, written once: each shared response (the V3
//! error array with its description, and the single object of a 401), and the sets of them
//! that handlers list in their `#[utoipa::path(responses(...))]`. Types only: the document
//! refers to them by name (`openapi.rs` registers the shared responses).

use std::collections::BTreeMap;

use utoipa::openapi::{Content, Ref, RefOr, Response, ResponseBuilder};
use utoipa::{IntoResponses, ToResponse};

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
                    (
                        $status.to_owned(),
                        RefOr::Ref(Ref::from_response_name(stringify!($response))),
                    ),
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
