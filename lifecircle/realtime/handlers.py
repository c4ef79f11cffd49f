"""Frame handlers by type. Apps register theirs: ``@register("chat.send")``."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

Handler = Callable[..., Awaitable[None]]
HANDLERS: dict[str, Handler] = {}


def register(frame_type: str):
    def decorator(func: Handler) -> Handler:
        HANDLERS[frame_type] = func
        return func

    return decorator


@register("ping")
async def ping(consumer, frame) -> None:
    reply = {"type": "pong"}
    if "ref" in frame:
        reply["ref"] = frame["ref"]
    await consumer.send_json(reply)
