"""The manifest's signature: HMAC-SHA256 over the exact bytes of manifest.json, stored as hex in
manifest.sig. The key is derived from SECRET_KEY by Django's salted_hmac with the key salt
"aims.evidence-pack" (key = SHA-256(salt + SECRET_KEY)), so it is never the secret itself and no other
signature in the product can be replayed as a pack's. The manifest lists every file's SHA-256: a change
to any file changes its hash, a change to the manifest breaks the signature."""

import hmac

from django.conf import settings
from django.utils.crypto import salted_hmac

KEY_SALT = "aims.evidence-pack"


def signer(secret: str | None = None):
    """A running HMAC to feed the manifest's bytes into, chunk by chunk."""
    return salted_hmac(KEY_SALT, b"", secret=secret, algorithm="sha256")


def sign(data: bytes, secret: str | None = None) -> str:
    mac = signer(secret)
    mac.update(data)
    return mac.hexdigest()


def signature_matches(data: bytes, signature: str) -> bool:
    """True if `signature` was made over `data` with the current key or a retired one still accepted
    (SECRET_KEY_FALLBACKS), so rotating the secret does not orphan packs already handed out."""
    secrets = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    return any(hmac.compare_digest(sign(data, secret), signature.strip()) for secret in secrets)
