from django.urls import path

from aims.plugins import urlpatterns_for

from . import standard
from .pack import views as pack_views

urlpatterns = [
    path("evidence-packs/", pack_views.pack_list, name="evidencepack-list"),
    path("evidence-packs/new/", pack_views.pack_new, name="evidencepack-add"),
    path("evidence-packs/<int:pk>/", pack_views.pack_detail, name="evidencepack-detail"),
    path("evidence-packs/<int:pk>/download/", pack_views.pack_download, name="evidencepack-download"),
    *urlpatterns_for(standard),
]
