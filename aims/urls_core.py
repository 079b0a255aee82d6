from allauth.account import views as account_views
from allauth.urls import build_provider_urlpatterns
from django.contrib.auth import views as auth_views
from django.urls import include, path

from aims.views import auth, certification, core, health, security, tokens, webhooks

# allauth's pages that AIMS uses: the second factor's, the identity providers' and the few the sign-in
# flow goes through. Not its own sign-up, email or password pages: people are made by the AIMS manager or
# their first sign-in through the provider, and someone who signs in that way must never give themselves a
# local password (it would outlive their removal at the provider).
allauth_patterns = [
    path("accounts/login/", auth.LoginView.as_view(), name="account_login"),  # the names allauth reverses
    path("accounts/logout/", auth.LogoutView.as_view(), name="account_logout"),
    path("accounts/inactive/", account_views.account_inactive, name="account_inactive"),
    path("accounts/reauthenticate/", account_views.reauthenticate, name="account_reauthenticate"),
    path("accounts/2fa/", include("allauth.mfa.urls")),
    path("accounts/3rdparty/", include("allauth.socialaccount.urls")),
    path("accounts/", include(build_provider_urlpatterns())),
]

urlpatterns = [
    path("", core.DashboardView.as_view(), name="dashboard"),
    path("dashboard/panels/", core.DashboardPanelsView.as_view(), name="dashboard-panels"),
    path("dashboard/panels/<str:name>/", core.DashboardPanelView.as_view(), name="dashboard-panel"),
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("accounts/login/", auth.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth.LogoutView.as_view(), name="logout"),
    path("accounts/password/", auth.PasswordChangeView.as_view(), name="password_change"),
    path(
        "accounts/password/done/",
        auth_views.PasswordChangeDoneView.as_view(template_name="auth/password_change_done.html"),
        name="password_change_done",
    ),
    path("accounts/security/", security.sign_in_policy, name="sign-in-policy"),
    path("accounts/tokens/", tokens.tokens, name="tokens"),
    path("accounts/tokens/all/", tokens.all_tokens, name="tokens-all"),
    path("accounts/tokens/<int:pk>/revoke/", tokens.token_revoke, name="token-revoke"),
    path("integrations/webhooks/", webhooks.webhook_list, name="webhook-list"),
    path("integrations/webhooks/<int:pk>/", webhooks.webhook_detail, name="webhook-detail"),
    path("integrations/webhooks/<int:pk>/<slug:action>/", webhooks.webhook_action, name="webhook-action"),
    path("catalogue/", core.CatalogueView.as_view(), name="catalogue"),
    path("certification/readiness/", certification.readiness_page, name="certification-readiness"),
    path("glossary/", core.GlossaryView.as_view(), name="glossary"),
    path("catalogue/<str:key>/", core.RequirementView.as_view(), name="catalogue-detail"),
    path("notifications/", core.notifications, name="notifications"),
    path("notifications/read/", core.notifications_mark_read, name="notifications-read"),
    path("jobs/", core.job_list, name="job-list"),
    path("jobs/<int:pk>/", core.job_detail, name="job-detail"),
    path("jobs/<int:pk>/download/", core.job_download, name="job-download"),
    path("jobs/<int:pk>/cancel/", core.job_cancel, name="job-cancel"),
    path("jobs/<int:pk>/retry/", core.job_retry, name="job-retry"),
    *allauth_patterns,
]
