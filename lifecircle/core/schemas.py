from ninja import Schema
from pydantic import ConfigDict


class InputSchema(Schema):
    """Base for every request body: unknown fields are an error, not silently dropped."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=False)


class ErrorOut(Schema):
    code: str
    message: str
    fields: dict[str, list[str]] = {}
