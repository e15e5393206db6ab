"""The devices are not edited in the back office: django-otp's own pages would show a TOTP
secret to whoever opens them. A superuser resets a staff member's second factor with the
accounts' action (urne.accounts.admin), and the staff member enrols again."""

from __future__ import annotations

from django.contrib import admin
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

for model in (TOTPDevice, StaticDevice):
    if admin.site.is_registered(model):
        admin.site.unregister(model)
