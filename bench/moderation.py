"""Benchmark of image moderation: local-model throughput and upload → decision latency.

Phase 1 runs the local open_nsfw model in this process over varied JPEGs (one ONNX thread,
as a worker process runs it). Phase 2 starts a real Celery worker and uploads profile photos
through `profile_photo_set` at a steady pace, timing each from the upload call to the
decision the worker stored. Needs PostgreSQL and Redis (DATABASE_URL, REDIS_URL).

Last line: {"bench":"moderation","images_per_s":..,"p95_decision_ms":..}
"""

import argparse
import io
import json
import os
import random
import subprocess
import sys
import time
import uuid
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "matchminds.settings.local")
# The bench uploads far more than a person may in an hour.
os.environ["MODERATION_UPLOADS_PER_HOUR"] = "1000000"


def make_jpeg(seed: int) -> bytes:
    from PIL import Image, ImageDraw

    rng = random.Random(seed)
    image = Image.new("RGB", (800, 600), tuple(rng.randrange(256) for _ in range(3)))
    draw = ImageDraw.Draw(image)
    for _ in range(40):
        box = sorted(rng.randrange(800) for _ in range(2)) + sorted(rng.randrange(600) for _ in range(2))
        draw.ellipse((box[0], box[2], box[1], box[3]), fill=tuple(rng.randrange(256) for _ in range(3)))
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=85)
    return buffer.getvalue()


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def bench_model(images: list[bytes]) -> float:
    from apps.moderation.image_backends import LocalOpenNsfwBackend

    started = time.perf_counter()
    backend = LocalOpenNsfwBackend()
    print(f"model load: {(time.perf_counter() - started) * 1000:.0f} ms")
    backend.scores(images[0])  # warm-up
    started = time.perf_counter()
    for data in images:
        backend.scores(data)
    elapsed = time.perf_counter() - started
    rate = len(images) / elapsed
    print(
        f"local model: {len(images)} images in {elapsed:.2f} s = {rate:.1f} images/s ({elapsed / len(images) * 1000:.1f} ms each)"
    )
    return rate


def start_worker(concurrency: int) -> subprocess.Popen:
    from matchminds.celery import app

    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "matchminds",
            "worker",
            "--loglevel",
            "WARNING",
            "--concurrency",
            str(concurrency),
            "--pool",
            "prefork",
            "--without-mingle",
            "--without-gossip",
        ],
        cwd=ROOT,
        env=dict(os.environ),
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if app.control.ping(timeout=0.5):
            return process
    process.terminate()
    raise SystemExit("celery worker did not answer ping")


def bench_pipeline(uploads: int, rate_per_s: float, concurrency: int) -> float:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from apps.accounts import photos as account_photos
    from apps.accounts import privacy
    from apps.accounts import services as account_services
    from apps.accounts.models import Interest, University, UniversityDomain
    from apps.accounts.seed_data import load_reference_data
    from apps.moderation.models import ModeratedImage

    if not University.objects.exists():
        load_reference_data(university_model=University, domain_model=UniversityDomain, interest_model=Interest)
    tag = uuid.uuid4().hex[:6]
    password = "bench-password-1234"
    university_id = University.objects.first().pk
    # One person per upload: a second upload by the same person would replace the first.
    users = []
    for index in range(uploads + 1):
        user = account_services.user_sign_up(email=f"bench-{tag}-{index}@example.com", password=password)
        account_services.profile_save(
            user=user,
            nickname=f"b{tag}{index}",
            gender="F",
            seeking="M",
            birth_date=date(2000, 1, 1),
            university_id=university_id,
            region="seoul",
            interest_ids=[],
        )
        users.append(user)
    worker = start_worker(concurrency)
    try:
        # Warm the worker processes (model load) before timing.
        account_photos.profile_photo_set(user=users[0], upload=SimpleUploadedFile("w.jpg", make_jpeg(0), "image/jpeg"))
        warm_id = ModeratedImage.objects.get(owner=users[0]).pk
        while ModeratedImage.objects.get(pk=warm_id).decided_at is None:
            time.sleep(0.05)
        started_at: dict[int, float] = {}
        for index, user in enumerate(users[1:]):
            before = time.time()
            account_photos.profile_photo_set(user=user, upload=SimpleUploadedFile("p.jpg", make_jpeg(index + 1), "image/jpeg"))
            started_at[ModeratedImage.objects.get(owner=user).pk] = before
            time.sleep(max(0.0, 1 / rate_per_s - (time.time() - before)))
        deadline = time.monotonic() + 120
        while ModeratedImage.objects.filter(pk__in=started_at, decided_at__isnull=True).exists():
            if time.monotonic() > deadline:
                raise SystemExit("decisions did not arrive within 120 s")
            time.sleep(0.05)
        decided = dict(ModeratedImage.objects.filter(pk__in=started_at).values_list("pk", "decided_at"))
        assert len(decided) == uploads, "every upload must have its own decision"
        latencies = [(decided[pk].timestamp() - started) * 1000 for pk, started in started_at.items()]
        statuses = sorted(set(ModeratedImage.objects.filter(pk__in=started_at).values_list("status", flat=True)))
    finally:
        worker.terminate()
        worker.wait(timeout=30)
        for user in users:
            privacy.account_delete(user=user, password=password)
    p50, p95 = percentile(latencies, 0.5), percentile(latencies, 0.95)
    print(
        f"pipeline: {uploads} uploads at {rate_per_s}/s, worker concurrency {concurrency}: "
        f"p50 {p50:.0f} ms, p95 {p95:.0f} ms, max {max(latencies):.0f} ms; statuses {statuses}"
    )
    return p95


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--images", type=int, default=200)
    parser.add_argument("--uploads", type=int, default=60)
    parser.add_argument("--rate", type=float, default=4.0, help="uploads per second")
    parser.add_argument("--concurrency", type=int, default=2)
    args = parser.parse_args()

    import django

    django.setup()
    from django.core.management import call_command

    # The bench writes (and deletes) real rows, audit entries included: point DATABASE_URL at a
    # database of its own, never at a test database.
    call_command("migrate", verbosity=0)
    images = [make_jpeg(seed) for seed in range(args.images)]
    images_per_s = bench_model(images)
    p95 = bench_pipeline(args.uploads, args.rate, args.concurrency)
    print(
        json.dumps(
            {"bench": "moderation", "images_per_s": round(images_per_s, 1), "p95_decision_ms": round(p95)}, separators=(",", ":")
        )
    )


if __name__ == "__main__":
    main()
