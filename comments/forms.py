from django import forms
from django.conf import settings
from django.contrib.humanize.templatetags.humanize import intcomma

from comments.models import Comment
from comments.policy import may_reply_to

BODY_HELP = "Plain text. Leave an empty line between paragraphs; web addresses become links."
HONEYPOT_MESSAGE = (
    "Your comment was not posted: the field “Leave this field empty” has something in it. "
    "Empty it and send your comment again."
)


class BodyField(forms.CharField):
    """The comment's text, within the site's length limit (read when the form is made)."""

    def __init__(self, **kwargs):
        limit = settings.COMMENTS_MAX_LENGTH
        super().__init__(
            label="Comment",
            help_text=BODY_HELP,
            max_length=limit,
            widget=forms.Textarea(attrs={"rows": 6}),
            error_messages={
                "required": "Write your comment before sending it.",
                "max_length": f"Keep your comment under {intcomma(limit)} characters "
                "(it has %(show_value)s).",
            },
            **kwargs,
        )

    def widget_attrs(self, widget):
        # No maxlength in the page: a browser would cut a pasted comment short without a word.
        attrs = super().widget_attrs(widget)
        attrs.pop("maxlength", None)
        return attrs


class FreshLimitMixin:
    """Makes the body field anew with each form, so the length limit is read at call time."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["body"] = BodyField()


class CommentForm(FreshLimitMixin, forms.Form):
    """A new comment or a reply (`parent`) on `article`, by `user`."""

    body = BodyField()
    notify_replies = forms.BooleanField(label="Email me when someone replies", required=False)
    parent = forms.IntegerField(required=False, widget=forms.HiddenInput)
    # Left empty by people, filled by bots that fill every field; hidden from view by CSS.
    website = forms.CharField(
        label="Leave this field empty",
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    def __init__(self, *args, article, user, **kwargs):
        kwargs.setdefault("auto_id", "comment-%s")
        super().__init__(*args, **kwargs)
        self.article = article
        self.user = user

    def clean_website(self):
        if self.cleaned_data["website"]:
            raise forms.ValidationError(HONEYPOT_MESSAGE)
        return ""

    def clean_parent(self):
        pk = self.cleaned_data["parent"]
        if pk is None:
            return None
        parent = Comment.objects.filter(article=self.article, pk=pk).first()
        if parent is None or not may_reply_to(parent):
            raise forms.ValidationError(
                "The comment you are replying to is gone or takes no more replies. "
                "Your text is still here: post it as a new comment."
            )
        return parent

    def clean(self):
        cleaned = super().clean()
        body = cleaned.get("body")
        if body and self.is_duplicate(body):
            self.add_error("body", "You have already posted this comment here.")
        return cleaned

    def is_duplicate(self, body):
        return (
            Comment.objects.filter(article=self.article, user=self.user, body=body)
            .exclude(status__in=Comment.REMOVED)
            .exists()
        )


class EditForm(FreshLimitMixin, forms.ModelForm):
    body = BodyField()

    class Meta:
        model = Comment
        fields = ["body"]
