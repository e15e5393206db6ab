"""The captcha's URLs under /captcha/, with simple-captcha's names (its widget reverses them).

The image is simple-captcha's view (our widget offers no 2× image); a new code and the audio are
ours: both count against the client's limit (a new code stores a challenge, the audio runs the
speech synthesizer), and the audio speaks the page's language.
"""

from __future__ import annotations

from captcha import views as captcha_views
from django.urls import URLPattern, path, re_path

from urne.accounts import views

urlpatterns: list[URLPattern] = [
    re_path(
        r"image/(?P<key>\w+)/$",
        captcha_views.captcha_image,
        name="captcha-image",
        kwargs={"scale": 1},
    ),
    re_path(r"audio/(?P<key>\w+)\.wav$", views.captcha_audio, name="captcha-audio"),
    path("refresh/", views.captcha_refresh, name="captcha-refresh"),
]
