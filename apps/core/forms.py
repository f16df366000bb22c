from django import forms

from apps.core.errors import DomainError


def add_domain_error(form: forms.Form, error: DomainError, *, field_map: dict[str, str] | None = None) -> None:
    """Show a service's error on the form field it concerns (or on the form)."""
    field = (field_map or {}).get(error.field, error.field)
    form.add_error(field if field in form.fields else None, str(error.message))
