"""Frame handlers by type. Apps register theirs: ``@register("chat.send")``."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

Handler = Callable[..., Awaitable[None]]
HANDLERS: dict[str, Handler] = {}
DISCONNECT_HOOKS: list[Callable[..., Awaitable[None]]] = []


def register(frame_type: str):
    def decorator(func: Handler) -> Handler:
        HANDLERS[frame_type] = func
        return func

    return decorator


EVENT_HOOKS: dict[str, Callable[..., Awaitable[None]]] = {}


def on_event(event_type: str):
    """``await func(consumer, event)`` instead of forwarding a published event of this type to
    the client: server-side reactions, e.g. ``access.changed``."""

    def decorator(func):
        EVENT_HOOKS[event_type] = func
        return func

    return decorator


def on_disconnect(func):
    """``await func(consumer)`` when a socket closes (e.g. to leave live rooms)."""
    DISCONNECT_HOOKS.append(func)
    return func


@register("ping")
async def ping(consumer, frame) -> None:
    reply = {"type": "pong"}
    if "ref" in frame:
        reply["ref"] = frame["ref"]
    await consumer.send_json(reply)
