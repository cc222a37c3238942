"""Password rules beyond Django's own (AUTH_PASSWORD_VALIDATORS)."""

from django.core.exceptions import ValidationError


class RepetitionValidator:
    """Refuse passwords of too few different characters ("aaaaaaaaaaaa", "abababababab"), or one short
    piece typed again and again ("passwordpassword"): they are as easy to guess as the piece."""

    def __init__(self, min_distinct=5, min_piece=10):
        self.min_distinct = min_distinct
        self.min_piece = min_piece

    def validate(self, password, user=None):
        if len(set(password)) < self.min_distinct:
            raise ValidationError(
                f"This password uses too few different characters; use at least {self.min_distinct}.",
                code="password_too_repetitive",
            )
        piece = _repeated_piece(password)
        if piece is not None and len(piece) < self.min_piece:
            raise ValidationError(
                "This password is one short piece repeated; choose a longer password.",
                code="password_too_repetitive",
            )

    def get_help_text(self):
        return (
            f"Your password must use at least {self.min_distinct} different characters and must not be "
            "a short piece repeated."
        )


def _repeated_piece(text):
    """The shortest piece that `text` is made of, repeated, or None if it is not a repetition."""
    position = (text + text).find(text, 1)
    return text[:position] if 0 < position < len(text) else None
