//! The segment criteria parser (`roster_domain::segment::parse_criteria`, behind POST/PUT
//! /segments and every segment source). Any text answers a checked tree or at least one
//! error, never a panic; an accepted tree keeps the documented limits and names every list
//! and tag it tests in `Referenced` (which the caller checks against the account).
#![no_main]

use libfuzzer_sys::fuzz_target;
use roster_domain::segment::{
    parse_criteria, Condition, CriteriaContext, GroupKind, Node, MAX_CONDITIONS, MAX_DEPTH,
};
use roster_domain::Timestamp;

/// The deepest group nesting and the number of conditions of a tree.
fn shape(node: &Node, referenced: &roster_domain::segment::Referenced) -> (usize, usize) {
    match node {
        Node::Condition(condition) => {
            match condition {
                Condition::Lists { lists, .. } => {
                    assert!(lists.iter().all(|l| referenced.lists.contains(l)));
                }
                Condition::Tags { tags, .. } => {
                    assert!(tags.iter().all(|t| referenced.tags.contains(t)));
                }
                _ => {}
            }
            (0, 1)
        }
        Node::Group(_, children) => children.iter().fold((1, 0), |(depth, count), child| {
            let (d, c) = shape(child, referenced);
            (depth.max(d + 1), count + c)
        }),
    }
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let fields = roster_fuzz::custom_fields();
    let context = CriteriaContext {
        custom_fields: &fields,
    };
    let now = Timestamp::from_millis(1_750_000_000_000);
    match parse_criteria(text, &context, now) {
        Ok((node, referenced)) => {
            assert!(
                matches!(node, Node::Group(GroupKind::And, _)),
                "the top level is an and-group"
            );
            let (depth, conditions) = shape(&node, &referenced);
            assert!(depth <= MAX_DEPTH, "depth {depth}");
            assert!(conditions <= MAX_CONDITIONS, "{conditions} conditions");
            let again = parse_criteria(text, &context, now).expect("parsing is deterministic");
            assert_eq!(again, (node, referenced));
        }
        Err(errors) => assert!(!errors.is_empty(), "a refusal names its problems"),
    }
});
