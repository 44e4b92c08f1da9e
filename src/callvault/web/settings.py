"""The web app's settings: one frozen record, built by `callvault serve` from its flags."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from callvault.clock import Clock, system_clock
from callvault.compliance.breach.options import BreachOptions


@dataclass(frozen=True)
class WebSettings:
    data_dir: Path
    # Opens the vault for audio and restores (``callvault.vault.open_vault`` bound to the config).
    open_vault: Callable[[], Any]
    idle_timeout: float = 15 * 60  # seconds without a request before a session ends
    absolute_timeout: float = 8 * 3600  # seconds after sign-in when a session ends regardless
    lock_after: int = 5  # consecutive failed sign-ins that lock an account
    lock_seconds: float = 15 * 60
    # Secure cookies need HTTPS (or a loopback address, which browsers treat as secure).
    secure_cookies: bool = True
    page_size: int = 50
    audio_cache_bytes: int = 256 << 20  # decrypted REDACTED audio kept in memory for range requests
    clock: Clock = system_clock
    breach: BreachOptions = BreachOptions()  # the [breach] table: rule text in force, zone, carrier contact
