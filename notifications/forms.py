from django import forms


class PreferenceForm(forms.Form):
    weekly_digest = forms.BooleanField(
        required=False,
        label="Send me reminders as one weekly digest",
        help_text=(
            "Reminders (reviews due, passwords to change, policies to read) are collected into "
            "one email on Monday morning. Breach reports and credential alerts are always sent "
            "at once."
        ),
    )
