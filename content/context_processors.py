"""The clinic's contact details for every template (the header and footer show them)."""

from django.utils.functional import SimpleLazyObject

from content.models import ClinicProfile


def clinic(request):
    return {"clinic": SimpleLazyObject(lambda: ClinicProfile.for_request(request))}
