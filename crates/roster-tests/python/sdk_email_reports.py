"""Reads Roster's Email Reporting operations with Constant Contact's official Python SDK
(constant-contact-api-client): the links report, the eight tracking pages (with their filters
and a page of one row with its next link), the campaign summaries, and the stats of the
campaign and of its activity, then the refusals (a limit out of range, a malformed stats id,
too many ids, a permalink activity). Every call goes through a `*_with_http_info` method so
the status code is asserted, and every body is deserialized by the SDK's own pydantic models
(strict types), so their validation has to pass.

The campaign was sent and engaged with by the Rust test first
(crates/roster-tests/tests/api/email_reports.rs, `engaged_campaign`): five readers, two
openers, two clickers, a forward, an opt-out with a reason, a B and a V bounce, a complaint.

Usage: python3 sdk_email_reports.py BASE_URL ACCESS_TOKEN CAMPAIGN_ID ACTIVITY_ID PERMALINK_ID
Run by crates/roster-tests/tests/api/python_sdk.rs; exit code 3 means the SDK is missing.
"""

import sys

try:
    import constant_contact_api_client as cc
    from constant_contact_api_client.exceptions import ApiException
except ImportError as error:  # pragma: no cover - reported by the Rust test
    print(f"the SDK is not importable: {error}", file=sys.stderr)
    sys.exit(3)


def expect(response, status=200):
    assert response.status_code == status, f"expected {status}, got {response.status_code}"
    return response.data


def expect_error(call, status):
    try:
        call()
    except ApiException as error:
        assert error.status == status, f"expected {status}, got {error.status}: {error.body}"
        return error
    raise AssertionError(f"expected an error {status}, the call succeeded")


def emails(page):
    return [row.email_address for row in page.tracking_activities]


def main(base_url, token, campaign_id, activity_id, permalink_id):
    configuration = cc.Configuration(host=f"{base_url}/v3")
    configuration.access_token = token
    reports = cc.EmailReportingApi(cc.ApiClient(configuration))

    links = expect(reports.get_campaign_activity_link_report_with_http_info(activity_id))
    assert links.campaign_activity_id == activity_id
    assert [(l.url_id, l.unique_clicks) for l in links.link_click_counts] == [("1", 1), ("2", 1)]
    every = expect(
        reports.get_campaign_activity_link_report_with_http_info(activity_id, no_clicks=True)
    )
    assert len(every.link_click_counts) == 3

    sends = expect(reports.get_email_sends_report_with_http_info(activity_id))
    assert len(sends.tracking_activities) == 5
    assert all(row.tracking_activity_type == "em_sends" for row in sends.tracking_activities)
    first = expect(reports.get_email_sends_report_with_http_info(activity_id, limit="1"))
    assert len(first.tracking_activities) == 1 and first.links.next.href

    opens = expect(reports.get_email_opens_report_with_http_info(activity_id))
    assert [row.device_type for row in opens.tracking_activities] == [
        "computer", "none", "mobile", "mobile"
    ]
    unique = expect(reports.get_unique_opens_report_with_http_info(activity_id))
    assert emails(unique) == ["bob@example.org", "ann@example.org"]
    not_opened = expect(reports.get_did_not_opens_report_with_http_info(activity_id))
    assert emails(not_opened) == ["cy@example.org"]
    clicks = expect(reports.get_clicks_report_with_http_info(activity_id))
    assert [row.url_id for row in clicks.tracking_activities] == ["2", "1"]
    shop = expect(reports.get_clicks_report_with_http_info(activity_id, url_id=1))
    assert emails(shop) == ["ann@example.org"]
    forwards = expect(reports.get_forwards_report_with_http_info(activity_id))
    assert emails(forwards) == ["ann@example.org"]
    optouts = expect(reports.get_optouts_report_with_http_info(activity_id))
    assert optouts.tracking_activities[0].opt_out_reason == "Too many emails"
    bounces = expect(reports.get_bounces_report_with_http_info(activity_id))
    assert [row.bounce_code for row in bounces.tracking_activities] == ["V", "B"]
    only_b = expect(reports.get_bounces_report_with_http_info(activity_id, bounce_code=["B"]))
    assert emails(only_b) == ["dee@example.org"]
    b_and_v = expect(
        reports.get_bounces_report_with_http_info(activity_id, bounce_code=["B", "V"])
    )
    assert len(b_and_v.tracking_activities) == 2

    summaries = expect(reports.get_email_campaign_report_with_http_info(limit="10"))
    summary = summaries.bulk_email_campaign_summaries[0]
    assert summary.campaign_id == campaign_id
    assert summary.unique_counts.sends == 5 and summary.unique_counts.not_opened == 1
    assert summaries.aggregate_percents.open == 50.0

    by_campaign = expect(reports.get_email_stats_report_with_http_info(campaign_id))
    assert by_campaign.errors == []
    result = by_campaign.results[0]
    assert result.stats.em_sends == 5 and result.stats.em_opens == 2
    assert result.percents.click == 100.0 and result.percents.bounce == 40.0
    by_activity = expect(
        reports.get_email_campaign_activity_report_with_http_info(
            f"{activity_id},{permalink_id}"
        )
    )
    stats = by_activity.results[0].stats
    assert stats.em_abuse == 1 and stats.em_bounces_vacation == 1
    assert len(by_activity.errors) == 1, by_activity.errors

    expect_error(lambda: reports.get_email_sends_report_with_http_info(activity_id, limit="0"), 400)
    expect_error(lambda: reports.get_email_opens_report_with_http_info(permalink_id), 400)
    expect_error(
        lambda: reports.get_email_campaign_activity_report_with_http_info("not-a-uuid"), 404
    )
    expect_error(lambda: reports.get_email_stats_report_with_http_info("not-a-uuid"), 404)
    eleven = ",".join([activity_id] * 11)
    expect_error(lambda: reports.get_email_campaign_activity_report_with_http_info(eleven), 400)

    print("sdk_email_reports: all checks passed")


if __name__ == "__main__":
    main(*sys.argv[1:6])
