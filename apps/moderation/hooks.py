"""What moderation lets higher apps react to or answer (registered in their AppConfig.ready)."""

from apps.core.hooks import Hook

# (blocker_id=, blocked_id=): a new block; chat ends the pair's 1:1 rooms.
block_created = Hook("moderation.block_created")

# (image=ModeratedImage): an image was approved, rejected or sent to review; the app that
# owns its purpose follows up (accounts: the profile photo; chat: the chat image).
image_decided = Hook("moderation.image_decided")

# (user_id=) -> dict: what the reported user's profile showed, kept as report evidence.
reported_profile_snapshot = Hook("moderation.reported_profile_snapshot")

# (reporter_id=, reported_user_id=, room_id=, message_seq=) -> dict: the conversation a report
# is about, after checking the reporter may speak about it (raises DomainError otherwise).
report_room_evidence = Hook("moderation.report_room_evidence")

# (room_id=, user_id=) -> bool: whether the user is a member of the room (chat images).
room_has_member = Hook("moderation.room_has_member")

# (room_id=) -> int | None: the event a chat room belongs to (a report there counts for it).
room_event_id = Hook("moderation.room_event_id")

# (user_id=) -> bool: whether the student wants moderation notices by e-mail (accounts'
# notification preferences), provided by accounts.
notice_mail_allowed = Hook("moderation.notice_mail_allowed")

# (user_id=) -> str: the language ("ko"/"en") the account chose for e-mails, provided by accounts;
# an account with no choice ("") gets e-mails in the site's default (LANGUAGE_CODE).
user_language = Hook("moderation.user_language")
