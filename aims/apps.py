from django.apps import AppConfig


class AimsConfig(AppConfig):
    name = "aims"
    verbose_name = "AIMS core"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # Imported for what they connect: reference prefixes checked at start-up; each sign-in's clock.
        from allauth.mfa.signals import authenticator_added

        from aims import checks, freshness, mfa, sessions  # noqa: F401

        authenticator_added.connect(mfa.second_factor_added, dispatch_uid="aims-second-factor-added")
        freshness.watch_all_connections()  # every write moves the data version kept pages are keyed by
        from aims.bench import BenchMeasure, dashboard_pages
        from aims.permissions import OVERVIEWS
        from aims.registry import registry
        from aims.views.certification import readiness_panel

        registry.add_bench_measure(BenchMeasure("pages", dashboard_pages, order=0))
        # First on the dashboard: how close the AIMS is to certification, for the board.
        registry.add_dashboard_panel(readiness_panel, roles=OVERVIEWS["readiness_panel"], order=15)
        registry.add_menu_link("Check", "Certification readiness", "certification-readiness", group="9")
