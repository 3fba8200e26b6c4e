//! Matching concrete request paths against the document's path templates.

/// One `/`-separated part of a path template, split into literal text and `{name}` parameters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct TemplateSegment(Vec<Piece>);

#[derive(Debug, Clone, PartialEq, Eq)]
enum Piece {
    Literal(String),
    Param,
}

/// A parsed path template such as `/contact_custom_fields/{custom_field_id}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Template(Vec<TemplateSegment>);

impl Template {
    pub(crate) fn parse(template: &str) -> Self {
        let trimmed = template.strip_prefix('/').unwrap_or(template);
        Template(trimmed.split('/').map(TemplateSegment::parse).collect())
    }

    /// How specific the match is, segment by segment, or `None` when the path does not match.
    /// Comparing the returned vectors lexicographically makes a literal segment beat a
    /// parameter at the first place where two matching templates differ, which is how
    /// `/contacts/counts` wins over `/contacts/{contact_id}`.
    pub(crate) fn specificity(&self, path: &str) -> Option<Vec<u8>> {
        let trimmed = path.strip_prefix('/')?;
        let segments: Vec<&str> = trimmed.split('/').collect();
        if segments.len() != self.0.len() {
            return None;
        }
        self.0
            .iter()
            .zip(segments)
            .map(|(template, segment)| template.matches(segment).then(|| template.rank()))
            .collect()
    }
}

impl TemplateSegment {
    fn parse(segment: &str) -> Self {
        let mut pieces = Vec::new();
        let mut rest = segment;
        while let Some(open) = rest.find('{') {
            let Some(close) = rest[open..].find('}').map(|i| open + i) else {
                break;
            };
            if open > 0 {
                pieces.push(Piece::Literal(rest[..open].to_owned()));
            }
            pieces.push(Piece::Param);
            rest = &rest[close + 1..];
        }
        if !rest.is_empty() || pieces.is_empty() {
            pieces.push(Piece::Literal(rest.to_owned()));
        }
        TemplateSegment(pieces)
    }

    fn rank(&self) -> u8 {
        match self.0.as_slice() {
            [Piece::Param] => 0,
            pieces if pieces.iter().all(|p| matches!(p, Piece::Literal(_))) => 2,
            _ => 1,
        }
    }

    fn matches(&self, segment: &str) -> bool {
        matches_pieces(&self.0, segment)
    }
}

/// A parameter stands for at least one character, so an empty segment (`/contacts//x`) never
/// fills a `{contact_id}`.
fn matches_pieces(pieces: &[Piece], segment: &str) -> bool {
    match pieces.split_first() {
        None => segment.is_empty(),
        Some((Piece::Literal(literal), rest)) => segment
            .strip_prefix(literal.as_str())
            .is_some_and(|tail| matches_pieces(rest, tail)),
        Some((Piece::Param, rest)) => (1..=segment.len())
            .filter(|&end| segment.is_char_boundary(end))
            .any(|end| matches_pieces(rest, &segment[end..])),
    }
}

/// Turns the path the server was sent into a path of the document (which has no `/v3`), or
/// `None` when it is not under `/v3/` at all.
pub(crate) fn document_path(request_path: &str) -> Option<&str> {
    // Tolerate a full URL: a harness may log or pass what it requested.
    let path = match request_path.find("://") {
        Some(scheme_end) => {
            let after = &request_path[scheme_end + 3..];
            after.find('/').map_or("/", |slash| &after[slash..])
        }
        None => request_path,
    };
    let path = path.split(['?', '#']).next().unwrap_or_default();
    let rest = path.strip_prefix("/v3")?;
    rest.starts_with('/').then_some(rest)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literal_segment_outranks_parameter() {
        let counts = Template::parse("/contacts/counts");
        let by_id = Template::parse("/contacts/{contact_id}");
        let literal = counts.specificity("/contacts/counts").unwrap();
        let param = by_id.specificity("/contacts/counts").unwrap();
        assert!(literal > param);
        assert_eq!(counts.specificity("/contacts/abc"), None);
    }

    #[test]
    fn parameters_need_a_non_empty_segment_and_the_same_depth() {
        let t = Template::parse("/contact_custom_fields/{custom_field_id}");
        assert!(t.specificity("/contact_custom_fields/abc").is_some());
        assert_eq!(t.specificity("/contact_custom_fields/"), None);
        assert_eq!(t.specificity("/contact_custom_fields"), None);
        assert_eq!(t.specificity("/contact_custom_fields/a/b"), None);
    }

    #[test]
    fn mixed_segments_match_around_their_literals() {
        let t = Template::parse("/files/{name}.csv");
        assert_eq!(t.specificity("/files/report.csv"), Some(vec![2, 1]));
        assert_eq!(t.specificity("/files/.csv"), None);
        assert_eq!(t.specificity("/files/report.txt"), None);
    }

    #[test]
    fn request_paths_lose_prefix_query_and_host() {
        assert_eq!(document_path("/v3/contacts?limit=5"), Some("/contacts"));
        assert_eq!(document_path("/v3/contacts#x"), Some("/contacts"));
        assert_eq!(
            document_path("http://127.0.0.1:8080/v3/contact_lists/1"),
            Some("/contact_lists/1")
        );
        assert_eq!(document_path("/v3"), None);
        assert_eq!(document_path("/v3contacts"), None);
        assert_eq!(document_path("/contacts"), None);
    }
}
