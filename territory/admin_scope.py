"""Zone scoping for the Wagtail admin: one scope per viewset decides what staff may reach.

A viewset built on `ZoneScopedViewSet` declares `scope_queryset(user)`: the objects `user`
may see (all of them for superusers and the city-wide team, those of their zones for zone
staff). Every view the viewset builds is held to it, at one point:

- views that name an object in their URL (edit, delete, history, usage, inspect, copy,
  reorder and whatever Wagtail adds later) answer 404 before they load it, when the object
  is outside the scope, so another zone's object looks exactly like a missing one;
- listing views (index and its results) list only the scope.

The same scopes decide what the audit log shows (`territory.models.ZoneScopedLogEntry`, the
log model behind Wagtail's site history): zone staff read entries about objects of their
zones only.
"""

from collections.abc import Callable

from django.contrib.admin.utils import unquote
from django.core.exceptions import ValidationError
from django.db.models import Model, QuerySet
from django.http import Http404
from wagtail.admin.views.generic.models import IndexView
from wagtail.admin.viewsets.model import ModelViewSet

from quitodecide.errors import DomainError

Scope = Callable[[object], QuerySet]

# model -> scope; filled as the viewsets are registered (ViewSet.on_register).
_SCOPES: dict[type[Model], Scope] = {}


def register_scope(model: type[Model], scope: Scope) -> None:
    _SCOPES[model] = scope


def zone_scopes() -> dict[type[Model], Scope]:
    """The registered scopes, by model."""
    return dict(_SCOPES)


class _ScopedObjectView:
    """Refuses (404) any URL naming an object outside the viewset's scope."""

    zone_scope: Scope | None = None

    def setup(self, request, *args, **kwargs):
        # Before super().setup(): some of Wagtail's views load their object there.
        if "pk" in kwargs:
            try:
                reachable = (
                    self.zone_scope(request.user).filter(pk=unquote(str(kwargs["pk"]))).exists()
                )
            except (ValueError, TypeError, ValidationError):
                reachable = False
            if not reachable:
                raise Http404
        super().setup(request, *args, **kwargs)


class _ScopedIndexView(_ScopedObjectView):
    """Lists only the viewset's scope."""

    def get_base_queryset(self):
        scope = self.zone_scope(self.request.user)
        return super().get_base_queryset().filter(pk__in=scope.values("pk"))


class ZoneScopedViewSet(ModelViewSet):
    """A ModelViewSet whose every view is held to `scope_queryset(user)`, which each
    subclass must define (checked when the subclass is created, not on first request)."""

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if not callable(getattr(cls, "scope_queryset", None)):
            raise TypeError(
                f"{cls.__name__} must define scope_queryset(user): the objects user may reach."
            )

    def construct_view(self, view_class, **kwargs):
        mixin = _ScopedIndexView if issubclass(view_class, IndexView) else _ScopedObjectView
        scoped = type(
            view_class.__name__,
            (mixin, view_class),
            {"zone_scope": staticmethod(self.scope_queryset), "__module__": view_class.__module__},
        )
        return super().construct_view(scoped, **kwargs)

    def on_register(self):
        super().on_register()
        register_scope(self.model, self.scope_queryset)


class ServiceSaveMixin:
    """For create and edit views whose form's save() calls a service: the service checks
    the rule and writes the audit entry with its own action, so Wagtail's generic
    "created"/"edited" entry (which would repeat it) is not written. A refusal of the
    service is shown on the form (in Spanish), never as a server error."""

    def save_instance(self):
        return self.form.save()

    def form_valid(self, form):
        try:
            return super().form_valid(form)  # its transaction rolls back on a refusal
        except (DomainError, ValidationError) as error:
            form.add_error(None, _form_error(error, form))
            self.produced_error_code = "validation_error"
            self.produced_error_message = self.get_error_message()
            return self.form_invalid(form)


def _form_error(error, form):
    if isinstance(error, DomainError):
        return error.message
    if hasattr(error, "error_dict") and set(error.error_dict) <= set(form.fields):
        return error
    return error.messages
