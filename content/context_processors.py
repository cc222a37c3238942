"""What every template needs: the clinic's contact details and the page's canonical address."""

from django.core.exceptions import DisallowedHost
from django.utils.functional import SimpleLazyObject

from content.models import ClinicProfile


def _canonical_url(request):
    # The address without its query string: /contact/?kind=insurance is a view of /contact/.
    try:
        return request.build_absolute_uri(request.path)
    except DisallowedHost:  # the 400 page for a forged Host header must still render
        return ""


def site(request):
    return {
        "clinic": SimpleLazyObject(lambda: ClinicProfile.for_request(request)),
        "canonical_url": _canonical_url(request),
    }
