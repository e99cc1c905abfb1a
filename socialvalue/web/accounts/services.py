"""Writes for sign-in, organisations, memberships and invitations.

Every change that matters is recorded with :func:`~socialvalue.web.audit.services.audit_record`
inside the same transaction, so a change and its audit event land together or not at all.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.db import transaction
from django.utils import timezone

from socialvalue.exceptions import InvitationError, PermissionDeniedError
from socialvalue.web.accounts.models import (
    Invitation,
    LoginFailure,
    Membership,
    Organisation,
    Role,
)
from socialvalue.web.audit.services import audit_record

User = get_user_model()


def _throttle_settings() -> tuple[int, timedelta]:
    config = settings.SOCIALVALUE
    return (
        int(config["LOGIN_FAILURE_LIMIT"]),
        timedelta(minutes=int(config["LOGIN_FAILURE_WINDOW_MINUTES"])),
    )


def login_is_throttled(*, username: str, ip_address: str | None) -> bool:
    """True when this username or address has failed too often within the window.

    Counting per username stops guessing one person's password from many addresses;
    counting per address stops one address trying many usernames.
    """
    limit, window = _throttle_settings()
    since = timezone.now() - window
    recent = LoginFailure.objects.filter(created_at__gte=since)
    if recent.filter(username=username.strip().lower()).count() >= limit:
        return True
    return bool(ip_address) and recent.filter(ip_address=ip_address).count() >= limit * 4


@transaction.atomic
def login_failure_record(*, username: str, ip_address: str | None, throttled: bool) -> None:
    LoginFailure.objects.create(username=username.strip().lower()[:150], ip_address=ip_address)
    audit_record(
        action="auth.login_throttled" if throttled else "auth.login_failed",
        summary=f"Failed sign-in for {username[:80]!r} from {ip_address or 'unknown address'}"
        + (" (throttled)" if throttled else ""),
        data={"username": username[:150], "ip_address": ip_address or ""},
    )


@transaction.atomic
def login_success_record(
    *, user: Any, organisation: Organisation | None, ip_address: str | None
) -> None:
    LoginFailure.objects.filter(username=user.get_username().lower()).delete()
    audit_record(
        action="auth.login",
        summary=f"{user.get_username()} signed in",
        actor=user,
        organisation=organisation,
        data={"ip_address": ip_address or ""},
    )


def logout_record(*, user: Any, organisation: Organisation | None) -> None:
    audit_record(
        action="auth.logout",
        summary=f"{user.get_username()} signed out",
        actor=user,
        organisation=organisation,
    )


def organisation_switch(*, user: Any, organisation_id: int) -> Membership:
    """Return the user's membership of ``organisation_id``; refuse organisations they are not in."""
    membership = (
        Membership.objects.filter(user=user, organisation_id=organisation_id)
        .select_related("organisation")
        .first()
    )
    if membership is None:
        raise PermissionDeniedError("You are not a member of that organisation.")
    audit_record(
        action="auth.organisation_switched",
        summary=f"{user.get_username()} switched to {membership.organisation.name}",
        actor=user,
        organisation=membership.organisation,
    )
    return membership


@transaction.atomic
def organisation_create(
    *, name: str, slug: str, kind: str, postcode: str = "", actor: Any = None
) -> Organisation:
    organisation = Organisation(name=name, slug=slug, kind=kind, postcode=postcode)
    organisation.full_clean()
    organisation.save()
    audit_record(
        action="organisation.created",
        summary=f"Organisation {name} created",
        actor=actor,
        organisation=organisation,
        obj=organisation,
    )
    return organisation


@transaction.atomic
def membership_create(
    *, user: Any, organisation: Organisation, role: str, actor: Any = None
) -> Membership:
    membership = Membership(user=user, organisation=organisation, role=role)
    membership.full_clean()
    membership.save()
    audit_record(
        action="membership.created",
        summary=(
            f"{user.get_username()} joined {organisation.name} as {membership.get_role_display()}"
        ),
        actor=actor,
        organisation=organisation,
        obj=membership,
        data={"role": role},
    )
    return membership


@transaction.atomic
def membership_change_role(*, membership: Membership, role: str, actor: Any) -> Membership:
    """Change a member's role; an organisation always keeps at least one admin."""
    previous = membership.role
    if previous == role:
        return membership
    if previous == Role.ADMIN:
        admins = membership.organisation.memberships.select_for_update().filter(role=Role.ADMIN)
        if admins.count() <= 1:
            raise PermissionDeniedError(
                "An organisation needs at least one admin: make someone else an admin first."
            )
    membership.role = role
    membership.full_clean()
    membership.save(update_fields=["role"])
    audit_record(
        action="membership.role_changed",
        summary=(
            f"{membership.user.get_username()}'s role changed from "
            f"{Role(previous).label} to {membership.get_role_display()}"
        ),
        actor=actor,
        organisation=membership.organisation,
        obj=membership,
        data={"from": previous, "to": role},
    )
    return membership


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class IssuedInvitation:
    invitation: Invitation
    token: str


@transaction.atomic
def invitation_create(
    *, organisation: Organisation, email: str, role: str, invited_by: Any
) -> IssuedInvitation:
    """Create an invitation and return it with its one-time token (shown once, never stored)."""
    token = secrets.token_urlsafe(32)
    days = int(settings.SOCIALVALUE["INVITATION_VALID_DAYS"])
    invitation = Invitation(
        organisation=organisation,
        email=email.strip().lower(),
        role=role,
        token_hash=_token_hash(token),
        invited_by=invited_by,
        expires_at=timezone.now() + timedelta(days=days),
    )
    # The role must suit the organisation; reuse Membership's rule rather than repeat it.
    Membership(organisation=organisation, role=role).clean()
    invitation.full_clean()
    invitation.save()
    audit_record(
        action="invitation.created",
        summary=(
            f"{invited_by.get_username()} invited {invitation.email} "
            f"as {invitation.get_role_display()}"
        ),
        actor=invited_by,
        organisation=organisation,
        obj=invitation,
        data={"email": invitation.email, "role": role},
    )
    return IssuedInvitation(invitation=invitation, token=token)


@transaction.atomic
def invitation_revoke(*, invitation: Invitation, actor: Any) -> None:
    if invitation.status != "pending":
        raise InvitationError(f"This invitation is already {invitation.status}.")
    invitation.revoked_at = timezone.now()
    invitation.save(update_fields=["revoked_at"])
    audit_record(
        action="invitation.revoked",
        summary=f"{actor.get_username()} revoked the invitation for {invitation.email}",
        actor=actor,
        organisation=invitation.organisation,
        obj=invitation,
    )


def invitation_for_token(*, token: str) -> Invitation:
    """The usable invitation for ``token``, or :class:`InvitationError` saying why not."""
    invitation = (
        Invitation.objects.select_related("organisation")
        .filter(token_hash=_token_hash(token))
        .first()
    )
    if invitation is None:
        raise InvitationError("This invitation link is not valid. Check you copied the whole link.")
    status = invitation.status
    if status == "accepted":
        raise InvitationError("This invitation has already been used. Sign in instead.")
    if status == "revoked":
        raise InvitationError(
            "This invitation was withdrawn. Ask your organisation admin for a new one."
        )
    if status == "expired":
        raise InvitationError(
            "This invitation has expired. Ask your organisation admin for a new one."
        )
    return invitation


@transaction.atomic
def invitation_accept(
    *,
    token: str,
    username: str,
    first_name: str,
    last_name: str,
    password: str,
) -> Any:
    """Create the account and membership for an invitation, once.

    The invitation row is locked, so two submissions of the same link cannot both succeed.
    Raises :class:`InvitationError` for an unusable link and Django's ``ValidationError`` for
    a password the validators refuse; in both cases nothing is created.
    """
    found = invitation_for_token(token=token)
    invitation = Invitation.objects.select_for_update().get(pk=found.pk)
    invitation_for_token(token=token)  # re-check under the lock
    user = User(
        username=username, email=invitation.email, first_name=first_name, last_name=last_name
    )
    validate_password(password, user)
    user.set_password(password)
    user.full_clean()
    user.save()
    membership_create(
        user=user, organisation=invitation.organisation, role=invitation.role, actor=user
    )
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    audit_record(
        action="invitation.accepted",
        summary=f"{user.get_username()} accepted the invitation for {invitation.email}",
        actor=user,
        organisation=invitation.organisation,
        obj=invitation,
    )
    return user


@transaction.atomic
def user_create(
    *,
    username: str,
    password: str,
    email: str = "",
    first_name: str = "",
    last_name: str = "",
    is_superuser: bool = False,
    validate: bool = True,
) -> Any:
    """Create a user; ``validate=False`` skips the password validators (demo data only)."""
    user = User(
        username=username,
        email=email,
        first_name=first_name,
        last_name=last_name,
        is_staff=is_superuser,
        is_superuser=is_superuser,
    )
    if validate:
        validate_password(password, user)
    user.set_password(password)
    user.full_clean()
    user.save()
    audit_record(
        action="user.created",
        summary=f"User {username} created" + (" as a site administrator" if is_superuser else ""),
        obj=user,
    )
    return user


@transaction.atomic
def password_change(*, user: Any, form: Any, organisation: Organisation | None) -> None:
    """Save a validated password change form and record it (never the password itself)."""
    form.save()
    audit_record(
        action="auth.password_changed",
        summary=f"{user.get_username()} changed their password",
        actor=user,
        organisation=organisation,
    )
