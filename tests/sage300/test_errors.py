"""The message table: Sage's confirmed wordings, character for character."""

import pytest

from apps.sage300.errors import MESSAGES, SageError
from apps.erp.records import JobExport
from apps.sage300.connector import SAGE_LIMITS
from apps.sage300.limits import JOB_FIELDS

SEED_WORDINGS = {
    "job_id_exists": "A job already exists with the specified id.",
    "job_code_exists": "A job with that code already exists.",
    "job_closed": "Job has been closed.",
    "vendor_inactive": "Vendor is inactive/has been archived.",
    "entity_not_found": "Entity with this ID not found.",
    "blank": "Can't be blank.",
    "hourly_limit": "Unknown Error => You have surpassed the max number of requests for an hour. "
    "Please wait until your limit resets.",
    "import_timeout": "The Import operation took longer than the set timeout.",
}


@pytest.mark.parametrize(("code", "wording"), SEED_WORDINGS.items())
def test_confirmed_wordings_are_sages_exactly(code, wording):
    # when
    error = SageError(code)

    # then
    assert error.message == wording
    assert str(error) == wording
    assert MESSAGES[code].confirmed is True


@pytest.mark.parametrize(
    ("entity", "wording"),
    [
        ("Category", "No entities could be found of type [Category] with given where clause."),
        ("CostCode", "No entities could be found of type [CostCode] with given where clause."),
        ("Job", "No entities could be found of type [Job] with given where clause."),
        ("Extra", "No entities could be found of type [Extra] with given where clause."),
        ("Vendor", "No entities could be found of type [Vendor] with given where clause."),
    ],
)
def test_where_clause_wording_names_the_entity_type(entity, wording):
    assert SageError("not_in_where_clause", entity=entity).message == wording


@pytest.mark.parametrize(
    ("limit", "wording"),
    [
        (JOB_FIELDS["description"], "[Name] is too long, maximum length is 30 characters."),
        (JOB_FIELDS["city"], "[AddressCity] is too long, maximum length is 15 characters."),
        (JOB_FIELDS["zip_code"], "[AddressZip] is too long, maximum length is 10 characters."),
    ],
)
def test_too_long_wording_matches_the_seed_and_the_connectors_declaration(limit, wording):
    # when
    error = SageError("too_long", label=limit.label, max_length=limit.max_length)

    # then: Sage's column limit, and the connector's declaration of it to the hub, say the same
    assert error.message == wording
    assert limit.message() == wording
    declared = {field_limit.message() for field_limit in SAGE_LIMITS.of(JobExport).values()}
    assert wording in declared


def test_the_closed_period_wording_is_the_seeds_with_its_two_spaces_and_date():
    # R205: the part of the seed's AP refusal that is Sage's posting rule, MM\DD\YYYY as the seed prints it
    assert SageError("gl_period_closed", date="03\\14\\2026").message == (
        "GL period closed.  Entry not allowed. (03\\14\\2026)."
    )


def test_only_retryable_messages_are_the_rate_limit_and_the_timeout():
    assert {code for code, message in MESSAGES.items() if message.retryable} == {"hourly_limit", "import_timeout"}


def test_invented_wordings_are_flagged_unconfirmed():
    # given
    confirmed = {code for code, message in MESSAGES.items() if message.confirmed}

    # then
    assert confirmed == {*SEED_WORDINGS, "too_long", "not_in_where_clause", "gl_period_closed"}
    assert MESSAGES["cost_code_format"].text == (
        "Cost code {code} is not in the format set up in Custom Descriptions (e.g. 01-100)."
    )
    assert MESSAGES["vendor_id_exists"].text == "A vendor already exists with the specified id."


def test_an_error_carries_its_field_and_row():
    # when
    error = SageError("blank", field="description", row=3)

    # then
    assert (error.code, error.field, error.row, error.retryable) == ("blank", "description", 3, False)
