//! Query parameters as the V3 API reads them: percent-decoded; a repeated comma-list parameter
//! takes the union of its values, a repeated single-valued one its last value; unknown
//! parameters are ignored. Every invalid value answers 400 naming the parameter.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use roster_domain::Timestamp;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer};

use crate::error::ApiError;

#[derive(Debug, Clone, Default)]
pub struct QueryParams {
    pairs: Vec<(String, String)>,
}

impl<S: Send + Sync> FromRequestParts<S> for QueryParams {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, ApiError> {
        let params = Self::parse(parts.uri.query().unwrap_or(""));
        params.refuse_nul()?;
        Ok(params)
    }
}

impl QueryParams {
    pub fn parse(query: &str) -> Self {
        let pairs = form_urlencoded::parse(query.as_bytes())
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
        Self { pairs }
    }

    /// No V3 text holds a NUL character, and PostgreSQL cannot even compare one (it would fail
    /// the query), so a decoded `%00` anywhere in the query answers 400 before any handler
    /// sees it.
    fn refuse_nul(&self) -> Result<(), ApiError> {
        match self
            .pairs
            .iter()
            .find(|(name, value)| name.contains('\0') || value.contains('\0'))
        {
            None => Ok(()),
            Some((name, _)) if name.contains('\0') => Err(ApiError::BadRequest(
                "Query parameter names must not contain NUL characters.".into(),
            )),
            Some((name, _)) => Err(ApiError::invalid(
                name.as_str(),
                "must not contain NUL characters",
            )),
        }
    }

    /// Every pair, in order, for rebuilding a link.
    pub fn pairs(&self) -> &[(String, String)] {
        &self.pairs
    }

    /// Every value given for `name`, in order.
    pub fn param(&self, name: &str) -> Param {
        Param(
            self.pairs
                .iter()
                .filter(|(k, _)| k == name)
                .map(|(_, v)| v.clone())
                .collect(),
        )
    }

    /// The pairs as an operation's typed parameters `T` (what [`Query`] extracts); public for
    /// the fuzz targets, which start from a query string.
    pub fn typed<T: DeserializeOwned>(&self) -> Result<T, ApiError> {
        let mut by_name = serde_json::Map::new();
        for (name, value) in &self.pairs {
            let values = by_name
                .entry(name.clone())
                .or_insert_with(|| serde_json::Value::Array(Vec::new()));
            if let serde_json::Value::Array(values) = values {
                values.push(serde_json::Value::String(value.clone()));
            }
        }
        T::deserialize(serde_json::Value::Object(by_name))
            .map_err(|_| ApiError::BadRequest("The query string is not valid.".into()))
    }
}

/// A query string parsed into the operation's typed parameters `T`, which also derives the
/// document's parameters (`IntoParams`), and the pairs as given (for `_links`). Each field of
/// `T` is a [`Param`] named as the query parameter, documented with
/// `#[param(value_type = …)]`; the handler checks it with the `Param` method for its kind.
pub struct Query<T>(pub T, pub QueryParams);

impl<S: Send + Sync, T: DeserializeOwned> FromRequestParts<S> for Query<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        let params = QueryParams::from_request_parts(parts, state).await?;
        let typed = params.typed()?;
        Ok(Query(typed, params))
    }
}

/// Every value one query parameter was given, in order; empty when it was not given. A
/// repeated comma-list parameter takes the union of its values, a repeated single-valued one
/// its last value.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Param(Vec<String>);

impl<'de> Deserialize<'de> for Param {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        // Through `Option`, so that a parameter not given is empty without `#[serde(default)]`.
        Ok(Param(
            Option::<Vec<String>>::deserialize(deserializer)?.unwrap_or_default(),
        ))
    }
}

impl Param {
    /// The last value given, for a single-valued parameter.
    pub fn single(&self) -> Option<&str> {
        self.0.last().map(String::as_str)
    }

    /// The union of every comma-separated value given, in first-seen order.
    pub fn list(&self) -> Vec<String> {
        let mut values: Vec<String> = Vec::new();
        for value in &self.0 {
            for item in value.split(',').map(str::trim).filter(|s| !s.is_empty()) {
                if !values.iter().any(|v| v == item) {
                    values.push(item.to_string());
                }
            }
        }
        values
    }

    /// `limit`, checked against the operation's bounds.
    pub fn limit(&self, default: u32, max: u32) -> Result<u32, ApiError> {
        let Some(text) = self.single() else {
            return Ok(default);
        };
        match text.trim().parse::<u64>() {
            Ok(n) if n >= 1 && n <= u64::from(max) => Ok(n as u32),
            _ => Err(ApiError::invalid(
                "limit",
                format!("must be a whole number from 1 to {max}"),
            )),
        }
    }

    pub fn boolean(&self, name: &str) -> Result<Option<bool>, ApiError> {
        match self.single().map(str::trim) {
            None => Ok(None),
            Some(text) if text.eq_ignore_ascii_case("true") => Ok(Some(true)),
            Some(text) if text.eq_ignore_ascii_case("false") => Ok(Some(false)),
            Some(_) => Err(ApiError::invalid(name, "must be true or false")),
        }
    }

    /// A comma-list of ids, at most `max` of them.
    pub fn ids<T: std::str::FromStr>(&self, name: &str, max: usize) -> Result<Vec<T>, ApiError> {
        let values = self.list();
        if values.len() > max {
            return Err(ApiError::invalid(
                name,
                format!("may name at most {max} ids"),
            ));
        }
        values
            .iter()
            .map(|value| {
                value.parse().map_err(|_| {
                    ApiError::invalid(name, format!("holds {value}, which is not a valid id"))
                })
            })
            .collect()
    }

    /// A single value that must be one of `allowed`.
    pub fn one_of<'a>(&self, name: &str, allowed: &[&'a str]) -> Result<Option<&'a str>, ApiError> {
        match self.single() {
            None => Ok(None),
            Some(value) => allowed
                .iter()
                .find(|a| a.eq_ignore_ascii_case(value.trim()))
                .copied()
                .map(Some)
                .ok_or_else(|| {
                    ApiError::invalid(name, format!("must be one of: {}", allowed.join(", ")))
                }),
        }
    }

    /// Comma-list values that must each be one of `allowed`.
    pub fn all_of<'a>(&self, name: &str, allowed: &[&'a str]) -> Result<Vec<&'a str>, ApiError> {
        self.list()
            .iter()
            .map(|value| {
                allowed
                    .iter()
                    .find(|a| a.eq_ignore_ascii_case(value))
                    .copied()
                    .ok_or_else(|| {
                        ApiError::invalid(
                            name,
                            format!("holds {value}; allowed values are: {}", allowed.join(", ")),
                        )
                    })
            })
            .collect()
    }

    pub fn timestamp(&self, name: &str) -> Result<Option<Timestamp>, ApiError> {
        match self.single() {
            None => Ok(None),
            Some(text) => Timestamp::parse_iso8601(text).map(Some).map_err(|_| {
                ApiError::invalid(
                    name,
                    "must be an ISO-8601 date-time such as 2022-01-01T16:37:59.091Z",
                )
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_and_merges_repeated_parameters() {
        let query = QueryParams::parse(
            "status=active%2Cdeleted&status=active,unsubscribed&limit=5&limit=7&name=a%20b+c",
        );
        assert_eq!(
            query.param("status").list(),
            ["active", "deleted", "unsubscribed"]
        );
        assert_eq!(query.param("limit").single(), Some("7"));
        assert_eq!(query.param("name").single(), Some("a b c"));
        assert_eq!(query.param("limit").limit(50, 100).unwrap(), 7);
    }

    #[test]
    fn nul_characters_are_refused() {
        assert!(QueryParams::parse("name=a%00b").refuse_nul().is_err());
        assert!(QueryParams::parse("na%00me=a").refuse_nul().is_err());
        assert!(QueryParams::parse("name=a%01b&x=%FF").refuse_nul().is_ok());
    }

    #[test]
    fn limit_is_bounded() {
        for bad in ["0", "101", "-1", "abc", "1.5", ""] {
            let query = QueryParams::parse(&format!("limit={bad}"));
            assert!(query.param("limit").limit(50, 100).is_err(), "{bad}");
        }
        assert_eq!(
            QueryParams::parse("")
                .param("limit")
                .limit(50, 100)
                .unwrap(),
            50
        );
        assert_eq!(
            QueryParams::parse("limit=100")
                .param("limit")
                .limit(50, 100)
                .unwrap(),
            100
        );
    }
}
