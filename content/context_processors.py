"""What every template needs: the clinic's contact details and the page's canonical address."""

from django.utils.functional import SimpleLazyObject

from content.models import ClinicProfile


def site(request):
    return {
        "clinic": SimpleLazyObject(ClinicProfile.load),
        # The address without its query string: /contact/?kind=insurance is a view of /contact/.
        "canonical_url": request.build_absolute_uri(request.path),
    }
