"""Public pages of works (being written)."""

from django.http import Http404


def _todo(request, *args, **kwargs):
    raise Http404


work_list = work_geojson = work_csv = work_detail = work_observe = work_follow = _todo
