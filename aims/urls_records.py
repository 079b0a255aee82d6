"""URL patterns of a register, named as aims.views.records.record_url_names expects."""

from django.urls import path


def record_urlpatterns(prefix: str, views, extra=()):
    """`views` is what aims.views.records.make_views returns (or the same attributes, hand-made)."""
    name = views.list.model._meta.model_name
    ref = "<str:reference>"
    return [
        path(f"{prefix}/", views.list.as_view(), name=f"{name}-list"),
        path(f"{prefix}/new/", views.form.as_view(), name=f"{name}-add"),
        *extra,
        path(f"{prefix}/{ref}/", views.detail.as_view(), name=f"{name}-detail"),
        path(f"{prefix}/{ref}/edit/", views.form.as_view(), name=f"{name}-edit"),
        path(f"{prefix}/{ref}/archive/", views.archive.as_view(), name=f"{name}-archive"),
        path(f"{prefix}/{ref}/restore/", views.restore.as_view(), name=f"{name}-restore"),
        path(f"{prefix}/{ref}/reviewed/", views.reviewed.as_view(), name=f"{name}-reviewed"),
        path(f"{prefix}/{ref}/delegates/", views.delegates.as_view(), name=f"{name}-delegates"),
        *(
            [path(f"{prefix}/{ref}/compare/", views.compare.as_view(), name=f"{name}-compare")]
            if getattr(views, "compare", None)
            else []
        ),
        *(
            path(f"{prefix}/{ref}/{action}/", view.as_view(), name=f"{name}-{action}")
            for action, view in getattr(views, "actions", {}).items()
        ),
    ]
