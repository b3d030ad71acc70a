"""No lost edits: how an edit made against an older version of a record is merged."""

from django import forms


class StaleEdit:
    """No lost edits: an edit carries the version it was made against (a hidden field).

    Saved over a newer version, the form merges: fields only the other person changed keep
    their new values, fields only this user changed take theirs. A field both changed is a
    conflict: the form comes back showing the other value beside this user's, and saving again
    (now against the newer version) keeps this user's on purpose.
    """

    def __init__(self, form: forms.ModelForm):
        self.form = form
        self.instance = form.instance

    def check(self) -> None:
        form, instance = self.form, self.instance
        posted = form.cleaned_data.get("version")
        if posted is None:
            raise forms.ValidationError(
                "This form carries no version. Reload the page and try again."
            )
        if posted == instance.version:
            return
        base = instance.history.filter(version=posted).order_by("-history_id").first()
        conflicts = []
        for name in self._model_fields():
            field = instance._meta.get_field(name)
            mine = self._value(form.cleaned_data.get(name))
            current = getattr(instance, field.attname)
            original = getattr(base, field.attname) if base is not None else None
            mine_changed = base is None or mine != original
            theirs_changed = base is None or current != original
            if mine_changed and theirs_changed and mine != current:
                conflicts.append((name, current))
            elif theirs_changed and not mine_changed:
                form.cleaned_data[name] = getattr(instance, name)  # keep their newer value
        if conflicts:
            by = instance.updated_by or "Someone"
            for name, current in conflicts:
                shown = getattr(instance, name)
                form.add_error(
                    name,
                    f"{by} changed this to “{shown if current is not None else ''}” "
                    f"while you were editing. Save again to keep yours.",
                )
            data = form.data.copy()
            data[form.add_prefix("version")] = instance.version  # a second save is deliberate
            form.data = data

    def _model_fields(self) -> list[str]:
        names = {f.name for f in self.instance._meta.concrete_fields}
        return [n for n in self.form.fields if n in names and n != "version"]

    @staticmethod
    def _value(value):
        return getattr(value, "pk", value)
