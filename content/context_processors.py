"""What every template needs: the clinic's contact details."""

from django.utils.functional import SimpleLazyObject

from content.models import ClinicProfile


def site(request):
    return {"clinic": SimpleLazyObject(ClinicProfile.load)}
