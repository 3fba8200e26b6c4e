"""Drives Roster's authorization server with requests-oauthlib, as a real integration would:

1. the authorization-code flow with PKCE (S256), walking the sign-in and consent pages;
2. refresh with rotation (the used refresh token is refused afterwards);
3. the implicit (client) flow, reading the token from the redirect's fragment.

Usage: oauth_flows.py BASE_URL EMAIL PASSWORD CLIENT_ID CLIENT_SECRET PUBLIC_CLIENT_ID REDIRECT_URI
Prints one line per completed step; exits non-zero on the first failure.
"""

import html
import os
import re
import sys
from urllib.parse import urljoin

# The test server speaks plain HTTP on 127.0.0.1; granted scopes are checked by the test itself.
os.environ["OAUTHLIB_INSECURE_TRANSPORT"] = "1"
os.environ["OAUTHLIB_RELAX_TOKEN_SCOPE"] = "1"

import requests  # noqa: E402
from oauthlib.oauth2 import MobileApplicationClient  # noqa: E402
from oauthlib.oauth2.rfc6749.errors import InvalidGrantError  # noqa: E402
from requests.auth import HTTPBasicAuth  # noqa: E402
from requests_oauthlib import OAuth2Session  # noqa: E402

BASE, EMAIL, PASSWORD, CLIENT_ID, CLIENT_SECRET, PUBLIC_ID, REDIRECT = sys.argv[1:8]
AUTHORIZE = BASE + "/oauth2/default/v1/authorize"
TOKEN = BASE + "/oauth2/default/v1/token"
PRIVILEGES = BASE + "/v3/account/user/privileges"


def form_of(page):
    """The action and hidden fields of the page's POST form."""
    form = re.search(r'<form method="post" action="([^"]*)">(.*?)</form>', page, re.S)
    assert form, "no form on the page:\n" + page
    fields = {
        html.unescape(name): html.unescape(value)
        for name, value in re.findall(
            r'<input type="hidden" name="([^"]*)" value="([^"]*)">', form.group(2)
        )
    }
    return html.unescape(form.group(1)), fields


def walk(browser, url):
    """Signs in and consents as needed; returns the redirect to the client."""
    response = browser.get(url, allow_redirects=False)
    for _ in range(8):
        if response.status_code in (302, 303):
            location = response.headers["Location"]
            if location.startswith(REDIRECT):
                return location
            response = browser.get(urljoin(BASE, location), allow_redirects=False)
            continue
        assert response.status_code == 200, (response.status_code, response.text)
        csp = response.headers.get("Content-Security-Policy", "")
        assert "frame-ancestors 'none'" in csp, csp
        action, fields = form_of(response.text)
        if 'name="password"' in response.text:
            fields.update(username=EMAIL, password=PASSWORD)
        else:
            fields["decision"] = "allow"
        response = browser.post(urljoin(BASE, action), data=fields, allow_redirects=False)
    raise AssertionError("the pages never redirected back to the client")


browser = requests.Session()

# 1. Authorization code with PKCE.
oauth = OAuth2Session(
    CLIENT_ID, redirect_uri=REDIRECT, scope=["contact_data", "offline_access"], pkce="S256"
)
url, state = oauth.authorization_url(AUTHORIZE)
assert "code_challenge=" in url and "code_challenge_method=S256" in url, url
callback = walk(browser, url)
token = oauth.fetch_token(TOKEN, authorization_response=callback, client_secret=CLIENT_SECRET)
assert set(token) - {"expires_at"} == {
    "access_token", "token_type", "expires_in", "scope", "refresh_token"
}, token
assert token["scope"] == ["contact_data", "offline_access"], token["scope"]
assert len(token["refresh_token"]) <= 50
assert oauth.get(PRIVILEGES).status_code == 200
print("authorization code with PKCE: ok")

# 2. Refresh with rotation.
first_refresh = token["refresh_token"]
auth = HTTPBasicAuth(CLIENT_ID, CLIENT_SECRET)
rotated = oauth.refresh_token(TOKEN, auth=auth)
assert rotated["refresh_token"] != first_refresh
assert oauth.get(PRIVILEGES).status_code == 200
try:
    oauth.refresh_token(TOKEN, refresh_token=first_refresh, auth=auth)
    raise AssertionError("a used refresh token was accepted")
except InvalidGrantError:
    pass
print("refresh with rotation: ok")

# 3. Implicit (client) flow.
implicit = OAuth2Session(
    client=MobileApplicationClient(PUBLIC_ID), redirect_uri=REDIRECT, scope=["contact_data"]
)
url, state = implicit.authorization_url(AUTHORIZE)
callback = walk(browser, url)
token = implicit.token_from_fragment(callback)
assert token["token_type"] == "Bearer" and int(token["expires_in"]) == 8 * 3600, token
assert "refresh_token" not in token
assert implicit.get(PRIVILEGES).status_code == 200
print("implicit flow: ok")
