"""Public pages of works: the list with its map, one work's page, residents' observations,
follows, and the open-data downloads (CSV and GeoJSON). The list, the map and the
downloads read the same filtered set (`selectors.filtered_works`). Filter values that
cannot be used are ignored and named on the page (and in the GeoJSON's `ignored_filters`):
bad input never fails."""

import datetime

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from discussions import views as discussion_views
from discussions.models import Comment
from quitodecide import exports, ratelimit, rulebook
from quitodecide.errors import DomainError

from . import selectors, services
from .forms import ObservationForm
from .models import Follow, Work
from .status import WorkStatus
from .veeduria import WINDOW_DAYS, alert_for, alerts_for

WORKS_EXPORT = exports.register(
    "works.opendata",
    description="Public works of the filtered list: CSV and GeoJSON (CC BY 4.0).",
)
# On top of the service's own limit per work and day: posting costs moderators time.
OBSERVATION_RATES = [("user", "20/h"), ("ip", "20/h")]
COMMENT_ACTIONS = {"reportar", "eliminar"}


def _login_url(next_url: str) -> str:
    return f"{reverse('account_login')}?{urlencode({'next': next_url})}"


def _get(code: str) -> Work:
    try:
        return selectors.work_detail(code)
    except Work.DoesNotExist:
        raise Http404 from None


# --- the list -----------------------------------------------------------------------------
def work_list(request):
    filtered = selectors.filtered_works(request.GET)
    paginator = Paginator(filtered.queryset, filtered.page_size)
    page_obj = paginator.get_page(request.GET.get("pagina"))
    works = list(page_obj.object_list)
    alerts = alerts_for(works)
    for work in works:
        work.alert = alerts.get(work.pk)
    filter_query = selectors.filter_query(filtered)
    page_query = urlencode(
        selectors.filter_values(filtered)
        | {"orden": filtered.sort, "por_pagina": filtered.page_size}
    )
    return TemplateResponse(
        request,
        "works/work_list.html",
        {
            "filtered": filtered,
            "filters": filtered.form,
            "works": works,
            "page_obj": page_obj,
            "summary": selectors.status_summary(filtered.queryset),
            "filter_query": filter_query,
            "page_query": page_query,
            "geojson_url": _with_query(reverse("works:geojson"), filter_query),
            "csv_url": _with_query(reverse("works:csv"), filter_query),
        },
    )


def _with_query(url: str, query: str) -> str:
    return f"{url}?{query}" if query else url


# --- open data ----------------------------------------------------------------------------
def _download_name(filtered) -> str:
    parts = ["obras"] + [str(value) for value in selectors.filter_values(filtered).values()]
    return "-".join(parts)


def work_geojson(request):
    """RFC 7946 GeoJSON of the filtered works; `zoom` clusters them, `bbox` cuts them."""
    filtered = selectors.filtered_works(request.GET)
    ignored = list(filtered.ignored)
    zoom = bbox = None
    if request.GET.get("zoom"):
        zoom = selectors.parse_zoom(request.GET["zoom"])
        if zoom is None:
            ignored.append("zoom")
    if request.GET.get("bbox"):
        bbox = selectors.parse_bbox(request.GET["bbox"])
        if bbox is None:
            ignored.append("bbox")
    filtered.ignored = ignored
    data = selectors.geojson(filtered, zoom=zoom, bbox=bbox)
    response = exports.json_response(
        WORKS_EXPORT,
        filename=_download_name(filtered),
        data=data,
        content_type="application/geo+json",
        compact=True,
    )
    response["Link"] = f'<{selectors.LICENCE_URL}>; rel="license"'
    return response


def work_csv(request):
    filtered = selectors.filtered_works(request.GET)
    response = exports.csv_response(
        WORKS_EXPORT,
        filename=_download_name(filtered),
        header=selectors.CSV_FIELDS,
        rows=selectors.csv_rows(filtered, base_url=request.build_absolute_uri("/")[:-1]),
    )
    response["Link"] = f'<{selectors.LICENCE_URL}>; rel="license"'
    return response


# --- one work -----------------------------------------------------------------------------
def _observation_refusal(request, work) -> str:
    if work.status == WorkStatus.CANCELLED:
        return _("This work was cancelled: it takes no more observations.")
    if not request.user.is_authenticated:
        return _("Log in as a verified resident of %(zone)s to post an observation.") % {
            "zone": work.zone.name
        }
    # The participation gate (consent to the current policy, no deletion under way) has
    # its own way on: say it rather than "only verified residents".
    if not rulebook.allowed(request.user, "works.follow", work):
        return str(rulebook.explain(request.user, "works.follow", work))
    return _(
        "Only verified residents of %(zone)s can post observations on its works. "
        "You can ask for your residence to be verified from your profile."
    ) % {"zone": work.zone.name}


def work_detail(request, code, *, form=None, status=200):
    if code != code.upper() and code.isascii():
        return redirect("works:detail", code=code.upper(), permanent=True)  # codes are upper
    work = _get(code)
    user = request.user
    can_observe = rulebook.allowed(user, "works.observe", work)
    observations = selectors.visible_observations(work)
    since = timezone.now() - datetime.timedelta(days=WINDOW_DAYS)
    committee = list(work.committee.all())
    context = {
        "work": work,
        "updates": work.timeline,
        "committee": committee,
        "committee_named": [member for member in committee if member.consents_to_publish_name],
        "committee_unnamed": sum(1 for m in committee if not m.consents_to_publish_name),
        "documents": list(work.documents.all()),
        "alert": alert_for(work),
        "rule": selectors.describe_rule(),
        "observations": observations,
        "observation_summary": selectors.observation_summary(work, since=since),
        "can_observe": can_observe,
        "observation_refusal": "" if can_observe else _observation_refusal(request, work),
        "form": form or ObservationForm(),
        "following": user.is_authenticated and Follow.objects.filter(work=work, user=user).exists(),
        "origin_request": work.request,
        "discussion_url": reverse("works:detail", args=[work.code]),
    }
    return TemplateResponse(request, "works/work_detail.html", context, status=status)


def work_observe(request, code):
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    detail_url = reverse("works:detail", args=[code])
    if not request.user.is_authenticated:
        return redirect(_login_url(detail_url))
    work = _get(code)
    form = ObservationForm(request.POST, request.FILES)
    status = 400
    if form.is_valid():
        try:
            if not rulebook.allowed(request.user, "works.observe", work):
                status = 403
                raise DomainError(_observation_refusal(request, work))
            ratelimit.limits(
                request,
                "works.observe",
                OBSERVATION_RATES,
                message=_(
                    "You have posted many observations in a short time. Please wait an hour "
                    "before posting another."
                ),
            )
            observation = services.observation_post(
                work=work, user=request.user, **form.service_kwargs()
            )
        except ValidationError as error:
            by_field = (
                error.message_dict if hasattr(error, "error_dict") else {None: error.messages}
            )
            for field, errors in by_field.items():
                form.add_error(field if field in form.fields else None, errors)
        except ratelimit.RateLimited as error:
            status = 429
            form.add_error(None, error.message)
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Thank you: your observation has been published."))
            return redirect(f"{detail_url}#comentario-{observation.comment_id}")
    return work_detail(request, code, form=form, status=status)


def work_follow(request, code):
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    detail_url = reverse("works:detail", args=[code])
    if not request.user.is_authenticated:
        return redirect(_login_url(detail_url))
    try:
        work = Work.objects.get(code=code)
    except Work.DoesNotExist:
        raise Http404 from None
    try:
        following = services.follow_toggle(work=work, user=request.user)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("You follow this work: you will be told when its status changes.")
            if following
            else _("You no longer follow this work."),
        )
    return redirect(detail_url)


def work_comment_action(request, code, comment_id, action):
    """Flag (or, for its author, delete) an observation: the discussion engine's actions."""
    if action not in COMMENT_ACTIONS:
        raise Http404
    detail_url = reverse("works:detail", args=[code])
    if request.method == "POST" and not request.user.is_authenticated:
        return redirect(_login_url(detail_url))
    work = Work.objects.filter(code=code).only("pk", "thread_id").first()
    comment = (
        Comment.objects.filter(pk=comment_id, thread_id=work.thread_id).first()
        if work is not None and work.thread_id
        else None
    )
    if comment is None:
        raise Http404
    return discussion_views.comment_action(
        request, comment=comment, action=action, fallback_url=detail_url
    )
