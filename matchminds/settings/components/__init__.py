"""The settings shared by every environment, one module per concern.

`matchminds/settings/base.py` imports them in order; each module imports what it needs from
the ones before it (`environment` first: the one `env` object). A feature's periodic tasks go
into `workers.CELERY_BEAT_SCHEDULE` from the feature's own module.
"""
