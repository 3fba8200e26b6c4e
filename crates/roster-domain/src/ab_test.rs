//! A/B subject tests (docs/CAMPAIGNS.md, "A/B tests"): a primary_email activity in DRAFT may
//! carry one; its send mails two arms of `test_size`% of the recipients each, one with the
//! activity's subject (A) and one with `alternative_subject` (B), chosen at random with a
//! seed kept with the test; after `winner_wait_duration` hours the subject with more unique
//! opens (ties: A) goes to everyone else.

use crate::campaign::CampaignStatus;
use crate::{FieldError, Timestamp};

pub const MIN_TEST_SIZE: i64 = 5;
pub const MAX_TEST_SIZE: i64 = 50;
pub const WINNER_WAIT_HOURS: [i64; 4] = [6, 12, 24, 48];
/// The campaign type while it carries an A/B test.
pub const AB_TEST_TYPE: &str = "AB_TEST";
pub const AB_TEST_TYPE_CODE: i64 = 57;

/// Which subject a recipient gets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Arm {
    /// The activity's own subject.
    A,
    /// The test's `alternative_subject`.
    B,
}

impl Arm {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::A => "A",
            Self::B => "B",
        }
    }

    pub fn parse_stored(text: &str) -> Option<Arm> {
        match text {
            "A" => Some(Self::A),
            "B" => Some(Self::B),
            _ => None,
        }
    }
}

/// Where a test is in its send.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AbTestState {
    /// Not sent yet.
    Draft,
    /// The two arms are being mailed.
    Testing,
    /// The arms were mailed; the winner is decided at `winner_due_at`.
    Waiting,
    /// The winner was decided (and its send started); a re-send uses it too.
    Decided,
}

impl AbTestState {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Draft => "draft",
            Self::Testing => "testing",
            Self::Waiting => "waiting",
            Self::Decided => "decided",
        }
    }

    pub fn parse_stored(text: &str) -> Option<AbTestState> {
        [Self::Draft, Self::Testing, Self::Waiting, Self::Decided]
            .into_iter()
            .find(|state| state.as_str() == text)
    }
}

/// POST …/abtest, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAbTest {
    pub alternative_subject: String,
    pub test_size: i64,
    pub winner_wait_hours: i64,
}

impl NewAbTest {
    /// The ranges: `test_size` 5–50, `winner_wait_duration` one of 6, 12, 24, 48.
    pub fn check_ranges(test_size: i64, winner_wait_hours: i64) -> Vec<FieldError> {
        let mut problems = Vec::new();
        if !(MIN_TEST_SIZE..=MAX_TEST_SIZE).contains(&test_size) {
            problems.push(FieldError::new(
                "test_size",
                format!("must be between {MIN_TEST_SIZE} and {MAX_TEST_SIZE}"),
            ));
        }
        if !WINNER_WAIT_HOURS.contains(&winner_wait_hours) {
            problems.push(FieldError::new(
                "winner_wait_duration",
                "must be one of 6, 12, 24 or 48 (hours)",
            ));
        }
        problems
    }
}

/// A primary activity's A/B test.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AbTest {
    pub alternative_subject: String,
    pub test_size: i64,
    pub winner_wait_hours: i64,
    pub state: AbTestState,
    /// What chose the arms.
    pub seed: i64,
    pub winner: Option<Arm>,
    pub winner_due_at: Option<Timestamp>,
}

/// One arm of a sent test as `roster campaigns show` prints it (the API has no per-arm
/// figures).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArmFigures {
    pub arm: Arm,
    /// Its recipients mailed.
    pub sends: u64,
    /// Its recipients who opened (human opens only).
    pub unique_opens: u64,
}

/// What creating or deleting a test found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AbTestChange {
    Done,
    NotFound,
    /// Not a primary_email activity, or not in DRAFT.
    Refused(CampaignStatus),
    /// POST: the activity has one already. DELETE: it has none.
    Exists,
    Missing,
}

/// How many recipients each arm gets of `recipients`: floor(N × size / 100), at least 1 when
/// there are 2 or more; None when there are fewer than 2 (the test is skipped).
pub fn arm_size(recipients: u64, test_size: i64) -> Option<u64> {
    if recipients < 2 {
        return None;
    }
    let size = u64::try_from(test_size.clamp(MIN_TEST_SIZE, MAX_TEST_SIZE)).unwrap_or(5);
    Some((recipients * size / 100).max(1))
}

/// The positions (into `count` recipients in a fixed order) of arm A and arm B, `size` each,
/// drawn with `seed`: a partial Fisher–Yates shuffle driven by SplitMix64, so the same seed
/// and order always give the same arms.
pub fn draw_arms(count: usize, size: usize, seed: i64) -> (Vec<usize>, Vec<usize>) {
    let wanted = (2 * size).min(count);
    let mut positions: Vec<usize> = (0..count).collect();
    let mut state = u64::from_ne_bytes(seed.to_ne_bytes());
    let mut next = || {
        state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    };
    for i in 0..wanted {
        let remaining = (count - i) as u64;
        let j = i + usize::try_from(next() % remaining).unwrap_or(0);
        positions.swap(i, j);
    }
    positions.truncate(wanted);
    let b = positions.split_off(wanted / 2);
    (positions, b)
}

/// The winner of two arms by their unique opens: B only when it has more.
pub fn winner(opens_a: u64, opens_b: u64) -> Arm {
    if opens_b > opens_a {
        Arm::B
    } else {
        Arm::A
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arms_follow_the_formula() {
        assert_eq!(arm_size(0, 50), None);
        assert_eq!(arm_size(1, 50), None);
        assert_eq!(arm_size(2, 5), Some(1));
        assert_eq!(arm_size(10, 30), Some(3));
        assert_eq!(arm_size(10, 50), Some(5));
        assert_eq!(arm_size(39, 5), Some(1));
        assert_eq!(arm_size(40, 5), Some(2));
    }

    #[test]
    fn draws_are_disjoint_sized_and_seeded() {
        let (a, b) = draw_arms(100, 30, 42);
        assert_eq!((a.len(), b.len()), (30, 30));
        let mut all: Vec<usize> = a.iter().chain(&b).copied().collect();
        all.sort_unstable();
        all.dedup();
        assert_eq!(all.len(), 60);
        assert!(all.iter().all(|p| *p < 100));
        assert_eq!(draw_arms(100, 30, 42), (a, b));
        assert_ne!(draw_arms(100, 30, 43).0, draw_arms(100, 30, 42).0);
        assert_eq!(draw_arms(2, 1, -7).0.len(), 1);
    }

    #[test]
    fn ties_go_to_a() {
        assert_eq!(winner(0, 0), Arm::A);
        assert_eq!(winner(2, 2), Arm::A);
        assert_eq!(winner(1, 2), Arm::B);
    }

    #[test]
    fn ranges_are_the_spec_s() {
        assert!(NewAbTest::check_ranges(5, 6).is_empty());
        assert!(NewAbTest::check_ranges(50, 48).is_empty());
        assert_eq!(NewAbTest::check_ranges(4, 7).len(), 2);
        assert_eq!(NewAbTest::check_ranges(51, 24).len(), 1);
    }
}
