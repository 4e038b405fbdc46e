"""`{% allowed "budgets.vote" cycle as can_vote %}`: templates ask the rule book instead of
re-deriving a rule. A builtin (settings.TEMPLATES), so no `{% load %}` is needed."""

from django import template

from quitodecide import rulebook

register = template.Library()


@register.simple_tag(takes_context=True)
def allowed(context, name, obj=None):
    request = context.get("request")
    user = getattr(request, "user", None) or context.get("user")
    return rulebook.allowed(user, name, obj)


@register.simple_tag(takes_context=True)
def may_take_back(context, name, obj=None):
    """`{% may_take_back "discussions.support" comment as can_take_back %}`: whether the
    person may undo their own participation (withdraw a support), which never needs the
    participation gate (rulebook.may_take_back)."""
    request = context.get("request")
    user = getattr(request, "user", None) or context.get("user")
    return rulebook.may_take_back(user, name, obj)
