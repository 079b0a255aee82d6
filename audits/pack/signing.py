"""The pack's signature: Ed25519 over the exact bytes of manifest.json, stored raw (64 bytes) in
manifest.sig. Anyone holding the public key checks it without our code or server (docs/evidence-packs.md:
`openssl pkeyutl -verify -rawin`); the manifest lists every file's SHA-256, so a change to any file changes
its hash, and a change to the manifest breaks the signature.

The private key comes from settings (PACK_SIGNING_KEY: PEM text, or PACK_SIGNING_KEY_FILE), and is made
on first use in that file when there is none. A key is known by its fingerprint: the SHA-256 of the raw
32-byte public key, in hex. Every public key that signs is recorded (PackSigningKey) and stays published
after a rotation, so the packs a retired key signed still verify.

Packs made before (format aims-evidence-pack/1) carry an HMAC-SHA256 under the server's SECRET_KEY: the
server can still check those (`legacy_hmac_matches`), a public key cannot."""

import hashlib
import hmac
import os
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import salted_hmac

ALGORITHM = "Ed25519"
LEGACY_ALGORITHM = "HMAC-SHA256"
LEGACY_KEY_SALT = "aims.evidence-pack"  # key salt of the HMAC scheme of format aims-evidence-pack/1


@dataclass(frozen=True)
class PublicKey:
    key: Ed25519PublicKey
    fingerprint: str  # SHA-256 of the raw 32-byte public key, hex
    pem: str
    algorithm: str = ALGORITHM

    @classmethod
    def of(cls, key: Ed25519PublicKey) -> "PublicKey":
        raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        pem = key.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        return cls(key, hashlib.sha256(raw).hexdigest(), pem.decode("ascii"))

    @classmethod
    def from_pem(cls, data: bytes | str) -> "PublicKey":
        """Raises ValueError with a sentence when `data` is not a PEM Ed25519 public key."""
        data = data.encode("ascii", "replace") if isinstance(data, str) else data
        try:
            key = serialization.load_pem_public_key(data)
        except (ValueError, TypeError) as exc:
            raise ValueError("not a PEM public key") from exc
        if not isinstance(key, Ed25519PublicKey):
            raise ValueError(f"not an Ed25519 public key (a {type(key).__name__})")
        return cls.of(key)

    def verifies(self, data: bytes, signature: bytes) -> bool:
        try:
            self.key.verify(signature, data)
        except InvalidSignature:
            return False
        return True


@dataclass(frozen=True)
class SigningKey:
    private: Ed25519PrivateKey
    public: PublicKey

    @property
    def fingerprint(self) -> str:
        return self.public.fingerprint

    @property
    def algorithm(self) -> str:
        return ALGORITHM

    @property
    def url(self) -> str:
        """Where the public keys are published (absolute, from SITE_URL)."""
        return public_keys_url()

    def sign(self, data: bytes) -> bytes:
        return self.private.sign(data)


def public_keys_url() -> str:
    return f"{settings.SITE_URL.rstrip('/')}{reverse('pack-signing-keys')}"


# -- the private key --------------------------------------------------------------------------------------
_loaded: dict[tuple, SigningKey] = {}


def _private_pem() -> bytes:
    text = getattr(settings, "PACK_SIGNING_KEY", "")
    if text:
        return text.encode("ascii", "replace")
    path = Path(settings.PACK_SIGNING_KEY_FILE)
    if path.exists():
        return path.read_bytes()
    if not getattr(settings, "PACK_SIGNING_KEY_GENERATE", True):
        raise ImproperlyConfigured(
            f"No evidence-pack signing key: set AIMS_PACK_SIGNING_KEY (PEM) or put one in {path}."
        )
    return _generate(path)


def _generate(path: Path) -> bytes:
    """A new Ed25519 key in `path`, readable by its owner only; another process that made it first wins."""
    pem = Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    try:
        handle = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_bytes()
    with os.fdopen(handle, "wb") as out:
        out.write(pem)
    return pem


def signing_key() -> SigningKey:
    """The key that signs packs now, its public key recorded among the published ones."""
    path = Path(settings.PACK_SIGNING_KEY_FILE)
    # A key file replaced while the process runs (a rotation) is read again.
    source = (getattr(settings, "PACK_SIGNING_KEY", ""), str(path), path.exists() and path.stat().st_mtime_ns)
    key = _loaded.get(source)
    if key is None:
        pem = _private_pem()
        try:
            private = serialization.load_pem_private_key(pem, password=None)
        except (ValueError, TypeError) as exc:
            raise ImproperlyConfigured(
                f"The evidence-pack signing key is not a PEM private key: {exc}"
            ) from exc
        if not isinstance(private, Ed25519PrivateKey):
            raise ImproperlyConfigured("The evidence-pack signing key must be an Ed25519 key.")
        key = _loaded[source] = SigningKey(private, PublicKey.of(private.public_key()))
    record_current(key.public)
    return key


def record_current(public: PublicKey) -> None:
    """Record `public` as the current key and retire any other (a rotation). One query when nothing
    changed."""
    from audits.models import PackSigningKey

    current = list(
        PackSigningKey.objects.filter(retired_at__isnull=True).values_list("fingerprint", flat=True)
    )
    if current == [public.fingerprint]:
        return
    now = timezone.now()
    PackSigningKey.objects.filter(retired_at__isnull=True).exclude(fingerprint=public.fingerprint).update(
        retired_at=now
    )
    row, made = PackSigningKey.objects.get_or_create(
        fingerprint=public.fingerprint, defaults={"public_key": public.pem, "algorithm": public.algorithm}
    )
    if not made and row.retired_at is not None:  # an earlier key brought back
        PackSigningKey.objects.filter(pk=row.pk).update(retired_at=None)


def published_key() -> dict | None:
    """What a reader outside needs to check a pack: the algorithm, the current key's fingerprint and where
    the public keys are published; None while no key is configured (and none may be made)."""
    try:
        key = signing_key()
    except ImproperlyConfigured:
        return None
    return {"algorithm": key.algorithm, "fingerprint": key.fingerprint, "url": key.url}


def known_keys() -> list[PublicKey]:
    """Every public key this AIMS has signed with, the current one first."""
    from audits.models import PackSigningKey

    published_key()  # the current key recorded, if there is one
    return [PublicKey.from_pem(row.public_key) for row in PackSigningKey.objects.all()]


# -- the scheme of format aims-evidence-pack/1 ------------------------------------------------------------
def legacy_hmac_matches(data: bytes, signature: bytes) -> bool:
    """True if `signature` (hex text) is the old HMAC-SHA256 of `data` under SECRET_KEY or a retired one."""
    text = signature.decode("ascii", "replace").strip()
    secrets = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    return any(
        hmac.compare_digest(
            salted_hmac(LEGACY_KEY_SALT, data, secret=s, algorithm="sha256").hexdigest(), text
        )
        for s in secrets
    )
