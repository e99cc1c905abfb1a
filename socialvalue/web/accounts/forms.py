"""Forms with GOV.UK error wording; field errors carry codes the tests assert."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm

from socialvalue.web.accounts.models import ROLES_BY_KIND, Organisation, Role
from socialvalue.web.accounts.services import login_failure_record, login_is_throttled


def client_ip(request: Any) -> str | None:
    # Behind a proxy, configure it to set REMOTE_ADDR (see docs/deploy.md); never trust
    # X-Forwarded-For blindly, or throttling could be dodged by forging it.
    return request.META.get("REMOTE_ADDR") if request is not None else None


class SignInForm(AuthenticationForm):
    error_messages = {
        "invalid_login": "Enter a correct username and password. Both are case-sensitive.",
        "inactive": "This account has been switched off. Ask your organisation admin.",
        "throttled": (
            "Too many failed sign-in attempts. Wait 15 minutes and try again, "
            "or ask your organisation admin to reset your password."
        ),
    }

    def __init__(self, request: Any = None, *args: Any, **kwargs: Any) -> None:
        super().__init__(request, *args, **kwargs)
        self.fields["username"].error_messages["required"] = "Enter your username"
        self.fields["password"].error_messages["required"] = "Enter your password"

    def clean(self) -> dict[str, Any]:
        username = self.cleaned_data.get("username") or ""
        ip_address = client_ip(self.request)
        if username and login_is_throttled(username=username, ip_address=ip_address):
            login_failure_record(username=username, ip_address=ip_address, throttled=True)
            raise forms.ValidationError(self.error_messages["throttled"], code="throttled")
        try:
            return super().clean()
        except forms.ValidationError:
            if username:
                login_failure_record(username=username, ip_address=ip_address, throttled=False)
            raise


class InvitationForm(forms.Form):
    email = forms.EmailField(
        label="Email address",
        error_messages={
            "required": "Enter an email address",
            "invalid": "Enter an email address in the correct format, like name@example.org",
        },
    )
    role = forms.ChoiceField(
        label="Role",
        widget=forms.RadioSelect,
        error_messages={"required": "Select a role"},
    )

    def __init__(self, *args: Any, organisation: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        allowed = ROLES_BY_KIND[organisation.kind]
        role_field = self.fields["role"]
        assert isinstance(role_field, forms.ChoiceField)
        role_field.choices = [(r.value, r.label) for r in Role if r in allowed]


class RoleForm(forms.Form):
    role = forms.ChoiceField(label="Role", error_messages={"required": "Select a role"})

    def __init__(self, *args: Any, organisation: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        allowed = ROLES_BY_KIND[organisation.kind]
        role_field = self.fields["role"]
        assert isinstance(role_field, forms.ChoiceField)
        role_field.choices = [(r.value, r.label) for r in Role if r in allowed]


class AcceptInvitationForm(forms.Form):
    first_name = forms.CharField(
        label="First name", max_length=150, error_messages={"required": "Enter your first name"}
    )
    last_name = forms.CharField(
        label="Last name", max_length=150, error_messages={"required": "Enter your last name"}
    )
    username = forms.RegexField(
        label="Username",
        regex=r"^[\w.@+-]+$",
        max_length=150,
        help_text="Letters, digits and . @ + - _ only. You will sign in with this.",
        error_messages={
            "required": "Enter a username",
            "invalid": "Enter a username using only letters, digits and . @ + - _",
        },
    )
    password = forms.CharField(
        label="Password",
        widget=forms.PasswordInput(render_value=False),
        help_text="At least 12 characters. Avoid common passwords.",
        error_messages={"required": "Enter a password"},
    )

    def clean_username(self) -> str:
        username: str = self.cleaned_data["username"]
        if get_user_model().objects.filter(username__iexact=username).exists():
            raise forms.ValidationError(
                "That username is taken. Choose another one", code="username_taken"
            )
        return username


class SwitchOrganisationForm(forms.Form):
    organisation = forms.IntegerField(widget=forms.HiddenInput)


class PasswordForm(PasswordChangeForm):
    """Django's password change form with GOV.UK wording."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["old_password"].label = "Current password"
        self.fields["old_password"].error_messages["required"] = "Enter your current password"
        self.fields["new_password1"].label = "New password"
        self.fields["new_password1"].help_text = "At least 12 characters. Avoid common passwords."
        self.fields["new_password1"].error_messages["required"] = "Enter a new password"
        self.fields["new_password2"].label = "Confirm new password"
        self.fields["new_password2"].error_messages["required"] = "Confirm your new password"
        self.error_messages = {
            **self.error_messages,
            "password_incorrect": "Your current password is not correct",
            "password_mismatch": "The two new passwords do not match",
        }
