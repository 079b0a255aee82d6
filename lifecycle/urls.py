from django.urls import path

from aims.plugins import urlpatterns_for

from . import stakeholder_report, standard

urlpatterns = [
    path("stakeholder-report/", stakeholder_report.report_page, name="stakeholder-report"),
    path("stakeholder-report/pdf/", stakeholder_report.report_pdf_start, name="stakeholder-report-pdf"),
    *urlpatterns_for(standard),
]
