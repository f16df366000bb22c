"""What accounts lets higher apps react to or contribute (registered in their AppConfig.ready)."""

from apps.core.hooks import Hook

# (user_id=): the nickname or photo changed; chat refreshes the user's open rooms.
profile_changed = Hook("accounts.profile_changed")

# (user=) -> dict: each app's sections of the account's data export.
account_exporting = Hook("accounts.account_exporting")

# (user_id=): inside the deletion's transaction, before the user row goes; chat ends the
# user's rooms and keeps their messages' places under a placeholder.
account_deleting = Hook("accounts.account_deleting")
