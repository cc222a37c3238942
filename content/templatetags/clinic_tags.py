"""The clinic's own details in templates: its schema.org description for the home page."""

from django import template

from content import structured_data
from content.models import ClinicProfile

register = template.Library()


@register.simple_tag(takes_context=True)
def clinic_jsonld(context):
    request = context["request"]
    clinic = structured_data.clinic(ClinicProfile.for_request(request), request.build_absolute_uri("/"))
    return structured_data.as_script(clinic) if clinic else ""
