"""Error reports that never carry what a person typed.

Django's own filter hides POST data only for views marked with sensitive_post_parameters; this one
hides it everywhere (the contact form, the front desk's notes in the admin, any view added later).
"""

from django.views.debug import SafeExceptionReporterFilter


class NoPostDataFilter(SafeExceptionReporterFilter):
    def get_post_parameters(self, request):
        if request is None:
            return {}
        return {key: self.cleansed_substitute for key in request.POST}
