from django import forms
from django.contrib.auth import authenticate


class ConfirmPasswordForm(forms.Form):
    """The signed-in staff member's own password, checked like a sign-in (django-axes counts failures)."""

    password = forms.CharField(
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password", "autofocus": True}),
    )

    def __init__(self, *args, request, **kwargs):
        super().__init__(*args, **kwargs)
        self.request = request

    def clean_password(self):
        password = self.cleaned_data["password"]
        user = self.request.user
        checked = authenticate(self.request, username=user.get_username(), password=password)
        if checked is None or checked.pk != user.pk:
            raise forms.ValidationError("That is not the password of the account you are signed in with.")
        return password
