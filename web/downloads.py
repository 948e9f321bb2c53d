"""Files the API hands out: always as attachments (a browser saves them, never renders
them in the workbench's own origin), with their media type."""

from __future__ import annotations

from fastapi.responses import Response

MEDIA = {"csv": "text/csv; charset=utf-8", "jsonl": "application/x-ndjson",
         "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
         "html": "text/html; charset=utf-8", "zip": "application/zip"}


def attachment(body: bytes, name: str) -> Response:
    """``body`` as the file ``name`` (its suffix says the media type)."""
    media = MEDIA[name.rsplit(".", 1)[-1]]
    return Response(body, media_type=media,
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


def disposition(name: str) -> dict[str, str]:
    return {"Content-Disposition": f'attachment; filename="{name}"'}
