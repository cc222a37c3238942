"""django-axes glue: whose sign-in an attempt was for, and never keeping what was typed.

Axes keeps each failed sign-in's GET and POST data, masking only fields it knows are passwords; the
two-step login form calls its field `auth-password`, and the confirm-password form has its own. The
settings mask both (AXES_SENSITIVE_PARAMETERS), and `forget_form_data` makes sure no form data is stored
at all: the user name, address and time are what a lockout needs. Migration 0001 blanked older rows.
"""


def axes_username(request, credentials):
    """The user name a sign-in attempt was for, from the login form's first step (AXES_USERNAME_CALLABLE)."""
    if credentials and credentials.get("username"):
        return credentials["username"]
    return request.POST.get("auth-username", "") if request is not None else ""


def forget_form_data(sender, instance, **kwargs):
    """pre_save of axes' AccessAttempt (connected in AccountsConfig.ready): keep no GET or POST data."""
    instance.get_data = ""
    instance.post_data = ""
