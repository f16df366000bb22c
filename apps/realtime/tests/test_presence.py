"""Who is connected, read for many users at once (a round start asks for 5,000)."""

import time

from apps.core.redis import get_redis
from apps.realtime import presence


def test_users_live_answers_for_each_user_in_order():
    """Given one user with a live socket, one whose only lease expired, one with two sockets of
    which one closed, and one never seen: only the first and the third are live."""
    live, expired, two_tabs, never = 910_001, 910_002, 910_003, 910_004
    presence.socket_touch(user_id=live, channel_name="live.1")
    get_redis().zadd(f"presence:sockets:{expired}", {"expired.1": time.time() - 1})
    presence.socket_touch(user_id=two_tabs, channel_name="tab.1")
    presence.socket_touch(user_id=two_tabs, channel_name="tab.2")
    presence.socket_closed(user_id=two_tabs, channel_name="tab.1")

    assert presence.users_live(user_ids=[live, expired, two_tabs, never]) == [True, False, True, False]
    assert presence.users_live(user_ids=[]) == []
    # The same answer as the per-user reads it stands in for.
    assert [online for online, _seen in presence.users_live_and_last_seen(user_ids=[live, expired, two_tabs, never])] == [
        True,
        False,
        True,
        False,
    ]
