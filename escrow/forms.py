"""Forms of the escrow. Secret fields never render a value back (render_value=False), so a
form re-shown with an error asks for the secret again rather than echoing it."""

from django import forms


class DepositForm(forms.Form):
    username = forms.CharField(
        label="Username or login email",
        max_length=254,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
        help_text="Kept encrypted like the password.",
        error_messages={"required": "Enter the username or email the account signs in with"},
    )
    password = forms.CharField(
        label="Password",
        max_length=500,
        strip=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        error_messages={
            "required": "Enter the account's current password",
            "max_length": "Enter the password in 500 characters or fewer",
        },
    )
    recovery_codes = forms.CharField(
        label="Two-factor recovery codes",
        required=False,
        max_length=2000,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
        help_text="Optional: paste them separated by spaces.",
    )
    notes = forms.CharField(
        label="Notes",
        required=False,
        max_length=2000,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
        help_text="Optional, kept encrypted (for example which phone receives the codes).",
    )


class RetrieveForm(forms.Form):
    reason = forms.CharField(
        label="Why do you need the login details?",
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Recorded with your name; the account's owner is told.",
        error_messages={
            "required": "Say why you need the login details, for example "
            "\u201cthe owner is off sick and a post must come down\u201d",
        },
    )

    def __init__(self, *args, break_glass: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if break_glass:
            self.fields["break_glass"] = forms.BooleanField(
                label="This is an emergency: I am retrieving these as a trust administrator "
                "(the headteacher is told at once).",
                required=True,
            )
