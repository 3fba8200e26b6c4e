//! The pagination cursor decoder (`roster_http::wire::cursor`). Any text either is refused or
//! names a position that re-encodes to itself; every position the server can issue decodes to
//! exactly that position, under its own key only; altering an issued cursor never moves it.
#![no_main]

use libfuzzer_sys::fuzz_target;
use roster_http::wire::cursor::{Cursor, CursorCodec};

const KEY: [u8; 32] = [7; 32];
const OTHER_KEY: [u8; 32] = [8; 32];

fuzz_target!(|data: &[u8]| {
    let codec = CursorCodec::new(KEY);

    // Arbitrary text as a client could send it.
    let text = String::from_utf8_lossy(data);
    if let Ok(cursor) = codec.decode(&text) {
        let again = codec
            .decode(&codec.encode(cursor.limit, &cursor.after))
            .expect("a decoded position re-encodes to a cursor that decodes");
        assert_eq!(again, cursor);
    }

    // An arbitrary position as the server could issue it.
    let Some((limit_bytes, rest)) = data.split_first_chunk::<4>() else {
        return;
    };
    let position = Cursor {
        limit: u32::from_le_bytes(*limit_bytes),
        after: String::from_utf8_lossy(rest).into_owned(),
    };
    let issued = codec.encode(position.limit, &position.after);
    assert_eq!(
        codec.decode(&issued).ok(),
        Some(position.clone()),
        "an issued cursor decodes to its position"
    );
    assert!(
        CursorCodec::new(OTHER_KEY).decode(&issued).is_err(),
        "a cursor signed with another key is refused"
    );
    // One character changed: refused, or (a no-op such as trailing padding) the same position.
    if !issued.is_empty() {
        let at = usize::from(limit_bytes[0]) % issued.len();
        let mut altered = issued.clone().into_bytes();
        altered[at] = if altered[at] == b'A' { b'B' } else { b'A' };
        let altered = String::from_utf8(altered).expect("base64 text stays ASCII");
        if let Ok(moved) = codec.decode(&altered) {
            assert_eq!(
                moved, position,
                "an altered cursor decoded to another position"
            );
        }
    }
});
