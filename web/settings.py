"""What a running workbench is set up with: the store, the rules, login policy, files."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from services.logins import LoginPolicy


@dataclass(frozen=True)
class Settings:
    url: str  # the store
    rules_path: str | None = None
    targets_path: str | None = None  # plan targets per county (TOML), for plan completion
    policy: LoginPolicy = field(default_factory=LoginPolicy)
    secure_cookies: bool = False  # set behind HTTPS: cookies then travel only over it
    files_dir: Path | None = None  # evidence packs and uploads (default: a temporary folder)
    access_flush_seconds: float = 0.5  # access events wait at most this long to be stored
