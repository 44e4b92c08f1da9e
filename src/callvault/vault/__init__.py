"""vault: envelope-encrypted objects (AES-256-GCM frames) in a local folder or S3.

Use the recipes, not the parts::

    from callvault.vault import open_vault
    with open_vault(config) as vault:
        ref = vault.seal_and_put(recording.id, "original", path)   # stored, read back, verified
        vault.open_to(ref, out_path)                               # or vault.verify(ref)
        vault.shred(recording.id)                                  # crypto-shred the recording

Heavy imports (boto3) happen only when an S3 store or KMS keyring is built.
"""

from callvault.models.errors import IntegrityError, StoreError, VaultError
from callvault.models.storage import OBJECT_KINDS, SealedRef
from callvault.vault.audit import AuditSink
from callvault.vault.settings import VaultSettings
from callvault.vault.vault import ShreddedError, Vault, open_vault

__all__ = [
    "OBJECT_KINDS",
    "AuditSink",
    "IntegrityError",
    "SealedRef",
    "ShreddedError",
    "StoreError",
    "Vault",
    "VaultError",
    "VaultSettings",
    "open_vault",
]
