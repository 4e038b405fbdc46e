"""`{% subpage_url page "name" arg %}`: the URL of a routable page's sub-page (a builtin)."""

from django import template

from quitodecide.pages import subpage_url as build

register = template.Library()


@register.simple_tag
def subpage_url(page, name, *args):
    return build(page, name, *args)
