"""Verifies the DKIM signature of a message Roster sent, with dkimpy, an implementation
independent of the one that signed it (crates/roster-tests/tests/api/mail_signing.rs).

Usage: dkim_verify.py MESSAGE_FILE DNS_NAME TXT_RECORD

The DNS lookup is answered from the arguments (dkimpy's dnsfunc): TXT_RECORD for DNS_NAME,
nothing for any other name. Then a changed Subject and a changed List-Unsubscribe (both signed
headers) must break the signature. Prints "dkim_verify: all checks passed" at the end.
"""

import re
import sys

import dkim


def main():
    path, dns_name, record = sys.argv[1:4]
    with open(path, "rb") as f:
        message = f.read()

    asked = []

    def dnsfunc(name, timeout=5):
        name = name.decode() if isinstance(name, bytes) else name
        asked.append(name)
        return record.encode() if name.rstrip(".") == dns_name else None

    verifier = dkim.DKIM(message)
    assert verifier.verify(dnsfunc=dnsfunc), "the signature does not verify"
    assert [name.rstrip(".") for name in asked] == [dns_name], asked
    signed = {name.decode().lower() for name in verifier.include_headers}
    for header in ("from", "subject", "date", "message-id", "list-unsubscribe",
                   "list-unsubscribe-post"):
        assert header in signed, f"{header} is not signed: {sorted(signed)}"
    assert verifier.signature_fields[b"c"] == b"relaxed/relaxed", verifier.signature_fields

    # A signed header changed on the way: the signature no longer holds.
    for name, value in ((b"Subject", b"Changed"),
                        (b"List-Unsubscribe", b"<https://evil.example/u>")):
        pattern = rb"(?mi)^" + name + rb":.*\r\n(?:[ \t].*\r\n)*"
        tampered, count = re.subn(pattern, name + b": " + value + b"\r\n", message, count=1)
        assert count == 1, f"no {name!r} header to change"
        assert not dkim.verify(tampered, dnsfunc=dnsfunc), f"a changed {name!r} still verifies"

    # Relaxed canonicalization: refolding a header or changing its whitespace does not matter.
    refolded = re.sub(rb"(?m)^Subject: ", b"Subject:   ", message, count=1)
    assert refolded != message
    assert dkim.verify(refolded, dnsfunc=dnsfunc), "relaxed header canonicalization failed"

    print("dkim_verify: all checks passed")


if __name__ == "__main__":
    main()
