"""Drives Roster's Email Campaigns operations with Constant Contact's official Python SDK
(constant-contact-api-client): create -> get -> list -> rename -> get activity -> update
activity -> preview -> schedule (later, read back, unschedule; now, history) -> test send
-> delete, then the refusals an integrator meets first. Every call goes
through a `*_with_http_info` method so the status code is asserted, and every body is
deserialized by the SDK's own pydantic models, so their validation has to pass (including the
campaign's title-case status beside the activity's upper case).

Usage: python3 sdk_emails.py BASE_URL ACCESS_TOKEN SENDER_EMAIL   (exit 0 on success)
Run by crates/roster-tests/tests/api/python_sdk.rs; exit code 3 means the SDK is missing.
"""

import datetime
import sys

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


HTML = (
    "<html><body>[[trackingImage]]<p>Hello [[FirstName OR \"there\"]],</p>"
    "<p>Spring is here.</p></body></html>"
)


def main(base_url, token, sender):
    configuration = cc.Configuration(host=f"{base_url}/v3")
    configuration.access_token = token
    client = cc.ApiClient(configuration)
    campaigns = cc.EmailCampaignsApi(client)
    scheduling = cc.EmailSchedulingApi(client)

    activity = cc.CreateEmailCampaignRequestEmailCampaignActivitiesInner(
        format_type=5,
        from_name="Test Org",
        from_email=sender,
        reply_to_email=sender,
        subject="Spring news for [[FirstName OR \"you\"]]",
        preheader="What is new",
        html_content=HTML,
    )
    request = cc.CreateEmailCampaignRequest(
        name="SDK spring campaign", email_campaign_activities=[activity]
    )
    created = expect(campaigns.create_email_campaign_with_http_info(request), 200)
    assert created.current_status == "Draft", created.current_status
    assert created.type == "NEWSLETTER" and created.type_code == 10
    roles = [a.role for a in created.campaign_activities]
    assert roles == ["primary_email", "permalink"], roles
    campaign_id = created.campaign_id
    primary = created.campaign_activities[0].campaign_activity_id

    read = expect(campaigns.get_email_campaign_by_id_with_http_info(campaign_id), 200)
    assert read.name == "SDK spring campaign"
    listed = expect(campaigns.get_all_email_campaigns_with_http_info(limit=50), 200)
    assert campaign_id in [c.campaign_id for c in listed.campaigns]

    renamed = expect(
        campaigns.patch_email_campaign_name_with_http_info(
            campaign_id, cc.PatchEmailCampaignNameRequest(name="SDK summer campaign")
        ),
        200,
    )
    assert renamed.name == "SDK summer campaign"

    full = expect(
        campaigns.get_email_campaign_activity_with_http_info(
            primary, include="html_content,physical_address_in_footer"
        ),
        200,
    )
    assert full.current_status == "DRAFT", full.current_status
    assert full.html_content == HTML
    full.subject = "Summer news"
    updated = expect(
        campaigns.update_email_campaign_activity_with_http_info(primary, full), 200
    )
    assert updated.subject == "Summer news"
    assert updated.html_content == HTML

    preview = expect(
        scheduling.get_email_campaign_activity_preview_with_http_info(primary), 200
    )
    assert preview.subject == "Summer news"
    assert "Hello Test," in preview.preview_html_content, preview.preview_html_content
    assert "[[" not in preview.preview_html_content
    assert "Spring is here." in preview.preview_text_content

    # Scheduling: recipients and a footer address first, then a future schedule, read back
    # and removed; then "send now", which the SDK sends as the epoch. The test server runs no
    # scheduler, so the activity stays SCHEDULED and its history empty until unscheduled.
    lists = cc.ContactListsApi(client)
    made = expect(
        lists.create_list_with_http_info(cc.UpdateListRequest(name="SDK readers")), 201
    )
    full.contact_list_ids = [made.list_id]
    full.physical_address_in_footer = cc.GetEmailCampaignActivity200ResponsePhysicalAddressInFooter(
        address_line1="1 Main St", city="Boston", state_code="MA", postal_code="02101",
        country_code="US", organization_name="Test Org",
    )
    expect(campaigns.update_email_campaign_activity_with_http_info(primary, full), 200)
    later = datetime.datetime(2099, 5, 17, 16, 37, 59, tzinfo=datetime.timezone.utc)
    scheduled = expect(
        scheduling.schedule_email_campaign_activity_with_http_info(
            primary, cc.ScheduleEmailCampaignActivityRequest(scheduled_date=later)
        ),
        201,
    )
    assert [s.scheduled_date for s in scheduled] == [later], scheduled
    read_back = expect(
        scheduling.get_email_campaign_activity_schedule_with_http_info(primary), 200
    )
    assert [s.scheduled_date for s in read_back] == [later], read_back
    expect(scheduling.unschedule_email_campaign_activity_with_http_info(primary), 204)
    expect_error(
        lambda: scheduling.unschedule_email_campaign_activity_with_http_info(primary), 400
    )
    now = expect(
        scheduling.schedule_email_campaign_activity_with_http_info(
            primary, cc.ScheduleEmailCampaignActivityRequest(scheduled_date="0")
        ),
        201,
    )
    assert now == [], now
    history = expect(
        scheduling.get_email_campaign_activity_send_history_with_http_info(primary), 200
    )
    assert history == [], history
    expect(scheduling.unschedule_email_campaign_activity_with_http_info(primary), 204)
    # A test send answers 204 with no body; six addresses are refused before the request.
    sent = scheduling.test_send_email_campaign_activity_with_http_info(
        primary,
        cc.TestSendEmailCampaignActivityRequest(
            email_addresses=["qa@example.com", "boss@example.com"],
            personal_message="Please check the layout.",
        ),
    )
    assert sent.status_code == 204, sent.status_code
    expect_error(
        lambda: scheduling.test_send_email_campaign_activity_with_http_info(
            primary, cc.TestSendEmailCampaignActivityRequest(email_addresses=["not an address"])
        ),
        400,
    )

    xrefs = expect(campaigns.get_email_campaign_xrefs_with_http_info("1,2"), 200)
    assert xrefs.xrefs == [] or xrefs.xrefs is None

    expect_error(
        lambda: campaigns.create_email_campaign_with_http_info(
            cc.CreateEmailCampaignRequest(
                name="SDK summer campaign", email_campaign_activities=[activity]
            )
        ),
        409,
    )

    expect(campaigns.delete_email_campaign_with_http_info(campaign_id), 204)
    removed = expect(campaigns.get_email_campaign_by_id_with_http_info(campaign_id), 200)
    assert removed.current_status == "Removed", removed.current_status
    expect_error(lambda: campaigns.get_email_campaign_activity_with_http_info(primary), 404)
    expect_error(lambda: campaigns.delete_email_campaign_with_http_info(campaign_id), 404)
    print("sdk_emails: all checks passed")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], sys.argv[3])
