//! The query-filter parser of GET /contacts: `QueryParams` (percent-decoding, repeated and
//! comma-list parameters), the typed `ContactsQuery` built from it, and the filters, includes,
//! limit and cursor read from that. Any query string gives the typed parameters, and then a
//! filter or a 400, never a panic; a filter within the documented bounds; and a next link
//! carries every parameter but the cursor over unchanged.
#![no_main]

use libfuzzer_sys::fuzz_target;
use roster_domain::EmailAddress;
use roster_fuzz::assert_timestamp_round_trips;
use roster_http::contacts::{
    contact_filter, includes, ContactsQuery, MAX_LIST_FILTER, MAX_TAG_FILTER,
};
use roster_http::wire::{CursorCodec, QueryParams};

const PAGE_DEFAULT: u32 = 50;
const PAGE_MAX: u32 = 500;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let query = QueryParams::parse(text);
    let params: ContactsQuery = query
        .typed()
        .expect("any query string gives the typed parameters");

    if let Ok(filter) = contact_filter(&params) {
        assert!(!filter.buckets.is_empty(), "a filter always names buckets");
        assert!(filter.lists.len() <= MAX_LIST_FILTER);
        assert!(filter.tags.len() <= MAX_TAG_FILTER);
        assert!(filter.segment.is_none());
        if let Some(email) = &filter.email {
            assert_eq!(EmailAddress::parse(email.as_str()).as_ref(), Ok(email));
        }
        for at in [
            filter.created_after,
            filter.created_before,
            filter.updated_after,
            filter.updated_before,
            filter.optout_after,
            filter.optout_before,
        ]
        .into_iter()
        .flatten()
        {
            assert_timestamp_round_trips(at, text);
        }
    }
    let _ = includes(&params.include);
    let _ = params.include_count.boolean("include_count");

    let codec = CursorCodec::new([3; 32]);
    if let Ok((limit, _after)) =
        codec.page_at(&params.limit, &params.cursor, PAGE_DEFAULT, PAGE_MAX)
    {
        assert!(
            (1..=PAGE_MAX).contains(&limit),
            "limit {limit} out of bounds"
        );
        let next = "0190a000-0000-7000-8000-00000000abcd".to_string();
        let links = codec
            .links("/v3/contacts", &query, limit, Some(next.clone()))
            .expect("a next key gives a link");
        let (path, href_query) = links
            .next
            .href
            .split_once('?')
            .expect("the link has a query");
        assert_eq!(path, "/v3/contacts");
        let followed = QueryParams::parse(href_query);
        let kept: Vec<_> = query
            .pairs()
            .iter()
            .filter(|(k, _)| k != "cursor")
            .collect();
        let carried: Vec<_> = followed
            .pairs()
            .iter()
            .filter(|(k, _)| k != "cursor")
            .collect();
        assert_eq!(carried, kept, "the next link changed the filters");
        let followed_params: ContactsQuery = followed
            .typed()
            .expect("the next link gives the typed parameters");
        let (next_limit, next_after) = codec
            .page_at(
                &followed_params.limit,
                &followed_params.cursor,
                PAGE_DEFAULT,
                PAGE_MAX,
            )
            .expect("the next link is a valid request");
        assert_eq!(next_after.as_deref(), Some(next.as_str()));
        assert_eq!(next_limit, limit, "the next page keeps the page size");
    }
});
