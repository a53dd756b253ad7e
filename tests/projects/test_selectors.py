from apps.projects.models import Project
from apps.projects.selectors import project_list, sub_job_list
from apps.projects.services import sub_job_create
from tests.wbs.helpers import erp_list, project


def test_project_list_reads_projects_with_their_list_in_one_query(django_assert_num_queries):
    # given
    erp_list()
    for number in ("1003", "1001", "1002"):
        project(number)

    # when
    with django_assert_num_queries(1):
        rows = [(p.number, p.cost_code_list.name) for p in project_list()]

    # then
    assert rows == [
        ("1001", "Sage 300 CRE Standard Cost Codes"),
        ("1002", "Sage 300 CRE Standard Cost Codes"),
        ("1003", "Sage 300 CRE Standard Cost Codes"),
    ]


def test_project_list_filters():
    # given
    warehouse = project("1001", name="Warehouse", city="Chicago")
    school = project("1002", name="School", stage=Project.Stage.BIDDING, is_active=False)
    Project.objects.filter(pk=warehouse.pk).update(sage_job_id="J-1001")

    # then
    assert list(project_list(filters={"integrated": True})) == [warehouse]
    assert list(project_list(filters={"integrated": False})) == [school]
    assert list(project_list(filters={"stage": "bidding"})) == [school]
    assert list(project_list(filters={"is_active": True})) == [warehouse]
    assert list(project_list(filters={"search": "j-1001"})) == [warehouse]
    assert list(project_list(filters={"search": "chic"})) == [warehouse]


def test_sub_job_list_reads_sub_jobs_with_their_project_in_one_query(django_assert_num_queries):
    # given
    first, second = project("1001"), project("1002")
    sub_job_create(project=second, code="01", name="Phase 1")
    sub_job_create(project=first, code="02", name="Phase 2")
    sub_job_create(project=first, code="01", name="Phase 1")

    # when
    with django_assert_num_queries(1):
        rows = [(s.project.number, s.code) for s in sub_job_list()]

    # then
    assert rows == [("1001", "01"), ("1001", "02"), ("1002", "01")]
    assert [s.code for s in sub_job_list(project=second)] == ["01"]
    assert [s.code for s in sub_job_list(filters={"search": "phase 2"})] == ["02"]


def test_with_a_user_projects_and_sub_jobs_are_scoped_to_the_users_projects():
    # given
    from django.contrib.auth import get_user_model

    from apps.access.models import Level
    from tests.access.helpers import join, make_user

    alpha, bravo = project("A-1"), project("B-1")
    sub_job_create(project=alpha, code="01", name="Phase 1")
    sub_job_create(project=bravo, code="01", name="Phase 1")
    member, outsider = make_user(), make_user(company_admin=Level.ADMIN, directory=Level.ADMIN)
    join(member, alpha, project_admin=Level.READ_ONLY)
    superuser = get_user_model().objects.create_superuser("root", password="x")

    # then
    assert list(project_list(user=member)) == [alpha]
    assert [(s.project.number, s.code) for s in sub_job_list(user=member)] == [("A-1", "01")]
    assert list(sub_job_list(project=bravo, user=member)) == []
    assert (list(project_list(user=outsider)), list(sub_job_list(user=outsider))) == ([], [])
    assert list(project_list(user=superuser)) == [alpha, bravo]
    assert list(project_list()) == [alpha, bravo]  # no user: an internal read


def test_an_inactive_member_sees_no_project():
    from tests.access.helpers import join, make_user

    alpha = project("A-1")
    member = make_user()
    join(member, alpha)
    member.is_active = False
    member.save()

    assert list(project_list(user=member)) == []
