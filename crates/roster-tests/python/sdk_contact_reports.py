"""Reads Roster's Contacts Reporting operations with Constant Contact's official Python SDK
(constant-contact-api-client): the activity details (both ways of naming the types, paging,
without names), the open and click rates and the activity summary of two contacts after a real
round trip, then the refusals. Every call goes through a `*_with_http_info` method so the
status code is asserted, and every body is deserialized by the SDK's own pydantic models, so
their validation has to pass.

The round trip (crates/roster-tests/tests/api/contact_reports.rs, `story`): campaigns FIRST
then SECOND sent to ann, bob and cid; ann opened and clicked FIRST and opened SECOND; bob
clicked FIRST (an open implied) and unsubscribed from SECOND.

Usage: python3 sdk_contact_reports.py BASE_URL ACCESS_TOKEN ANN BOB FIRST SECOND
Run by crates/roster-tests/tests/api/python_sdk.rs; exit code 3 means the SDK is missing.
"""

import datetime
import sys
import uuid

try:
    import constant_contact_api_client as cc
    from constant_contact_api_client.exceptions import ApiException
except ImportError as error:  # pragma: no cover - reported by the Rust test
    print(f"the SDK is not importable: {error}", file=sys.stderr)
    sys.exit(3)


def expect(response, status):
    assert response.status_code == status, f"expected {status}, got {response.status_code}"
    return response.data


def expect_error(call, status):
    try:
        call()
    except ApiException as error:
        assert error.status == status, f"expected {status}, got {error.status}: {error.body}"
        return error
    raise AssertionError(f"expected an error {status}, the call succeeded")


def rows(page):
    return [
        (row.tracking_activity_type, row.campaign_activity_id, row.campaign_activity_name)
        for row in page.tracking_activities
    ]


def main(base_url, token, ann, bob, first, second):
    configuration = cc.Configuration(host=f"{base_url}/v3")
    configuration.access_token = token
    reports = cc.ContactsReportingApi(cc.ApiClient(configuration))
    types = ["em_sends", "em_opens", "em_clicks"]
    expected = [
        ("em_opens", second, "Second"),
        ("em_sends", second, "Second"),
        ("em_clicks", first, "First"),
        ("em_opens", first, "First"),
        ("em_sends", first, "First"),
    ]

    # The SDK sends tracking_activities_list repeated and tracking_activity_type as one csv
    # value: Roster reads both forms of both.
    page = expect(
        reports.get_contact_tracking_report_with_http_info(ann, tracking_activities_list=types),
        200,
    )
    assert rows(page) == expected, rows(page)
    assert all(str(row.contact_id) == ann for row in page.tracking_activities)
    assert page.links is None or page.links.next is None
    page = expect(
        reports.get_contact_tracking_report_with_http_info(ann, tracking_activity_type=types),
        200,
    )
    assert rows(page) == expected, rows(page)
    first_page = expect(
        reports.get_contact_tracking_report_with_http_info(
            ann, tracking_activities_list=types, limit="2"
        ),
        200,
    )
    assert rows(first_page) == expected[:2], rows(first_page)
    assert first_page.links.next.href.startswith(f"/v3/reports/contact_reports/{ann}/")
    unnamed = expect(
        reports.get_contact_tracking_report_with_http_info(
            ann,
            tracking_activities_list=["em_optouts"],
            include_campaign_activity_names=False,
        ),
        200,
    )
    assert rows(unnamed) == [], rows(unnamed)
    optouts = expect(
        reports.get_contact_tracking_report_with_http_info(
            bob, tracking_activities_list=["em_optouts"], include_campaign_activity_names=False
        ),
        200,
    )
    assert rows(optouts) == [("em_optouts", second, None)], rows(optouts)

    now = datetime.datetime.now(datetime.timezone.utc)
    start = (now - datetime.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%S-0000")
    end = (now + datetime.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%S-0000")
    rates = expect(reports.get_contact_open_click_rate_report_with_http_info(ann, start, end), 200)
    assert str(rates.contact_id) == ann
    assert rates.included_activities_count == 2
    assert rates.average_open_rate == 1.0 and rates.average_click_rate == 0.5, rates
    rates = expect(reports.get_contact_open_click_rate_report_with_http_info(bob, start, end), 200)
    assert rates.average_open_rate == 0.5 and rates.average_click_rate == 0.5, rates
    empty = expect(
        reports.get_contact_open_click_rate_report_with_http_info(
            ann, "2019-01-01T00:00:00-0500", "2019-12-01T00:00:00-0500"
        ),
        200,
    )
    assert empty.included_activities_count == 0 and empty.average_open_rate == 0

    summary = expect(reports.get_contact_tracking_count_report_with_http_info(bob, start, end), 200)
    assert str(summary.contact_id) == bob
    counts = [
        (
            a.campaign_activity_id,
            a.em_sends,
            a.em_opens,
            a.em_clicks,
            a.em_bounces,
            a.em_forwards,
            a.em_unsubscribes,
        )
        for a in summary.campaign_activities
    ]
    assert counts == [(second, 1, 0, 0, 0, 0, 1), (first, 1, 1, 1, 0, 0, 0)], counts
    assert summary.campaign_activities[0].start_on > summary.campaign_activities[1].start_on

    # The refusals.
    expect_error(lambda: reports.get_contact_tracking_report_with_http_info(ann), 400)
    expect_error(
        lambda: reports.get_contact_tracking_report_with_http_info(
            ann, tracking_activities_list=["em_sends"], tracking_activity_type=["em_opens"]
        ),
        400,
    )
    expect_error(
        lambda: reports.get_contact_tracking_report_with_http_info(
            ann, tracking_activities_list=["em_sends"], limit="101"
        ),
        400,
    )
    expect_error(
        lambda: reports.get_contact_open_click_rate_report_with_http_info(
            ann, "2010-01-01T00:00:00Z", "2020-01-01T00:00:00Z"
        ),
        400,
    )
    expect_error(
        lambda: reports.get_contact_tracking_count_report_with_http_info(ann, "yesterday", end),
        400,
    )
    expect_error(
        lambda: reports.get_contact_tracking_count_report_with_http_info(
            str(uuid.uuid4()), start, end
        ),
        404,
    )
    print("sdk_contact_reports: all checks passed")


if __name__ == "__main__":
    if len(sys.argv) != 7:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    main(*sys.argv[1:])
