from django.urls import path

from aims.plugins import urlpatterns_for

from . import roadmap_views, standard

urlpatterns = [
    path("roadmap/", roadmap_views.RoadmapView.as_view(), name="roadmap"),
    *urlpatterns_for(standard),  # the AI risk register and every other Plan register
]
