def client_ip(request) -> str | None:
    """The client's address. Behind a proxy, run uvicorn with ``--proxy-headers
    --forwarded-allow-ips=<proxy>`` so REMOTE_ADDR is the real client, never a header a
    client could forge."""
    return request.META.get("REMOTE_ADDR") or None
