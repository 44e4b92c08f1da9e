"""One exception root; every message says what happened and what to do."""


class CallvaultError(Exception):
    """Root of every error callvault raises on purpose."""


class ConfigError(CallvaultError):
    """A setting, config file or policy is invalid."""


class InputError(CallvaultError):
    """A recording or its sidecar metadata cannot be used.

    ``path`` names the offending file so a batch can report it and go on.
    """

    def __init__(self, path, reason: str):
        self.path = str(path)
        self.reason = reason
        super().__init__(f"{self.path}: {reason}")


class ModelMissingError(CallvaultError):
    """A model or NLP resource is not available offline."""


class VaultError(CallvaultError):
    """Storing, sealing or opening an object failed."""


class IntegrityError(VaultError):
    """A sealed object failed to open.

    Deliberately opaque: the same error for a flipped bit, a truncation, a
    reordered frame, a wrong key or a wrong context, so it leaks nothing.
    """

    def __init__(self, what: str = "object"):
        super().__init__(
            f"{what} could not be opened: it was altered, truncated, or the key or "
            "context is wrong. Check that the keyring and store are the ones it "
            "was sealed with, then restore it from a good copy."
        )


class StoreError(VaultError):
    """The object store failed or is unreachable."""


class CatalogError(CallvaultError):
    """The catalog database is unusable or a query is malformed."""


class RetentionError(CallvaultError):
    """A retention policy or sweep cannot proceed."""
