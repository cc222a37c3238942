"""The contact form: a general question, or an insurance check that asks for a little more.

Error messages say what to do, in plain words. Every field has a length limit. Each input is tied to
its hint and its error with aria-describedby, and the template lists all errors at the top.
"""

from datetime import date

import phonenumbers
from django import forms

from inquiries.models import INSURANCE_FIELDS, Inquiry

DATE_FORMATS = ["%Y-%m-%d", "%m/%d/%Y", "%m-%d-%Y", "%m/%d/%y", "%m.%d.%Y"]
OLDEST_PLAUSIBLE_AGE = 120


def _required(message):
    return {"required": message}


def _date_of_birth(label, required_message):
    return forms.DateField(
        label=label,
        input_formats=DATE_FORMATS,
        widget=forms.DateInput(attrs={"type": "date", "autocomplete": "off"}, format="%Y-%m-%d"),
        error_messages={"required": required_message, "invalid": "Enter a real date, like 03/14/1985."},
        help_text="Month, day and year, like 03/14/1985.",
    )


class ContactForm(forms.Form):
    kind = Inquiry.Kind.QUESTION

    name = forms.CharField(
        label="Your name",
        max_length=100,
        error_messages=_required("Enter your name."),
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    phone = forms.CharField(
        label="Phone number",
        max_length=30,
        required=False,
        help_text="A US number. Give a phone number, an email address, or both.",
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel", "inputmode": "tel"}),
    )
    email = forms.EmailField(
        label="Email address",
        max_length=254,
        required=False,
        error_messages={"invalid": "Enter an email address like name@example.com."},
        widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
    )
    preferred_contact = forms.ChoiceField(
        label="How should we reach you?",
        choices=Inquiry.ContactMethod.choices,
        widget=forms.RadioSelect,
        error_messages=_required("Choose how we should reach you."),
    )
    preferred_time = forms.ChoiceField(
        label="When is a good time?",
        choices=Inquiry.ContactTime.choices,
        widget=forms.RadioSelect,
        initial=Inquiry.ContactTime.ANY,
        error_messages=_required("Choose a good time to reach you."),
    )
    service = forms.ChoiceField(
        label="Which treatment are you asking about?",
        choices=Inquiry.Service.choices,
        widget=forms.RadioSelect,
        initial=Inquiry.Service.NOT_SURE,
        error_messages=_required("Choose a treatment, or 'Not sure yet'."),
    )
    message = forms.CharField(
        label="Your message (optional)",
        max_length=2000,
        required=False,
        help_text="Up to 2,000 characters. Please do not include anything you would not want a clinic to know.",
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"max_length": "Keep your message under 2,000 characters. You have %(show_value)d."},
    )
    consent = forms.BooleanField(
        label="I agree that the clinic may contact me about this inquiry.",
        error_messages=_required("Tick the box so we may contact you about this inquiry."),
    )
    # Left empty by people; filled in by form-filling bots. Hidden from view and from screen readers.
    website = forms.CharField(required=False, label="Leave this field empty")
    token = forms.CharField(widget=forms.HiddenInput)

    model_fields = ("name", "phone", "email", "preferred_contact", "preferred_time", "service", "message")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.label_suffix = ""
        self.fields["website"].widget.attrs.update({"tabindex": "-1", "autocomplete": "off"})
        self._describe_fields()

    def full_clean(self):
        super().full_clean()
        self._describe_fields()

    def _describe_fields(self):
        """Point each input at its hint and its error (aria-describedby) and mark errors aria-invalid."""
        for name, field in self.fields.items():
            bound = self[name]
            ids = []
            if field.help_text:
                ids.append(f"{bound.auto_id}_hint")
            if self.is_bound and self._errors is not None and name in self._errors:
                ids.append(f"{bound.auto_id}_error")
                field.widget.attrs["aria-invalid"] = "true"
            else:
                field.widget.attrs.pop("aria-invalid", None)
            if ids:
                field.widget.attrs["aria-describedby"] = " ".join(ids)
            else:
                field.widget.attrs.pop("aria-describedby", None)

    def clean_phone(self):
        raw = self.cleaned_data["phone"].strip()
        if not raw:
            return ""
        try:
            number = phonenumbers.parse(raw, "US")
        except phonenumbers.NumberParseException:
            number = None
        if number is None or number.country_code != 1 or not phonenumbers.is_valid_number(number):
            raise forms.ValidationError("Enter a US phone number with its area code, like 212-555-0123.")
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)

    def clean_name(self):
        return " ".join(self.cleaned_data["name"].split())

    def clean_website(self):
        return self.cleaned_data["website"].strip()

    def clean(self):
        cleaned = super().clean()
        phone, email = cleaned.get("phone"), cleaned.get("email")
        if "phone" not in self.errors and "email" not in self.errors and not phone and not email:
            self.add_error("phone", "Give a phone number or an email address, so we can reach you.")
        method = cleaned.get("preferred_contact")
        if method in (Inquiry.ContactMethod.PHONE, Inquiry.ContactMethod.TEXT) and not phone and email:
            self.add_error("preferred_contact", "Add a phone number, or choose email.")
        if method == Inquiry.ContactMethod.EMAIL and not email and phone:
            self.add_error("preferred_contact", "Add an email address, or choose a call or text.")
        return cleaned

    def is_bot(self):
        return bool(self.cleaned_data.get("website"))

    def inquiry_data(self):
        """The cleaned values that become the inquiry, and nothing else."""
        return {"kind": self.kind, **{name: self.cleaned_data[name] for name in self.model_fields}}


def _check_date_of_birth(value, who):
    if value is None:
        return value
    today = date.today()
    if value >= today:
        raise forms.ValidationError(f"{who} date of birth must be in the past.")
    if today.year - value.year > OLDEST_PLAUSIBLE_AGE:
        raise forms.ValidationError(f"Check {who.lower()} date of birth: the year looks too early.")
    return value


class InsuranceForm(ContactForm):
    kind = Inquiry.Kind.INSURANCE

    insurance_carrier = forms.CharField(
        label="Insurance company",
        max_length=100,
        error_messages=_required("Enter the name of your insurance company."),
        help_text="As it is written on the insurance card.",
    )
    member_id = forms.CharField(
        label="Member ID",
        max_length=40,
        error_messages=_required("Enter the member ID from the insurance card."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    group_number = forms.CharField(
        label="Group number (if there is one)",
        max_length=40,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    patient_dob = _date_of_birth("Patient's date of birth", "Enter the patient's date of birth.")
    patient_is_policy_holder = forms.TypedChoiceField(
        label="Is the patient the policy holder?",
        choices=[
            ("yes", "Yes, the patient is the policy holder"),
            ("no", "No, someone else is (for example a parent or partner)"),
        ],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
        initial="yes",
        error_messages=_required("Say whether the patient is the policy holder."),
    )
    policy_holder_name = forms.CharField(
        label="Policy holder's name",
        max_length=100,
        required=False,
        help_text="Only if the patient is not the policy holder.",
    )
    policy_holder_dob = forms.DateField(
        label="Policy holder's date of birth",
        required=False,
        input_formats=DATE_FORMATS,
        widget=forms.DateInput(attrs={"type": "date", "autocomplete": "off"}, format="%Y-%m-%d"),
        error_messages={"invalid": "Enter a real date, like 03/14/1985."},
        help_text="Only if the patient is not the policy holder.",
    )

    model_fields = (*ContactForm.model_fields, *INSURANCE_FIELDS)

    def clean_patient_dob(self):
        return _check_date_of_birth(self.cleaned_data["patient_dob"], "The patient's")

    def clean_policy_holder_dob(self):
        return _check_date_of_birth(self.cleaned_data["policy_holder_dob"], "The policy holder's")

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("patient_is_policy_holder") is False:
            if not cleaned.get("policy_holder_name"):
                self.add_error("policy_holder_name", "Enter the policy holder's name.")
            if not cleaned.get("policy_holder_dob") and "policy_holder_dob" not in self.errors:
                self.add_error("policy_holder_dob", "Enter the policy holder's date of birth.")
        elif cleaned.get("patient_is_policy_holder"):
            # Not needed, so not kept.
            cleaned["policy_holder_name"] = ""
            cleaned["policy_holder_dob"] = None
        return cleaned


FORMS = {Inquiry.Kind.QUESTION: ContactForm, Inquiry.Kind.INSURANCE: InsuranceForm}
