"""The Content-Security-Policy of every page."""

from .environment import env
from .storage import AWS_STORAGE_BUCKET_NAME, STORAGES

# Content-Security-Policy (django-csp): scripts and styles only from our own static files.
# A view that must be embeddable (an event widget) replaces frame-ancestors for its response
# with apps.core.security.allow_framing.
# Signed S3 media URLs point at the bucket's own host, so images may come from there too.
if AWS_STORAGE_BUCKET_NAME:
    _s3 = STORAGES["default"]["OPTIONS"]
    _s3_default_origins = (
        [_s3["endpoint_url"]]
        if _s3["endpoint_url"]
        else [
            f"https://{AWS_STORAGE_BUCKET_NAME}.s3.amazonaws.com",
            f"https://{AWS_STORAGE_BUCKET_NAME}.s3.{_s3['region_name']}.amazonaws.com",
        ]
    )
else:
    _s3_default_origins = []
CSP_MEDIA_ORIGINS = env.list("CSP_MEDIA_ORIGINS", default=_s3_default_origins)
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:", "blob:", *CSP_MEDIA_ORIGINS],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "worker-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}
