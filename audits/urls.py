from django.urls import path

from aims.plugins import urlpatterns_for

from . import standard
from .guests import views as guest_views
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
    # The AIMS manager's pages for outside auditors; and the guests' own (the only names starting "guest-",
    # which aims.guests opens to them).
    path("outside-auditors/", guest_views.access_list, name="outside-auditor-list"),
    path("outside-auditors/invite/", guest_views.access_invite, name="outside-auditor-invite"),
    path("outside-auditors/<int:pk>/", guest_views.access_detail, name="outside-auditor-detail"),
    path(
        "outside-auditors/<int:pk>/<slug:action>/", guest_views.access_action, name="outside-auditor-action"
    ),
    path("guest/", guest_views.guest_home, name="guest-home"),
    path("guest/accept/<str:token>/", guest_views.accept_invitation, name="guest-accept"),
    path("guest/<int:access_id>/", guest_views.guest_audit, name="guest-audit"),
    path(
        "guest/<int:access_id>/evidence/<int:evidence_id>/file/",
        guest_views.guest_evidence_file,
        name="guest-evidence-file",
    ),
    path(
        "guest/<int:access_id>/packs/<int:pack_id>/download/",
        guest_views.guest_pack_download,
        name="guest-pack-download",
    ),
    path("guest/<int:access_id>/findings/new/", guest_views.guest_finding_new, name="guest-finding-new"),
    *urlpatterns_for(standard),
]
