"""Drives Roster with Constant Contact's official Python SDK (constant-contact-api-client):
create, read, update, delete, sign_up_form, filtering and `_links.next.href` pagination of
contacts, lists and tags. Every call goes through a `*_with_http_info` method so the status
code is asserted (the plain methods return None on an unexpected 2xx), and every body is
deserialized by the SDK's own models, so its response validation has to pass.

Usage: python3 sdk_contacts.py BASE_URL ACCESS_TOKEN   (exit 0 on success)
Run by crates/roster-tests/tests/api/python_sdk.rs; exit code 3 means the SDK is missing.
"""

import sys
from datetime import datetime, timedelta, timezone

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


def follow(client, href, response_type):
    """GETs a `_links.next.href` (a path starting with /v3) and deserializes it with the SDK."""
    assert href.startswith("/v3/"), href
    method, url, headers, body, post = client.param_serialize(
        method="GET",
        resource_path=href[len("/v3"):],
        header_params={"Accept": "application/json"},
        auth_settings=["oauth2_access_code"],
    )
    raw = client.call_api(method, url, header_params=headers)
    raw.read()
    return client.response_deserialize(raw, {"200": response_type})


def walk(client, first, array, response_type):
    """Every item of a collection, from its first page through every next link."""
    items = list(getattr(first, array) or [])
    pages = 1
    while first.links is not None and first.links.next is not None:
        response = follow(client, first.links.next.href, response_type)
        first = expect(response, 200)
        items.extend(getattr(first, array) or [])
        pages += 1
    return items, pages


def main(base, token):
    config = cc.Configuration(host=base + "/v3", access_token=token)
    with cc.ApiClient(config) as client:
        contacts = cc.ContactsApi(client)
        lists = cc.ContactListsApi(client)
        tags = cc.ContactTagsApi(client)

        # --- Lists: create, read, update, filter, paginate.
        list_ids = []
        for name in ["SDK Alpha", "SDK Beta", "SDK Gamma"]:
            created = expect(
                lists.create_list_with_http_info(
                    cc.UpdateListRequest.from_dict({"name": name, "description": f"{name} list", "favorite": False})
                ),
                201,
            )
            assert created.name == name
            list_ids.append(created.list_id)
        read = expect(lists.get_list_with_http_info(list_ids[0], include_membership_count="all"), 200)
        assert read.name == "SDK Alpha" and read.membership_count == 0
        updated = expect(
            lists.update_list_with_http_info(
                list_ids[2], cc.UpdateListRequest.from_dict({"name": "SDK Gamma 2", "favorite": True})
            ),
            200,
        )
        assert updated.name == "SDK Gamma 2" and updated.favorite is True
        expect_error(
            lambda: lists.create_list_with_http_info(cc.UpdateListRequest.from_dict({"name": "sdk alpha"})), 409
        )
        by_name = expect(lists.get_all_lists_with_http_info(name="SDK Beta", include_count=True), 200)
        assert [l.list_id for l in by_name.lists] == [list_ids[1]] and by_name.lists_count == 1
        first = expect(lists.get_all_lists_with_http_info(limit=2, include_count=True), 200)
        assert len(first.lists) == 2 and first.lists_count == 3
        walked, pages = walk(client, first, "lists", "GetAllLists200Response")
        assert [l.list_id for l in walked] == list_ids and pages == 2, (walked, pages)
        xrefs = expect(lists.get_list_id_xrefs_with_http_info("1,2"), 200)
        assert xrefs.xrefs == [] or xrefs.xrefs is None

        # --- Tags: create, read, rename, paginate.
        tag_ids = []
        for name in ["sdk-red", "sdk-green", "sdk-blue"]:
            created = expect(
                tags.post_tag_with_http_info(cc.PostTagRequest.from_dict({"name": name, "tag_source": "sdk"})), 201
            )
            assert created.name == name and created.tag_source == "sdk"
            tag_ids.append(created.tag_id)
        renamed = expect(
            tags.put_tag_with_http_info(tag_ids[2], cc.PutTagRequest.from_dict({"name": "sdk-navy"})), 200
        )
        assert renamed.name == "sdk-navy"
        expect_error(lambda: tags.post_tag_with_http_info(cc.PostTagRequest.from_dict({"name": "SDK-RED"})), 409)
        first = expect(tags.get_all_tags_with_http_info(limit=2, include_count=True), 200)
        walked, pages = walk(client, first, "tags", "GetAllTags200Response")
        assert [t.tag_id for t in walked] == tag_ids and pages == 2
        assert all(t.contacts_count == 0 for t in walked)

        # --- Contacts: create, read, update, delete.
        created = expect(
            contacts.create_contact_with_http_info(
                cc.CreateContactRequest.from_dict(
                    {
                        "email_address": {"address": "Sdk.Ann@Example.com", "permission_to_send": "explicit"},
                        "first_name": "Ann",
                        "last_name": "Sdk",
                        "create_source": "Account",
                        "birthday_month": 2,
                        "birthday_day": 29,
                        "anniversary": "2020-05-17",
                        "phone_numbers": [{"phone_number": "555-0100", "kind": "mobile"}],
                        "street_addresses": [{"kind": "home", "city": "Boston"}],
                        "list_memberships": [list_ids[0]],
                        "taggings": [tag_ids[0]],
                        "notes": [{"content": "via the SDK"}],
                    }
                )
            ),
            201,
        )
        ann = created.contact_id
        assert created.email_address.address == "sdk.ann@example.com"
        assert created.email_address.permission_to_send == "explicit"
        assert created.list_memberships == [list_ids[0]]
        expect_error(
            lambda: contacts.create_contact_with_http_info(
                cc.CreateContactRequest.from_dict(
                    {"email_address": {"address": "sdk.ann@example.com"}, "create_source": "Account"}
                )
            ),
            409,
        )
        read = expect(
            contacts.get_contact_by_id_with_http_info(
                ann, include="custom_fields,list_memberships,phone_numbers,street_addresses,taggings,notes"
            ),
            200,
        )
        assert read.first_name == "Ann" and read.taggings == [tag_ids[0]]
        assert read.notes[0].content == "via the SDK"
        updated = expect(
            contacts.update_contact_with_http_info(
                ann,
                cc.UpdateContactRequest.from_dict(
                    {
                        "email_address": {"address": "sdk.ann@example.com"},
                        "first_name": "Anne",
                        "update_source": "Account",
                        "list_memberships": [list_ids[0], list_ids[1]],
                    }
                ),
            ),
            200,
        )
        assert updated.first_name == "Anne" and updated.last_name is None
        assert updated.list_memberships == [list_ids[0], list_ids[1]]
        assert updated.taggings == [tag_ids[0]]

        # --- Sign-up form: created, then updated with lists appended.
        signed = expect(
            contacts.create_or_update_contact_with_http_info(
                cc.CreateOrUpdateContactRequest.from_dict(
                    {"email_address": "sdk.bob@example.com", "first_name": "Bob", "list_memberships": [list_ids[1]]}
                )
            ),
            201,
        )
        assert signed.action == "created"
        bob = signed.contact_id
        again = expect(
            contacts.create_or_update_contact_with_http_info(
                cc.CreateOrUpdateContactRequest.from_dict(
                    {"email_address": "SDK.BOB@example.com", "list_memberships": [list_ids[2]]}
                )
            ),
            200,
        )
        assert again.action == "updated" and again.contact_id == bob
        bob_read = expect(contacts.get_contact_by_id_with_http_info(bob, include="list_memberships"), 200)
        assert bob_read.list_memberships == [list_ids[1], list_ids[2]]
        assert bob_read.email_address.permission_to_send == "explicit"

        # More contacts to filter and page through.
        extra = []
        for n in range(5):
            made = expect(
                contacts.create_contact_with_http_info(
                    cc.CreateContactRequest.from_dict(
                        {
                            "email_address": {
                                "address": f"sdk.extra{n}@example.com",
                                "permission_to_send": "unsubscribed" if n % 2 else "implicit",
                            },
                            "create_source": "Contact",
                            "list_memberships": [list_ids[1]],
                        }
                    )
                ),
                201,
            )
            extra.append(made.contact_id)

        # --- Filtering.
        found = expect(contacts.get_all_contacts_with_http_info(email="sdk.ann@example.com", include_count=True), 200)
        assert [c.contact_id for c in found.contacts] == [ann] and found.contacts_count == 1
        in_beta = expect(
            contacts.get_all_contacts_with_http_info(lists=list_ids[1], include_count=True, limit=2,
                                                     include="list_memberships"), 200
        )
        assert in_beta.contacts_count == 7, in_beta.contacts_count
        walked, pages = walk(client, in_beta, "contacts", "GetAllContacts200Response")
        assert sorted(c.contact_id for c in walked) == sorted([ann, bob] + extra)
        assert pages == 4, pages
        assert all(list_ids[1] in c.list_memberships for c in walked)
        unsubscribed = expect(
            contacts.get_all_contacts_with_http_info(status="unsubscribed", include_count=True), 200
        )
        assert sorted(c.contact_id for c in unsubscribed.contacts) == sorted([extra[1], extra[3]])
        tagged = expect(contacts.get_all_contacts_with_http_info(tags=tag_ids[0]), 200)
        assert [c.contact_id for c in tagged.contacts] == [ann]
        since = datetime.now(timezone.utc) - timedelta(hours=1)
        recent = expect(
            contacts.get_all_contacts_with_http_info(created_after=since, updated_after=since, include_count=True), 200
        )
        assert recent.contacts_count == 7
        future = datetime.now(timezone.utc) + timedelta(hours=1)
        none = expect(contacts.get_all_contacts_with_http_info(created_after=future), 200)
        assert none.contacts == []
        expect_error(lambda: contacts.get_all_contacts_with_http_info(status="bogus"), 400)

        counts = expect(contacts.get_contact_counts_with_http_info(include="new_subscriber"), 200)
        assert (counts.total, counts.explicit, counts.implicit, counts.unsubscribed) == (7, 2, 3, 2), counts
        beta = expect(lists.get_list_with_http_info(list_ids[1], include_membership_count="active"), 200)
        assert beta.membership_count == 5, beta.membership_count
        red = expect(tags.get_tag_with_http_info(tag_ids[0], include_count=True), 200)
        assert red.contacts_count == 1

        # --- Delete: hidden by default, visible with status=deleted.
        expect(contacts.delete_contact_with_http_info(ann), 204)
        default = expect(contacts.get_all_contacts_with_http_info(email="sdk.ann@example.com"), 200)
        assert default.contacts == []
        deleted = expect(contacts.get_all_contacts_with_http_info(status="deleted"), 200)
        assert [c.contact_id for c in deleted.contacts] == [ann]
        assert deleted.contacts[0].deleted_at is not None
        expect_error(lambda: contacts.get_contact_by_id_with_http_info("8d1a7fe6-6a4b-4b8e-9b4c-2f4a0f0e0c11"), 404)
        xrefs = expect(contacts.get_contact_id_xrefs_with_http_info("1,2"), 200)
        assert not xrefs.xrefs

    print("sdk_contacts: all checks passed")


if __name__ == "__main__":
    if len(sys.argv) != 3:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    main(sys.argv[1], sys.argv[2])
