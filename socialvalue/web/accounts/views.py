"""Sign-in, the organisation dashboard, switching organisation, the team and invitations."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout, update_session_auth_hash
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.views import LoginView
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect

from socialvalue.exceptions import InvitationError, PermissionDeniedError
from socialvalue.web.accounts import selectors, services
from socialvalue.web.accounts.forms import (
    AcceptInvitationForm,
    InvitationForm,
    PasswordForm,
    RoleForm,
    SignInForm,
    SwitchOrganisationForm,
    client_ip,
)
from socialvalue.web.accounts.middleware import SESSION_KEY
from socialvalue.web.http import OrgHttpRequest
from socialvalue.web.permissions import Perm, permission_required, public
from socialvalue.web.tenancy import get_in_organisation_or_404


@method_decorator(never_cache, name="dispatch")
class SignInView(LoginView):
    form_class = SignInForm
    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def form_valid(self, form: AuthenticationForm) -> HttpResponse:
        response = super().form_valid(form)
        user = form.get_user()
        memberships = selectors.memberships_for_user(user=user)
        services.login_success_record(
            user=user,
            organisation=memberships[0].organisation if memberships else None,
            ip_address=client_ip(self.request),
        )
        return response


sign_in = public(SignInView.as_view())


@require_POST
@permission_required(Perm.VIEW_DASHBOARD)
def sign_out(request: OrgHttpRequest) -> HttpResponse:
    services.logout_record(user=request.user, organisation=request.org)
    logout(request)
    messages.success(request, "You have signed out.")
    return redirect("accounts:login")


@require_GET
@permission_required(Perm.VIEW_DASHBOARD)
def dashboard(request: OrgHttpRequest) -> HttpResponse:
    context = {}
    if request.org is not None:
        context["summary"] = selectors.organisation_summary(organisation=request.org)
    return render(request, "accounts/dashboard.html", context)


@require_http_methods(["GET", "POST"])
@permission_required(Perm.VIEW_DASHBOARD)
def account(request: OrgHttpRequest) -> HttpResponse:
    """The signed-in person's organisations and roles, and changing their password."""
    form = PasswordForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.password_change(user=request.user, form=form, organisation=request.org)
        update_session_auth_hash(request, request.user)
        messages.success(request, "Your password has been changed.")
        return redirect("accounts:account")
    return render(request, "accounts/account.html", {"form": form})


@require_http_methods(["GET", "POST"])
@permission_required(Perm.SWITCH_ORGANISATION)
def switch_organisation(request: OrgHttpRequest) -> HttpResponse:
    if request.method == "POST":
        form = SwitchOrganisationForm(request.POST)
        if form.is_valid():
            try:
                membership = services.organisation_switch(
                    user=request.user, organisation_id=form.cleaned_data["organisation"]
                )
            except PermissionDeniedError:
                messages.error(request, "You are not a member of that organisation.")
            else:
                request.session[SESSION_KEY] = membership.organisation_id
                messages.success(request, f"You are now working in {membership.organisation.name}.")
                return redirect("accounts:dashboard")
    return render(request, "accounts/switch_organisation.html")


@require_GET
@permission_required(Perm.MANAGE_TEAM)
def team(request: OrgHttpRequest) -> HttpResponse:
    assert request.org is not None
    members = selectors.memberships_for_organisation(organisation=request.org)
    rows = [
        (m, RoleForm(initial={"role": m.role}, organisation=request.org, prefix=f"m{m.pk}"))
        for m in members
    ]
    return render(
        request,
        "accounts/team.html",
        {"rows": rows, "invitations": selectors.invitations_pending(organisation=request.org)},
    )


@require_POST
@permission_required(Perm.MANAGE_TEAM)
def change_role(request: OrgHttpRequest, membership_id: int) -> HttpResponse:
    assert request.org is not None
    membership = get_in_organisation_or_404(
        request, request.org.memberships.select_related("user", "organisation"), pk=membership_id
    )
    form = RoleForm(request.POST, organisation=request.org, prefix=f"m{membership.pk}")
    error = ""
    if form.is_valid():
        try:
            services.membership_change_role(
                membership=membership, role=form.cleaned_data["role"], actor=request.user
            )
        except (PermissionDeniedError, ValidationError) as exc:
            error = exc.messages[0] if isinstance(exc, ValidationError) else str(exc)
            membership.refresh_from_db()
    else:
        error = "Select a role"
    if request.htmx:
        return render(
            request,
            "accounts/team.html#member-row",
            {
                "member": membership,
                "form": RoleForm(
                    initial={"role": membership.role},
                    organisation=request.org,
                    prefix=f"m{membership.pk}",
                ),
                "row_error": error,
                "row_saved": not error,
            },
        )
    if error:
        messages.error(request, error)
    else:
        messages.success(
            request,
            f"{membership.user.get_full_name() or membership.user} is now "
            f"{membership.get_role_display().lower()}.",
        )
    return redirect("accounts:team")


@require_http_methods(["GET", "POST"])
@permission_required(Perm.MANAGE_TEAM)
def invite(request: OrgHttpRequest) -> HttpResponse:
    assert request.org is not None
    form = InvitationForm(request.POST or None, organisation=request.org)
    if request.method == "POST" and form.is_valid():
        issued = services.invitation_create(
            organisation=request.org,
            email=form.cleaned_data["email"],
            role=form.cleaned_data["role"],
            invited_by=request.user,
        )
        link = request.build_absolute_uri(
            reverse("accounts:accept_invitation", args=[issued.token])
        )
        return render(
            request,
            "accounts/invitation_created.html",
            {"invitation": issued.invitation, "link": link},
        )
    return render(
        request,
        "accounts/invite.html",
        {"form": form, "invitation_days": settings.SOCIALVALUE["INVITATION_VALID_DAYS"]},
    )


@require_POST
@permission_required(Perm.MANAGE_TEAM)
def revoke_invitation(request: OrgHttpRequest, invitation_id: int) -> HttpResponse:
    assert request.org is not None
    invitation = get_in_organisation_or_404(
        request, request.org.invitations.all(), pk=invitation_id
    )
    try:
        services.invitation_revoke(invitation=invitation, actor=request.user)
    except InvitationError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"The invitation for {invitation.email} was withdrawn.")
    if request.htmx:
        return HttpResponseClientRedirect(reverse("accounts:team"))
    return redirect("accounts:team")


@public
@never_cache
@require_http_methods(["GET", "POST"])
def accept_invitation(request: OrgHttpRequest, token: str) -> HttpResponse:
    try:
        invitation = services.invitation_for_token(token=token)
    except InvitationError as error:
        return render(
            request, "accounts/invitation_unusable.html", {"reason": str(error)}, status=410
        )
    if request.user.is_authenticated:
        logout(request)
    form = AcceptInvitationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.invitation_accept(token=token, **form.cleaned_data)
        except InvitationError as error:
            return render(
                request, "accounts/invitation_unusable.html", {"reason": str(error)}, status=410
            )
        except ValidationError as error:
            form.add_error("password", error)
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            request.session[SESSION_KEY] = invitation.organisation_id
            messages.success(request, f"Welcome to {invitation.organisation.name}.")
            return redirect("accounts:dashboard")
    return render(
        request, "accounts/accept_invitation.html", {"form": form, "invitation": invitation}
    )


@require_GET
@permission_required(Perm.VIEW_NETWORK)
def network(request: OrgHttpRequest) -> HttpResponse:
    assert request.org is not None
    networks = [
        {"network": n, "members": selectors.network_member_summary(network=n)}
        for n in selectors.networks_coordinated_by(organisation=request.org)
    ]
    return render(request, "accounts/network.html", {"networks": networks})


@public
@require_GET
def healthz(request: OrgHttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")
