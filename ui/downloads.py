"""A download button whose file is built only when it is clicked (never on every rerun)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

MIME = {
    ".py": "text/x-python",
    ".csv": "text/csv",
    ".json": "application/json",
    ".gif": "image/gif",
}


def download(
    where: Any,
    label: str,
    build: Callable[[], str | bytes],
    file_name: str,
    key: str,
    icon: str,
    help: str,
    disabled: bool = False,
) -> None:
    """`where` (a column or st) gets a full-width button that downloads `build()` as `file_name`."""
    where.download_button(
        label,
        data=build,
        file_name=file_name,
        mime=MIME.get(file_name[file_name.rfind(".") :], "application/octet-stream"),
        key=key,
        on_click="ignore",
        icon=icon,
        help=help,
        disabled=disabled,
        width="stretch",
    )
