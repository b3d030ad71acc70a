"""Settings → Users and teams: an admin adds people (with a one-time set-password link), sets
their role and team, names each team's managers, and deactivates someone — their records go to
another owner in the same transaction and their sessions end. Managers see their teams'
members here, read-only; reps do not come here. Every change goes to the settings history.
"""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import PermissionDenied
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Count, Prefetch, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.views.decorators.http import require_POST

from crm import reassign, visibility
from crm.models import SettingChange, Team, User

SETTINGS_OF = "users and teams"  # what the 403 says only an admin may change


def _record(request, area: str, subject: str, action: str, before: dict, after: dict) -> None:
    SettingChange.objects.create(
        by=request.user, area=area, subject=subject, action=action, before=before, after=after
    )


def _user_snapshot(user: User) -> dict:
    return {
        "username": user.username,
        "name": user.get_full_name(),
        "email": user.email,
        "role": user.role,
        "team": str(user.team) if user.team_id else "",
        "active": user.is_active,
    }


def _team_snapshot(team: Team) -> dict:
    return {"name": team.name, "managers": sorted(str(u) for u in team.managers.all())}


def set_password_link(request, user: User) -> str:
    """A link that lets `user` choose a password once: the token is bound to their current
    password hash and last login, so it stops working as soon as it is used."""
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    return request.build_absolute_uri(reverse("password-set", args=[uid, token]))


def _send_link(user: User, link: str) -> bool:
    if not (settings.HUDDLE_MAIL and user.email):
        return False
    send_mail(
        "Your Huddle account",
        f"Hello {user.get_short_name() or user.username},\n\n"
        f"choose your password here (the link works once):\n{link}\n\n"
        f"Your username is {user.username}.\n",
        None,
        [user.email],
    )
    return True


# ---- forms -----------------------------------------------------------------------------------


class UserForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["username", "first_name", "last_name", "email", "role", "team"]
        help_texts = {"username": "What they log in with: letters, digits and @/./+/-/_ only."}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].empty_label = "No team"
        self.fields["email"].required = False

    def clean_email(self) -> str:
        email = (self.cleaned_data.get("email") or "").strip().lower()
        taken = User.objects.filter(email__iexact=email).exclude(pk=self.instance.pk)
        if email and taken.exists():
            raise forms.ValidationError("Another user has this e-mail address.")
        return email

    def clean_role(self) -> str:
        role = self.cleaned_data["role"]
        user = self.instance
        if user.pk and user.role == User.Role.ADMIN and role != User.Role.ADMIN:
            others = User.objects.filter(role=User.Role.ADMIN, is_active=True).exclude(pk=user.pk)
            if not others.exists():
                raise forms.ValidationError("Huddle needs at least one active admin.")
        return role


class TeamForm(forms.ModelForm):
    class Meta:
        model = Team
        fields = ["name", "managers"]
        widgets = {"managers": forms.CheckboxSelectMultiple}
        help_texts = {"managers": "They see and change their team's records and meetings."}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        managers = User.objects.filter(is_active=True).filter(
            Q(role__in=[User.Role.MANAGER, User.Role.ADMIN])
            | Q(pk__in=self.instance.managers.all() if self.instance.pk else [])
        )
        self.fields["managers"].queryset = managers
        self.fields["managers"].required = False


class DeactivateForm(forms.Form):
    reassign_to = forms.ModelChoiceField(
        queryset=User.objects.none(),
        label="Give their records to",
        required=False,
        empty_label="Choose someone",
    )

    def __init__(self, *args, user: User, owned: int, by: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.user, self.owned, self.by = user, owned, by
        self.fields["reassign_to"].queryset = User.objects.filter(is_active=True).exclude(
            pk=user.pk
        )

    def clean(self):
        cleaned = super().clean()
        if self.user.pk == self.by.pk:
            raise forms.ValidationError("You cannot deactivate yourself.")
        if self.owned and not cleaned.get("reassign_to"):
            self.add_error("reassign_to", "They own records: choose who takes them over.")
        if self.user.role == User.Role.ADMIN:
            others = User.objects.filter(role=User.Role.ADMIN, is_active=True).exclude(
                pk=self.user.pk
            )
            if not others.exists():
                raise forms.ValidationError("Huddle needs at least one active admin.")
        return cleaned


# ---- views -----------------------------------------------------------------------------------


def users_page(request):
    """Everyone (admin) or a manager's teams (read-only), with their teams and managers."""
    people = visibility.listed_users(request.user)
    if not request.user.is_admin and not request.user.is_manager:
        raise PermissionDenied("Users and teams are for admins (and managers, for their teams).")
    people = people.select_related("team").order_by("-is_active", "first_name", "username")
    teams = Team.objects.annotate(size=Count("members", filter=Q(members__is_active=True)))
    if not request.user.is_admin:
        teams = teams.filter(managers=request.user)
    teams = teams.prefetch_related(
        Prefetch("managers", queryset=User.objects.order_by("first_name", "username"))
    )
    return render(
        request,
        "crm/settings_users.html",
        {
            "title": "Users and teams" if request.user.is_admin else "My teams",
            "people": people,
            "teams": teams,
            "can_change": request.user.is_admin,
        },
    )


@transaction.atomic
def user_create(request):
    visibility.require_admin(request.user, SETTINGS_OF)
    form = UserForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        user = form.save(commit=False)
        user.set_unusable_password()
        user.save()
        _record(request, "user", str(user), "added", {}, _user_snapshot(user))
        return _show_link(request, user, created=True)
    return render(
        request, "crm/settings_user_form.html", {"title": "New user", "form": form, "person": None}
    )


def _show_link(request, user: User, *, created: bool):
    link = set_password_link(request, user)
    mailed = _send_link(user, link)
    return render(
        request,
        "crm/settings_user_link.html",
        {
            "title": f"{'Added' if created else 'New link for'} {user}",
            "person": user,
            "link": link,
            "mailed": mailed,
            "created": created,
        },
    )


# The user row is locked FOR NO KEY UPDATE: a lock that still lets others' writes of records
# they own check their owner key (FOR KEY SHARE), which FOR UPDATE would block into a deadlock
# with a reassignment waiting on those same records.


@transaction.atomic
def user_edit(request, pk):
    visibility.require_admin(request.user, SETTINGS_OF)
    user = get_object_or_404(User.objects.select_for_update(no_key=True), pk=pk)
    before = _user_snapshot(user)
    form = UserForm(request.POST if request.method == "POST" else None, instance=user)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        after = _user_snapshot(user)
        if after != before:
            _record(request, "user", str(user), "changed", before, after)
            messages.success(request, f"Saved {user}.")
        return redirect("settings-users")
    return render(
        request,
        "crm/settings_user_form.html",
        {
            "title": str(user),
            "form": form,
            "person": user,
            "owned": reassign.describe(reassign.owned_counts(user)),
        },
    )


@require_POST
@transaction.atomic
def user_link(request, pk):
    """A fresh set-password link (forgotten password, or the first one was lost)."""
    visibility.require_admin(request.user, SETTINGS_OF)
    user = get_object_or_404(User, pk=pk, is_active=True)
    _record(request, "user", str(user), "set-password link", {}, {"username": user.username})
    return _show_link(request, user, created=False)


@transaction.atomic
def user_deactivate(request, pk):
    visibility.require_admin(request.user, SETTINGS_OF)
    user = get_object_or_404(User.objects.select_for_update(no_key=True), pk=pk, is_active=True)
    counts = reassign.owned_counts(user)
    owned = sum(counts.values())
    form = DeactivateForm(
        request.POST if request.method == "POST" else None, user=user, owned=owned, by=request.user
    )
    if request.method == "POST" and form.is_valid():
        before = _user_snapshot(user)
        to = form.cleaned_data["reassign_to"]
        moved = reassign.deactivate(user=user, reassign_to=to, by=request.user)
        after = _user_snapshot(user) | ({"records to": str(to), "moved": moved} if to else {})
        _record(request, "user", str(user), "deactivated", before, after)
        messages.success(
            request,
            f"Deactivated {user}."
            + (f" {to} now owns their records ({reassign.describe(moved)})." if to else "")
            + " Their sessions have ended.",
        )
        return redirect("settings-users")
    return render(
        request,
        "crm/settings_user_deactivate.html",
        {
            "title": f"Deactivate {user}",
            "form": form,
            "person": user,
            "owned": reassign.describe(counts) if owned else "",
        },
    )


@require_POST
@transaction.atomic
def user_reactivate(request, pk):
    visibility.require_admin(request.user, SETTINGS_OF)
    user = get_object_or_404(User.objects.select_for_update(no_key=True), pk=pk, is_active=False)
    before = _user_snapshot(user)
    user.is_active = True
    user.save(update_fields=["is_active"])
    _record(request, "user", str(user), "reactivated", before, _user_snapshot(user))
    messages.success(request, f"{user} can log in again.")
    return redirect("settings-users")


@transaction.atomic
def team_create(request):
    visibility.require_admin(request.user, SETTINGS_OF)
    form = TeamForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        team = form.save()
        _record(request, "team", str(team), "added", {}, _team_snapshot(team))
        messages.success(request, f"Added team {team}.")
        return redirect("settings-users")
    return render(
        request,
        "crm/settings_form.html",
        {"title": "New team", "form": form, "back": reverse("settings-users")},
    )


@transaction.atomic
def team_edit(request, pk):
    visibility.require_admin(request.user, SETTINGS_OF)
    team = get_object_or_404(Team.objects.select_for_update(no_key=True), pk=pk)
    before = _team_snapshot(team)
    form = TeamForm(request.POST if request.method == "POST" else None, instance=team)
    if request.method == "POST" and form.is_valid():
        team = form.save()
        after = _team_snapshot(team)
        if after != before:
            _record(request, "team", str(team), "changed", before, after)
            messages.success(request, f"Saved team {team}.")
        return redirect("settings-users")
    return render(
        request,
        "crm/settings_form.html",
        {"title": str(team), "form": form, "back": reverse("settings-users")},
    )
