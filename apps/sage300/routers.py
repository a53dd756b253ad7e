"""Send the embedded Sage 300 CRE to its own database, everything else to Trestle's."""

SAGE_APP_LABEL = "sage300"
SAGE_ALIAS = "sage"


class Sage300Router:
    def db_for_read(self, model, **hints):
        return SAGE_ALIAS if model._meta.app_label == SAGE_APP_LABEL else None

    def db_for_write(self, model, **hints):
        return SAGE_ALIAS if model._meta.app_label == SAGE_APP_LABEL else None

    def allow_relation(self, obj1, obj2, **hints):
        # Relations never cross the boundary between Trestle and Sage.
        return (obj1._meta.app_label == SAGE_APP_LABEL) == (obj2._meta.app_label == SAGE_APP_LABEL)

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        if app_label == SAGE_APP_LABEL:
            return db == SAGE_ALIAS
        return db != SAGE_ALIAS
