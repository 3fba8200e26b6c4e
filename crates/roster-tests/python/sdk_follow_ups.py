"""Drives Roster's resend to non-openers and A/B tests with Constant Contact's official Python
SDK (constant-contact-api-client). Resends: GET with none, POST (both delays given: the
minutes ignored), GET, the refusals (a second resend, an out-of-range delay, another role, a
wrong resend id), DELETE by the DRAFT id, and a resend on minutes. A/B tests: GET with none
(404), POST, GET, the refusals (a second test, a test size out of range, another role),
DELETE, and DELETE with none (404). Every call goes through a
`*_with_http_info` method so the status code is asserted, and every body is deserialized by
the SDK's own pydantic models, so their validation has to pass.

The Rust test (crates/roster-tests/tests/api/python_sdk.rs) creates the draft campaign first.

Usage: python3 sdk_follow_ups.py BASE_URL ACCESS_TOKEN PRIMARY_ID PERMALINK_ID
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


def main(base_url, token, primary_id, permalink_id):
    configuration = cc.Configuration(host=f"{base_url}/v3")
    configuration.access_token = token
    campaigns = cc.EmailCampaignsApi(cc.ApiClient(configuration))

    assert expect(campaigns.get_resend_email_campaign_with_http_info(primary_id)) == []
    request = cc.CreateResendEmailCampaignRequest(
        resend_subject="Did you miss it?", delay_days=2, delay_minutes=900
    )
    created = expect(
        campaigns.create_resend_email_campaign_with_http_info(primary_id, request), 201
    )
    assert created.resend_request_id == "DRAFT"
    assert (created.delay_days, created.delay_minutes) == (2, 2880)
    assert created.resend_subject == "Did you miss it?"
    listed = expect(campaigns.get_resend_email_campaign_with_http_info(primary_id))
    assert len(listed) == 1 and listed[0].resend_request_id == "DRAFT"
    assert listed[0].resend_status is None

    expect_error(
        lambda: campaigns.create_resend_email_campaign(primary_id, request), 409
    )
    expect_error(
        lambda: campaigns.create_resend_email_campaign(
            permalink_id, cc.CreateResendEmailCampaignRequest(resend_subject="x", delay_days=1)
        ),
        409,
    )
    expect_error(
        lambda: campaigns.delete_resend_email_campaign(primary_id, "389093"), 404
    )
    expect(
        campaigns.delete_resend_email_campaign_with_http_info(primary_id, "DRAFT"), 204
    )
    assert expect(campaigns.get_resend_email_campaign_with_http_info(primary_id)) == []
    expect_error(
        lambda: campaigns.create_resend_email_campaign(
            primary_id,
            cc.CreateResendEmailCampaignRequest(resend_subject="x", delay_minutes=700),
        ),
        400,
    )
    minutes = expect(
        campaigns.create_resend_email_campaign_with_http_info(
            primary_id,
            cc.CreateResendEmailCampaignRequest(resend_subject="Last call", delay_minutes=1000),
        ),
        201,
    )
    assert (minutes.delay_days, minutes.delay_minutes) == (None, 1000)

    ab_tests = cc.EmailCampaignsABTestsApi(cc.ApiClient(configuration))
    expect_error(lambda: ab_tests.get_ab_test_email_campaign(primary_id), 404)
    test = cc.GetABTestEmailCampaign200Response(
        alternative_subject="Subject B", test_size=30, winner_wait_duration=24
    )
    created = expect(
        ab_tests.create_ab_test_email_campaign_with_http_info(primary_id, test), 201
    )
    assert (created.alternative_subject, created.test_size, created.winner_wait_duration) == (
        "Subject B", 30, 24
    )
    shown = expect(ab_tests.get_ab_test_email_campaign_with_http_info(primary_id))
    assert shown.test_size == 30
    expect_error(lambda: ab_tests.create_ab_test_email_campaign(primary_id, test), 409)
    expect_error(lambda: ab_tests.create_ab_test_email_campaign(permalink_id, test), 409)
    expect_error(
        lambda: ab_tests.create_ab_test_email_campaign(
            primary_id,
            cc.GetABTestEmailCampaign200Response(
                alternative_subject="B", test_size=60, winner_wait_duration=24
            ),
        ),
        400,
    )
    expect(ab_tests.delete_ab_test_email_campaign_with_http_info(primary_id), 204)
    expect_error(lambda: ab_tests.delete_ab_test_email_campaign(primary_id), 404)
    print("sdk_follow_ups: all checks passed")


if __name__ == "__main__":
    main(*sys.argv[1:5])
