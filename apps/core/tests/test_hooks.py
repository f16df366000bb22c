import pytest

from apps.core.hooks import Hook, HookNotConnected


def test_send_calls_every_handler_once_in_registration_order():
    hook = Hook("test.fact")
    calls = []
    first = hook.register(lambda *, value: calls.append(("first", value)) or 1)
    hook.register(lambda *, value: calls.append(("second", value)) or 2)
    hook.register(first)  # again: still once
    assert hook.send(value=5) == [1, 2]
    assert calls == [("first", 5), ("second", 5)]


def test_call_asks_the_single_provider_and_fails_loudly_without_one():
    hook = Hook("test.answer")
    with pytest.raises(HookNotConnected, match="test.answer needs exactly one provider, has 0"):
        hook.call(value=1)
    hook.register(lambda *, value: value * 2)
    assert hook.call(value=21) == 42
    hook.register(lambda *, value: value)
    with pytest.raises(HookNotConnected, match="has 2"):
        hook.call(value=1)


def test_the_apps_registered_their_handlers_once():
    from apps.accounts import hooks as accounts_hooks
    from apps.moderation import hooks as moderation_hooks

    assert [len(hook.handlers) for hook in (moderation_hooks.block_created, accounts_hooks.profile_changed)] == [1, 1]
