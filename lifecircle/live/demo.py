"""The demo's live events (``manage.py seed-demo``): a live launch party and a recorded
concert whose danmaku replay in time with the recording.

The stream is made locally when ffmpeg is installed: a test pattern with a tone, encoded to
H.264/AAC HLS segments under ``LIVE_MEDIA_DIR/demo`` (once). Without ffmpeg the events have
no stream and the page still works: danmaku fly over an empty player.
"""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from lifecircle.live.models import Danmaku, LiveEvent

DEMO_STREAM = "demo"
DEMO_SECONDS = 60
PLAYLIST = "index.m3u8"


def stream_dir(name: str) -> Path:
    return Path(settings.LIFECIRCLE["LIVE_MEDIA_DIR"]) / name


def demo_stream_make(*, seconds: int = DEMO_SECONDS, name: str = DEMO_STREAM) -> str | None:
    """Make the demo HLS stream if ffmpeg is here and it is not made yet; return its URL path
    (``/live/hls/<name>/index.m3u8``) or None without ffmpeg."""
    folder = stream_dir(name)
    url = f"/live/hls/{name}/{PLAYLIST}"
    if (folder / PLAYLIST).exists():
        return url
    ffmpeg = shutil.which("ffmpeg")
    if ffmpeg is None:
        return None
    folder.mkdir(parents=True, exist_ok=True)
    cmd = [
        ffmpeg, "-hide_banner", "-loglevel", "error", "-y",
        "-f", "lavfi", "-i", f"testsrc2=size=480x270:rate=25:duration={seconds}",
        "-f", "lavfi", "-i", f"sine=frequency=330:sample_rate=44100:duration={seconds}",
        "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-g", "50",
        "-c:a", "aac", "-b:a", "64k",
        "-f", "hls", "-hls_time", "4", "-hls_playlist_type", "vod",
        "-hls_segment_filename", str(folder / "seg%03d.ts"), str(folder / PLAYLIST),
    ]  # fmt: skip
    try:
        subprocess.run(cmd, check=True, timeout=300)  # noqa: S603 - fixed arguments
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired, OSError):
        return None
    return url


REPLAY_LINES = [
    (1500, "开场了！"), (3000, "Hello from Shanghai"), (4200, "前排"), (6000, "好听"),
    (8000, "這首歌好懷念"), (9500, "wow"), (12000, "哈哈哈哈"), (15000, "再来一首"),
    (18000, "❤❤❤"), (21000, "Encore!"), (25000, "太棒了"), (30000, "謝謝大家"),
]  # fmt: skip


def demo_events_seed(*, host, viewer) -> list[LiveEvent]:
    """Idempotent: one live event and one ended event with danmaku to replay."""
    stream = demo_stream_make() or ""
    now = timezone.now()
    live, _ = LiveEvent.objects.get_or_create(
        host=host,
        title="LifeCircle launch party",
        defaults={
            "description": "Say hello in danmaku, and send the host a gift.",
            "scheduled_at": now,
            "status": LiveEvent.Status.LIVE,
            "started_at": now,
            "stream_url": stream,
        },
    )
    recorded, created = LiveEvent.objects.get_or_create(
        host=host,
        title="Spring concert (recording)",
        defaults={
            "description": "An ended event: its danmaku replay in time with the recording.",
            "scheduled_at": now - dt.timedelta(days=1),
            "status": LiveEvent.Status.ENDED,
            "started_at": now - dt.timedelta(days=1),
            "ended_at": now - dt.timedelta(days=1) + dt.timedelta(seconds=DEMO_SECONDS),
            "stream_url": stream,
        },
    )
    if created:
        Danmaku.objects.bulk_create(
            [
                Danmaku(event=recorded, user=viewer, text=text, offset_ms=at, mode=mode, color=color)
                for i, (at, text) in enumerate(REPLAY_LINES)
                for mode, color in [(("scroll", "#ffffff"), ("top", "#ffd23f"), ("scroll", "#7cf29c"))[i % 3]]
            ]
        )
    for event in (live, recorded):
        if stream and not event.stream_url:
            LiveEvent.objects.filter(pk=event.pk).update(stream_url=stream)
    return [live, recorded]
