"""Back office (/gestion/) of the accounts: staff and voters' accounts, and the invitations.

Invitations are sent from a campaign seen through the InvitationCampaign proxy; the action needs
the "send_invitations" permission and runs the same task as `urne send_invitations`.

Staff accounts, their rights, their perimeters (StaffScope) and the groups are the superusers'
alone. Other staff only *read* the accounts of the electors in their perimeter (never a staff or
superuser account, even one linked to an elector): they change nothing on an account (address,
password, elector, activity, rights), never reach the password page (voters reset their own with
« Mot de passe oublié ? »), and at most delete an elector's account of their perimeter.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib import admin, messages
from django.contrib.auth.admin import GroupAdmin as DjangoGroupAdmin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from urne.accounts import invitations, tasks
from urne.accounts.models import InvitationCampaign, User
from urne.audit import services as audit
from urne.backoffice.admin import ScopedAdminMixin, SuperuserOnlyAdminMixin, is_superuser
from urne.backoffice.models import StaffScope
from urne.staffauth import services as staffauth

if TYPE_CHECKING:
    # Django's UserAdmin is typed for AbstractUser; ours is an AbstractBaseUser with an email.
    UserAdminBase = DjangoUserAdmin[Any]
    GroupAdminBase = DjangoGroupAdmin
    InvitationAdminBase = admin.ModelAdmin[InvitationCampaign]
    StaffScopeInlineBase = admin.TabularInline[StaffScope, User]
    CreationFormBase = AdminUserCreationForm
    ChangeFormBase = UserChangeForm[User]
else:  # Django's classes are generic only for the type checker.
    UserAdminBase = DjangoUserAdmin
    GroupAdminBase = DjangoGroupAdmin
    InvitationAdminBase = admin.ModelAdmin
    StaffScopeInlineBase = admin.TabularInline
    CreationFormBase = AdminUserCreationForm
    ChangeFormBase = UserChangeForm


class AccountCreationForm(CreationFormBase):
    class Meta:
        model = User
        fields = ("email",)


class AccountChangeForm(ChangeFormBase):
    class Meta:
        model = User
        fields = "__all__"


class StaffScopeInline(StaffScopeInlineBase):
    """Where a staff member may act: whole campaigns, academies, or unions (a union delegate)
    (see docs/backoffice.md)."""

    model = StaffScope
    extra = 1
    fields = ["campaign", "academy", "union"]
    verbose_name = _("périmètre")
    verbose_name_plural = _(
        "périmètres de gestion (sans périmètre, un membre du personnel ne voit rien)"
    )


RIGHTS_FIELDS = ("is_staff", "is_superuser", "groups", "user_permissions")
# What would let whoever changes it log in as the account's owner, or vote in their place.
IDENTITY_FIELDS = ("email", "password", "elector", "is_active")


@admin.register(User)
class UserAdmin(ScopedAdminMixin, UserAdminBase):
    form = AccountChangeForm
    add_form = AccountCreationForm
    list_display = ("email", "elector", "is_active", "confirmed_at", "is_staff", "last_login")
    list_filter = ("is_active", "is_staff", "is_superuser")
    search_fields = ("email", "elector__last_name")
    ordering = ("email",)
    readonly_fields = ("created_at", "confirmed_at", "last_login")
    raw_id_fields = ("elector",)
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Électeur"), {"fields": ("elector", "created_at", "confirmed_at", "last_login")}),
        (
            _("Droits"),
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("email", "usable_password", "password1", "password2", "is_staff"),
            },
        ),
    )

    actions = ["reset_second_factor"]

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        actions = super().get_actions(request)
        if not is_superuser(request):
            actions.pop("reset_second_factor", None)
        return actions

    @admin.action(
        description=_(
            "Réinitialiser la double authentification (nouvel enrôlement à la prochaine connexion)"
        )
    )
    def reset_second_factor(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        """A staff member lost their phone and their recovery codes: a superuser forgets their
        application and codes; they enrol again at their next sign-in (urne.staffauth)."""
        if not is_superuser(request):
            raise PermissionDenied
        count = staffauth.do_reset_second_factor(queryset)
        self.message_user(
            request,
            gettext(
                "Double authentification réinitialisée pour %(count)d compte(s) : chacun "
                "enregistrera de nouveau son application à sa prochaine connexion."
            )
            % {"count": count},
            messages.SUCCESS,
        )

    def get_inlines(self, request: HttpRequest, obj: User | None) -> list[type[Any]]:
        # Only superusers set perimeters: the layer every other staff member is held by.
        return [StaffScopeInline] if is_superuser(request) and obj is not None else []

    def get_fieldsets(self, request: HttpRequest, obj: User | None = None) -> Any:
        fieldsets = super().get_fieldsets(request, obj)
        if is_superuser(request) or obj is None:
            return fieldsets
        # Not even the password's summary, whose button leads to a page they may not use.
        return [
            (name, {**options, "fields": [f for f in options["fields"] if f != "password"]})
            for name, options in fieldsets
        ]

    def get_readonly_fields(self, request: HttpRequest, obj: User | None = None) -> Any:
        readonly = tuple(super().get_readonly_fields(request, obj))
        if is_superuser(request):
            return readonly
        # Nobody grants themselves or others more rights, or takes an account over. (They may
        # not change an account at all, below: this holds should that ever be relaxed.)
        return readonly + RIGHTS_FIELDS + IDENTITY_FIELDS

    def has_add_permission(self, request: HttpRequest) -> bool:
        # Electors create their own accounts; staff accounts are made by superusers.
        return is_superuser(request) and super().has_add_permission(request)

    def has_change_permission(self, request: HttpRequest, obj: User | None = None) -> bool:
        # Everything on an account is read-only but for superusers: its pages are for reading.
        return is_superuser(request) and super().has_change_permission(request, obj)

    def user_change_password(
        self, request: HttpRequest, id: str, form_url: str = ""
    ) -> HttpResponse:
        # Nobody but a superuser sets a password: voters reset theirs themselves, and the
        # helpdesk never sees or sets one.
        if not is_superuser(request):
            raise PermissionDenied
        response: HttpResponse = super().user_change_password(request, id, form_url)
        return response


admin.site.unregister(Group)


@admin.register(Group)
class GroupAdmin(SuperuserOnlyAdminMixin, GroupAdminBase):
    """Groups carry rights: whoever changes one grants them to its members (themselves
    included). Superusers only, like the rights on an account."""


@admin.register(InvitationCampaign)
class InvitationCampaignAdmin(ScopedAdminMixin, InvitationAdminBase):
    list_display = (
        "name",
        "accounts_open_at",
        "elector_count",
        "account_count",
        "invited_count",
        "pending_count",
    )
    actions = ["send_invitations"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[InvitationCampaign]:
        campaigns: QuerySet[InvitationCampaign] = super().get_queryset(request)
        return campaigns.annotate(
            electors_total=Count("electors", distinct=True),
            accounts_total=Count("electors__account", distinct=True),
            invited_total=Count(
                "electors", filter=Q(electors__invitation_sent_at__isnull=False), distinct=True
            ),
            pending_total=Count(
                "electors",
                filter=Q(
                    electors__invitation_sent_at__isnull=True,
                    electors__account__isnull=True,
                ),
                distinct=True,
            ),
        )

    @admin.display(description=_("électeurs"), ordering="electors_total")
    def elector_count(self, campaign: Any) -> int:
        return int(campaign.electors_total)

    @admin.display(description=_("comptes créés"), ordering="accounts_total")
    def account_count(self, campaign: Any) -> int:
        return int(campaign.accounts_total)

    @admin.display(description=_("invitations envoyées"), ordering="invited_total")
    def invited_count(self, campaign: Any) -> int:
        return int(campaign.invited_total)

    @admin.display(description=_("à inviter"), ordering="pending_total")
    def pending_count(self, campaign: Any) -> int:
        return int(campaign.pending_total)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(
        self, request: HttpRequest, obj: InvitationCampaign | None = None
    ) -> bool:
        return False

    def has_delete_permission(
        self, request: HttpRequest, obj: InvitationCampaign | None = None
    ) -> bool:
        return False

    def has_view_permission(
        self, request: HttpRequest, obj: InvitationCampaign | None = None
    ) -> bool:
        return super().has_view_permission(request, obj) or self.has_send_invitations_permission(
            request
        )

    def has_send_invitations_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("accounts.send_invitations")

    @admin.action(
        description=_("Envoyer les invitations aux électeurs sans compte"),
        permissions=["send_invitations"],
    )
    def send_invitations(
        self, request: HttpRequest, queryset: QuerySet[InvitationCampaign]
    ) -> None:
        for campaign in queryset:
            try:
                invitations.check_invitations_open(campaign)
            except invitations.InvitationsNotOpen as refused:
                self.message_user(request, str(refused.message), messages.ERROR)
                continue
            result = tasks.send_invitations.delay(campaign.pk)
            audit.record(
                request,
                "invitation.send",
                campaign,
                **(result.result if result.ready() else {"queued": True}),
            )
            if result.ready():
                summary = result.result
                self.message_user(
                    request,
                    gettext(
                        "« %(campaign)s » : %(sent)d invitation(s) envoyée(s), %(failed)d en échec "
                        "(elles repartiront au prochain envoi)."
                    )
                    % {"campaign": campaign.name, **summary},
                    messages.ERROR if summary["failed"] else messages.SUCCESS,
                )
            else:
                self.message_user(
                    request,
                    gettext("« %(campaign)s » : l'envoi des invitations est lancé.")
                    % {"campaign": campaign.name},
                    messages.SUCCESS,
                )
