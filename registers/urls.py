from django.urls import path

from aims.plugins import urlpatterns_for

from . import criteria, roadmap_views, standard, views

urlpatterns = [
    path("roadmap/", roadmap_views.RoadmapView.as_view(), name="roadmap"),
    path("risks/", views.RiskListView.as_view(), name="risk-list"),
    path("risks/new/", views.RiskFormView.as_view(), name="risk-add"),
    path("risks/criteria/", criteria.CriteriaView.as_view(), name="risk-criteria"),
    path("risks/heat-map/", views.RiskHeatMapView.as_view(), name="risk-heatmap"),
    path("risks/import/", views.RiskImportView.as_view(), name="risk-import"),
    path("risks/report/", views.RiskReportView.as_view(), name="risk-report"),
    path("risks/<str:reference>/", views.RiskDetailView.as_view(), name="risk-detail"),
    path("risks/<str:reference>/edit/", views.RiskFormView.as_view(), name="risk-edit"),
    path("risks/<str:reference>/accept/", views.RiskAcceptView.as_view(), name="risk-accept"),
    path("risks/<str:reference>/archive/", views.RiskArchiveView.as_view(), name="risk-archive"),
    path("risks/<str:reference>/restore/", views.RiskRestoreView.as_view(), name="risk-restore"),
    path("risks/<str:reference>/delegates/", views.RiskDelegatesView.as_view(), name="risk-delegates"),
    path("risks/<str:reference>/reviewed/", views.RiskReviewedView.as_view(), name="risk-reviewed"),
    path(
        "risks/<str:reference>/raise-preventive-action/",
        views.RiskRaisePreventiveActionView.as_view(),
        name="risk-raise-preventive-action",
    ),
]

urlpatterns += urlpatterns_for(standard)
