from allauth.account.forms import LoginForm as AllauthLoginForm
from django import forms

from accounts.models import User

REMEMBER_HELP = "This setting should only be used on your home or work computer."


class LoginForm(AllauthLoginForm):
    """allauth's login form, with our wording for the remember-me choice."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["login"].label = "Email address"
        self.fields["remember"].label = "Remember me"
        self.fields["remember"].help_text = REMEMBER_HELP
        self.fields["password"].help_text = ""  # the form shows "Forgot your password?" itself


class ProfileForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["display_name"]
        labels = {"display_name": "Your name, as shown with your comments"}
