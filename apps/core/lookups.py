"""``field__any_of=[…]``: membership in a long list of values, as one array parameter on PostgreSQL.

Django's ``__in`` sends one parameter per value; with thousands of values per sync page, psycopg
spends most of the query's time binding them. ``= ANY(%s)`` binds a single array. Other databases
get an ordinary ``IN``.
"""

from django.db.models import Lookup


class AnyOf(Lookup):
    lookup_name = "any_of"
    prepare_rhs = False  # the right-hand side is a list of values, not one value of the field

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        values = list(self.rhs)
        if connection.vendor == "postgresql":
            return f"{lhs} = ANY(%s)", [*lhs_params, values]
        if not values:
            return "1 = 0", list(lhs_params)
        return f"{lhs} IN ({', '.join(['%s'] * len(values))})", [*lhs_params, *values]
