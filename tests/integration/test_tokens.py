"""Janus's own token authentication in front of Duet.

With `token_auth_secret` set, Janus itself checks signed tokens: a session
needs a valid token, and a handle can attach only to a plugin its token
names. The plugin takes no part in this (the core refuses the attach before
Duet sees it); this proves that Duet's package name is checked like any
other plugin's, so an operator can grant or deny Duet per token.
"""

import base64
import hashlib
import hmac
import json
import time
import urllib.error
import urllib.request

import pytest

import janus_client as jc

SECRET = "duet-token-secret"
PLAIN = """
general: {
	rec_dir = "@DIR@/recordings"
}
"""


def signed_token(plugins, secret=SECRET, lifetime=300):
    """A Janus signed token: "expiry,janus,plugin[,plugin…]:base64(HMAC-SHA1)"."""
    data = "%d,janus,%s" % (int(time.time()) + lifetime, ",".join(plugins))
    signature = hmac.new(secret.encode(), data.encode(), hashlib.sha1).digest()
    return data + ":" + base64.b64encode(signature).decode()


def post(path, message):
    message = dict(message, transaction=jc.new_transaction())
    request = urllib.request.Request(
        "http://127.0.0.1:8088/janus" + path,
        data=json.dumps(message).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.load(response)


def error_code(answer):
    assert answer["janus"] == "error", answer
    return answer["error"]["code"]


def create_session(token):
    answer = post("", {"janus": "create", "token": token})
    assert answer["janus"] == "success", answer
    return answer["data"]["id"]


@pytest.mark.duet_config(PLAIN, extra_args=("--token-auth", SECRET))
def test_signed_tokens_grant_duet_or_not(janus):
    # no token, or a forged one: no session at all (403, unauthorized)
    assert error_code(post("", {"janus": "create"})) == 403
    forged = signed_token(["janus.plugin.duet"], secret="not-the-secret")
    assert error_code(post("", {"janus": "create", "token": forged})) == 403

    # a token for another plugin only: the attach to Duet is refused (405)
    other = signed_token(["janus.plugin.videocall"])
    session = create_session(other)
    try:
        answer = post("/%d" % session, {"janus": "attach", "plugin": jc.DUET, "token": other})
        assert error_code(answer) == 405
    finally:
        post("/%d" % session, {"janus": "destroy", "token": other})

    # a token that names Duet: attach, and the plugin answers requests
    granted = signed_token(["janus.plugin.videocall", jc.DUET])
    session = create_session(granted)
    try:
        answer = post("/%d" % session, {"janus": "attach", "plugin": jc.DUET, "token": granted})
        assert answer["janus"] == "success", answer
        handle = answer["data"]["id"]
        body = {"request": "exists", "room": "token-room"}
        answer = post("/%d/%d" % (session, handle), {"janus": "message", "body": body, "token": granted})
        assert answer["plugindata"]["data"] == {"duet": "success", "room": "token-room", "exists": False}
    finally:
        post("/%d" % session, {"janus": "destroy", "token": granted})
