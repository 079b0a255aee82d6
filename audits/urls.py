from django.urls import path

from aims.plugins import urlpatterns_for

from . import standard
from .pack import keys as pack_keys
from .pack import views as pack_views

urlpatterns = [
    path("evidence-packs/", pack_views.pack_list, name="evidencepack-list"),
    path("evidence-packs/new/", pack_views.pack_new, name="evidencepack-add"),
    path("evidence-packs/<int:pk>/", pack_views.pack_detail, name="evidencepack-detail"),
    path("evidence-packs/<int:pk>/download/", pack_views.pack_download, name="evidencepack-download"),
    # Public: the keys that sign packs, for anyone checking one (no sign-in).
    path(".well-known/aims-pack-signing-keys", pack_keys.public_keys, name="pack-signing-keys"),
    path(
        ".well-known/aims-pack-signing-keys/<str:fingerprint>.pem",
        pack_keys.public_key_pem,
        name="pack-signing-key-pem",
    ),
    *urlpatterns_for(standard),
]
