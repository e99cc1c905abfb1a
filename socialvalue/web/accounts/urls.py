from django.urls import path

from socialvalue.web.accounts import views

app_name = "accounts"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("sign-in/", views.sign_in, name="login"),
    path("sign-out/", views.sign_out, name="logout"),
    path("account/", views.account, name="account"),
    path("organisations/switch/", views.switch_organisation, name="switch_organisation"),
    path("team/", views.team, name="team"),
    path("team/invite/", views.invite, name="invite"),
    path("team/members/<int:membership_id>/role/", views.change_role, name="change_role"),
    path(
        "team/invitations/<int:invitation_id>/revoke/",
        views.revoke_invitation,
        name="revoke_invitation",
    ),
    path("invitations/<str:token>/", views.accept_invitation, name="accept_invitation"),
    path("network/", views.network, name="network"),
    path("healthz", views.healthz, name="healthz"),
]
