"""The enacted text: the sanctioned ordinance attached as the consultation's final version,
its diff against the consulted draft, and the contributions taken up for each changed
article.

FOUNDATION STUB: the page answers 404 until the enacted text is built.
"""

from django.http import Http404


def enacted_view(request, consultation):
    raise Http404
