"""The public keys that sign evidence packs, published without sign-in (they are public): the current key
and every key retired by a rotation, so a certification body can check any pack this AIMS handed out.

    GET /.well-known/aims-pack-signing-keys               JSON: every key, its fingerprint and status
    GET /.well-known/aims-pack-signing-keys/<fp>.pem      one key as a PEM file, for openssl"""

from django.http import Http404, JsonResponse
from django.urls import reverse
from django.views.decorators.http import require_GET

from aims.downloads import download
from audits.models import PackSigningKey

from .signing import ALGORITHM, published_key


def _pem_url(request, fingerprint: str) -> str:
    return request.build_absolute_uri(reverse("pack-signing-key-pem", args=[fingerprint]))


@require_GET
def public_keys(request):
    current = published_key()  # None while no key is configured: the keys that signed are still listed
    rows = PackSigningKey.objects.all()
    return JsonResponse(
        {
            "algorithm": ALGORITHM,
            "fingerprint": "SHA-256 of the raw 32-byte public key, hex",
            "signature": "manifest.sig: the raw 64-byte Ed25519 signature of manifest.json's exact bytes",
            "current": current["fingerprint"] if current else None,
            "keys": [
                {
                    "fingerprint": row.fingerprint,
                    "algorithm": row.algorithm,
                    "status": "retired" if row.retired_at else "current",
                    "first_used_at": row.first_used_at.isoformat(),
                    "retired_at": row.retired_at.isoformat() if row.retired_at else None,
                    "public_key_pem": row.public_key,
                    "pem_url": _pem_url(request, row.fingerprint),
                }
                for row in rows
            ],
        },
        json_dumps_params={"indent": 1},
    )


@require_GET
def public_key_pem(request, fingerprint: str):
    published_key()  # the current key is recorded before anyone asks for it
    row = PackSigningKey.objects.filter(fingerprint=fingerprint.lower()).first()
    if row is None:
        raise Http404("No evidence-pack signing key has that fingerprint.")
    # A public key: anyone may read it in a tab and caches may keep it (a fingerprint names one key).
    return download(
        row.public_key,
        f"aims-pack-key-{row.fingerprint[:16]}.pem",
        content_type="application/x-pem-file",
        cache_control="public, max-age=86400",
        inline=True,
    )
