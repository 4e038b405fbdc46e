"""Links that bring a person back: `{% login_url %}`, `{% signup_url %}` (to the current
page, or `next`, plus an optional `anchor`), and `{% continue_url %}` (where to go on from
an account page that has no way on of its own, e.g. the recovery codes after setting up
the second factor)."""

from django import template
from django.urls import reverse
from django.utils.http import urlencode

from accounts.adapters import safe_next, staff_home

register = template.Library()


def _with_next(name: str, context, next_url: str, anchor: str) -> str:
    request = context.get("request")
    target = next_url or (request.get_full_path() if request is not None else "/")
    if anchor:
        target = f"{target.split('#', 1)[0]}#{anchor}"
    return f"{reverse(name)}?{urlencode({'next': target})}"


@register.simple_tag(takes_context=True)
def login_url(context, next="", anchor=""):  # noqa: A002 (the parameter allauth reads)
    return _with_next("account_login", context, next, anchor)


@register.simple_tag(takes_context=True)
def signup_url(context, next="", anchor=""):  # noqa: A002
    return _with_next("account_signup", context, next, anchor)


@register.simple_tag(takes_context=True)
def continue_url(context) -> str:
    """The request's safe `next`; else the admin for staff; else the profile."""
    request = context.get("request")
    return (
        safe_next(request)
        or staff_home(getattr(request, "user", None))
        or reverse("accounts:profile")
    )
